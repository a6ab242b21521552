// Re-anchoring: finds the data's elements on the live DOM by recomputing every element's key
// exactly as the tracker does (selector() from the tracker, hashed by the same C++ in wasm).
import { EL_FIXED } from 'thermograph-constants';
import { selector } from '../tracker/element.js';

// Returns { byKey: Map key -> element, keyOf: WeakMap element -> key } for keys in `wanted`.
export function findElements(module, wanted, skipRoot) {
  const byKey = new Map(), keyOf = new WeakMap();
  if (!wanted.size) return { byKey, keyOf };
  for (const el of document.body.getElementsByTagName('*')) {
    if (skipRoot && skipRoot.contains(el)) continue;
    const key = module.elementKey(selector(el)) >>> 0;
    if (!wanted.has(key)) continue;
    keyOf.set(el, key);
    if (!byKey.has(key)) byKey.set(key, el);
  }
  return { byKey, keyOf };
}

// Boxes of found elements as [key, x, y, w, h] * n: page px, viewport px for fixed elements
// (their clicks were recorded relative to the viewport, so that is where they are drawn).
export function anchorBoxes(byKey, stats) {
  const out = new Float64Array(byKey.size * 5);
  let i = 0;
  for (const [key, el] of byKey) {
    const r = el.getBoundingClientRect();
    if (!r.width && !r.height) continue;  // display: none now: nothing to draw on
    const fixed = (stats.get(key)?.flags ?? 0) & EL_FIXED;
    out.set([key, r.left + (fixed ? 0 : scrollX), r.top + (fixed ? 0 : scrollY), r.width, r.height], i);
    i += 5;
  }
  return out.subarray(0, i);
}
