// Journeys (wire v5) in real Chromium: steps between the elements a visitor interacts with in turn
// and, after an SPA navigation, the route the page view came from. Sessions are scripted, so the
// expected steps are known by construction; ground truth is the native decoder's view of the
// reports that reached the endpoint (tests/browser/harness.mjs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, serve, decode, sum, until, fnv1a, trackerReady } from './harness.mjs';

let browser, server;
before(async () => { browser = await launch(); server = await serve(); });
after(async () => { await browser?.close(); await server?.close(); });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const MOBILE = { viewport: { width: 375, height: 700 }, hasTouch: true, isMobile: true };
const DESKTOP = { viewport: { width: 1280, height: 700 } };

// The route_from layer's index for a page key: 31 bits of its FNV-1a (src/core/page_key.h),
// written here from the definition.
const routeOf = (pageKey) => String(parseInt(fnv1a(pageKey), 16) >>> 1);

// One visit of /pages/signals.html in its own context; returns the reports by page path.
async function visit(ctx, session) {
  server.received.length = 0;
  const context = await browser.newContext(ctx);
  try {
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(server.base + '/pages/signals.html');
    await trackerReady(page);
    await session(page);
    await sleep(150);
    const n = server.received.length;
    await page.close({ runBeforeUnload: true });
    await until(() => server.received.length > n, 'the final report');
    await sleep(150);
    const byPage = {};
    for (const r of server.received.map((x) => decode(x.body))) (byPage[new URL(r.segment.page).pathname] ||= []).push(r);
    assert.deepEqual(errors, []);
    return byPage;
  } finally {
    await context.close();
  }
}

// Steps of summed reports as "from -> to" of the selectors in `names` (hex key -> selector).
function steps(total, names) {
  const out = {};
  for (const [from, el] of Object.entries(total.elements))
    for (const [to, n] of Object.entries(el.next || {})) out[`${names[from] || from} -> ${names[to] || to}`] = n;
  return out;
}
const SELECTORS = ['button#hes.at', 'button#quick.at', 'button#hidden.at', 'input#a', 'input#b', 'div#pad.at'];
const NAMES = Object.fromEntries(SELECTORS.map((s) => [fnv1a(s), s]));

for (const [name, ctx] of [['375 px touch', MOBILE], ['1280 px mouse', DESKTOP]]) {
  const press = ctx.hasTouch ? (page, s) => page.tap(s) : (page, s) => page.click(s);

  test(`journey steps (${name}): each change of element once per page view; a privacy zone is no step`, async () => {
    const byPage = await visit(ctx, async (page) => {
      await press(page, '#hes');
      await press(page, '#hes');  // the same element again: no step
      await press(page, '#quick');
      await press(page, '#hidden');  // a privacy zone: the tracker sees no element, no event
      await press(page, '#hes');  // quick -> hes
      await press(page, '#quick');  // hes -> quick again: once per page view
      await press(page, '#a');  // a form field: quick -> input#a
      await page.keyboard.type('x');
      await press(page, '#pad');  // a plain div is an element too
      await press(page, '#b');
    });
    const total = sum(byPage['/pages/signals.html']);
    assert.deepEqual(steps(total, NAMES), {
      'button#hes.at -> button#quick.at': 1,
      'button#quick.at -> button#hes.at': 1,
      'button#quick.at -> input#a': 1,
      'input#a -> div#pad.at': 1,
      'div#pad.at -> input#b': 1,
    });
    assert.equal(total.layers.route_from, undefined, 'the first page view of a document came from no route');
  });

  test(`route -> route (${name}): an SPA page view counts the route it came from, in its own page view`, async () => {
    let first;
    const byPage = await visit(ctx, async (page) => {
      await press(page, '#hes');
      await page.evaluate(() => history.pushState({}, '', '/pages/signals-next'));
      await sleep(250);  // clicks in the first 200 ms of a page view are the navigation's own
      await press(page, '#quick');
      await press(page, '#hes');
      await page.evaluate(() => history.pushState({}, '', '/pages/signals.html'));  // and back
      await sleep(100);
      first = server.received.map((x) => decode(x.body))[0].segment.page;
    });
    const a = sum(byPage['/pages/signals.html']), b = sum(byPage['/pages/signals-next']);
    assert.equal(a.counters.page_views, 2);
    assert.equal(b.counters.page_views, 1);
    const next = first.replace('/pages/signals.html', '/pages/signals-next');
    assert.deepEqual(b.layers.route_from, { [routeOf(first)]: 1 });
    assert.deepEqual(a.layers.route_from, { [routeOf(next)]: 1 }, 'the return visit came from the other route');
    // Steps stay within their page view: the first route's click leads nowhere in the second.
    assert.deepEqual(steps(b, NAMES), { 'button#quick.at -> button#hes.at': 1 });
    assert.deepEqual(steps(a, NAMES), {});
  });
}
