// End to end: real clicks through the real tracker produce a report; the overlay, fed that
// report, finds the clicked element by recomputing its key on the live DOM and draws heat on it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, serve, screenshotPixels, flushedReport, openOverlay } from './overlay-harness.mjs';

const PAGE = `<!doctype html><body style="margin:0;background:#fff"><main id="app">
<button class="buy" style="margin:300px;width:200px;height:60px;background:#fff;border:0"></button></main>
<script src="/dist/thermograph.min.js" data-endpoint="/" data-site="s"></script></body>`;

test('tracker clicks -> report -> overlay heat on the same element', async () => {
  let report = null;
  const server = await serve({ pages: { '/p': PAGE }, heatmap: () => report });
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    // Capture the tracker's beacon bytes (what a collector would receive).
    await page.addInitScript(() => {
      window.sent = [];
      navigator.sendBeacon = (u, blob) => (blob.arrayBuffer().then((b) => sent.push([...new Uint8Array(b)])), true);
    });
    await page.goto(server.origin + '/p');
    await page.waitForTimeout(300);  // clicks in the first 200 ms of a page view are ignored
    for (let i = 0; i < 5; i++) await page.mouse.click(400, 330);
    report = await flushedReport(page);  // what the test server's heatmap API answers with
    const text = await openOverlay(page);
    assert.match(text, /^1\/1 elements found; 0\.0 %/);
    const [onButton, away] = await screenshotPixels(page, [[400, 330], [150, 600]]);
    assert.ok(onButton[0] > 200 && onButton[1] < 130 && onButton[2] < 130, 'hot: ' + onButton);
    assert.ok(away.slice(0, 3).every((c) => c > 250), 'blank: ' + away);
  } finally {
    await browser.close();
    await server.close();
  }
});
