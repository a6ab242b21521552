// The heat layer: a fixed, viewport-sized canvas that never takes a click. Redraws are coalesced
// into one requestAnimationFrame; a frame asks the wasm renderer for exactly the visible pixels.
import { LAYER_REACH_PCT, LAYER_REACH_PX } from 'thermograph-constants';

const REACH = new Set([LAYER_REACH_PX, LAYER_REACH_PCT]);

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
// `scroll` (insights' scroll part, optional) adds the 50 % stop depth and false bottoms on reach.
export function drawFrame(canvas, overlay, layer, scroll) {
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
  if (REACH.has(layer)) labelReach(ctx, overlay.reachMarkers(), w, scroll);
  return performance.now() - t0;
}

function labelReach(ctx, m, w, scroll) {
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
  if (!scroll) return;
  // Insights' interpolated half depth, and the false bottoms as red lines across the page.
  if (scroll.halfDepthPx != null) label(scroll.halfDepthPx, '50 % stop here');
  for (const f of scroll.falseBottoms) {
    const vy = f.depthPx - scrollY;
    if (vy < -2 || vy > innerHeight + 2) continue;
    ctx.fillStyle = 'rgba(200,0,0,.9)';
    ctx.fillRect(0, vy - 1, w, 3);
    label(f.depthPx, `false bottom: ${(100 * f.drop).toFixed(0)} % leave here`);
  }
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
