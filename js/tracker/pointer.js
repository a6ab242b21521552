// Pointer movement, sampled at most once per frame (never per raw event), and the device.
import { listen, perFrame, DEVICE_MOUSE, DEVICE_TOUCH, DEVICE_PEN, EV_MOVE, EV_OUT } from './events.js';

const DEVICE = { mouse: DEVICE_MOUSE, touch: DEVICE_TOUCH, pen: DEVICE_PEN };

export function start(ctx) {
  let last = null, type;  // the latest event itself: nothing is allocated per raw event
  const device = (e) => e.pointerType !== type && ctx.device(DEVICE[(type = e.pointerType)] || DEVICE_MOUSE);
  const sample = perFrame(ctx, () => {
    if (!last) return;
    const info = ctx.describe(last.target);
    if (!info) return ctx.record(EV_OUT);  // also in exclusion zones: no pointer data there
    // No element-relative position for moves: the core credits hover to the element as a whole,
    // and skipping getBoundingClientRect() keeps every sample free of layout reads.
    const p = ctx.toPage(last.clientX, last.clientY, { x: last.pageX, y: last.pageY });
    ctx.record(EV_MOVE, p.x, p.y, info, info.flags);
  });
  const kind = window.PointerEvent ? 'pointer' : 'mouse';
  listen(ctx, kind + 'move', (e) => {
    device(e);
    if (e.pointerType === 'touch') return;  // a finger has no hover: no dwell from touch
    last = e;
    sample();
  });
  listen(ctx, kind + 'out', (e) => {
    if (!e.relatedTarget || e.pointerType === 'touch') {
      last = null;
      ctx.record(EV_OUT);
    }
  });
  listen(ctx, kind + 'down', (e) => {
    device(e);
    ctx.pointerDown(e);
  });
}
