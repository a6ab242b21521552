// Exposure: how long the elements people act on, and the page's sections, are at least half in
// view at once, or fill at least half the viewport (a section taller than two screens is never
// half in view) (stints). A stint is recorded when it ends: out of view, tab hidden, page view
// over. A flush also records a running stint already long enough to count as exposed, and
// restarts it (a shorter one runs on: cut in two, neither part might reach exposure_ms). Bounded:
// the first MAX watched elements in document order outside privacy zones, looked for again at
// every flush (elements added later; removed ones end their stint and free their slot), and from scratch when a page view begins or the tab is
// shown again (the observer's first report then starts the stints of what is in view). Stints
// shorter than an attention unit add no time: not recorded, so they take no element slot.
// Same-origin frames' elements are watched too (and count against the same MAX).
// Without IntersectionObserver: no exposure.
import { ATTENTION_UNIT_MS, EV_EXPOSURE } from 'thermograph-constants';
import { listen, now } from './events.js';
import { isExcluded } from './element.js';

const WATCHED = 'a,button,input,select,textarea,[role=button],section';
const MAX = 48;

export function start(ctx, min) {
  const IO = window.IntersectionObserver;
  const seen = new Map();  // watched element -> when its running stint began; false: out of view
  const docs = new Set([document]);
  ctx.expose = () => {};
  if (!IO) return;
  const end = (el, t, info) => {
    t = now() - t;
    t >= ATTENTION_UNIT_MS && (info = ctx.describe(el)) && ctx.record(EV_EXPOSURE, t, 0, info, info.flags);
  };
  const io = new IO(ctx.guard((entries) => {
    for (const e of entries) {
      const el = e.target, t = seen.get(el);
      // A report for an element no longer watched (queued before a restart) changes nothing;
      // none is watched while the tab is hidden (see expose).
      const shown = e.isIntersecting && (e.intersectionRatio >= 0.5 || e.intersectionRect.height * 2 >= (e.rootBounds || {}).height);
      if (!shown) t && (end(el, t), seen.set(el, false));
      else if (t === false) seen.set(el, now());
    }
  }), { threshold: [0, 0.1, 0.2, 0.3, 0.4, 0.5] });  // below 0.5 for tall elements
  // At a flush, and (all = 1) when the tracker starts or the tab is shown again. A final flush
  // (also the one before an SPA page view begins) or one for a hidden tab ends every stint and
  // starts over.
  ctx.expose = (all) => {
    all = all || document.hidden;
    seen.forEach((t, el) => {
      const gone = !el.isConnected;
      if (t && (all || gone || now() - t >= min)) {
        end(el, t);
        seen.set(el, now());
      }
      gone && (io.unobserve(el), seen.delete(el));
    });
    if (all) io.disconnect(seen.clear());
    docs.forEach((d) => {
      // A frame's document replaced by a navigation (or its frame removed) has no window: dropped.
      if (!d.defaultView) return docs.delete(d);
      for (const el of d.querySelectorAll(WATCHED)) {
        if (seen.size >= MAX || document.hidden) break;
        // Only the privacy markers here: an element is described (its key: selector and styles
        // read) when one of its stints is recorded, not for being watched.
        seen.has(el) || isExcluded(el) || (seen.set(el, false), io.observe(el));
      }
    });
  };
  // The page's document and every same-origin frame's the tracker observes (tracker.js watchDoc),
  // in document order of discovery; a frame loaded later is looked at as it comes. The observer's
  // implicit root is the top-level viewport, so a frame's element counts as the visitor sees it.
  ctx.docs.push((d) => docs.has(d) || (docs.add(d), ctx.expose()));
  ctx.undo(() => io.disconnect());
  // An async script can run before the document is parsed: look again once it is.
  listen(ctx, 'DOMContentLoaded', () => ctx.expose(), document);
  listen(ctx, 'visibilitychange', () => document.hidden || ctx.expose(1), document);
  ctx.expose(1);
}
