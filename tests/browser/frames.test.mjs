// Same-origin iframes are part of the page (issue 18, item 2): labelled, trusted clicks in real
// Chromium at three widths inside a frame present at load, a nested frame, one added after load
// and the page scrolled; every page point below is computed from pages/frames*.html's px layout
// (frame left/top + its border + the element's place in the frame). Cross-origin frames (another
// origin, a sandbox without allow-same-origin) record nothing and throw nothing.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { launch, serve, decode, sum, until, cellOf, fnv1a, trackerReady } from './harness.mjs';

let browser, server, other;
before(async () => {
  browser = await launch();
  server = await serve();
  other = await serve();  // another port: another origin
});
after(async () => {
  await browser?.close();
  await server?.close();
  await other?.close();
});
beforeEach(() => { server.received.length = 0; });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Page points (top page px). #static sits at (40, 100) + 5 px border; #outer at (20, 400) + 5,
// its #inner at (30, 40) + 3; #late at (40, 800) + 5; #cross at (40, 1100); #sandboxed at (40, 1300).
const S = [45, 105], O = [25, 405], I = [O[0] + 33, O[1] + 43], L = [45, 805];
const P = {
  pay: [S[0] + 20 + 25, S[1] + 30 + 10],       // (25, 10) of its 100x40 box: sub-cell 4,4
  still: [S[0] + 150 + 50, S[1] + 30 + 20],    // centre
  grow: [S[0] + 20 + 50, S[1] + 110 + 20],     // centre
  big: [S[0] + 176, S[1] + 136],               // (0.3, 0.6) of 80x40 at (160, 110), scaled 1.5x about its centre
  deep: [I[0] + 10 + 60, I[1] + 20 + 25],      // centre, two frames deep
  more: [L[0] + 50 + 60, L[1] + 60 + 15],      // centre, in the frame added after load
  rest: [O[0] + 250, O[1] + 200],              // the outer frame's own body, beside #inner
  bar: [S[0] + 160 + 50, S[1] + 170 + 10],    // fixed inside the frame, which is not
  cross: [190, 1180],
  sandboxed: [190, 1380],
  private: [45 + 10 + 60, 1505 + 20 + 25],   // #deep in the excluded frame
  padded: [45 + 20 + 10 + 60, 1705 + 12 + 20 + 25],  // #deep, inside the frame's border and padding
};
const CHAT = [45 + 10 + 60, 705 + 20 + 25];  // #deep in the fixed frame: viewport px
const KEYS = {
  pay: 'iframe#static>button#pay.at', still: 'iframe#static>div#still.at', grow: 'iframe#static>div#grow.at',
  big: 'iframe#static>div#big.at', bar: 'iframe#static>div#bar.at', deep: 'iframe#outer>iframe#inner>button#deep', more: 'iframe#late>a#more',
  padded: 'iframe#padded>button#deep',
};

for (const width of [375, 768, 1280]) {
  test(`clicks, hover and dead clicks in same-origin frames; cross-origin frames see nothing (viewport ${width})`, async () => {
    const page = await browser.newPage({ viewport: { width, height: 800 } });
    const errors = [], log = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => log.push(m.text()));
    let scrolled = 0;
    const at = ([x, y]) => [x, y - scrolled];
    const click = async (name) => {
      await page.mouse.click(...at(P[name]));
      await sleep(120);
    };
    const scroll = async (y) => {
      await page.evaluate((y) => scrollTo(0, y), y);
      await page.waitForFunction((y) => scrollY === y, y);
      scrolled = y;
      await sleep(200);
    };
    await page.goto(`${server.base}/pages/frames.html?cross=${encodeURIComponent(other.base)}`);
    await trackerReady(page);
    await page.waitForFunction(() => document.getElementById('late')?.contentDocument?.getElementById('more') &&
      document.getElementById('outer').contentDocument?.getElementById('inner')?.contentDocument?.getElementById('deep') &&
      document.getElementById('cross')?.dataset.loaded);
    await sleep(300);

    await click('still');  // nothing happens: dead once 2.5 s pass without a reaction
    await sleep(3000);
    await click('grow');   // appends to the frame's body: a mutation in the frame, alive
    await click('pay');
    await click('big');
    await click('deep');
    await click('bar');
    await page.mouse.move(...at(P.rest));  // one move (no steps): it rests there
    await sleep(1200);
    await scroll(600);
    await click('more');
    await scroll(900);
    await click('cross');
    await click('sandboxed');
    await page.mouse.click(...CHAT);
    await sleep(120);
    await scroll(1300);
    await click('private');
    await click('padded');

    await page.close({ runBeforeUnload: true });
    await until(() => server.received.length > 0, 'the final report');
    await sleep(100);
    assert.deepEqual(errors, []);
    assert.deepEqual(log.filter((l) => /thermograph/.test(l)), []);
    const total = sum(server.received.map((r) => decode(r.body)));

    const clicked = ['still', 'grow', 'pay', 'big', 'deep', 'bar', 'more', 'padded'];
    const cells = {};
    for (const n of clicked) cells[cellOf(...P[n])] = (cells[cellOf(...P[n])] || 0) + 1;
    assert.deepEqual(total.layers.clicks, cells, 'each click on its page cell; none from cross-origin or excluded frames');
    for (const n of clicked) assert.equal(total.elements[fnv1a(KEYS[n])]?.counters.clicks, 1, KEYS[n]);
    const withClicks = Object.values(total.elements).filter((e) => e.counters.clicks);
    assert.equal(withClicks.length, clicked.length + 1, 'none from the cross-origin or the excluded frames');
    for (const sel of ['iframe#cross', 'iframe#sandboxed', 'iframe#private', 'iframe#private>button#deep']) {
      assert.equal(total.elements[fnv1a(sel)], undefined, sel);
    }
    // A fixed frame's clicks are fixed clicks (viewport px); a fixed element in a frame that
    // scrolls with the page is not fixed.
    assert.deepEqual(total.layers.fixed_clicks, { [cellOf(...CHAT)]: 1 });
    const chat = total.elements[fnv1a('iframe#chat>button#deep')];
    assert.equal(chat?.counters.clicks, 1);
    assert.equal(chat.fixed, true);
    assert.equal(total.elements[fnv1a(KEYS.bar)].fixed, false);

    // Sub-cells in each element's own box (16x16).
    assert.deepEqual(total.elements[fnv1a(KEYS.pay)].cells, { '4,4': 1 });
    assert.deepEqual(total.elements[fnv1a(KEYS.still)].cells, { '8,8': 1 });
    assert.deepEqual(total.elements[fnv1a(KEYS.big)].cells, { '4,9': 1 }, 'scaled 1.5x inside a frame');
    assert.deepEqual(total.elements[fnv1a(KEYS.deep)].cells, { '8,8': 1 });
    assert.deepEqual(total.elements[fnv1a(KEYS.more)].cells, { '8,8': 1 });
    assert.deepEqual(total.elements[fnv1a(KEYS.padded)].cells, { '8,8': 1 });

    // Dead: the frame's do-nothing div only (the DOM-mutating one is alive).
    assert.deepEqual(total.layers.dead, { [cellOf(...P.still)]: 1 });
    assert.equal(total.elements[fnv1a(KEYS.still)].counters.dead, 1);
    assert.equal(total.elements[fnv1a(KEYS.grow)].counters.dead, undefined);

    // Hover: every sample on a page point the pointer really visited (clicks move there too),
    // and ~1 s of dwell (50 ms units) where it rested in the outer frame.
    const move = total.layers.move || {};
    const visited = new Set([...clicked, 'rest'].map((n) => cellOf(...P[n])));
    visited.add(cellOf(CHAT[0], CHAT[1] + 900));  // hover is in page px, also over fixed elements
    for (const c of Object.keys(move)) assert.ok(visited.has(c), `dwell at ${c}: ${JSON.stringify(move)}`);
    assert.ok((move[cellOf(...P.rest)] || 0) >= 10, JSON.stringify(move));
  });
}

// A triple click that selects text in a frame is reading, not rage: the selection is the frame's.
test('selecting text in a frame is not a rage click', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(server.base + '/pages/frames.html');
  await trackerReady(page);
  const words = [S[0] + 20 + 30, S[1] + 76 + 10];  // #words in #static
  await page.mouse.click(...words, { clickCount: 3 });
  await sleep(300);
  assert.ok(await page.evaluate(() => String(document.getElementById('static').contentWindow.getSelection()).includes('words')));
  await page.close({ runBeforeUnload: true });
  await until(() => server.received.length > 0, 'the final report');
  await sleep(100);
  const total = sum(server.received.map((r) => decode(r.body)));
  assert.equal(total.elements[fnv1a('iframe#static>p#words.at')]?.counters.clicks, 3);
  assert.equal(total.layers.rage, undefined, JSON.stringify(total.layers.rage));
});

// 'stop' then 'start' (consent withdrawn and given again): every document's listeners are
// registered once again, not twice (each click counted once, in the page and in a frame). A
// document seen twice (a frame's load event after the start-up walk found its document: here
// dispatched again) keeps one registration too.
test('a restarted tracker counts each click once, in the page and in frames', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(server.base + '/pages/frames.html');
  await trackerReady(page);
  await page.evaluate(() => { thermograph('stop'); thermograph('start'); });
  await page.evaluate(() => ['static', 'outer'].forEach((id) => document.getElementById(id).dispatchEvent(new Event('load'))));
  await sleep(300);  // past the restarted page view's settle time
  await page.mouse.click(...P.still);
  await page.mouse.click(...P.deep);
  await page.mouse.click(20, 40);  // the page's own body
  await page.close({ runBeforeUnload: true });
  await until(() => server.received.length > 0, 'the final report');
  await sleep(100);
  const total = sum(server.received.map((r) => decode(r.body)));
  assert.deepEqual(total.layers.clicks, { [cellOf(...P.still)]: 1, [cellOf(...P.deep)]: 1, [cellOf(20, 40)]: 1 });
});
