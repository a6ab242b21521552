// Element names as designers see them: the accessible name and role, computed here from the live
// DOM ("'Start free trial' button", "image 'Team photo'"), shortened and passed through the C++
// PII detectors (module.findPii) before display. Only names of interactive elements (buttons,
// links, fields) are shared with the collector, with the read token (contributeNames), so the
// dashboard and the CSV can name elements too; the collector checks them again.
// Fallback: a description by position ("3rd card in 'Pricing'"), never a selector or a hash.
const MAX = 40;
const ROLES = {
  a: (el) => (el.hasAttribute('href') ? 'link' : ''), button: () => 'button', img: () => 'image',
  select: () => 'menu', textarea: () => 'text field', h1: () => 'heading', h2: () => 'heading',
  h3: () => 'heading', h4: () => 'heading', nav: () => 'navigation', header: () => 'header',
  footer: () => 'footer', main: () => 'main content', form: () => 'form', video: () => 'video',
  summary: () => 'disclosure', label: () => 'label', li: () => 'list item', section: () => 'section',
  input: (el) => ({ button: 'button', submit: 'button', reset: 'button', checkbox: 'checkbox', radio: 'radio button',
    range: 'slider', image: 'button' })[el.type] || 'text field',
};
const IMAGE_FIRST = new Set(['image', 'video']);
const ORD = (n) => n + (n % 100 >= 11 && n % 100 <= 13 ? 'th' : ['th', 'st', 'nd', 'rd'][n % 10] || 'th');

export function roleOf(el) {
  const r = el.getAttribute('role');
  if (r) return r.split(/\s+/)[0].replace('img', 'image');
  const f = ROLES[el.tagName.toLowerCase()];
  return f ? f(el) : '';
}

const clean = (s) => String(s || '').replace(/\s+/g, ' ').trim();
const shorten = (s) => (s.length > MAX ? s.slice(0, MAX - 1).replace(/\s+\S*$/, '') + '…' : s);

// Visible text without scripts, styles and the overlay's own nodes.
function textOf(el) {
  if (el.matches?.('[data-thermograph-exclude],input[type=password],[autocomplete^=cc-]')) return '';
  let out = '';
  for (const n of el.childNodes) {
    if (n.nodeType === 3) out += n.data + ' ';
    else if (n.nodeType === 1 && !/^(SCRIPT|STYLE|NOSCRIPT|TEMPLATE)$/.test(n.tagName) && !n.hidden) {
      out += (n.tagName === 'IMG' ? n.getAttribute('alt') || '' : textOf(n)) + ' ';
    }
    if (out.length > 400) break;
  }
  return out;
}

// The accessible name, simplified from the accname spec in its usual order. Input values are
// never read (they are what a visitor typed).
export function accessibleName(el) {
  const by = el.getAttribute('aria-labelledby');
  if (by) {
    const t = by.split(/\s+/).map((id) => el.ownerDocument.getElementById(id)).filter(Boolean).map(textOf).join(' ');
    if (clean(t)) return clean(t);
  }
  const aria = clean(el.getAttribute('aria-label'));
  if (aria) return aria;
  if (el.labels && el.labels.length) return clean([...el.labels].map(textOf).join(' '));
  const tag = el.tagName.toLowerCase();
  if (tag === 'img' || (tag === 'input' && el.type === 'image')) {
    const alt = clean(el.getAttribute('alt'));
    if (alt) return alt;
  }
  if (tag === 'input' && ['button', 'submit', 'reset'].includes(el.type)) return clean(el.value) || el.type;
  if (!['input', 'textarea', 'select'].includes(tag)) {
    const t = clean(textOf(el));
    if (t) return t;
  }
  return clean(el.getAttribute('title') || el.getAttribute('placeholder'));
}

// Masks what the detectors flag: word by word, so "Email jane@x.io" keeps "Email".
export function safeText(module, text) {
  if (!text || !module.findPii(text)) return text;
  const words = text.split(' ').map((w) => (module.findPii(w) ? '•••' : w));
  const masked = words.join(' ');
  return module.findPii(masked) ? '' : masked;
}

function labelled(module, el) {
  const name = safeText(module, shorten(accessibleName(el)));
  return name ? `'${name}'` : '';
}

function describe(module, el, depth = 0) {
  const role = roleOf(el);
  const name = labelled(module, el);
  if (name) return role ? (IMAGE_FIRST.has(role) ? `${role} ${name}` : `${name} ${role}`) : name;
  const parent = el.parentElement;
  const kind = role || (el.classList[0] && !/\d/.test(el.classList[0]) ? el.classList[0].replace(/[-_]/g, ' ') : el.tagName.toLowerCase());
  if (!parent || parent === el.ownerDocument.body || depth > 3) return role || `${kind}`;
  const same = [...parent.children].filter((c) => c.tagName === el.tagName);
  const pos = same.length > 1 ? `${ORD(same.indexOf(el) + 1)} ` : '';
  return `${pos}${kind} in ${describe(module, parent, depth + 1)}`;
}

// The name shown for a live element (cached per element for one overlay session).
export function createNamer(module) {
  const cache = new WeakMap();
  return (el) => {
    if (!el) return 'an element no longer on this page';
    if (!cache.has(el)) cache.set(el, describe(module, el));
    return cache.get(el);
  };
}

// Roles the collector stores names for (names_api.cpp kRoles): what people click.
const SHARED_ROLES = new Set(['button', 'link', 'menu', 'text field', 'checkbox', 'radio button', 'slider', 'tab',
  'menuitem', 'switch', 'option', 'combobox', 'disclosure', 'searchbox']);

// { role, name } of an interactive element with an accessible name that passes the detectors,
// else null (no position descriptions: those name the page's content, not the element).
export function sharedName(module, el) {
  const role = roleOf(el);
  if (!SHARED_ROLES.has(role)) return null;
  const name = safeText(module, shorten(accessibleName(el)));
  return name && !name.includes('•••') ? { role, name } : null;
}
