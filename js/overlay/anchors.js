// Re-anchoring: finds the data's elements on the live DOM by recomputing every element's keys
// exactly as the tracker does (selector() from the tracker, hashed by the same C++ in wasm).
import { EL_FIXED } from 'thermograph-constants';
import { selector, frameAt } from '../tracker/element.js';

// Every element of the page, inside open shadow roots and same-origin frames too, nested (where
// the tracker keys clicks). A cross-origin frame has no contentDocument here (null, no throw):
// its own tag reports for its own page.
function* everyElement(root) {
  for (const el of root.querySelectorAll('*')) {
    yield el;
    if (el.shadowRoot) yield* everyElement(el.shadowRoot);
    if (el.localName === 'iframe' && el.contentDocument?.body) yield* everyElement(el.contentDocument.body);
  }
}

// An element's box in the top window's viewport: a same-origin frame's elements are moved by
// where the frame's viewport sits (frameAt, the tracker's own translation of frame events).
export function viewBox(el) {
  const r = el.getBoundingClientRect(), [x, y] = frameAt(el.ownerDocument.defaultView);
  return x || y ? new DOMRect(r.x + x, r.y + y, r.width, r.height) : r;
}

// Finds the data's elements on the page: { byKey: Map key -> element, keyOf: WeakMap element ->
// key }. `elements` are the data's ({ key, stable }): each is found by its specific key, or else
// by its stable key (a variant or a deploy restyled it: classes are not in the stable key).
// `identities` (compare rows, which pair by stable key) are found by stable key.
export function findElements(module, elements, identities, skipRoot) {
  const byKey = new Map(), keyOf = new WeakMap(), specific = new Map(), stable = new Map();
  if (!elements.length && !identities.length) return { byKey, keyOf };
  for (const el of everyElement(document.body)) {
    if (skipRoot && skipRoot.contains(el)) continue;
    const sel = selector(el), k = module.elementKey(sel) >>> 0, s = module.stableElementKey(sel) >>> 0;
    if (!specific.has(k)) specific.set(k, el);
    if (!stable.has(s)) stable.set(s, el);
  }
  const put = (key, el) => {
    if (!el) return;
    byKey.set(key, el);
    if (!keyOf.has(el)) keyOf.set(el, key);
  };
  for (const e of elements) put(e.key, specific.get(e.key) || stable.get(e.stable));
  for (const id of identities) if (!byKey.has(id)) put(id, stable.get(id) || specific.get(id));
  return { byKey, keyOf };
}

// Boxes of found elements as [key, x, y, w, h] * n: page px, viewport px for fixed elements
// (their clicks were recorded relative to the viewport, so that is where they are drawn).
export function anchorBoxes(byKey, stats) {
  const out = new Float64Array(byKey.size * 5);
  let i = 0;
  for (const [key, el] of byKey) {
    if (!stats.has(key)) continue;  // a compare row's identity, not one of the data's elements
    const r = viewBox(el);
    if (!r.width && !r.height) continue;  // display: none now: nothing to draw on
    const fixed = (stats.get(key)?.flags ?? 0) & EL_FIXED;
    out.set([key, r.left + (fixed ? 0 : scrollX), r.top + (fixed ? 0 : scrollY), r.width, r.height], i);
    i += 5;
  }
  return out.subarray(0, i);
}
