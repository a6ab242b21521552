// Overlay renderer benchmark in Chromium: our wasm renderer per 1280x720 viewport frame and per
// full 1280x8000 page, for 1k..1M seeded clicks, against the "pixel floor" (one palette lookup per
// pixel + putImageData, the least any per-pixel renderer must do). Writes bench/results/overlay.json.
// Needs: build/thermograph-fixture (cmake), dist/thermograph-overlay.mjs (wasm-build + build-js).
import { writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import { launch, serve, fixture } from '../tests/browser/overlay-harness.mjs';
import { RENDER_OPTIONS, SCALE_NAMES } from '../build/gen/constants.mjs';

const SIZES = [1e3, 1e4, 1e5, 1e6];
const VIEW = { w: 1280, h: 720 }, PAGE = { w: 1280, h: 8000 };
// The overlay's default heat (the core's RenderOptions), unanchored: the renderer alone.
const OPTIONS = { layer: RENDER_OPTIONS.layer, scale: RENDER_OPTIONS.scale, radius: RENDER_OPTIONS.radiusPx, anchored: false };
const bins = Object.fromEntries(SIZES.map((n) => [n, fixture({
  counters: { page_views: 1000 }, random: { clicks: n, seed: 42, width: PAGE.w, height: PAGE.h },
})]));

const server = await serve({ pages: { '/bench': '<!doctype html><title>bench</title>' }, heatmap: (q) => bins[q.get('n')] });
const browser = await launch();
const page = await browser.newPage({ viewport: { width: VIEW.w, height: VIEW.h } });
await page.goto(server.origin + '/bench');  // a blank same-origin page: the bench drives modules directly

const result = await page.evaluate(async ({ sizes, VIEW, PAGE, OPTIONS }) => {
  const median = (a) => a.sort((x, y) => x - y)[a.length >> 1];
  const canvas = (w, h) => { const c = document.createElement('canvas'); c.width = w; c.height = h; return c.getContext('2d'); };
  const M = await (await import('/dist/thermograph-overlay.mjs')).loadModule();
  const put = (ctx, view, w, h) =>
    ctx.putImageData(new ImageData(new Uint8ClampedArray(view.buffer, view.byteOffset, view.length), w, h), 0, 0);
  const out = { renderer: [], floor: {} };
  for (const n of sizes) {
    const bytes = new Uint8Array(await (await fetch(`/api/heatmap?n=${n}`, { headers: { Authorization: 'Bearer secret' } })).arrayBuffer());
    const ov = new M.Overlay();
    const err = ov.load(bytes);
    if (err) throw new Error(err);
    ov.setOptions(OPTIONS);
    let t = performance.now();
    ov.render(0, 0, 1, 1, 1);  // builds the page density, scale and levels once per dataset
    const prepareMs = performance.now() - t;
    const ctx = canvas(VIEW.w, VIEW.h), render = [], frame = [];
    for (let i = 0; i < 10; i++) put(ctx, ov.render(0, i * 97, VIEW.w, VIEW.h, 1), VIEW.w, VIEW.h);  // warm-up (tier-up)
    for (let i = 0; i < 60; i++) {
      const y = (i * 613) % (PAGE.h - VIEW.h);
      t = performance.now();
      const v = ov.render(0, y, VIEW.w, VIEW.h, 1);
      const t1 = performance.now();
      put(ctx, v, VIEW.w, VIEW.h);
      ctx.getImageData(0, 0, 1, 1);  // forces the upload to finish inside the timing
      frame.push(performance.now() - t);
      render.push(t1 - t);
    }
    // The same viewport on a HiDPI screen (devicePixelRatio 2), as js/overlay/canvas.js draws it:
    // heat rendered at 1.5x and scaled up by the canvas onto the 2x backing store.
    const H = { w: VIEW.w * 1.5, h: VIEW.h * 1.5 };
    const ctx2 = canvas(VIEW.w * 2, VIEW.h * 2), scratch = canvas(H.w, H.h), frame2 = [];
    const frameDpr2 = (y) => {
      put(scratch, ov.render(0, y, H.w, H.h, 1.5), H.w, H.h);
      ctx2.clearRect(0, 0, VIEW.w * 2, VIEW.h * 2);
      ctx2.drawImage(scratch.canvas, 0, 0, VIEW.w * 2, VIEW.h * 2);
    };
    for (let i = 0; i < 5; i++) frameDpr2(i * 97);
    for (let i = 0; i < 30; i++) {
      t = performance.now();
      frameDpr2((i * 613) % (PAGE.h - VIEW.h));
      ctx2.getImageData(0, 0, 1, 1);
      frame2.push(performance.now() - t);
    }
    const big = canvas(PAGE.w, PAGE.h), full = [];
    for (let i = 0; i < 5; i++) {
      t = performance.now();
      put(big, ov.render(0, 0, PAGE.w, PAGE.h, 1), PAGE.w, PAGE.h);
      big.getImageData(0, 0, 1, 1);
      full.push(performance.now() - t);
    }
    ov.delete();
    out.renderer.push({ clicks: n, bytes: bytes.length, prepare_ms: prepareMs, viewport_render_ms: median(render),
      viewport_frame_ms: median(frame), viewport_frame_dpr2_ms: median(frame2), full_page_frame_ms: median(full) });
  }
  // Pixel floor: one palette pass over precomputed levels + putImageData, same sizes.
  const palette = new Uint32Array(256).map((_, i) => (i << 24) | (255 - i) << 16 | i);
  for (const [name, { w, h }] of Object.entries({ viewport: VIEW, full_page: PAGE })) {
    const levels = new Uint8Array(w * h).map((_, i) => (i * 2654435761) >>> 24);
    const ctx = canvas(w, h), times = [];
    for (let i = 0; i < (name === 'viewport' ? 60 : 5); i++) {
      const t = performance.now();
      const img = new ImageData(w, h), px = new Uint32Array(img.data.buffer);
      for (let j = 0; j < px.length; j++) px[j] = palette[levels[j]];
      ctx.putImageData(img, 0, 0);
      ctx.getImageData(0, 0, 1, 1);
      times.push(performance.now() - t);
    }
    out.floor[name + '_ms'] = median(times);
  }
  return out;
}, { sizes: SIZES, VIEW, PAGE, OPTIONS });

const chromium = browser.version();
await browser.close();
await server.close();
const report = {
  date: new Date().toISOString(), machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version },
  chromium, settings: { radius: OPTIONS.radius, scale: SCALE_NAMES[OPTIONS.scale], viewport: VIEW, page: PAGE, seed: 42 },
  ...result,
};
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/overlay.json', JSON.stringify(report, null, 2) + '\n');
console.table(result.renderer);
console.log('pixel floor:', result.floor);
