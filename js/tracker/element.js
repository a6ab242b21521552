// Element keys, shared by the tracker and the overlay (which recomputes keys on the live DOM to
// re-anchor heat). The selector text is only ever hashed, in wasm, never sent.
const INTERACTIVE =
  'a[href],button,input,select,textarea,label,summary,[role=button],[role=link],[role=tab],' +
  '[role=menuitem],[role=checkbox],[onclick],[contenteditable]';
// Privacy markers of Thermograph and other tools: no pointer data inside these.
const EXCLUDED =
  'input[type=password],[data-thermograph-exclude],[data-clarity-mask],.rr-block,.ph-no-capture,' +
  '.fs-exclude,[data-hj-suppress],[data-dd-privacy=hidden]';
const SENSITIVE_AUTOCOMPLETE = /(^|\s)(cc-[a-z-]+|one-time-code|[a-z-]*password)\s*$/i;
const NO_RAGE =
  '[data-thermograph-no-rage],input[type=number],[role=spinbutton],[role=slider],.pagination,' +
  '[aria-label*=next i],[aria-label*=previous i],[aria-label*=increase i],[aria-label*=decrease i]';
const NO_DEAD = '[data-thermograph-no-dead],a[href],input,select,textarea,label,option,summary';
const MAX_DEPTH = 6;

// Ids and classes with digits are never stable. State classes (open, active, ...) and anything a PII
// detector matches are dropped again in wasm (element_key.cpp), which is the authority.
const stable = (t) => /^[A-Za-z_-]{1,64}$/.test(t || '');

// The nearest element people mean when they click inside it (the button, not its icon).
export function target(node) {
  const el = node && node.nodeType === 1 ? node : node && node.parentElement;
  if (!el || !el.closest) return null;
  return el.closest(INTERACTIVE) || el;
}

export function selector(el) {
  const steps = [];
  for (let n = el, depth = 0; n && n.nodeType === 1 && depth < MAX_DEPTH; n = n.parentElement, depth++) {
    const tag = n.localName;
    if (tag === 'html') break;
    const id = n.getAttribute('id'), anchored = stable(id);  // a stable id anchors the path
    let step = tag + (anchored ? '#' + id : '') + [...(n.classList || [])].filter(stable).sort().map((c) => '.' + c).join('');
    const parent = n.parentElement;
    if (parent && !anchored) {
      const same = [...parent.children].filter((s) => s.localName === tag);
      if (same.length > 1) step += ':' + (same.indexOf(n) + 1);
    }
    steps.unshift(step);
    if (anchored || tag === 'body') break;
  }
  return steps.join('>');
}

export const isInteractive = (el) => !!el.closest(INTERACTIVE);

export function isExcluded(el) {
  if (el.closest(EXCLUDED)) return true;
  const ac = el.getAttribute && el.getAttribute('autocomplete');
  return !!(ac && SENSITIVE_AUTOCOMPLETE.test(ac));
}

export function isFixed(el) {
  for (let n = el; n && n.nodeType === 1 && n.localName !== 'body'; n = n.parentElement) {
    const p = getComputedStyle(n).position;
    if (p === 'fixed' || p === 'sticky') return true;
  }
  return false;
}

export const noRage = (el) => !!el.closest(NO_RAGE);
export const noDead = (el) => !!el.closest(NO_DEAD);
