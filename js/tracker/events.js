// Event types and flags shared with src/core/tracker.h (kEv*, kClick*, kReact*) and the field
// numbers of src/wasm/visitor.cpp. Plain constants, so the bundler inlines them as numbers.
export const EV_MOVE = 1, EV_OUT = 2, EV_CLICK = 3, EV_SCROLL = 4, EV_REACTION = 5, EV_ERROR = 6, EV_VISIBILITY = 7, EV_GOAL = 8, EV_INPUT = 9;
export const CLICK_FIXED = 1, CLICK_INTERACTIVE = 2, CLICK_NO_RAGE = 4, CLICK_NO_DEAD = 8;
export const REACT_MUTATION = 1, REACT_SCROLL = 2, REACT_SELECTION = 3, REACT_FOCUS = 4, REACT_NAVIGATION = 5;
export const FIELD_SITE = 0, FIELD_PAGE = 1, FIELD_VARIANT = 2, FIELD_TAG = 3;
export const NUM_DEVICE = 0, NUM_LOGGED_IN = 1, NUM_VERSION = 2, NUM_RAGE_CLICKS = 3, NUM_RAGE_RADIUS = 4, NUM_RAGE_GAP_MS = 5, NUM_DEAD_MUTATION_MS = 6, NUM_DEAD_SCROLL_MS = 7, NUM_DEAD_FOCUS_MS = 8, NUM_ERROR_WINDOW_MS = 9;
export const DEVICE_MOUSE = 1, DEVICE_TOUCH = 2, DEVICE_PEN = 3;
export const VERSION = 1;

export const now = () => performance.now();

export const log = (m) => {
  try { console.warn('thermograph: ' + m); } catch (e) { /* no console */ }
};

// Adds a guarded, passive capture listener (every event source uses these); the tracker removes
// it on stop, with everything else the sources registered through ctx.undo, last first.
export function listen(ctx, type, fn, target = document) {
  const g = ctx.guard(fn), o = { passive: true, capture: true };
  target.addEventListener(type, g, o);
  ctx.undo(() => target.removeEventListener(type, g, o));
}

// Runs fn at most once per frame (16 ms), however many events ask for it (scroll sampling). A
// timer, not requestAnimationFrame: scheduling a frame per event cost far more main-thread time in
// Chromium (profiled, docs/configuration.md), and the sample rate is the same.
export function perFrame(ctx, fn) {
  let pending = false;
  const run = ctx.guard(() => {
    pending = false;
    fn();
  });
  return () => {
    if (!pending) {
      pending = true;
      setTimeout(run, 16);
    }
  };
}
