// Pointer movement, sampled when the pointer reaches another 16 px page cell or element (never per
// raw event), and the device.
import { DEVICE_MOUSE, DEVICE_TOUCH, DEVICE_PEN, EV_MOVE, EV_POINTER_OUT } from 'thermograph-constants';
import { listen } from './events.js';

const DEVICE = { mouse: DEVICE_MOUSE, touch: DEVICE_TOUCH, pen: DEVICE_PEN };

export function start(ctx) {
  // The latest sample's target and 16 px page cell (as x, y bits above the cell's).
  let last = null, lx, ly, type;
  // A new page view (an SPA route) or an app shell's container scrolled under a resting pointer
  // (tracker.js, scroll.js): the next move is a sample of its own.
  ctx.resample = () => (last = null);
  const device = (t) => t !== type && ctx.device(DEVICE[(type = t)] || DEVICE_MOUSE);
  const kind = window.PointerEvent ? 'pointer' : 'mouse';
  listen(ctx, kind + 'move', (e) => {
    const px = e.pageX, py = e.pageY, target = e.target;
    // On the element and the page cell of the last sample, the pointer is resting there (a hand
    // is never quite still): the core's dwell goes on counting without another sample.
    if (target === last && px >> 4 === lx && py >> 4 === ly) return;
    const t = e.pointerType;
    device(t);
    if (t === 'touch') return;  // a finger has no hover: no dwell from touch
    last = target;
    lx = px >> 4;
    ly = py >> 4;
    // The event's target: hover inside a shadow root is credited to its host (clicks are not).
    const info = ctx.describe(target);
    if (!info) return ctx.record(EV_POINTER_OUT);  // also in exclusion zones: no pointer data there
    // No element-relative position for moves: the core credits hover to the element as a whole,
    // and skipping getBoundingClientRect() keeps every sample free of layout reads.
    const p = ctx.toPage(e.clientX, e.clientY, e.view, { x: px, y: py });
    ctx.record(EV_MOVE, p.x, p.y, info, info.flags);
  });
  listen(ctx, kind + 'out', (e) => {
    if (!e.relatedTarget || e.pointerType === 'touch') {
      ctx.record(EV_POINTER_OUT);
      last = null;
    }
  });
  listen(ctx, kind + 'down', (e) => {
    device(e.pointerType);
    ctx.pointerDown(e);
  });
}
