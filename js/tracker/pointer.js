// Pointer movement, sampled once per animation frame (never per raw event), and the device.
import { EV, DEVICE } from './events.js';

export function start(ctx) {
  let last = null, pending = false;
  const sample = () => {
    pending = false;
    if (!last) return;
    const info = ctx.describe(last.target);
    if (!info || info.excluded) return ctx.push(EV.out);  // no pointer data in exclusion zones
    const p = ctx.toPage(last.x, last.y);
    const r = info.rect();
    ctx.push(EV.move, p.x, p.y, info, info.flags, (last.x - r.left) / r.width, (last.y - r.top) / r.height);
  };
  const onMove = ctx.guard((e) => {
    ctx.device(DEVICE[e.pointerType] || DEVICE.mouse);
    if (e.pointerType === 'touch') return;  // a finger has no hover: no dwell from touch
    last = { x: e.clientX, y: e.clientY, target: e.target };
    if (!pending) {
      pending = true;
      requestAnimationFrame(ctx.guard(sample));
    }
  });
  const onOut = ctx.guard((e) => {
    if (!e.relatedTarget || e.pointerType === 'touch') {
      last = null;
      ctx.push(EV.out);
    }
  });
  const onDown = ctx.guard((e) => {
    ctx.device(DEVICE[e.pointerType] || DEVICE.mouse);
    ctx.pointerDown(e);
  });
  const move = window.PointerEvent ? 'pointermove' : 'mousemove';
  const out = window.PointerEvent ? 'pointerout' : 'mouseout';
  const down = window.PointerEvent ? 'pointerdown' : 'mousedown';
  const opts = { passive: true, capture: true };
  document.addEventListener(move, onMove, opts);
  document.addEventListener(out, onOut, opts);
  document.addEventListener(down, onDown, opts);
  return () => {
    document.removeEventListener(move, onMove, opts);
    document.removeEventListener(out, onOut, opts);
    document.removeEventListener(down, onDown, opts);
  };
}
