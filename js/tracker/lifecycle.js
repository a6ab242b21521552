// When deltas leave: every 10 s while visible, when the page is hidden, and when it goes away
// (pagehide), plus SPA navigations (history API; hash-only changes are not new page views).
import { listen, EV_VISIBILITY, REACT_NAVIGATION } from './events.js';

export function start(ctx, intervalMs) {
  const stops = [];
  const on = (target, type, fn) => stops.push(listen(ctx, target, type, fn));
  on(document, 'visibilitychange', () => {
    const visible = document.visibilityState === 'visible';
    ctx.push(EV_VISIBILITY, visible ? 1 : 0);
    if (!visible) ctx.flush(false);
  });
  on(window, 'pagehide', () => {
    ctx.react(REACT_NAVIGATION);
    ctx.flush(true);
  });
  const timer = setInterval(ctx.guard(() => {
    if (document.visibilityState === 'visible') ctx.flush(false);
  }), intervalMs);
  stops.push(() => clearInterval(timer));

  // SPA routes: a changed path or query is a new page view.
  const where = () => location.pathname + location.search;
  let current = where();
  const changed = ctx.guard(() => {
    if (where() === current) return;
    current = where();
    ctx.react(REACT_NAVIGATION);
    ctx.flush(true);
    ctx.beginPageView();
  });
  const patch = (name) => {
    const orig = history[name];
    if (typeof orig !== 'function') return;
    history[name] = function (...args) {
      const r = orig.apply(this, args);
      changed();
      return r;
    };
    stops.push(() => { if (history[name] !== orig) history[name] = orig; });
  };
  patch('pushState');
  patch('replaceState');
  on(window, 'popstate', changed);
  return () => stops.forEach((s) => s());
}
