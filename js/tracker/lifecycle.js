// When deltas leave: after 30 s and then every 60 s while visible, when the page is hidden, and
// when it goes away (pagehide), plus SPA navigations (history API; hash-only changes are not new
// page views).
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
  // While visible, deltas leave after 30 s, then every 60 s. Each report repeats the segment
  // header and the identity of every element it touches (the bench's minute: 2 reports, not 3),
  // and the end of a visit never waits for a timer: hidden and pagehide flush at once. The
  // interval only bounds what a crashed tab loses.
  let timer;
  const tick = ctx.guard(() => {
    if (visible()) ctx.sendDeltas(false);
    timer = setTimeout(tick, 2 * intervalMs);
  });
  timer = setTimeout(tick, intervalMs);
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
