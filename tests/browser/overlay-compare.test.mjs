// Compare mode in real Chromium: two segments fetched, the difference map is warm where A clicks
// more per page view and cool where B does, and only the element whose click rate differs
// significantly (after Benjamini-Hochberg, in the core) gets an outline. Insights fill the panel.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, serve, fixture, nextFrames, screenshotPixels } from './overlay-harness.mjs';
import { EL_INTERACTIVE } from '../../build/gen/constants.mjs';

const PAGE = `<!doctype html><html><head><style>
body{margin:0;font:16px sans-serif;background:#fff;color:#000}
main{display:block;position:relative;height:2000px}
.x{position:absolute;left:100px;top:200px;width:200px;height:60px;background:#fff;border:0}
.y{position:absolute;left:500px;top:200px;width:200px;height:60px;background:#fff;border:0}
</style></head><body><main id="app"><button class="x"></button><button class="y"></button></main>
<script src="/dist/thermograph.min.js" data-endpoint="/" data-site="site_test"></script></body></html>`;

let browser, server, page, fixtures = {}, requests = [];
const warm = ([r, g, b, a]) => r > 150 && r > b + 60 && a === 255;
const cool = ([r, g, b, a]) => b > 150 && b > r + 60 && a === 255;
const blank = ([r, g, b]) => r > 250 && g > 250 && b > 250;

before(async () => {
  browser = await launch();
  server = await serve({
    pages: { '/ab': PAGE },
    heatmap: (q) => (requests.push(Object.fromEntries(q)), fixtures[q.get('variant')] ?? null),
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  await page.goto(server.origin + '/ab');
  const sel = await page.evaluate(async () => {
    const { selector } = await import('/js/tracker/element.js');
    return { x: selector(document.querySelector('.x')), y: selector(document.querySelector('.y')) };
  });
  // 200 page views per arm. .x: clicked by 60 % in A, 20 % in B (significant). .y: clicked by
  // 30 % in both (not significant), but B's clickers click five times as often: cool heat there.
  const arm = (x, y) => fixture({
    page: server.origin + '/ab', counters: { page_views: 200, pv_clicked: 150, fold_sum: 200 * 720 },
    elements: [
      { selector: sel.x, flags: EL_INTERACTIVE, counters: { clicks: x, pv_clicked: x }, cells: [[8, 8, x]] },
      { selector: sel.y, flags: EL_INTERACTIVE, counters: { clicks: y, pv_clicked: 60 }, cells: [[8, 8, y]] },
    ],
  });
  fixtures = { A: arm(120, 60), B: arm(40, 300) };
});
after(async () => { await browser?.close(); await server?.close(); });

test('difference map and significance marks', async () => {
  await page.evaluate(() => thermograph('overlay', { token: 'secret', state: { compare: 'variant', a: 'A', b: 'B' } }).then(() => true));
  await nextFrames(page);
  assert.deepEqual(requests.map((r) => r.variant).sort(), ['A', 'B']);

  // Marks: exactly the significant element.
  const marks = await page.evaluate(() => [...document.querySelectorAll('[data-thermograph-mark]')].map((m) => {
    const r = m.getBoundingClientRect();
    return { key: m.getAttribute('data-thermograph-mark'), x: r.left, y: r.top };
  }));
  assert.equal(marks.length, 1, JSON.stringify(marks));
  assert.ok(Math.abs(marks[0].x - 97) < 2 && Math.abs(marks[0].y - 197) < 2, JSON.stringify(marks[0]));
  const c = await page.evaluate(async () => (await import('/dist/thermograph-overlay.mjs')).isOpen());
  assert.equal(c, true);
  const cmpText = await page.locator('[data-thermograph-ui] >> .cmp').textContent();
  assert.match(cmpText, /200 vs 200 visits/);
  assert.match(cmpText, /1 element differs beyond chance/);
  // Pairing: one row per element with both rates, and the verdict in words.
  assert.match(cmpText, /1st button in main content: clicked in 60 % of A visits vs 20 % of B: A wins/);
  assert.match(cmpText, /2nd button in main content: clicked in 30 % of A visits vs 30 % of B: no difference/);
  assert.equal((cmpText.match(/1st button in main content/g) || []).length, 1);
  assert.match(cmpText, /adjusted p = /);  // on demand, in the disclosure

  // Sub-cell (8, 8) centres: .x at (206, 232), .y at (606, 232). Read the heat canvas itself
  // (the dashed outline sits on the element's edge, not its centre).
  const px = await page.evaluate(() => {
    const ctx = document.querySelector('canvas[data-thermograph-ui]').getContext('2d');
    return [[206, 232], [606, 232], [400, 500]].map(([x, y]) => Array.from(ctx.getImageData(x, y, 1, 1).data));
  });
  // Canvas pixels are unpremultiplied RGBA; alpha < 255 for a translucent overlay: check hue.
  const hue = ([r, g, b, a]) => [r, g, b, a > 100 ? 255 : a];
  assert.ok(warm(hue(px[0])), 'warm where A clicks more: ' + px[0]);
  assert.ok(cool(hue(px[1])), 'cool where B clicks more: ' + px[1]);
  assert.equal(px[2][3], 0, 'nothing where neither clicked');
  const shot = await screenshotPixels(page, [[400, 500]]);
  assert.ok(blank(shot[0]));

  // Insights are in the panel, in words; the interval is one click deeper.
  const ins = await page.locator('[data-thermograph-ui] >> .findings').textContent();
  assert.match(ins, /Most clicked: 1st button in main content, clicked in 60 % of visits/);
  assert.match(ins, /95 % interval 5\d\.?\d? % to 6\d\.?\d? %/);
  assert.match(ins, /2nd button in main content/);
});

test('compare off: one fetch, ordinary heat, no marks', async () => {
  await page.evaluate(() => thermograph('overlay'));  // close
  requests = [];
  await page.evaluate(() => thermograph('overlay', { token: 'secret', state: { variant: 'A' } }).then(() => true));
  await nextFrames(page);
  assert.equal(requests.length, 1);
  assert.equal(await page.locator('[data-thermograph-mark]').count(), 0);
  const a = await page.evaluate(() => Array.from(document.querySelector('canvas[data-thermograph-ui]')
    .getContext('2d').getImageData(606, 232, 1, 1).data));
  assert.ok(a[3] > 0 && a[0] > 150 && a[2] < 100, 'ordinary heat palette on .y: ' + a);
  await page.evaluate(() => thermograph('overlay'));
  assert.equal(await page.locator('[data-thermograph-ui]').count(), 0);
});
