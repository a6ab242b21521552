// When deltas leave: every 10 s while visible, when the page is hidden, and when it goes away
// (pagehide), plus SPA navigations (history API; hash-only changes are not new page views).
import { EV_VISIBILITY, REACT_NAVIGATION } from 'thermograph-constants';
import { listen } from './events.js';

export function start(ctx, intervalMs) {
  const visible = () => document.visibilityState === 'visible';
  // Leaving a page view: its last reactions count, and its deltas leave now.
  const leave = () => {
    ctx.react(REACT_NAVIGATION);
    ctx.sendDeltas(true);
  };
  listen(ctx, 'visibilitychange', () => {
    const v = visible();
    ctx.record(EV_VISIBILITY, v ? 1 : 0);
    if (!v) ctx.sendDeltas(false);
  }, document);
  listen(ctx, 'pagehide', leave, window);
  // While visible, deltas leave after 10 s, then at doubling intervals up to 60 s: short visits
  // report early, long ones send a few reports rather than one every 10 s (each repeats the
  // segment header). Hidden and pagehide flush at once anyway.
  let delay = intervalMs, timer;
  const tick = ctx.guard(() => {
    if (visible()) ctx.sendDeltas(false);
    timer = setTimeout(tick, (delay = Math.min(delay * 2, 6 * intervalMs)));
  });
  timer = setTimeout(tick, delay);
  ctx.undo(() => clearTimeout(timer));

  // SPA routes: a changed path or query is a new page view.
  const where = () => location.pathname + location.search;
  let current = where();
  const changed = ctx.guard(() => {
    if (where() === current) return;
    current = where();
    leave();
    ctx.beginPageView();
  });
  for (const name of ['pushState', 'replaceState']) {
    const orig = history[name];
    if (typeof orig !== 'function') continue;
    history[name] = function (...args) {
      const r = orig.apply(this, args);
      changed();
      return r;
    };
    ctx.undo(() => { if (history[name] !== orig) history[name] = orig; });
  }
  listen(ctx, 'popstate', changed, window);
}
