// Heat recorded inside same-origin frames re-anchors on the frame elements (issue 18, item 2):
// real clicks through the real tracker in a frame present at load, a nested frame and a frame
// added after load; the overlay, fed that report, recomputes keys inside the frames and draws
// the heat on the top page where each element is (the frame's place + its border + the element's
// place in it), not at the element's position in its own frame. A cross-origin and a sandboxed
// frame are on the page too: skipped, nothing thrown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { launch, serve, nextFrames, ROOT, flushedReport, openOverlay } from './overlay-harness.mjs';

const file = (name) => readFileSync(ROOT + 'tests/browser/pages/' + name, 'utf8');
const PAGES = {
  '/frames': file('frames.html').replace('data-endpoint="/r"', 'data-endpoint="/"'),
  ...Object.fromEntries(['frames-a.html', 'frames-b.html', 'frames-outer.html'].map((n) => ['/pages/' + n, file(n)])),
};
// Element centres on the top page (frames.test.mjs explains the layout) and, for contrast, where
// each would be if its frame-relative box were taken as the page's.
const CENTRES = { pay: [115, 155], deep: [128, 473], more: [155, 880] };
const UNMOVED = { pay: [70, 50], deep: [70, 45], more: [110, 75] };

test('heat in same-origin frames re-anchors on the frame elements, at their place on the top page', async () => {
  let report = null;
  const server = await serve({ pages: PAGES, heatmap: () => report });
  const other = await serve({ pages: PAGES });  // a second origin for the cross-origin frame
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.addInitScript(() => {
      window.sent = [];
      navigator.sendBeacon = (u, blob) => (blob.arrayBuffer().then((b) => sent.push([...new Uint8Array(b)])), true);
    });
    await page.goto(`${server.origin}/frames?cross=${encodeURIComponent(other.origin)}`);
    await page.waitForFunction(() => window.thermograph?.loaded && document.getElementById('late')?.contentDocument?.getElementById('more') &&
      document.getElementById('outer').contentDocument?.getElementById('inner')?.contentDocument?.getElementById('deep') &&
      document.getElementById('cross')?.dataset.loaded);
    await page.waitForTimeout(300);  // clicks in the first 200 ms of a page view are ignored
    for (const [x, y] of Object.values(CENTRES)) {
      await page.mouse.click(x, y);
      await page.waitForTimeout(100);
    }
    report = await flushedReport(page);  // what the test server's heatmap API answers with
    const text = await openOverlay(page);
    assert.match(text, /^3\/3 elements found; 0\.0 %/, 'the three frame elements, found by their keys');
    // The heat canvas (viewport px, DPR 1): alpha where each element is, none where it is not.
    const alpha = (points) => page.evaluate((pts) => {
      const ctx = document.querySelector('canvas[data-thermograph-ui]').getContext('2d');
      return pts.map(([x, y]) => ctx.getImageData(x, y, 1, 1).data[3]);
    }, points);
    const on = await alpha(Object.values(CENTRES));
    assert.ok(on.every((a) => a > 0), 'heat on each frame element: ' + on);
    const off = await alpha(Object.values(UNMOVED));
    assert.deepEqual(off, [0, 0, 0], 'no heat at frame-relative positions');
    // The hover tip over a frame element (the pointer moves in the frame's document), placed at
    // the pointer's top-page x.
    await page.mouse.move(...CENTRES.pay);
    const tip = page.locator('[data-thermograph-ui] >> .tip');
    await nextFrames(page);
    assert.equal(await tip.evaluate((t) => t.style.display), 'block', 'a tip over the frame element');
    assert.match(await tip.textContent(), /^'Pay' button\n1 clicks/);
    assert.equal(await tip.evaluate((t) => parseFloat(t.style.left)), CENTRES.pay[0] + 14);
    // Scrolled: the boxes follow the page (element centres move up by the scroll).
    await page.evaluate(() => scrollTo(0, 300));
    await page.waitForFunction(() => scrollY === 300);
    await nextFrames(page);
    const scrolled = await alpha([[155, 580], [128, 173], [155, 880]]);
    assert.ok(scrolled[0] > 0 && scrolled[1] > 0, 'heat on #more and #deep after scrolling: ' + scrolled);
    assert.equal(scrolled[2], 0, 'not where #more was before scrolling');
    // Scrolling inside a frame moves its elements: re-anchored (#more 40 px up).
    await page.evaluate(() => document.getElementById('late').contentWindow.scrollTo(0, 40));
    await page.waitForFunction(() => document.getElementById('late').contentWindow.scrollY === 40);
    await nextFrames(page);
    await nextFrames(page);
    const inFrame = await alpha([[155, 540], [155, 595]]);
    assert.ok(inFrame[0] > 0, 'heat on #more after its frame scrolled: ' + inFrame);
    assert.equal(inFrame[1], 0, 'not at its place before the frame scrolled: ' + inFrame);
    // Names come from the frame's own document, in words.
    const findings = await page.locator('[data-thermograph-ui] >> .findings').textContent();
    assert.match(findings, /'Pay' button/, findings);
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await server.close();
    await other.close();
  }
});
