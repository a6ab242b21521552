// Walking skeleton: script tag -> real click in Chromium -> wasm aggregation -> binary report
// to a local endpoint -> native C++ decoder -> the click is in the expected cell.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, serve, decode, sum, until, cellOf, fnv1a, trackerReady } from './harness.mjs';

let browser, server;
before(async () => { browser = await launch(); server = await serve(); });
after(async () => { await browser?.close(); await server?.close(); });

for (const width of [375, 768, 1280]) {
  test(`a click at a known position lands in its cell (viewport ${width})`, async () => {
    server.received.length = 0;
    const page = await browser.newPage({ viewport: { width, height: 700 } });
    await page.goto(`${server.base}/pages/skeleton.html`);
    await trackerReady(page);  // the wasm has arrived, and past the 200 ms settle time
    await page.mouse.click(150, 320);
    await page.close({ runBeforeUnload: true });  // pagehide: the final flush
    await until(() => server.received.length > 0, 'the final report');
    const reports = server.received.map((r) => {
      assert.equal(r.type, 'text/plain');  // CORS-safelisted: no preflight
      return decode(r.body);
    });
    const total = sum(reports);
    assert.deepEqual(total.layers.clicks, { [cellOf(150, 320)]: 1 });
    assert.equal(total.counters.page_views, 1);
    assert.equal(reports[0].segment.site, 'site_test');
    assert.deepEqual(reports[0].segment.tags, { plan: 'pro' });
    const buy = total.elements[fnv1a('button#buy.cta')];  // a stable id anchors the selector
    assert.ok(buy, 'the button is keyed by its sanitized selector');
    assert.equal(buy.counters.clicks, 1);
    assert.equal(buy.interactive, true);
  });
}

test('a pointer that comes to rest earns dwell on the cell where it stopped', async () => {
  server.received.length = 0;
  const page = await browser.newPage({ viewport: { width: 1280, height: 700 } });
  await page.goto(`${server.base}/pages/skeleton.html`);
  await trackerReady(page);
  await page.mouse.move(100, 100);
  await page.mouse.move(600, 500, { steps: 30 });  // fast moves: most are held, the last one too
  await page.waitForTimeout(1200);                  // resting, no further event
  await page.close({ runBeforeUnload: true });
  await until(() => server.received.length > 0, 'the final report');
  const move = sum(server.received.map((r) => decode(r.body))).layers.move || {};
  // At least ~1 s of dwell (50 ms units) at the resting cell: the held final sample was recorded.
  assert.ok((move[cellOf(600, 500)] || 0) >= 15, JSON.stringify(move));
});

// A hand resting at (x, y) for `ms`: one pixel back and forth inside its 16 px cell.
async function jitter(page, x, y, ms) {
  await page.mouse.move(x, y);
  const end = Date.now() + ms;
  for (let i = 0; Date.now() < end; i++) {
    await page.mouse.move(x + (i % 2), y);
    await page.waitForTimeout(16);
  }
}

async function skeleton() {
  server.received.length = 0;
  const page = await browser.newPage({ viewport: { width: 1280, height: 700 } });
  await page.goto(`${server.base}/pages/skeleton.html`);
  await trackerReady(page);
  return page;
}

test('a hand jittering on a button rests there: dwell on its cell, hover on the button', async () => {
  const page = await skeleton();
  await jitter(page, 200, 325, 1200);  // on button#buy
  await page.mouse.move(700, 600);  // away: the rest ends here
  await page.close({ runBeforeUnload: true });
  await until(() => server.received.length > 0, 'the final report');
  const total = sum(server.received.map((r) => decode(r.body)));
  const move = total.layers.move || {};
  // ~1.2 s in 50 ms units, with room for a slow machine's longer waits (never less than 1 s).
  assert.ok(move[cellOf(200, 325)] >= 20, JSON.stringify(move));
  assert.deepEqual(Object.keys(move).filter((c) => c !== cellOf(700, 600)), [cellOf(200, 325)]);
  const buy = total.elements[fnv1a('button#buy.cta')];
  assert.ok(buy.counters.hover >= 20 && buy.counters.pv_hovered === 1, JSON.stringify(buy.counters));
});

test('a rest on plain text is dwell only; its hover is sent once the text is clicked', async () => {
  for (const click of [false, true]) {
    const page = await skeleton();
    await jitter(page, 300, 480, 1200);  // on p#intro.lead: not interactive
    if (click) await page.mouse.click(300, 480);
    await page.mouse.move(700, 600);
    await page.close({ runBeforeUnload: true });
    await until(() => server.received.length > 0, 'the final report');
    const total = sum(server.received.map((r) => decode(r.body)));
    assert.ok(total.layers.move[cellOf(300, 480)] >= 20, JSON.stringify(total.layers.move));
    const intro = total.elements[fnv1a('p#intro.lead')];
    if (!click) {
      assert.equal(intro, undefined, 'hovered, never clicked plain text is not sent');
      continue;
    }
    assert.ok(intro.counters.hover >= 20 && intro.counters.pv_hovered === 1 && intro.counters.pv_hover_clicked === 1,
      JSON.stringify(intro.counters));
    assert.equal(intro.interactive, false);
  }
});

test('after an SPA route change, a hand resting on the same button earns dwell in the new page view', async () => {
  const page = await skeleton();
  await jitter(page, 200, 325, 600);
  await page.evaluate(() => history.pushState(null, '', '/pages/next'));  // a new page view
  await jitter(page, 200, 325, 1200);
  await page.close({ runBeforeUnload: true });
  await until(() => server.received.some((r) => decode(r.body).segment.page.endsWith('/pages/next')), 'the route\'s report');
  const next = sum(server.received.map((r) => decode(r.body)).filter((r) => r.segment.page.endsWith('/pages/next')));
  assert.ok((next.layers.move || {})[cellOf(200, 325)] >= 20, JSON.stringify(next.layers.move));
  const buy = next.elements[fnv1a('button#buy.cta')];
  assert.ok(buy && buy.counters.hover >= 20, JSON.stringify(buy));
});
