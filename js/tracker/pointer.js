// Pointer movement, sampled once per animation frame (never per raw event), and the device.
import { DEVICE, listen, EV_MOVE, EV_OUT } from './events.js';

export function start(ctx) {
  let last = null, pending = false;
  const sample = () => {
    pending = false;
    if (!last) return;
    const info = ctx.describe(last.target);
    if (!info || info.excluded) return ctx.push(EV_OUT);  // no pointer data in exclusion zones
    const p = ctx.toPage(last.x, last.y);
    const r = info.rect();
    ctx.push(EV_MOVE, p.x, p.y, info, info.flags, (last.x - r.left) / r.width, (last.y - r.top) / r.height);
  };
  const onMove = (e) => {
    ctx.device(DEVICE[e.pointerType] || DEVICE.mouse);
    if (e.pointerType === 'touch') return;  // a finger has no hover: no dwell from touch
    last = { x: e.clientX, y: e.clientY, target: e.target };
    if (!pending) {
      pending = true;
      requestAnimationFrame(ctx.guard(sample));
    }
  };
  const onOut = (e) => {
    if (!e.relatedTarget || e.pointerType === 'touch') {
      last = null;
      ctx.push(EV_OUT);
    }
  };
  const onDown = (e) => {
    ctx.device(DEVICE[e.pointerType] || DEVICE.mouse);
    ctx.pointerDown(e);
  };
  const kind = window.PointerEvent ? 'pointer' : 'mouse';
  const stops = [listen(ctx, document, kind + 'move', onMove), listen(ctx, document, kind + 'out', onOut),
    listen(ctx, document, kind + 'down', onDown)];
  return () => stops.forEach((s) => s());
}
