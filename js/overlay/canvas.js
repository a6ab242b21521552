// The heat layer: a fixed, viewport-sized canvas that never takes a click. Redraws are coalesced
// into one requestAnimationFrame; a frame asks the wasm renderer for exactly the visible pixels.
const REACH = new Set([6, 7]);

export function createCanvas(zIndex) {
  const canvas = document.createElement('canvas');
  canvas.setAttribute('data-thermograph-ui', '');
  canvas.setAttribute('aria-hidden', 'true');
  Object.assign(canvas.style, {
    position: 'fixed', left: '0', top: '0', pointerEvents: 'none', zIndex: String(zIndex),
  });
  document.documentElement.appendChild(canvas);
  return canvas;
}

// Draws one frame. Pixels cross the wasm boundary once: the view is wrapped right before
// putImageData and dropped (a memory.grow would detach it).
export function drawFrame(canvas, overlay, layer) {
  const w = document.documentElement.clientWidth, h = innerHeight;
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
    canvas.style.width = w + 'px';
    canvas.style.height = h + 'px';
  }
  if (!w || !h) return 0;
  const t0 = performance.now();
  const view = overlay.render(scrollX, scrollY, w, h);
  const ctx = canvas.getContext('2d');
  ctx.putImageData(new ImageData(new Uint8ClampedArray(view.buffer, view.byteOffset, view.length), w, h), 0, 0);
  if (REACH.has(layer)) labelReach(ctx, overlay.reachMarkers(), w);
  return performance.now() - t0;
}

function labelReach(ctx, m, w) {
  ctx.font = '12px system-ui, sans-serif';
  ctx.textBaseline = 'bottom';
  const label = (y, text) => {
    if (y < 0) return;
    const vy = y - scrollY;
    if (vy < -20 || vy > innerHeight + 20) return;
    const tw = ctx.measureText(text).width;
    ctx.fillStyle = 'rgba(20,20,20,.85)';
    ctx.fillRect(w - tw - 16, vy - 18, tw + 12, 17);
    ctx.fillStyle = '#fff';
    ctx.fillText(text, w - tw - 10, vy - 3);
  };
  label(m.p75, '75 % of page views reach here');
  label(m.p50, '50 %');
  label(m.p25, '25 %');
  label(m.fold, 'average fold');
}

// Calls `draw` at most once per animation frame however many scroll/resize events arrive.
export function frameScheduler(draw) {
  let pending = 0;
  const schedule = () => {
    if (!pending) pending = requestAnimationFrame(() => { pending = 0; draw(); });
  };
  schedule.cancel = () => { if (pending) cancelAnimationFrame(pending); pending = 0; };
  return schedule;
}
