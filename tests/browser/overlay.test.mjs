// The overlay in real Chromium: heat where the data's clicks are (re-anchored after a reflow),
// nothing elsewhere, fixed elements in viewport coordinates, and a handle-free close.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, serve, fixture, nextFrames, screenshotPixels } from './overlay-harness.mjs';
import { EL_FIXED, EL_INTERACTIVE } from '../../build/gen/constants.mjs';

const PAGE = `<!doctype html><html><head><style>
body{margin:0;font:16px sans-serif;background:#fff;color:#000}
header{position:fixed;top:0;left:0;right:0;height:40px;background:#fff}
header a{position:absolute;left:20px;top:10px;width:80px;height:20px;display:block}
main{display:block;position:relative;height:3000px}
.buy{position:absolute;left:600px;top:300px;width:200px;height:60px;background:#fff;border:0}
@media (max-width:900px){.buy{left:40px;top:900px;width:300px;height:50px}}
</style></head><body><header><a class="home" href="#top"></a></header>
<main id="app"><button class="buy"></button></main>
<script src="/dist/thermograph.min.js" data-endpoint="/" data-site="site_test"></script></body></html>`;

let browser, server, page, spec, requests = [];
const hot = ([r, g, b]) => r > 200 && g < 130 && b < 130;
const blank = ([r, g, b]) => r > 250 && g > 250 && b > 250;

before(async () => {
  browser = await launch();
  server = await serve({
    pages: { '/shop': PAGE },
    heatmap: (q) => (requests.push(Object.fromEntries(q)), fixture(spec)),
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  await page.goto(server.origin + '/shop');
  // Element keys exactly as the tracker computes them on this DOM.
  const sel = await page.evaluate(async () => {
    const { selector } = await import('/js/tracker/element.js');
    return { buy: selector(document.querySelector('.buy')), home: selector(document.querySelector('.home')) };
  });
  spec = {
    page: server.origin + '/shop', counters: { page_views: 40, fold_sum: 40 * 720 },
    elements: [
      { selector: sel.buy, flags: EL_INTERACTIVE, counters: { clicks: 40, pv_clicked: 25, rage: 3 }, cells: [[8, 8, 40]] },
      { selector: sel.home, flags: EL_FIXED | EL_INTERACTIVE, counters: { clicks: 40, pv_clicked: 30 }, cells: [[8, 8, 40]] },
      { selector: 'main#app>div.removed', flags: EL_INTERACTIVE, counters: { clicks: 20 }, cells: [[3, 3, 20]] },
    ],
  };
});
after(async () => { await browser?.close(); await server?.close(); });

test('heat sits on the elements, also after a reflow; nothing elsewhere', async () => {
  await page.evaluate(() => thermograph('overlay', { token: 'secret' }).then(() => true));
  await nextFrames(page);
  assert.equal(requests.length, 1);
  assert.equal(requests[0].page, server.origin + '/shop');  // origin + path: the tracker's page key
  assert.equal(requests[0].width, '3');  // the current width class by default
  assert.equal(requests[0].format, 'bin');
  const auth = server.log.find((r) => r.url.startsWith('/api/heatmap')).auth;
  assert.equal(auth, 'Bearer secret');

  // .buy at 600,300 200x60: sub-cell (8, 8) is centred at 706, 332; .home (fixed) at 62, 20.
  let px = await screenshotPixels(page, [[706, 332], [62, 20], [300, 500], [706, 600], [100, 650]]);
  assert.ok(hot(px[0]), 'hot on .buy: ' + px[0]);
  assert.ok(hot(px[1]), 'hot on the fixed .home: ' + px[1]);
  for (const p of px.slice(2)) assert.ok(blank(p), 'no heat far away: ' + p);

  const panel = await page.locator('[data-thermograph-ui] >> .anchor').textContent();
  assert.match(panel, /2\/3 elements found; 20\.0 % of element heat not on this page/);

  // Reflow: at 768 px .buy moves to 40,900 300x50 (centre of sub-cell 8,8: 199, 927).
  await page.setViewportSize({ width: 768, height: 720 });
  await page.evaluate(() => scrollTo(0, 600));
  await nextFrames(page);
  await nextFrames(page);
  px = await screenshotPixels(page, [[199, 327], [62, 20], [300, 150], [420, 500], [100, 650]]);
  assert.ok(hot(px[0]), 'heat followed .buy: ' + px[0]);
  assert.ok(hot(px[1]), 'fixed .home keeps its viewport position while scrolled: ' + px[1]);
  for (const p of px.slice(2)) assert.ok(blank(p), 'no heat elsewhere: ' + p);
  // The old position (page 706, 332) sits under the panel now: read the heat canvas itself.
  await page.evaluate(() => scrollTo(0, 0));
  await nextFrames(page);
  const alpha = await page.evaluate(() => document.querySelector('canvas[data-thermograph-ui]')
    .getContext('2d').getImageData(706, 332, 1, 1).data[3]);
  assert.equal(alpha, 0, 'no heat left at the pre-reflow position');
  await page.evaluate(() => scrollTo(0, 600));
  await nextFrames(page);

  // Hover shows the element's numbers.
  await page.mouse.move(199, 327);
  const tip = await page.locator('[data-thermograph-ui] >> .tip').textContent();
  assert.match(tip, /40 clicks\n62\.5 % of page views clicked\nrage 3/);
});

test('closing removes everything and frees the Overlay object; reopening works', async () => {
  const live = () => page.evaluate(async () => {
    const m = await (await import('/dist/thermograph-overlay.mjs')).loadModule();
    return { overlays: m.liveOverlays(), emval: m.count_emval_handles() };
  });
  await page.evaluate(() => thermograph('overlay'));  // toggle: close
  const base = await live();
  assert.equal(base.overlays, 0);
  assert.equal(await page.locator('[data-thermograph-ui]').count(), 0);
  for (let i = 0; i < 5; i++) {
    await page.evaluate(() => thermograph('overlay', { token: 'secret' }).then(() => true));
    assert.equal((await live()).overlays, 1);
    await page.evaluate(() => thermograph('overlay'));
  }
  assert.deepEqual(await live(), base);
  assert.equal(await page.evaluate(() => sessionStorage.length), 0);
});

test('a visitor never downloads the overlay chunk', async () => {
  const p = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  const urls = [];
  p.on('request', (r) => urls.push(r.url()));
  await p.goto(server.origin + '/shop');
  await p.mouse.click(700, 330);
  await p.mouse.wheel(0, 800);
  await p.waitForTimeout(300);
  await p.evaluate(() => thermograph('flush'));
  assert.ok(urls.some((u) => u.endsWith('/dist/thermograph.wasm')), 'the tracker itself loaded');
  assert.ok(!urls.some((u) => u.includes('overlay')), urls.join('\n'));
  // Positive control: #thermograph is what fetches it (the token comes from a prompt).
  p.on('dialog', (d) => d.accept('secret'));
  await p.evaluate(() => { location.hash = 'thermograph'; });
  await p.waitForSelector('canvas[data-thermograph-ui]', { state: 'attached' });
  assert.ok(urls.some((u) => u.endsWith('/dist/thermograph-overlay.mjs')));
  await p.close();
});
