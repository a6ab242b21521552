// Clicks and taps, with the accidental ones filtered (docs/configuration.md):
// - untrusted (script-dispatched) clicks are not people: skipped;
// - keyboard activation (detail 0, no coordinates) is placed at the element's centre, never at (0,0);
// - clicks in the first 200 ms of a page view or after a layout shift are skipped;
// - a pointer down/up shorter than 30 ms that moved more than 8 px is a brush, not a click.
import { listen, CLICK_FIXED, CLICK_NO_DEAD, CLICK_NO_RAGE, EV_CLICK, EV_GOAL } from './events.js';
import { noRage, noDead } from './element.js';

const SETTLE_MS = 200;

export function start(ctx) {
  let down = null;
  ctx.pointerDown = (e) => { down = { t: e.timeStamp, x: e.clientX, y: e.clientY }; };
  return listen(ctx, document, 'click', (e) => {
    if (!e.isTrusted) return;
    const t = ctx.now();
    if (t - ctx.pageStart < SETTLE_MS || t - ctx.lastShift < SETTLE_MS) return;
    const info = ctx.describe(e.target);
    if (!info || info.excluded) return;
    const r = info.rect();
    let x = e.clientX, y = e.clientY;
    if (e.detail === 0 || (x === 0 && y === 0)) {
      x = r.left + r.width / 2;
      y = r.top + r.height / 2;
    } else if (down && e.timeStamp - down.t < 30 && Math.abs(e.clientX - down.x) + Math.abs(e.clientY - down.y) > 8) {
      return;
    }
    const el = info.el;
    let flags = info.flags;
    const selecting = e.detail >= 2 && String(getSelection && getSelection()) !== '';
    if (selecting || noRage(el)) flags |= CLICK_NO_RAGE;
    if (e.ctrlKey || e.metaKey || e.shiftKey || e.altKey || noDead(el) || !ctx.observesMutations) flags |= CLICK_NO_DEAD;
    const p = flags & CLICK_FIXED ? { x, y } : ctx.toPage(x, y);
    ctx.lastClick = t;
    ctx.push(EV_CLICK, p.x, p.y, info, flags, (x - r.left) / r.width, (y - r.top) / r.height);
    if (ctx.isGoal(el)) ctx.push(EV_GOAL);
  });
}
