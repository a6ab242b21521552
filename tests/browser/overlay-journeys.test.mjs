// Journeys end to end in real Chromium: scripted visits through the real tracker (mouse at
// 1280 px, touch at 375 px) into the real collector, whose element steps and SPA arrivals are
// known by construction, then the overlay on the live page (the steps in words with the
// elements' names, arrows from one element's box to the next one's, "came from" naming the SPA
// route) and the dashboard's Journeys block.
// JOURNEYS_SHOTS=DIR saves what a designer sees at 1280 and 375 px there (docs/overlay-journeys-*.png).
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';

import { nextFrames, withLiveStack } from './overlay-harness.mjs';

// Four buttons laid out so that arrows between them run across, down and diagonally; "See
// pricing" is an SPA link (history.pushState), the way visitors reach /pricing without a reload.
const page = (endpoint, site) => `<!doctype html><html><head><meta name="viewport" content="width=device-width">
<style>body{margin:0;font:16px sans-serif;background:#fff}main{position:relative;height:1400px}
button{position:absolute;width:130px;height:44px}
.search{left:20px;top:30px}.buy{left:220px;top:150px}.compare{left:20px;top:270px}.nav{left:220px;top:330px}
@media (min-width:700px){.buy{left:560px;top:110px}.compare{left:140px;top:300px}.nav{left:800px;top:330px}}</style></head>
<body><main><button class="search">Search</button><button class="buy">Buy now</button>
<button class="compare">Compare plans</button>
<button class="nav" onclick="history.pushState({}, '', '/pricing')">See pricing</button></main>
<script src="/dist/thermograph.min.js" data-endpoint="${endpoint}" data-site="${site}"></script></body></html>`;

const DESKTOP = { viewport: { width: 1280, height: 720 } };
const PHONE = { viewport: { width: 375, height: 667 }, hasTouch: true, isMobile: true, deviceScaleFactor: 2 };

// One visit: load `where`, use `buttons` in order (tap on touch), flush. The tracker ignores
// input in a page view's first 200 ms.
async function visit(tab, origin, where, buttons, touch) {
  await tab.goto(origin + where);
  await tab.waitForFunction(() => typeof thermograph === 'function');
  await tab.waitForTimeout(300);
  for (const b of buttons) await (touch ? tab.tap('button.' + b) : tab.click('button.' + b));
  await tab.evaluate(() => thermograph('flush'));
}

// By construction, on /shop: 20 visits; Search -> Buy now in 10 (6 mouse, 4 touch), Buy now ->
// See pricing in 6 of those (3 + 3), Search -> Compare plans in 4 (2 + 2); 6 more only use Buy
// now (no step). On /pricing: 10 visits, 6 of them arriving from /shop by the SPA link.
const PLAN = [
  [false, '/shop', ['search', 'buy', 'nav'], 3], [false, '/shop', ['search', 'buy'], 3], [false, '/shop', ['search', 'compare'], 2],
  [false, '/shop', ['buy'], 6], [false, '/pricing', ['buy'], 4],
  [true, '/shop', ['search', 'buy', 'nav'], 3], [true, '/shop', ['search', 'buy'], 1], [true, '/shop', ['search', 'compare'], 2],
];
const STEPS = ["'Search' button → 'Buy now' button (50 % of visits)", "'Buy now' button → 'See pricing' button (30 % of visits)",
  "'Search' button → 'Compare plans' button (20 % of visits)"];
const ARROWS = [['search', 'buy'], ['buy', 'nav'], ['search', 'compare']];

const ui = (tab, sel) => tab.locator(`[data-thermograph-ui] >> ${sel}`);
const texts = (loc) => loc.evaluateAll((ns) => ns.map((n) => n.textContent.replace(/\s+/g, ' ').trim()));

// Opens the overlay with every width and device (the visits above span both) unless `state` says.
async function openOverlay(tab, token, state = { width: '', device: '' }) {
  await tab.evaluate(([token, state]) => thermograph('overlay', { token, state }).then(() => true), [token, state]);
  await nextFrames(tab);
}

// Each drawn arrow: its step and ends, with the live boxes of the elements it joins.
const arrowsOf = (tab) => tab.evaluate(() => [...document.querySelectorAll('svg[data-journeys] g[data-step]')].map((g) => ({
  step: g.dataset.step, ends: g.dataset.ends.split(' ').map(Number), label: g.querySelector('text').textContent,
})));
const boxes = (tab) => tab.evaluate(() => Object.fromEntries(['search', 'buy', 'compare', 'nav'].map((c) => {
  const r = document.querySelector('button.' + c)?.getBoundingClientRect();
  return [c, r && { left: r.left, top: r.top, right: r.right, bottom: r.bottom }];
})));

// An arrow starts on its first element's box edge and ends on the next one's, on the line
// joining their centres.
function assertArrow(ends, a, b, what) {
  const [x1, y1, x2, y2] = ends;
  const onEdge = (r, x, y) => x >= r.left - 0.6 && x <= r.right + 0.6 && y >= r.top - 0.6 && y <= r.bottom + 0.6 &&
    Math.min(Math.abs(x - r.left), Math.abs(x - r.right), Math.abs(y - r.top), Math.abs(y - r.bottom)) < 0.6;
  assert.ok(onEdge(a, x1, y1), `${what} starts on the first box's edge: ${JSON.stringify({ ends, a })}`);
  assert.ok(onEdge(b, x2, y2), `${what} ends on the next box's edge: ${JSON.stringify({ ends, b })}`);
  const c = (r) => [(r.left + r.right) / 2, (r.top + r.bottom) / 2];
  const [ax, ay] = c(a), [bx, by] = c(b);
  for (const [x, y] of [[x1, y1], [x2, y2]]) {
    const cross = (bx - ax) * (y - ay) - (by - ay) * (x - ax);
    assert.ok(Math.abs(cross) / Math.hypot(bx - ax, by - ay) < 1, `${what}: on the line between the centres`);
  }
  assert.ok(Math.hypot(x1 - ax, y1 - ay) < Math.hypot(x2 - ax, y2 - ay), `${what} points from the first to the next`);
}

test('journeys: steps and SPA arrivals from real visits, in the overlay (1280 px mouse, 375 px touch) and the dashboard', async (t) => {
  await withLiveStack(page, async ({ web, site, collector, browser, until }) => {
    const contexts = { false: await browser.newContext(DESKTOP), true: await browser.newContext(PHONE) };
    const tabs = { false: await contexts.false.newPage(), true: await contexts.true.newPage() };
    for (const [touch, where, buttons, times] of PLAN) {
      for (let i = 0; i < times; i++) await visit(tabs[touch], web.origin, where, buttons, touch);
    }
    for (const tab of Object.values(tabs)) await tab.goto('about:blank');  // the last page views end
    const views = (d, p) => d.pages?.find((x) => x.page === web.origin + p)?.page_views;
    const d = await until((x) => views(x, '/shop') === 20 && views(x, '/pricing') === 10);
    assert.deepEqual([views(d, '/shop'), views(d, '/pricing')], [20, 10], JSON.stringify(d.pages));
    const token = site.read_token;

    await t.test('1280 px: the steps in words, arrows only when asked, from box to box', async () => {
      const tab = tabs.false;
      await tab.goto(web.origin + '/shop');
      await openOverlay(tab, token);
      assert.deepEqual(await texts(ui(tab, '.journeys .steps li')), STEPS);
      // Scripted visits end right after their last click: said in words, not "0 s later".
      assert.match(await ui(tab, '[data-exits]').innerText(), /'Buy now' button 50 % \(left right after it\)/);
      // Off until asked: nothing drawn over the page.
      assert.equal((await arrowsOf(tab)).length, 0);
      await ui(tab, 'input[name=journeys]').check();
      await nextFrames(tab);
      const arrows = await arrowsOf(tab), box = await boxes(tab);
      assert.deepEqual(arrows.map((a) => a.label), ['50 %', '30 %', '20 %']);
      // The arrows are the listed steps, in order.
      assert.deepEqual(arrows.map((a) => a.step), await ui(tab, '.journeys .steps li').evaluateAll((ns) => ns.map((n) => n.dataset.step)));
      ARROWS.forEach(([a, b], i) => assertArrow(arrows[i].ends, box[a], box[b], `${a} -> ${b}`));
      // They never take the page's clicks: the buttons under them are still what the pointer hits.
      const hit = await tab.evaluate(() => ['search', 'buy', 'compare', 'nav'].every((c) => {
        const r = document.querySelector('button.' + c).getBoundingClientRect();
        return document.elementFromPoint(r.left + 3, r.top + 3) === document.querySelector('button.' + c);
      }));
      assert.ok(hit);
      if (process.env.JOURNEYS_SHOTS) await tab.screenshot({ path: path.join(process.env.JOURNEYS_SHOTS, 'overlay-journeys-1280.png') });
      // They follow the page: after scrolling, the first arrow still starts on Search's box.
      await tab.evaluate(() => scrollTo(0, 100));
      await nextFrames(tab);
      assertArrow((await arrowsOf(tab))[0].ends, (await boxes(tab)).search, (await boxes(tab)).buy, 'search -> buy after scrolling');
      await ui(tab, 'input[name=journeys]').uncheck();
      await nextFrames(tab);
      assert.equal((await arrowsOf(tab)).length, 0);
      await tab.evaluate(() => thermograph('overlay'));  // closes it
    });

    await t.test('an element not on the page: listed in words, no arrow', async () => {
      const tab = tabs.false;
      await tab.goto(web.origin + '/shop');
      // The last button: removing another would shift its siblings' positions, so their keys.
      await tab.evaluate(() => document.querySelector('button.nav').remove());
      await openOverlay(tab, token, { width: '', device: '', journeys: true });
      const items = await texts(ui(tab, '.journeys .steps li'));
      assert.deepEqual(items, [STEPS[0], STEPS[1].replace("'See pricing' button", 'an element no longer on this page'), STEPS[2]]);
      assert.equal(await ui(tab, '.journeys .steps li[data-missing]').count(), 1);
      assert.deepEqual((await arrowsOf(tab)).map((a) => a.label), ['50 %', '20 %']);
      await tab.evaluate(() => thermograph('overlay'));
    });

    await t.test('375 px touch: the same steps for all visits, the touch visits alone, arrows under a bottom sheet', async () => {
      const tab = tabs.true;
      await tab.goto(web.origin + '/shop');
      await openOverlay(tab, token, { width: '', device: '', journeys: true });
      assert.deepEqual(await texts(ui(tab, '.journeys .steps li')), STEPS);
      const arrows = await arrowsOf(tab), box = await boxes(tab);
      ARROWS.forEach(([a, b], i) => assertArrow(arrows[i].ends, box[a], box[b], `375 px ${a} -> ${b}`));
      if (process.env.JOURNEYS_SHOTS) await tab.screenshot({ path: path.join(process.env.JOURNEYS_SHOTS, 'overlay-journeys-375.png') });
      await tab.evaluate(() => thermograph('overlay'));
      // This phone's own segment (the overlay's default filters): 6 touch visits at < 480 px,
      // Search -> Buy now in 4, Buy now -> See pricing in 3, Search -> Compare plans in 2.
      await openOverlay(tab, token, {});
      assert.deepEqual(await texts(ui(tab, '.journeys .steps li')), ["'Search' button → 'Buy now' button (67 % of visits)",
        "'Buy now' button → 'See pricing' button (50 % of visits)", "'Search' button → 'Compare plans' button (33 % of visits)"]);
      await tab.evaluate(() => thermograph('overlay'));
    });

    await t.test('came from: the SPA route named from the site\'s pages', async () => {
      const tab = tabs.false;
      await tab.goto(web.origin + '/pricing');
      await openOverlay(tab, token);
      await ui(tab, '.journeys [data-came-from]').waitFor();
      assert.equal((await texts(ui(tab, '.journeys [data-came-from]')))[0], 'Came from: /shop (60 % of visits)');
      // No steps on /pricing (one click per visit): no steps list, no arrow toggle.
      assert.equal(await ui(tab, '.journeys .steps').count(), 0);
      assert.equal(await ui(tab, '.jtoggle').isVisible(), false);
      await tab.evaluate(() => thermograph('overlay'));
    });

    await t.test('dashboard: the Journeys block of each page, named as the overlay shared the names', async () => {
      const tab = await contexts.false.newPage();
      try {
        await tab.goto(`${collector.base}/dashboard`);
        await tab.fill('#token', token);
        await tab.press('#token', 'Enter');
        const shop = tab.locator('li.page', { has: tab.locator(`a[href="${web.origin}/shop#thermograph"]`) });
        await shop.locator('summary', { hasText: 'Journeys' }).click();
        await shop.locator('.journeys .steps li').first().waitFor();
        assert.deepEqual(await texts(shop.locator('.journeys .steps li')), STEPS);
        const pricing = tab.locator('li.page', { has: tab.locator(`a[href="${web.origin}/pricing#thermograph"]`) });
        await pricing.locator('summary', { hasText: 'Journeys' }).click();
        await pricing.locator('.journeys .came').waitFor();
        assert.equal((await texts(pricing.locator('.journeys .came')))[0], 'Came from: /shop (60 % of visits)');
        if (process.env.JOURNEYS_SHOTS) await tab.locator('#pages').screenshot({ path: path.join(process.env.JOURNEYS_SHOTS, 'dashboard-journeys.png') });
      } finally {
        await tab.close();
      }
    });
    for (const c of Object.values(contexts)) await c.close();
  }, { paths: ['/shop', '/pricing'] });
});
