// Golden images for the renderer (CanvasKit's gm() idea): a small fixed scene rendered by the wasm
// renderer at DPR 1 and 2, reduced to a fingerprint of block means (8 x 6 blocks x RGBA), compared
// with tests/browser/golden/render.json within a tolerance of a few levels per channel: antialiasing
// and rounding may drift that much, a moved blob, another palette or a broken scale may not.
// THERMOGRAPH_UPDATE_GOLDEN=1 rewrites the file (look at the PNGs it writes beside it first).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { launch, serve, fixture, ROOT } from './overlay-harness.mjs';

const GOLDEN = ROOT + 'tests/browser/golden/render.json';
const TOLERANCE = 6;  // per channel, 0..255
const SCENE = {
  counters: { page_views: 100, fold_sum: 100 * 720 },
  // Two blobs and an outlier: the capped log scale keeps the small blob visible.
  layers: { clicks: [[40, 30, 20], [48, 30, 10], [150, 60, 5], [200, 20, 400]] },
};
const SCENES = [
  { name: 'clicks-log-dpr1', scale: 1, w: 240, h: 96, ratio: 1 },
  { name: 'clicks-log-dpr2', scale: 1, w: 480, h: 192, ratio: 2 },
  { name: 'clicks-linear-dpr1', scale: 0, w: 240, h: 96, ratio: 1 },
];

let browser, server, page;
before(async () => {
  browser = await launch();
  const bytes = fixture(SCENE);
  server = await serve({ pages: { '/g': '<!doctype html><title>golden</title>' }, heatmap: () => bytes });
  page = await browser.newPage();
  await page.goto(server.origin + '/g');
});
after(async () => { await browser?.close(); await server?.close(); });

test('renderer golden images (block fingerprint with tolerance)', async () => {
  const out = await page.evaluate(async (scenes) => {
    const M = await (await import('/dist/thermograph-overlay.mjs')).loadModule();
    const bytes = new Uint8Array(await (await fetch('/api/heatmap', { headers: { Authorization: 'Bearer secret' } })).arrayBuffer());
    const res = {};
    for (const s of scenes) {
      const ov = new M.Overlay();
      ov.load(bytes);
      ov.setOptions({ layer: 0, scale: s.scale, radius: 24, anchored: false });
      const v = ov.render(0, 0, s.w, s.h, s.ratio);
      const px = new Uint8ClampedArray(v);  // copy before anything else calls into wasm
      ov.delete();
      const bw = s.w / 8, bh = s.h / 6, fp = [];
      for (let by = 0; by < 6; by++) {
        for (let bx = 0; bx < 8; bx++) {
          const sum = [0, 0, 0, 0];
          for (let y = by * bh; y < (by + 1) * bh; y++) {
            for (let x = bx * bw; x < (bx + 1) * bw; x++) for (let c = 0; c < 4; c++) sum[c] += px[(y * s.w + x) * 4 + c];
          }
          fp.push(...sum.map((t) => Math.round(t / (bw * bh))));
        }
      }
      const c = new OffscreenCanvas(s.w, s.h);
      c.getContext('2d').putImageData(new ImageData(px, s.w, s.h), 0, 0);
      const blob = await c.convertToBlob({ type: 'image/png' });
      const png = btoa(String.fromCharCode(...new Uint8Array(await blob.arrayBuffer())));
      res[s.name] = { fp, png };
    }
    return res;
  }, SCENES);
  if (process.env.THERMOGRAPH_UPDATE_GOLDEN || !existsSync(GOLDEN)) {
    mkdirSync(ROOT + 'tests/browser/golden', { recursive: true });
    for (const [name, r] of Object.entries(out)) writeFileSync(`${ROOT}tests/browser/golden/${name}.png`, Buffer.from(r.png, 'base64'));
    writeFileSync(GOLDEN, JSON.stringify(Object.fromEntries(Object.entries(out).map(([k, r]) => [k, r.fp]))) + '\n');
    if (!process.env.THERMOGRAPH_UPDATE_GOLDEN) assert.fail('golden file was missing: written, check it in');
  }
  const golden = JSON.parse(readFileSync(GOLDEN, 'utf8'));
  for (const s of SCENES) {
    const fp = out[s.name].fp, want = golden[s.name];
    assert.equal(fp.length, want.length);
    assert.ok(want.some((v, i) => i % 4 === 3 && v > 20), `${s.name}: the golden holds heat`);
    const worst = fp.reduce((m, v, i) => Math.max(m, Math.abs(v - want[i])), 0);
    assert.ok(worst <= TOLERANCE, `${s.name}: a block differs by ${worst} levels (tolerance ${TOLERANCE})`);
  }
  // DPR 2 is the same picture at twice the resolution: its fingerprint matches DPR 1's.
  const d1 = out['clicks-log-dpr1'].fp, d2 = out['clicks-log-dpr2'].fp;
  assert.ok(d1.every((v, i) => Math.abs(v - d2[i]) <= TOLERANCE), 'DPR 2 draws the same heat as DPR 1');
});

test('the golden comparison fails on a real regression (a shifted scene)', async () => {
  const golden = JSON.parse(readFileSync(GOLDEN, 'utf8'))['clicks-log-dpr1'];
  const shifted = await page.evaluate(async () => {
    const M = await (await import('/dist/thermograph-overlay.mjs')).loadModule();
    const bytes = new Uint8Array(await (await fetch('/api/heatmap', { headers: { Authorization: 'Bearer secret' } })).arrayBuffer());
    const ov = new M.Overlay();
    ov.load(bytes);
    ov.setOptions({ layer: 0, scale: 1, radius: 24, anchored: false });
    const px = new Uint8ClampedArray(ov.render(30, 0, 240, 96, 1));  // scrolled 30 px: the blobs move
    ov.delete();
    const fp = [];
    for (let by = 0; by < 6; by++) {
      for (let bx = 0; bx < 8; bx++) {
        const sum = [0, 0, 0, 0];
        for (let y = by * 16; y < by * 16 + 16; y++) for (let x = bx * 30; x < bx * 30 + 30; x++) for (let c = 0; c < 4; c++) sum[c] += px[(y * 240 + x) * 4 + c];
        fp.push(...sum.map((t) => Math.round(t / 480)));
      }
    }
    return fp;
  });
  const worst = shifted.reduce((m, v, i) => Math.max(m, Math.abs(v - golden[i])), 0);
  assert.ok(worst > TOLERANCE, 'a 30 px shift must exceed the tolerance: ' + worst);
});
