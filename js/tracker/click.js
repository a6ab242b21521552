// Clicks and taps, with the accidental ones filtered (docs/configuration.md):
// - untrusted (script-dispatched) clicks are not people: skipped;
// - keyboard activation (detail 0, no coordinates) is placed at the element's centre, never at (0,0);
// - clicks in the first 200 ms of a page view or after a layout shift are skipped;
// - a pointer down/up shorter than 30 ms that moved more than 8 px is a brush, not a click.
import { CLICK_FIXED, CLICK_NO_RAGE, CLICK_NO_DEAD, EV_CLICK, EV_GOAL } from 'thermograph-constants';
import { listen, now } from './events.js';
import { noRage, noDead, origin } from './element.js';

const SETTLE_MS = 200;

export function start(ctx) {
  let down = null;
  ctx.pointerDown = (e) => { down = { t: e.timeStamp, x: e.clientX, y: e.clientY }; };
  listen(ctx, 'click', (e) => {
    if (!e.isTrusted) return;
    const t = now();
    if (t - ctx.pageStart < SETTLE_MS || t - ctx.lastShift < SETTLE_MS) return;
    const info = ctx.describe(origin(e));
    if (!info) return;
    const el = info.el, r = el.getBoundingClientRect();
    let x = e.clientX, y = e.clientY;
    if (e.detail === 0 || (x === 0 && y === 0)) {
      x = r.left + r.width / 2;
      y = r.top + r.height / 2;
    } else if (down && e.timeStamp - down.t < 30 && Math.abs(x - down.x) + Math.abs(y - down.y) > 8) {
      return;
    }
    let flags = info.flags;
    // Text selected when the click lands (in the click's own frame): the click selected it, by a
    // drag or a double or triple click. That is its reaction (never dead), and repeated clicks
    // that select words and paragraphs are not rage.
    const selecting = String(e.view.getSelection()) !== '';
    if ((selecting && e.detail >= 2) || noRage(el)) flags |= CLICK_NO_RAGE;
    if (selecting || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey || noDead(el) || !ctx.observesMutations) flags |= CLICK_NO_DEAD;
    ctx.lastClick = t;
    const p = ctx.toPage(x, y, e.view, 0, flags & CLICK_FIXED);
    // Where it fell inside the element. On the element itself the event's offset is in the
    // element's own box, its transform undone (rotated, skewed: the browser inverts it); otherwise
    // (a child, keyboard activation), the bounding box.
    const own = e.detail && e.target === el && el.offsetWidth;
    ctx.record(EV_CLICK, p.x, p.y, info, flags,
      own ? (e.offsetX + el.clientLeft) / el.offsetWidth : (x - r.left) / r.width,
      own ? (e.offsetY + el.clientTop) / el.offsetHeight : (y - r.top) / r.height);
    if (ctx.isGoal(el)) ctx.record(EV_GOAL);
  });
}
