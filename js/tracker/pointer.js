// Pointer movement, sampled at most once per 16 ms frame (never per raw event), and the device.
import { DEVICE_MOUSE, DEVICE_TOUCH, DEVICE_PEN, EV_MOVE, EV_POINTER_OUT } from 'thermograph-constants';
import { listen, now } from './events.js';

const DEVICE = { mouse: DEVICE_MOUSE, touch: DEVICE_TOUCH, pen: DEVICE_PEN };

export function start(ctx) {
  let last = null, type, at = -1e9, heldAt = 0, held = false;  // `last`: the latest event itself
  const device = (e) => e.pointerType !== type && ctx.device(DEVICE[(type = e.pointerType)] || DEVICE_MOUSE);
  const emit = (t) => {
    held = false;
    // The event's target: hover inside a shadow root is credited to its host (clicks are not).
    const info = last && ctx.describe(last.target);
    if (!info) return last && ctx.record(EV_POINTER_OUT);  // also in exclusion zones: no pointer data there
    // No element-relative position for moves: the core credits hover to the element as a whole,
    // and skipping getBoundingClientRect() keeps every sample free of layout reads.
    const p = ctx.toPage(last.clientX, last.clientY, last.view, { x: last.pageX, y: last.pageY });
    ctx.record(EV_MOVE, p.x, p.y, info, info.flags, 0, 0, t);
  };
  // A move within 16 ms of the last sample is held, not recorded: the next sample replaces it, and
  // any other event (or a flush) records it first with its own time, so a pointer coming to rest
  // still leaves its final position. No timer and no frame is scheduled per event.
  ctx.held = () => held && emit(heldAt);
  const kind = window.PointerEvent ? 'pointer' : 'mouse';
  listen(ctx, kind + 'move', (e) => {
    device(e);
    if (e.pointerType === 'touch') return;  // a finger has no hover: no dwell from touch
    last = e;
    const t = now();
    if (t - at >= 16) emit((at = t));
    else {
      held = true;
      heldAt = t;
    }
  });
  listen(ctx, kind + 'out', (e) => {
    if (!e.relatedTarget || e.pointerType === 'touch') {
      ctx.record(EV_POINTER_OUT);  // after the held move, if any
      last = null;
    }
  });
  listen(ctx, kind + 'down', (e) => {
    device(e);
    ctx.pointerDown(e);
  });
}
