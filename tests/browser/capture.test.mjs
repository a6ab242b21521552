// Capture in real Chromium (issue 4): what a visitor does -> what the decoded reports say.
// Ground truth is always the native decoder's view of what arrived at the endpoint.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { launch, serve, decode, sum, until, cellOf, fnv1a, trackerReady } from './harness.mjs';

let browser, server;
before(async () => { browser = await launch(); server = await serve(); });
after(async () => { await browser?.close(); await server?.close(); });
beforeEach(() => { server.received.length = 0; });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const reports = () => server.received.map((r) => decode(r.body));
const key = (sel) => fnv1a(sel);
const range = (n) => Object.fromEntries(Array.from({ length: n + 1 }, (_, i) => [String(i), 1]));

// Opens a page and records its console lines and page errors.
async function open(path, { width = 1280, height = 700, context, init } = {}) {
  const page = context ? await context.newPage() : await browser.newPage({ viewport: { width, height } });
  page.log = [];
  page.errors = [];
  page.on('console', (m) => page.log.push(m.text()));
  page.on('pageerror', (e) => page.errors.push(e.message));
  if (init) await page.addInitScript(init);
  await page.goto(server.base + path);
  if (init && /WebAssembly/.test(String(init))) await page.waitForFunction(() => window.thermograph && thermograph.loaded);
  else await trackerReady(page);
  await sleep(100);
  return page;
}

// Closes the page (pagehide: the final flush) and sums everything that arrived.
async function finish(page) {
  await page.close({ runBeforeUnload: true });
  await until(() => server.received.length > 0, 'the final report');
  await sleep(100);
  return sum(reports());
}

const centre = (page, sel) => page.$eval(sel, (el) => {
  const r = el.getBoundingClientRect();
  return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
});

for (const width of [375, 768, 1280]) {
  test(`click cells, element keys and the fixed header (viewport ${width})`, async () => {
    const page = await open('/pages/capture.html', { width });
    await page.mouse.click(30, 210);            // #nothing, unscrolled
    await page.evaluate(() => scrollTo(0, 1000));
    await page.waitForFunction(() => scrollY === 1000);
    await sleep(100);
    await page.mouse.click(50, 310);            // #far at page y 1310
    await page.mouse.click(20, 20);             // #menu in the fixed header, page scrolled
    const total = await finish(page);
    assert.deepEqual(total.layers.clicks, { [cellOf(30, 210)]: 1, [cellOf(50, 1310)]: 1 });
    assert.deepEqual(total.layers.fixed_clicks, { [cellOf(20, 20)]: 1 }, 'viewport coordinates');
    assert.equal(total.counters.page_views, 1);
    assert.equal(total.elements[key('button#nothing.at')].counters.clicks, 1);
    assert.equal(total.elements[key('button#far.at')].counters.clicks, 1);
    const menu = total.elements[key('button#menu.at')];
    assert.equal(menu.counters.clicks, 1);
    assert.equal(menu.fixed, true);
    assert.equal(total.elements[key('button#far.at')].fixed, false);
    const seg = reports()[0].segment;
    assert.equal(seg.device, 1);
    assert.deepEqual(seg.tags, { plan: 'pro' });  // queued before the script loaded
    assert.equal(seg.variant, 'b');
  });
}

test('touch: taps land in their cells, device is touch, no dwell from a finger', async () => {
  const context = await browser.newContext({ viewport: { width: 375, height: 700 }, hasTouch: true, isMobile: true });
  const page = await open('/pages/capture.html', { context });
  await page.touchscreen.tap(30, 210);
  await page.touchscreen.tap(100, 480);
  const total = await finish(page);
  await context.close();
  assert.deepEqual(total.layers.clicks, { [cellOf(30, 210)]: 1, [cellOf(100, 480)]: 1 });
  assert.equal(total.layers.move, undefined);
  for (const r of reports()) assert.equal(r.segment.device, 2);
});

test('an inner scroll container that is the main scroller: reach and clicks in its coordinates', async () => {
  const page = await open('/pages/inner.html', { width: 768 });
  await page.mouse.move(300, 300);
  await page.mouse.wheel(0, 1000);
  await page.waitForFunction(() => document.getElementById('app').scrollTop === 1000);
  await sleep(200);
  await page.mouse.click(40, 260);              // #deep at content y 1260
  const total = await finish(page);
  assert.deepEqual(total.layers.clicks, { [cellOf(40, 1260)]: 1 });
  assert.equal(total.elements[key('button#deep')].counters.clicks, 1);
  // Bottom of the viewport: 1000 + 700 = 1700 of 3000 px.
  assert.deepEqual(total.layers.reach_px, range(16));
  assert.deepEqual(total.layers.reach_pct, range(56));
});

test('an app shell scrolled under a resting hand: dwell moves to the content now under it', async () => {
  const page = await open('/pages/inner.html', { width: 768 });
  // A hand resting at (300, 300), one pixel back and forth inside its 16 px cell, while the
  // container scrolls 1,000 px under it: content y 300, then content y 1300.
  const rest = async (ms) => {
    const end = Date.now() + ms;
    for (let i = 0; Date.now() < end; i++) {
      await page.mouse.move(300 + (i % 2), 300);
      await sleep(16);
    }
  };
  await rest(800);
  await page.evaluate(() => { document.getElementById('app').scrollTop = 1000; });
  await page.waitForFunction(() => document.getElementById('app').scrollTop === 1000);
  await rest(800);
  await page.mouse.move(600, 600);
  const move = (await finish(page)).layers.move || {};
  assert.ok(move[cellOf(300, 300)] >= 10, JSON.stringify(move));
  assert.ok(move[cellOf(300, 1300)] >= 10, JSON.stringify(move));
});

test('an app shell never scrolled: reach is its first screen, not 100 % of the window', async () => {
  const page = await open('/pages/inner.html', { width: 375 });
  await page.mouse.click(40, 100);
  const total = await finish(page);
  assert.deepEqual(total.layers.reach_px, range(6));      // 700 px seen
  assert.deepEqual(total.layers.reach_pct, range(23));    // of 3000 px
});

test('scroll reach of the window: 4000 px page scrolled to 1500 in a 700 px viewport', async () => {
  const page = await open('/pages/capture.html', { width: 1280, height: 700 });
  assert.equal(await page.evaluate(() => document.documentElement.scrollHeight), 4000);
  await page.mouse.move(600, 600);
  await page.mouse.wheel(0, 1500);
  await page.waitForFunction(() => scrollY === 1500);
  await sleep(200);
  const total = await finish(page);
  assert.deepEqual(total.layers.reach_px, range(21));
  assert.deepEqual(total.layers.reach_pct, range(55));
});

test('rage: a fast burst on a do-nothing button is one rage click; steppers never rage', async () => {
  const page = await open('/pages/capture.html');
  for (let i = 0; i < 4; i++) await page.mouse.click(30, 210);    // #nothing
  await sleep(1200);
  for (let i = 0; i < 4; i++) await page.mouse.click(130, 315);   // input[type=number] #qty
  await sleep(1200);
  for (let i = 0; i < 4; i++) await page.mouse.click(250, 320);   // [data-thermograph-no-rage]
  const total = await finish(page);
  assert.deepEqual(total.layers.rage, { [cellOf(30, 210)]: 1 });
  assert.equal(total.counters.pv_rage, 1);
  assert.equal(total.elements[key('button#nothing.at')].counters.rage, 1);
  assert.equal(total.elements[key('input#qty.at')].counters.rage, undefined);
  assert.equal(total.elements[key('button#pager.at')].counters.rage, undefined);
});

test('dead: an image-like div with no reaction is dead; links and DOM-mutating buttons are not', async () => {
  const page = await open('/pages/capture.html');
  const flushed = async (n) => {
    await sleep(3000);  // past the 2.5 s mutation window
    await page.evaluate(() => thermograph('flush'));
    await until(() => server.received.length >= n, 'a flushed report');
    return sum(reports());
  };
  await page.mouse.click(100, 450);            // #hero
  let total = await flushed(1);
  assert.deepEqual(total.layers.dead, { [cellOf(100, 450)]: 1 });
  assert.equal(total.counters.pv_dead, 1);
  const hero = total.elements[key('div#hero.at')];
  assert.equal(hero.counters.dead, 1);
  assert.equal(hero.interactive, false);
  // Any reaction settles every click still waiting, so these come after the hero's verdict.
  await page.mouse.click(50, 590);             // a[href="#x"]
  await page.mouse.click(230, 590);            // a[href] whose click is prevented
  await page.mouse.click(50, 660);             // #mutate appends to the DOM
  total = await flushed(2);
  await page.close();
  assert.deepEqual(total.layers.dead, { [cellOf(100, 450)]: 1 });
  for (const sel of ['a#anchor.at', 'a#prevent.at', 'button#mutate.at']) {
    assert.equal(total.elements[key(sel)].counters.clicks, 1, sel);
    assert.equal(total.elements[key(sel)].counters.dead, undefined, sel);
  }
});

test('dead: a drag that selects text is not a dead click; a plain click on the same text is', async () => {
  const page = await open('/pages/capture.html');
  // Press, drag across the words, release on the same paragraph: the browser fires a click.
  await page.mouse.move(410, 630);
  await page.mouse.down();
  for (let x = 430; x <= 650; x += 20) await page.mouse.move(x, 632);
  await page.mouse.up();
  assert.ok((await page.evaluate(() => String(getSelection()))).length > 5, 'the drag selected text');
  await sleep(3000);  // past the 2.5 s mutation window
  // A click inside a selection clears it (a reaction of its own), so clear it first: this click
  // then changes nothing on the page.
  await page.evaluate(() => getSelection().removeAllRanges());
  await page.mouse.click(450, 650);
  await sleep(3000);
  const total = await finish(page);
  const copy = total.elements[key('p#copy.at')];
  assert.equal(copy.counters.clicks, 2);
  assert.equal(copy.counters.dead, 1, 'only the plain click');
  assert.deepEqual(total.layers.dead, { [cellOf(450, 650)]: 1 });
});

test('error: a throwing handler gives one error click; only the page\'s own error surfaces', async () => {
  const page = await open('/pages/capture.html');
  await page.mouse.click(250, 220);            // #boom
  const total = await finish(page);
  assert.deepEqual(total.layers.error, { [cellOf(250, 220)]: 1 });
  assert.equal(total.counters.pv_error, 1);
  assert.equal(total.elements[key('button#boom.at')].counters.error, 1);
  assert.deepEqual(page.errors, ['page boom']);
  assert.deepEqual(page.log.filter((l) => l.startsWith('thermograph')), []);
});

test('no click at (0,0): keyboard activation at the element centre, untrusted clicks skipped', async () => {
  const page = await open('/pages/capture.html', { width: 768 });
  await page.focus('#kbd');
  await page.keyboard.press('Enter');
  await page.evaluate(() => document.getElementById('nothing').click());
  const c = await centre(page, '#kbd');  // focus scrolled it into view: back to page coordinates
  const scroll = await page.evaluate(() => scrollY);
  c.y += scroll;
  const total = await finish(page);
  assert.deepEqual(total.layers.clicks, { [cellOf(c.x, c.y)]: 1 });
  assert.equal(total.elements[key('button#nothing.at')]?.counters.clicks, undefined, 'untrusted: no click');
  assert.equal(total.elements[key('button#kbd.at')].counters.clicks, 1);
});

test('SPA: pushState to a new path is a new page view, a hash change is not', async () => {
  const page = await open('/pages/capture.html');
  await page.mouse.click(30, 210);
  await page.evaluate(() => { location.hash = 'section'; });
  await page.evaluate(() => history.pushState({}, '', '/pages/next'));
  await until(() => server.received.length > 0, 'the report of the first page view');
  await sleep(300);
  await page.mouse.click(30, 210);
  const total = await finish(page);
  const pages = reports().map((r) => new URL(r.segment.page).pathname);
  assert.ok(pages.includes('/pages/capture.html'));
  assert.ok(pages.includes('/pages/next'));
  assert.equal(total.counters.page_views, 2);
  assert.deepEqual(total.layers.clicks, { [cellOf(30, 210)]: 2 });
});

test('missing WebAssembly: off, one console line, no exception', async () => {
  const page = await open('/pages/capture.html', { init: () => { delete window.WebAssembly; } });
  await page.mouse.click(30, 210);
  await page.close({ runBeforeUnload: true });
  await sleep(300);
  assert.equal(server.received.length, 0);
  assert.deepEqual(page.errors, []);
  assert.equal(page.log.filter((l) => l.startsWith('thermograph')).length, 1);
});

test('missing PointerEvent, sendBeacon and MutationObserver: still tracks, fetch keepalive delivers', async () => {
  const page = await open('/pages/capture.html', {
    init: () => {
      delete window.PointerEvent;
      delete Navigator.prototype.sendBeacon;
      // The tracker looks once, when it starts; Playwright's own injected script needs
      // MutationObserver later, so it comes back after load (async scripts run before load).
      const MO = window.MutationObserver;
      delete window.MutationObserver;
      addEventListener('load', () => { window.MutationObserver = MO; });
    },
  });
  assert.equal(await page.evaluate(() => typeof navigator.sendBeacon), 'undefined');
  await page.mouse.move(300, 100);
  await page.mouse.click(30, 210);
  const total = await finish(page);
  assert.deepEqual(total.layers.clicks, { [cellOf(30, 210)]: 1 });
  assert.deepEqual(page.errors, []);
  assert.deepEqual(page.log.filter((l) => l.startsWith('thermograph')), []);
});

test("a CSP without 'wasm-unsafe-eval' keeps the tracker off with at most one console line", async () => {
  const strict = await serve({ headers: { 'content-security-policy': "default-src 'self'; script-src 'self' 'unsafe-inline'" } });
  try {
    const page = await browser.newPage();
    const log = [], errors = [];
    page.on('console', (m) => log.push(m.text()));
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(strict.base + '/pages/capture.html');
    await page.waitForFunction(() => window.thermograph && window.thermograph.loaded);
    await until(() => log.some((l) => l.startsWith('thermograph')), 'the one console line');
    await page.mouse.click(30, 210);
    await page.close({ runBeforeUnload: true });
    await sleep(300);
    assert.equal(strict.received.length, 0);
    assert.deepEqual(errors, []);
    assert.equal(log.filter((l) => /thermograph/.test(l)).length, 1, log.join('\n'));
  } finally { await strict.close(); }
});

test('final flush when the page is hidden and when it is closed', async () => {
  const page = await open('/pages/capture.html');
  await page.mouse.click(30, 210);
  // Headless Chromium never hides a tab (bringToFront, minimizing and lifecycle freezing all
  // leave it visible), so the hidden state is emulated the way a browser reports it.
  await page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  await until(() => server.received.length > 0, 'the report sent on hidden');
  assert.deepEqual(sum(reports()).layers.clicks, { [cellOf(30, 210)]: 1 });
  await page.evaluate(() => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'visible' });
    document.dispatchEvent(new Event('visibilitychange'));
  });
  await page.mouse.click(30, 210);
  const n = server.received.length;
  await page.close({ runBeforeUnload: true });
  await until(() => server.received.length > n, 'the report sent on close');
  const total = sum(reports());
  assert.deepEqual(total.layers.clicks, { [cellOf(30, 210)]: 2 });
  assert.equal(total.counters.page_views, 1);
});

test('a second script tag is ignored with a console warning, and the first reports it', async () => {
  const page = await open('/pages/double.html');
  await page.mouse.click(30, 30);
  assert.ok(page.log.some((l) => /second tag/.test(l)), page.log.join('\n'));
  await finish(page);
  for (const r of reports()) assert.equal(r.segment.site, 'site_one');
  assert.equal(sum(reports()).counters.page_views, 1);
  // Segment flag bit 1 (the collector counts it for the dashboard's data-health audit).
  for (const r of reports()) assert.equal(r.segment.second_tag, true);
});

test('one script tag: no second-tag flag', async () => {
  const page = await open('/pages/capture.html');
  await page.mouse.click(30, 30);
  await finish(page);
  assert.ok(reports().length > 0);
  for (const r of reports()) assert.equal(r.segment.second_tag, undefined);
});
