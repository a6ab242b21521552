// Peer overlay renderers on seeded click data: simpleheat and heatmap.js, in the same headless
// Chromium as our renderer's benchmark (bench/overlay.mjs, when present). Peers keep points, not
// grids, so their cost model is "draw every point": a viewport frame (1280x720, after a scroll)
// redraws the points inside the viewport; a full-page render (1280x8000) draws all of them.
// Both use radius 25 px (simpleheat's default; heatmap.js defaults to 40, which is slower).
//   node bench/overlay-peers.mjs [--runs N]
import { launch, writeResult, runsArg, isMain, stats } from './lib/common.mjs';
import { serve } from './lib/server.mjs';

export const COUNTS = (process.env.BENCH_OVERLAY_COUNTS || '1e3,1e4,1e5,1e6').split(',').map(Number);
export const PAGE = { width: 1280, height: 8000 };
export const FRAME = { width: 1280, height: 720, scrollY: 2400 };
export const SEED = 42;

// Runs inside the page. Same mulberry32 as bench/lib/common.mjs: 70 % of clicks cluster around
// 120 seeded "buttons" (sigma 18 px), 30 % are spread over the page.
function inPage({ n, seed, page, frame, runs }) {
  let a = seed >>> 0;
  const rand = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const gauss = () => Math.sqrt(-2 * Math.log(Math.max(rand(), 1e-12))) * Math.cos(2 * Math.PI * rand());
  const targets = Array.from({ length: 120 }, () => [40 + rand() * (page.width - 80), 40 + rand() * (page.height - 80)]);
  const xs = new Float32Array(n), ys = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    if (rand() < 0.7) {
      const t = targets[Math.floor(rand() * targets.length)];
      xs[i] = t[0] + gauss() * 18; ys[i] = t[1] + gauss() * 18;
    } else {
      xs[i] = rand() * page.width; ys[i] = rand() * page.height;
    }
  }
  const pick = (y0, h) => {
    const pts = [];
    for (let i = 0; i < n; i++) if (ys[i] >= y0 - 25 && ys[i] < y0 + h + 25) pts.push([Math.round(xs[i]), Math.round(ys[i] - y0), 1]);
    return pts;
  };
  // Both libraries colour by the maximum: a heatmap user sets it from the data (per-pixel density),
  // here a fixed share of the points so every size renders a comparable picture.
  const maxOf = (pts) => Math.max(1, Math.round(pts.length / 2000));
  const time = (fn) => { const t = performance.now(); fn(); return performance.now() - t; };
  const result = {};
  for (const [kind, y0, w, h] of [['frame', frame.scrollY, frame.width, frame.height], ['page', 0, page.width, page.height]]) {
    const pts = pick(y0, h);
    const objs = pts.map((p) => ({ x: p[0], y: p[1], value: 1 }));
    const host = document.createElement('div');
    host.style.cssText = `position:relative;width:${w}px;height:${h}px`;
    document.body.replaceChildren(host);
    const canvas = document.createElement('canvas');
    canvas.width = w; canvas.height = h;
    host.appendChild(canvas);
    const sh = window.simpleheat(canvas).radius(25, 15);
    const simple = [];
    // One untimed draw first: stamp, palette and canvas backing store are one-time costs.
    sh.data(pts).max(maxOf(pts)).draw(0.05);
    for (let r = 0; r < runs; r++) simple.push(time(() => { sh.clear(); sh.data(pts).max(maxOf(pts)).draw(0.05); }));
    canvas.remove();
    const hm = window.h337.create({ container: host, radius: 25, maxOpacity: 0.6 });
    const heat = [];
    hm.setData({ min: 0, max: maxOf(pts), data: objs });
    for (let r = 0; r < runs; r++) heat.push(time(() => hm.setData({ min: 0, max: maxOf(pts), data: objs })));
    result[kind] = { points: pts.length, simpleheat: simple, heatmapjs: heat };
  }
  return result;
}

export async function runOverlayPeers(runs = 3) {
  const browser = await launch();
  const server = await serve();
  const out = [];
  try {
    for (const n of COUNTS) {
      const page = await browser.newPage({ viewport: { width: FRAME.width, height: FRAME.height } });
      await page.goto(`${server.base}/pages/blank.html`);
      await page.addScriptTag({ url: '/peers/simpleheat.js' });
      await page.addScriptTag({ url: '/peers/heatmap.min.js' });
      // 1M points is heavy: fewer repetitions there keep the whole suite within minutes.
      const r = await page.evaluate(inPage, { n, seed: SEED, page: PAGE, frame: FRAME, runs: n >= 1e6 ? Math.min(runs, 2) : runs });
      await page.close();
      for (const kind of ['frame', 'page']) {
        for (const tool of ['simpleheat', 'heatmapjs']) {
          out.push({ clicks: n, kind, tool, points: r[kind].points, ms: stats(r[kind][tool]) });
          console.log(`  ${tool.padEnd(10)} ${kind.padEnd(5)} ${String(n).padStart(7)} clicks (${r[kind].points} drawn): ${stats(r[kind][tool]).median.toFixed(1)} ms`);
        }
      }
    }
  } finally {
    await browser.close();
    await server.close();
  }
  return {
    method: 'performance.now() around one complete redraw (clear, points, colourize) on a 2D canvas, software raster (--disable-gpu).',
    seed: SEED, frame: FRAME, page: PAGE, radius: 25, browser: browser.version(), results: out,
  };
}

if (isMain(import.meta)) writeResult('overlay-peers', await runOverlayPeers(runsArg(3)));
