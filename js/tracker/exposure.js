// Exposure: how long the elements people act on, and the page's sections, are at least half in
// view at once (stints). A stint is recorded when it ends (out of view, tab hidden, page view
// over); a flush also records a running stint already long enough to count as exposed, and
// restarts it (a shorter one runs on: cut in two, neither part might reach exposure_ms). Bounded:
// the first MAX watched elements in document order outside privacy zones, looked for again at
// every flush (elements added later) and anew when a page view begins. Stints shorter than an
// attention unit add no time: not recorded, so they take no element slot. Without
// IntersectionObserver: no exposure.
import { ATTENTION_UNIT_MS, EV_EXPOSURE } from 'thermograph-constants';
import { listen, now } from './events.js';

const WATCHED = 'a,button,input,select,textarea,[role=button],section';
const MAX = 48;

export function start(ctx, min) {
  const IO = window.IntersectionObserver;
  // Watched element -> when its running stint began; 0: in view while the tab is hidden; false:
  // out of view.
  const seen = new Map();
  const end = (el, t, info) => {
    t = now() - t;
    t >= ATTENTION_UNIT_MS && (info = ctx.describe(el)) && ctx.record(EV_EXPOSURE, t, 0, info, info.flags);
  };
  // Records the running stints long enough to count (every one when `all`) and restarts them,
  // paused when `pause` (the tab is hidden).
  const cut = (all, pause) => seen.forEach((t, el) => {
    if (t && (all || now() - t >= min)) {
      end(el, t);
      seen.set(el, pause ? 0 : now());
    }
  });
  const io = IO && new IO(ctx.guard((entries) => {
    for (const e of entries) {
      const el = e.target, t = seen.get(el);
      if (e.intersectionRatio >= 0.5) t === false && seen.set(el, document.hidden ? 0 : now());
      else {
        t && end(el, t);
        seen.set(el, false);
      }
    }
  }), { threshold: 0.5 });
  // At a flush (`final`: the page view ends) and when a page view begins.
  ctx.expose = (final, begin) => {
    if (!io) return;
    begin ? io.disconnect(seen.clear()) : cut(final);
    for (const el of document.querySelectorAll(WATCHED)) {
      if (seen.size >= MAX) break;
      seen.has(el) || !ctx.describe(el) || (seen.set(el, false), io.observe(el));
    }
  };
  io && ctx.undo(() => io.disconnect());
  // An async script can run before the document is parsed: look again once it is.
  listen(ctx, 'DOMContentLoaded', () => ctx.expose(), document);
  // Registered before lifecycle.js's: the stints a hidden tab ends leave with its flush.
  listen(ctx, 'visibilitychange', () => document.hidden
    ? cut(1, 1)
    : seen.forEach((t, el) => t === 0 && seen.set(el, now())), document);
}
