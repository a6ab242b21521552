// Helpers every event source uses. Event types, flags and field numbers are the C++'s
// (src/core/tracker.h, src/wasm/visitor.h): import them from 'thermograph-constants', generated
// at build time (scripts/gen-constants.mjs); esbuild inlines them as numbers.
export const VERSION = 1;  // this script's version, sent as the segment's tracker_version

export const now = () => performance.now();

export const log = (m) => {
  try { console.warn('thermograph: ' + m); } catch (e) { /* no console */ }
};

// Adds a guarded, passive capture listener (every event source uses these); the tracker removes
// it on stop, with everything else the sources registered through ctx.undo, last first. Without
// a target: on every document the tracker observes (ctx.docs: the page's and its same-origin
// frames', tracker.js), now and as frames load.
export function listen(ctx, type, fn, target) {
  const g = ctx.guard(fn), o = { passive: true, capture: true };
  const on = (t) => {
    t.addEventListener(type, g, o);
    ctx.undo(() => t.removeEventListener(type, g, o));
  };
  target ? on(target) : ctx.docs.push(on);
}

// Values a site passes into the segment (tag keys and values, variants) must look like labels:
// 1-32 ASCII letters, digits and `_ . : -`, not starting with a separator, at most 6 digits in a
// row with separators not breaking the run. The collector's rule is is_label (src/core/pii.h);
// tests/node/label.test.mjs holds both to one table (tests/native/data/label_expected.json).
export const isLabel = (v) => /^(?!.*(\d[\W_]*){7})[a-z\d][\w.:-]{0,31}$/i.test(v);
