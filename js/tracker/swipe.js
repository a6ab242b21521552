// Dead swipes: a one-finger touch gesture that moved at least MIN_PX between down and up while
// nothing scrolled (scroll.js clears ctx.still on any scroll, inner scrollers too) is recorded at
// its end, at its start point and element. The core calls it dead when no reaction follows (as a
// dead click): reactions are recorded from here on, as after a click.
import { CLICK_FIXED, EV_SWIPE } from 'thermograph-constants';
import { listen, now } from './events.js';
import { origin } from './element.js';

const MIN_PX = 40;

export function start(ctx) {
  let down;
  // A page's own (untrusted) touch events may lack touch lists: only the browser's count.
  listen(ctx, 'touchstart', (e) => {
    down = e.isTrusted && e.touches.length < 2 && e.touches[0];
    ctx.still = 1;
  });
  listen(ctx, 'touchend', (e) => {
    const info = e.isTrusted && down && ctx.still && ctx.describe(down.target), t = info && e.changedTouches[0];
    if (info && Math.hypot(t.clientX - down.clientX, t.clientY - down.clientY) >= MIN_PX) {
      ctx.lastClick = now();
      const p = ctx.toPage(down.clientX, down.clientY, e.view, 0, info.flags & CLICK_FIXED);
      ctx.record(EV_SWIPE, p.x, p.y, info, info.flags);
    }
    down = 0;
  });
}
