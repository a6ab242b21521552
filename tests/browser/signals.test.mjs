// Behaviour signals of wire v4 in real Chromium (issue 21): exposure, form fields, dead swipes
// (tracked in js/tracker), and what the core derives from events the tracker already sent:
// hesitation, quick exits, excessive scrolling, thrashed cursor. Each session is one page view
// whose counters are known by construction; ground truth is the native decoder's view of the
// reports that reached the endpoint (tests/browser/harness.mjs). Counter names: src/core/aggregate.cpp.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, serve, decode, sum, until, fnv1a, trackerReady } from './harness.mjs';

let browser, server;
before(async () => { browser = await launch(); server = await serve(); });
after(async () => { await browser?.close(); await server?.close(); });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const MOBILE = { viewport: { width: 375, height: 700 }, hasTouch: true, isMobile: true };
const DESKTOP = { viewport: { width: 1280, height: 700 } };

// One page view of /pages/signals.html in its own context; closes it after `session` and returns
// the summed reports (every one of them this page view's) and the page's errors.
// `signals: false` serves the page without its data-signals opt-in; `requests` collects the URLs
// the page asked for.
async function visit(ctx, session, { init, pageViews = 1, signals = true, requests = [], path = '/pages/signals.html' } = {}) {
  server.received.length = 0;
  const context = await browser.newContext(ctx);
  try {
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    if (init) await page.addInitScript(init);
    page.on('request', (r) => requests.push(r.url()));
    if (!signals) {
      await page.route('**/pages/signals.html', async (route) => {
        const r = await route.fetch();
        await route.fulfill({ response: r, body: (await r.text()).replace(' data-signals', '') });
      });
    }
    await page.goto(server.base + path);
    await trackerReady(page);
    await session(page);
    await sleep(150);  // reports of flushes during the session have arrived
    const n = server.received.length;
    await page.close({ runBeforeUnload: true });  // pagehide: the final flush
    await until(() => server.received.length > n, 'the final report');
    await sleep(150);
    const total = sum(server.received.map((r) => decode(r.body)));
    total.errors = errors;
    assert.equal(total.counters.page_views, pageViews);
    return total;
  } finally {
    await context.close();
  }
}

const el = (total, sel) => (total.elements[fnv1a(sel)] || { counters: {} }).counters;
const centre = (page, sel) => page.$eval(sel, (e) => {
  const r = e.getBoundingClientRect();
  return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
});
const scrollPage = async (page, y) => {
  await page.evaluate((y) => scrollTo(0, y), y);
  await page.waitForFunction((y) => scrollY === y, y);
};

for (const [name, ctx] of [['375 px touch', MOBILE], ['1280 px mouse', DESKTOP]]) {
  test(`exposure (${name}): scrolled into view for over 1 s counts, off-screen and excluded do not, a flush mid-stint counts it once`, async () => {
    let elapsed;
    const total = await visit(ctx, async (page) => {
      await sleep(1100);  // #quick, in view from the start
      const t0 = Date.now();
      await scrollPage(page, 1200);  // #below (page y 1500) and #sec (1600-1800) in view
      // Cut at every flush, no part of this 1.7 s stint would reach 1 s: 0.6 + 0.8 + 0.3 s.
      await sleep(600);
      await page.evaluate(() => thermograph('flush'));  // stint at ~0.6 s: too short to cut
      await sleep(800);
      await page.evaluate(() => thermograph('flush'));  // at ~1.4 s: recorded and restarted
      await sleep(300);
      await scrollPage(page, 0);
      await sleep(200);  // the observer reports #below out of view
      elapsed = Date.now() - t0;
    });
    const below = el(total, 'button#below.at');
    assert.equal(below.pv_exposed, 1);
    assert.ok(below.exposure >= 17, `at least 1.7 s in view, got ${below.exposure} units of 100 ms`);
    // Never more than the wall time: a stint cut at a flush is not counted twice.
    assert.ok(below.exposure * 100 <= elapsed, `${below.exposure} units within ${elapsed} ms`);
    assert.equal(el(total, 'section#sec.at').pv_exposed, 1);
    assert.equal(total.elements[fnv1a('button#never.at')], undefined, 'never in view');
    assert.equal(total.elements[fnv1a('button#hidden.at')], undefined, 'privacy zone');
    assert.equal(el(total, 'button#quick.at').pv_exposed, 1, 'in view from the start until scrolled away');
    assert.deepEqual(total.errors, []);
  });

  test(`form fields (${name}): changed and submitted, changed and abandoned, a password never`, async () => {
    const tap = ctx.hasTouch ? (page, s) => page.tap(s) : (page, s) => page.click(s);
    const total = await visit(ctx, async (page) => {
      await tap(page, '#a');
      await page.keyboard.type('x');
      await tap(page, '#pw');
      await page.keyboard.type('secret');
      await tap(page, '#b');  // #a's change
      await page.keyboard.type('y');
      await tap(page, '#go');  // #b's change, then #f submits
      await page.waitForFunction(() => document.activeElement.id === 'go');
    });
    assert.deepEqual([el(total, 'input#a').pv_focused, el(total, 'input#a').pv_changed, el(total, 'input#a').pv_submitted], [1, 1, 1]);
    assert.deepEqual([el(total, 'input#b').pv_focused, el(total, 'input#b').pv_changed, el(total, 'input#b').pv_submitted], [1, 1, undefined]);
    assert.equal(total.elements[fnv1a('input#pw')], undefined, 'a password field leaves nothing');
    assert.equal(total.counters.pv_quick_exit, undefined, 'fields used: not a quick exit');
  });

  test(`exposure (${name}): a section taller than two screens counts once it fills half the viewport; a removed element frees its slot`, async () => {
    const total = await visit(ctx, async (page) => {
      await scrollPage(page, 2300);  // #tall (page y 2000-3600) fills the whole 700 px viewport
      await sleep(1200);
      await scrollPage(page, 1200);  // #below in view...
      await sleep(300);
      await page.evaluate(() => document.getElementById('below').remove());  // ...then gone
      await page.evaluate(() => thermograph('flush'));  // its 0.3 s stint ends with it
      await sleep(200);
    });
    const tall = el(total, 'section#tall.at');
    assert.equal(tall.pv_exposed, 1);
    assert.ok(tall.exposure >= 11, `${tall.exposure} units`);
    const below = el(total, 'button#below.at');
    assert.equal(below.pv_exposed, undefined, 'under 1 s in view before it was removed');
    assert.ok(below.exposure >= 2, `the removed element's stint was recorded: ${below.exposure}`);
    assert.deepEqual(total.errors, []);
  });

  test(`no IntersectionObserver (${name}): no exposure, no error, clicks still counted`, async () => {
    const total = await visit(ctx, async (page) => {
      await (ctx.hasTouch ? page.tap('#quick') : page.click('#quick'));
      await scrollPage(page, 1200);
      await sleep(1200);
    }, { init: () => { delete window.IntersectionObserver; } });
    assert.equal(el(total, 'button#quick.at').clicks, 1);
    assert.equal(el(total, 'button#quick.at').pv_exposed, undefined);
    assert.equal(total.elements[fnv1a('button#below.at')], undefined);
    assert.deepEqual(total.errors, []);
  });
}

test('the page\'s own odd events (focusin on the document, submit on a div, bare touch events) never stop the tracker', async () => {
  const total = await visit(MOBILE, async (page) => {
    await page.evaluate(() => {
      document.dispatchEvent(new Event('focusin'));
      document.dispatchEvent(new Event('change'));
      document.getElementById('pad').dispatchEvent(new Event('submit', { bubbles: true }));
      document.getElementById('pad').dispatchEvent(new Event('touchstart', { bubbles: true }));
      document.getElementById('pad').dispatchEvent(new Event('touchend', { bubbles: true }));
    });
    await page.tap('#quick');
    await page.tap('#a');
    await page.keyboard.type('x');
    await page.tap('#b');
  });
  assert.deepEqual(total.errors, []);
  assert.equal(el(total, 'button#quick.at').clicks, 1, 'still running');
  assert.equal(el(total, 'input#a').pv_changed, 1);
});

// Headless Chromium never hides a tab: the hidden state is emulated the way a browser reports it
// (as in capture.test.mjs).
const setHidden = (page, hidden) => page.evaluate((hidden) => {
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (hidden ? 'hidden' : 'visible') });
  Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
  document.dispatchEvent(new Event('visibilitychange'));
}, hidden);

test('exposure (1280 px mouse): a hidden tab ends the stint (sent with the hidden flush) and its hidden time never counts', async () => {
  let elapsed, onHidden;
  const total = await visit(DESKTOP, async (page) => {
    const t0 = Date.now();
    await scrollPage(page, 1200);
    await sleep(600);
    await setHidden(page, true);
    await until(() => server.received.length > 0, 'the report sent on hidden');
    onHidden = sum(server.received.map((r) => decode(r.body)));
    await sleep(1500);  // hidden: not in view for anyone
    const hiddenFor = Date.now() - t0;
    await setHidden(page, false);
    await sleep(1200);  // a new stint, long enough on its own
    await scrollPage(page, 0);
    await sleep(200);
    elapsed = Date.now() - t0 - (hiddenFor - 600);
  });
  const first = el(onHidden, 'button#below.at');
  assert.ok(first.exposure >= 5, `the first stint (~0.6 s) left with the hidden flush: ${first.exposure}`);
  assert.equal(first.pv_exposed, undefined, 'under 1 s');
  const below = el(total, 'button#below.at');
  assert.equal(below.pv_exposed, 1, 'the stint after the tab came back');
  assert.ok(below.exposure >= 17, `${below.exposure} units`);
  assert.ok(below.exposure * 100 <= elapsed, `${below.exposure} units within ${elapsed} ms of visible time`);
});

test('exposure (1280 px mouse): an SPA navigation ends the stint in the first page view and starts one in the next', async () => {
  const byPage = {};
  let pushed;
  await visit(DESKTOP, async (page) => {
    await sleep(1100);  // #quick in view from the start
    pushed = Date.now();
    await page.evaluate(() => history.pushState({}, '', '/pages/signals-next'));
    await sleep(1100);  // still in view: a new stint in the new page view
  }, { pageViews: 2 });
  const since = Date.now() - pushed;
  for (const r of server.received.map((x) => decode(x.body))) (byPage[new URL(r.segment.page).pathname] ||= []).push(r);
  for (const path of ['/pages/signals.html', '/pages/signals-next']) {
    const quick = el(sum(byPage[path]), 'button#quick.at');
    assert.equal(quick.pv_exposed, 1, path);
    assert.ok(quick.exposure >= 10, `${path}: ${quick.exposure} units`);
  }
  const next = el(sum(byPage['/pages/signals-next']), 'button#quick.at').exposure;
  assert.ok(next * 100 <= since, `the new page view's ${next} units within the ${since} ms since the navigation`);
});

for (const [name, ctx] of [['375 px touch', MOBILE], ['1280 px mouse', DESKTOP]]) {
  test(`exposure (${name}): an element in a same-origin frame counts as the visitor sees it; below the frame's fold, far down the page or in a privacy zone it does not`, async () => {
    const total = await visit(ctx, async (page) => {
      await page.waitForFunction(() => [...document.querySelectorAll('iframe')].every((f) => f.contentDocument?.readyState === 'complete'));
      await sleep(1300);
    }, { path: '/pages/signals-frame.html' });
    const inside = el(total, 'iframe#fr.at>button#inview');
    assert.equal(inside.pv_exposed, 1, 'in view in its frame for over 1 s');
    assert.ok(inside.exposure >= 10, `${inside.exposure} units`);
    for (const sel of ['iframe#fr.at>button#outview', 'iframe#low.at>button#lowdown', 'iframe#priv>button#secret']) {
      assert.equal(total.elements[fnv1a(sel)], undefined, sel);
    }
    assert.deepEqual(total.errors, []);
  });
}

// A finger moved over the page with CDP touch events (a real gesture: Chromium scrolls for it).
// `hold`: ms the finger rests at the end before lifting (no fling after it).
async function swipe(page, from, to, hold = 0) {
  const cdp = await page.context().newCDPSession(page);
  const point = (p) => ({ touchPoints: [{ x: p.x, y: p.y }] });
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', ...point(from) });
  for (let i = 1; i <= 10; i++) {
    await cdp.send('Input.dispatchTouchEvent', {
      type: 'touchMove', ...point({ x: from.x + (to.x - from.x) * i / 10, y: from.y + (to.y - from.y) * i / 10 }),
    });
    await sleep(16);
  }
  await sleep(hold);
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
}

test('dead swipe (375 px touch): a swipe that moved nothing counts; a page scroll and a swipe answered by the DOM do not', async () => {
  const dead = await visit(MOBILE, async (page) => {
    await swipe(page, { x: 300, y: 370 }, { x: 60, y: 370 });  // sideways on #pad: nothing scrolls that way
    await sleep(3000);  // past dead_mutation_ms: the verdict is in before the page closes
    assert.equal(await page.evaluate(() => scrollX + scrollY), 0);
  });
  assert.equal(dead.counters.pv_dead_swipe, 1);
  assert.equal(dead.counters.pv_quick_exit, undefined, 'a swipe is an interaction');

  const scrolled = await visit(MOBILE, async (page) => {
    // Up the page: it scrolls while the finger moves; resting before lifting leaves no fling,
    // so nothing after the swipe answers it: only the scroll during the gesture tells.
    await swipe(page, { x: 200, y: 650 }, { x: 200, y: 250 }, 500);
    await page.waitForFunction(() => scrollY > 100);
    await sleep(3000);
  });
  assert.equal(scrolled.counters.pv_dead_swipe, undefined);

  const answered = await visit(MOBILE, async (page) => {
    await swipe(page, { x: 300, y: 540 }, { x: 60, y: 540 });  // sideways on #pad2: it mutates the DOM
    await page.waitForFunction(() => document.body.lastElementChild.localName === 'div' && !document.body.lastElementChild.id);
    await sleep(3000);
  });
  assert.equal(answered.counters.pv_dead_swipe, undefined);
});

test('hesitation (1280 px mouse): a 1.5 s hover then a click, and a direct click, land in their buckets', async () => {
  const total = await visit(DESKTOP, async (page) => {
    const h = await centre(page, '#hes');
    await page.mouse.move(h.x, h.y);
    await sleep(1500);
    await page.mouse.down();
    await page.mouse.up();
    const q = await centre(page, '#quick');
    await page.mouse.move(q.x - 60, q.y);
    await page.mouse.click(q.x, q.y);
  });
  const hes = el(total, 'button#hes.at'), quick = el(total, 'button#quick.at');
  assert.equal(hes.clicks, 1);
  assert.deepEqual([hes.hesitation_lt_1s, hes.hesitation_1_3s, hes.hesitation_3_10s, hes.hesitation_ge_10s], [undefined, 1, undefined, undefined]);
  assert.deepEqual([quick.hesitation_lt_1s, quick.hesitation_1_3s], [1, undefined]);
});

test('quick exit (1280 px mouse): leaving within 2 s without a click counts; with a click it does not', async () => {
  const quick = await visit(DESKTOP, async () => {});
  assert.equal(quick.counters.pv_quick_exit, 1);
  const clicked = await visit(DESKTOP, async (page) => { await page.click('#quick'); });
  assert.equal(clicked.counters.pv_quick_exit, undefined);
  assert.equal(clicked.counters.pv_clicked, 1);
});

test('excessive scrolling (1280 px): six quick 400 px reversals count; a steady read down does not', async () => {
  const thrash = await visit(DESKTOP, async (page) => {
    for (const y of [800, 400, 800, 400, 800, 400, 800]) {
      await scrollPage(page, y);
      await sleep(100);  // sampled (one sample per 16 ms frame)
    }
  });
  assert.equal(thrash.counters.pv_scroll_thrash, 1);
  const steady = await visit(DESKTOP, async (page) => {
    for (const y of [400, 800, 1200, 1600, 2000]) {
      await scrollPage(page, y);
      await sleep(100);
    }
  });
  assert.equal(steady.counters.pv_scroll_thrash, undefined);
});

test('thrashed cursor (1280 px mouse): quick back-and-forth counts; one long sweep does not', async () => {
  const thrash = await visit(DESKTOP, async (page) => {
    for (let i = 0; i < 8; i++) {
      await page.mouse.move(i % 2 ? 400 : 700, 500);
      await sleep(60);
    }
  });
  assert.equal(thrash.counters.pv_cursor_thrash, 1);
  const sweep = await visit(DESKTOP, async (page) => {
    for (let x = 100; x <= 1100; x += 100) {
      await page.mouse.move(x, 500);
      await sleep(60);
    }
  });
  assert.equal(sweep.counters.pv_cursor_thrash, undefined);
});

test('without the opt-in the signals chunk is never fetched: no exposure or fields, the core\'s signals still on', async () => {
  const off = [], on = [];
  const total = await visit(DESKTOP, async (page) => {
    const p = await centre(page, '#hes');
    await page.mouse.move(p.x, p.y);
    await sleep(1500);  // 1-3 s after entering: the second hesitation bucket
    await page.mouse.click(p.x, p.y);
    await page.fill('#a', 'x');
    await page.locator('#b').focus();  // #a's change
  }, { signals: false, requests: off });
  assert.ok(!off.some((u) => u.includes('thermograph-signals')), off.join('\n'));
  const hes = el(total, 'button#hes.at');
  assert.equal(hes.hesitation_1_3s, 1);
  assert.equal(hes.pv_exposed, undefined);
  assert.equal(el(total, 'input#a').pv_changed, undefined);
  assert.equal(el(total, 'button#quick.at').exposure, undefined);
  // The same page with its opt-in fetches the chunk once.
  await visit(DESKTOP, () => sleep(300), { requests: on });
  assert.equal(on.filter((u) => u.includes('thermograph-signals.mjs')).length, 1, on.join('\n'));
});
