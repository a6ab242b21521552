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

// Ids and classes that never shape a key (this is their one home): tokens with digits, and what a
// CSS-in-JS library generated: a library prefix (sc-, css-, jsx-, svelte-) or case that
// flips twice within a word like a hash (bdVaJa, kBuVZE). Dropping a real class (myNavBar) only
// makes a specific key less specific. State classes (open, active, ...) and anything a PII
// detector matches are dropped in wasm (element_key.cpp).
export const stable = (t) => /^(?!(sc|css|jsx|svelte)-|.*(\d|[a-z][A-Z][^_-]*[a-z][A-Z]))[\w-]{1,64}$/.test(t || '');

// The nearest element people mean when they click inside it (the button, not its icon).
export function target(node) {
  const el = node && node.nodeType === 1 ? node : node && node.parentElement;
  // Every Element has closest() in the browsers that run WebAssembly.
  return el ? el.closest(INTERACTIVE) || el : null;
}

// The event's innermost target: inside an open shadow root, not its host (closed roots keep the
// host: the page cannot see into them).
export const origin = (e) => (e.target.shadowRoot ? e.composedPath()[0] : e.target);

// Steps from the element up, through shadow hosts (an element in a shadow root is keyed with its
// host's path; ids there are scoped to the root, so they do not anchor the path).
export function selector(el) {
  const steps = [];
  for (let n = el, depth = 0, parent; n && n.nodeType === 1 && depth < MAX_DEPTH; n = n.parentElement || parent?.host, depth++) {
    const tag = n.localName;
    if (tag === 'html') break;
    const id = n.getAttribute('id'), anchored = stable(id) && !n.getRootNode().host;  // a stable id anchors the path
    let step = tag + (anchored ? '#' + id : '') + [...(n.classList || [])].filter(stable).sort().map((c) => '.' + c).join('');
    parent = n.parentNode;  // an element, or a shadow root
    if (parent && !anchored) {
      // Its position among same-tag siblings, when it has any (no array of them per step).
      let at = 0, same = 0;
      for (let s = parent.firstElementChild; s; s = s.nextElementSibling) if (s.localName === tag && ++same && s === n) at = same;
      if (same > 1) step += ':' + at;
    }
    steps.unshift(step);
    if (anchored || tag === 'body') break;
  }
  // In a same-origin frame: after the frame element's own path (its ids anchor only inside it).
  const f = frameOf(el);
  return (f ? selector(f) + '>' : '') + steps.join('>');
}

// The frame element holding el when el is in a same-origin frame's document (else falsy).
const frameOf = (el) => el.ownerDocument !== document && el.ownerDocument.defaultView.frameElement;

// Where a same-origin frame's viewport sits in this window's (nested frames add up), added to
// [x, y] (a point in that frame's viewport); [x, y] as given for this window's own events.
export function frameAt(w, x = 0, y = 0) {
  for (let f; w && w !== window && (f = w.frameElement); w = w.parent) {
    // The frame's document starts inside its border and its padding.
    const r = f.getBoundingClientRect(), s = getComputedStyle(f);
    x += r.left + f.clientLeft + parseFloat(s.paddingLeft);
    y += r.top + f.clientTop + parseFloat(s.paddingTop);
  }
  return [x, y];
}

export const isInteractive = (el) => !!el.closest(INTERACTIVE);

// Inside a frame, the markers of the frame element and its ancestors count too.
export function isExcluded(el) {
  if (el.closest(EXCLUDED)) return true;
  const ac = el.getAttribute('autocomplete'), f = frameOf(el);
  return !!(ac && SENSITIVE_AUTOCOMPLETE.test(ac)) || (!!f && isExcluded(f));
}

// Fixed on screen: for an element in a frame, whether the frame is (a frame's own fixed header
// scrolls with the page; anything in a fixed frame, a chat widget, stays put).
export function isFixed(el) {
  const f = frameOf(el);
  if (f) return isFixed(f);
  for (let n = el; n && n.nodeType === 1 && n.localName !== 'body'; n = n.parentElement) {
    const p = getComputedStyle(n).position;
    if (p === 'fixed' || p === 'sticky') return true;
  }
  return false;
}

export const noRage = (el) => !!el.closest(NO_RAGE);
export const noDead = (el) => !!el.closest(NO_DEAD);
