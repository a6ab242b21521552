// Event types and flags shared with src/core/tracker.h (kEv*, kClick*, kReact*).
export const EV = { move: 1, out: 2, click: 3, scroll: 4, reaction: 5, error: 6, visibility: 7, goal: 8, input: 9 };
export const CLICK = { fixed: 1, interactive: 2, noRage: 4, noDead: 8 };
export const REACT = { mutation: 1, scroll: 2, selection: 3, focus: 4, navigation: 5 };
export const FIELD = { site: 0, page: 1, variant: 2, tag: 3 };
export const NUM = {
  device: 0, loggedIn: 1, version: 2, rageClicks: 3, rageRadius: 4, rageGapMs: 5, deadMutationMs: 6,
  deadScrollMs: 7, deadFocusMs: 8, errorWindowMs: 9, clickCells: 10, clickMax: 11, moveCells: 12,
  moveMax: 13, elements: 14,
};
export const DEVICE = { mouse: 1, touch: 2, pen: 3 };
export const VERSION = 1;

// Adds a guarded, passive capture listener (every event source uses these); returns its remover.
export function listen(ctx, target, type, fn) {
  const g = ctx.guard(fn), o = { passive: true, capture: true };
  target.addEventListener(type, g, o);
  return () => target.removeEventListener(type, g, o);
}
