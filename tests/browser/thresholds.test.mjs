// Detection thresholds set through the npm entry's options (createTracker({rageClicks: 2})) reach
// the wasm: the script-tag bundle carries no threshold names (js/tracker/thresholds.js), so this
// is their one path. Each case runs with and without the option; only the option tells them apart.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { launch, serve, decode, sum, until } from './harness.mjs';

let browser, server;
before(async () => { browser = await launch(); server = await serve(); });
after(async () => { await browser?.close(); await server?.close(); });
beforeEach(() => { server.received.length = 0; });

// One page view with these options: `act` on the page, then close it (the final flush).
async function pageView(options, act = async () => {}) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 700 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${server.base}/pages/thresholds.html?o=${encodeURIComponent(JSON.stringify(options))}`);
  await page.waitForFunction(() => window.trackerLoaded === true);
  await page.waitForTimeout(400);  // past the first 200 ms, in which clicks.js takes no click
  await act(page);
  await page.close({ runBeforeUnload: true });
  await until(() => server.received.length > 0, 'the final report');
  assert.deepEqual(errors, []);
  const total = sum(server.received.map((r) => decode(r.body)));
  server.received.length = 0;
  return total;
}

// rageClicks is TrackerConfig's first member, quickExitMs its eleventh: both ends of the names.
test('rageClicks: two clicks are rage with rageClicks 2, not with the default 3', async () => {
  const twoClicks = async (page) => {
    await page.mouse.click(60, 220);
    await page.mouse.click(60, 220);
  };
  // A gap of a minute: however slow this machine clicks, both are one burst.
  const plain = await pageView({ rageGapMs: 60000 }, twoClicks);
  assert.equal(plain.counters.pv_clicked, 1, 'the clicks arrived');
  assert.equal(plain.counters.pv_rage ?? 0, 0);
  const two = await pageView({ rageGapMs: 60000, rageClicks: 2 }, twoClicks);
  assert.equal(two.counters.pv_rage, 1);
});

test('quickExitMs: a page view without a click is a quick exit within it, never with 0', async () => {
  const long = await pageView({ quickExitMs: 600000 });  // ten minutes: this page view is shorter
  assert.equal(long.counters.page_views, 1);
  assert.equal(long.counters.pv_quick_exit, 1);
  const never = await pageView({ quickExitMs: 0 });
  assert.equal(never.counters.page_views, 1);
  assert.equal(never.counters.pv_quick_exit ?? 0, 0);
});
