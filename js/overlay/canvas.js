// The heat layer: a fixed, viewport-sized canvas that never takes a click. Its backing store has
// devicePixelRatio pixels per CSS px (sharp heat on HiDPI screens); redraws are coalesced into one
// requestAnimationFrame, and a frame asks the wasm renderer for exactly the visible pixels.
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

const ratio = () => Math.min(4, Math.max(1, window.devicePixelRatio || 1));
const HEAT_RATIO = 1.5;

// Draws one frame. Pixels cross the wasm boundary once: the view is wrapped right before
// putImageData and dropped (a memory.grow would detach it).
// `scroll` (insights' scroll part, optional) adds the 50 % stop depth and false bottoms on reach;
// `avoid` is the toolbar's viewport rectangle: labels are placed clear of it.
export function drawFrame(canvas, overlay, layer, scroll, avoid) {
  const w = document.documentElement.clientWidth, h = innerHeight, r = ratio();
  const bw = Math.round(w * r), bh = Math.round(h * r);
  if (canvas.width !== bw || canvas.height !== bh) {
    canvas.width = bw;
    canvas.height = bh;
    canvas.style.width = w + 'px';
    canvas.style.height = h + 'px';
  }
  if (!w || !h) return 0;
  const t0 = performance.now();
  const ctx = canvas.getContext('2d');
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  // Heat is a smooth field: above HEAT_RATIO it is rendered at HEAT_RATIO and scaled up by the
  // canvas, so a DPR 2 frame costs ~2.25x a DPR 1 frame's pixels, not 4x; labels stay at full DPR.
  const hr = Math.min(r, HEAT_RATIO), hw = Math.round(w * hr), hh = Math.round(h * hr);
  const view = overlay.render(scrollX, scrollY, hw, hh, hw / w);
  const img = new ImageData(new Uint8ClampedArray(view.buffer, view.byteOffset, view.length), hw, hh);
  if (hw === bw && hh === bh) {
    ctx.putImageData(img, 0, 0);
  } else {
    const s = (canvas._heat ||= document.createElement('canvas'));
    if (s.width !== hw || s.height !== hh) Object.assign(s, { width: hw, height: hh });
    s.getContext('2d').putImageData(img, 0, 0);
    ctx.clearRect(0, 0, bw, bh);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(s, 0, 0, bw, bh);
  }
  if (REACH.has(layer)) {
    ctx.setTransform(bw / w, 0, 0, bh / h, 0, 0);
    labelReach(ctx, overlay.reachMarkers(), w, h, scrollY, scroll, avoid);
  }
  return performance.now() - t0;
}

// Labels for the reach lines, in CSS px of a canvas whose top is page y `top`. A label goes on
// the right unless the toolbar covers that spot, then on the left; labels never overlap each other.
function labelReach(ctx, m, w, h, top, scroll, avoid) {
  ctx.font = '600 13px system-ui, sans-serif';
  ctx.textBaseline = 'middle';
  const taken = [];
  const label = (y, text, bg = 'rgba(20,20,20,.9)') => {
    if (!(y >= 0)) return;
    let vy = y - top;
    if (vy < -20 || vy > h + 20) return;
    const tw = ctx.measureText(text).width + 14, lh = 22;
    vy = Math.min(Math.max(vy, lh / 2), h - lh / 2);  // a line at the very edge keeps a whole label
    while (taken.some((t) => Math.abs(t - vy) < lh)) vy -= lh;  // stack upwards, do not overlap
    taken.push(vy);
    let x = w - tw - 8;
    const hits = (x0) => avoid && x0 < avoid.right && x0 + tw > avoid.left && vy + lh / 2 > avoid.top && vy - lh / 2 < avoid.bottom;
    if (hits(x)) x = 8;
    if (hits(x)) x = Math.max(8, avoid.left - tw - 8);
    ctx.fillStyle = bg;
    ctx.beginPath();
    ctx.roundRect(x, vy - lh / 2, tw, lh, 4);
    ctx.fill();
    ctx.fillStyle = '#fff';
    ctx.fillText(text, x + 7, vy + 1);
  };
  if (scroll) {
    for (const f of scroll.falseBottoms) {
      const vy = f.depthPx - top;
      if (vy < -2 || vy > h + 2) continue;
      ctx.fillStyle = 'rgba(200,0,0,.9)';
      ctx.fillRect(0, vy - 1, w, 3);
      label(f.depthPx, `false bottom: ${(100 * f.drop).toFixed(0)} % stop here`, 'rgba(170,0,0,.95)');
    }
  }
  label(m.fold, 'average fold (first screen ends)', 'rgba(40,60,120,.92)');
  label(m.p75, '75 % of visits reach here');
  label(m.p50, '50 % reach here');
  label(m.p25, '25 % reach here');
}

// The whole page's heat for a report: a PNG of the full page height with a light page outline,
// the found elements' boxes and names, the legend and a caption saying what it is. The page's own
// pixels cannot be read from script, so this is heat over an outline, not a screenshot.
export async function exportPng(overlay, { layer, boxes, legend, unit, caption, scroll }) {
  const w = document.documentElement.scrollWidth, h = Math.min(document.documentElement.scrollHeight, 16000);
  const head = 56, c = document.createElement('canvas');
  c.width = w;
  c.height = h + head;
  const ctx = c.getContext('2d');
  ctx.fillStyle = '#f6f6f8';
  ctx.fillRect(0, 0, w, h + head);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, head, w, h);
  ctx.strokeStyle = '#0003';
  ctx.font = '12px system-ui, sans-serif';
  for (const b of boxes) {
    ctx.strokeRect(b.x + 0.5, head + b.y + 0.5, b.w, b.h);
  }
  const view = overlay.render(0, 0, w, h, 1);
  const heat = new ImageData(new Uint8ClampedArray(view.buffer.slice(view.byteOffset, view.byteOffset + view.length)), w, h);
  const bmp = await createImageBitmap(heat);
  ctx.drawImage(bmp, 0, head);
  ctx.fillStyle = '#222';
  ctx.textBaseline = 'top';
  // A name goes inside its box when it fits, else just under it; never squeezed.
  for (const b of boxes) {
    if (!b.name) continue;
    const fits = ctx.measureText(b.name).width <= b.w - 6 && b.h >= 16;
    ctx.fillText(b.name, b.x + 3, head + b.y + (fits ? 3 : b.h + 2));
  }
  if (REACH.has(layer)) {
    ctx.save();
    ctx.translate(0, head);
    labelReach(ctx, overlay.reachMarkers(), w, h, 0, scroll, null);
    ctx.restore();
  }
  ctx.fillStyle = '#111';
  ctx.font = '600 14px system-ui, sans-serif';
  ctx.fillText(caption, 10, 8, w - 260);
  ctx.font = '12px system-ui, sans-serif';
  ctx.fillStyle = '#444';
  ctx.fillText('Heat over an outline of the page (element boxes and names), not a screenshot.', 10, 30, w - 260);
  const gx = w - 240, css = (v) => `rgba(${v & 255},${(v >>> 8) & 255},${(v >>> 16) & 255},${(v >>> 24) / 255})`;
  const grad = ctx.createLinearGradient(gx, 0, gx + 220, 0);
  for (const s of legend) grad.addColorStop(s.t, css(s.rgba));
  ctx.fillStyle = grad;
  ctx.fillRect(gx, 10, 220, 12);
  ctx.fillStyle = '#444';
  ctx.fillText(unit, gx, 28, 220);
  return new Promise((resolve) => c.toBlob(resolve, 'image/png'));
}

export function download(blob, filename) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = filename;
  a.setAttribute('data-thermograph-ui', '');
  document.documentElement.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 5000);
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
