// The toolbar designers use, in real Chromium at 375, 768 and 1280 px: a bottom sheet of at most
// 40 % of a phone screen (28 % until its handle raises it) that leaves the page's own controls clickable, collapse with Escape,
// docking remembered, element names people recognise, stale compare inputs cleared, a friendly
// empty state, DPR-sized heat, a tip that follows its element, and exports.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, serve, fixture, nextFrames } from './overlay-harness.mjs';

// A page with its own controls where the old 270 px panel used to sit (right, up to 80 % tall).
const PAGE = `<!doctype html><html><head><meta name="viewport" content="width=device-width">
<style>body{margin:0;font:16px sans-serif}main{display:block;position:relative;height:2400px}
.buy{position:absolute;right:20px;top:180px;width:150px;height:44px}
.close{position:absolute;right:30px;top:330px;width:44px;height:44px}
.end{position:absolute;left:20px;bottom:8px;width:120px;height:40px}
</style></head><body><main id="app"><button class="buy">Buy now</button>
<button class="close" aria-label="Close the offer">x</button><button class="end">Last button</button></main>
<script src="/dist/thermograph.min.js" data-endpoint="/" data-site="site_test"></script></body></html>`;

const NAMES = `<!doctype html><body><main>
<button id="n1">Start free trial</button>
<a id="n2" href="/pricing">Pricing</a>
<img id="n3" alt="Team photo" src="data:,">
<button id="n4" aria-label="Close"><svg width="10" height="10"></svg></button>
<label for="n5">Work email</label><input id="n5" value="jane@example.com">
<span id="lbl">Plan</span><div id="n6" role="button" aria-labelledby="lbl"></div>
<button id="n7">Mail jane.doe@example.com now</button>
<a id="n8" href="/x">A very long link text that goes on and on about many features and more</a>
<section aria-label="Pricing"><div class="card"></div><div class="card"></div><div class="card" id="n9"></div></section>
</main></body>`;

let browser, server, spec, requests = [], missing = false;

before(async () => {
  browser = await launch();
  server = await serve({
    pages: { '/shop': PAGE, '/names': NAMES },
    heatmap: (q) => (requests.push(Object.fromEntries(q)), missing ? null : fixture(spec)),
  });
  const p = await browser.newPage();
  await p.goto(server.origin + '/shop');
  const sel = await p.evaluate(async () => {
    const { selector } = await import('/js/tracker/element.js');
    return { buy: selector(document.querySelector('.buy')), close: selector(document.querySelector('.close')) };
  });
  await p.close();
  spec = {
    page: server.origin + '/shop', counters: { page_views: 200, fold_sum: 200 * 720 },
    elements: [
      { selector: sel.buy, flags: 2, counters: { clicks: 120, pv_clicked: 90, rage: 12, pv_rage: 30 }, cells: [[8, 8, 120]] },
      { selector: sel.close, flags: 2, counters: { clicks: 40, pv_clicked: 40 }, cells: [[8, 8, 40]] },
    ],
  };
});
after(async () => { await browser?.close(); await server?.close(); });

async function openAt(width, height, opts = {}) {
  const context = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: opts.dpr || 1, hasTouch: !!opts.touch });
  const page = await context.newPage();
  await page.goto(server.origin + (opts.path || '/shop'));
  if (opts.storage) await page.evaluate((s) => localStorage.setItem('thermograph-overlay-ui', s), opts.storage);
  await page.evaluate((state) => thermograph('overlay', { token: 'secret', state }).then(() => true), opts.state || {});
  await nextFrames(page);
  return { context, page };
}

const panelBox = (page) => page.evaluate(() => {
  const root = document.querySelector('[data-thermograph-ui]:not(canvas):not(svg)').shadowRoot;
  const el = [...root.querySelectorAll('.p,.pill')].find((e) => getComputedStyle(e).display !== 'none');
  const r = el.getBoundingClientRect();
  return { x: r.left, y: r.top, w: r.width, h: r.height, cls: el.className };
});

for (const [w, h] of [[375, 667], [768, 1024], [1280, 720]]) {
  test(`${w}px: the toolbar leaves the page usable`, async () => {
    const { context, page } = await openAt(w, h);
    try {
      const box = await panelBox(page);
      assert.equal(box.cls, 'p');
      if (w < 600) {
        assert.ok(box.w * box.h <= 0.4 * w * h + 1, `sheet covers ${((100 * box.w * box.h) / (w * h)).toFixed(1)} %`);
        assert.ok(box.y >= h * 0.6 - 1, 'a bottom sheet: ' + JSON.stringify(box));
      }
      // The page's own buttons, where the old panel used to be, still take real clicks.
      await page.evaluate(() => {
        window.hits = [];
        for (const b of document.querySelectorAll('main button')) b.addEventListener('click', () => hits.push(b.className));
      });
      if (w >= 600) {  // docked at the bottom by default; the side docks leave the page usable too
        await page.locator('[data-thermograph-ui] >> button[name=dock][value=left]').click();
      }
      for (const cls of ['buy', 'close']) {
        const r = await page.locator('.' + cls).boundingBox();
        await page.mouse.click(r.x + r.width / 2, r.y + r.height / 2);
      }
      assert.deepEqual(await page.evaluate(() => hits), ['buy', 'close']);
      // Escape collapses to a pill; the pill expands again; both keyboard reachable.
      await page.locator('[data-thermograph-ui] >> button[name=collapse]').focus();
      await page.keyboard.press('Escape');
      const pill = await panelBox(page);
      assert.equal(pill.cls, 'pill');
      assert.ok(pill.w * pill.h < 0.05 * w * h, 'a small pill: ' + JSON.stringify(pill));
      assert.equal(await page.evaluate(() => document.querySelector('[data-thermograph-ui]:not(canvas):not(svg)').shadowRoot.activeElement?.name), 'expand');
      await page.keyboard.press('Enter');
      assert.equal((await panelBox(page)).cls, 'p');
    } finally {
      await context.close();
    }
  });
}

// A bottom sheet hides the end of a page that has no room after it: the overlay adds that room
// while the sheet is there, so the page's last button scrolls out from under it and takes a real
// click; closing the overlay gives the page its own height back.
for (const [w, h, storage] of [[375, 667, null], [1280, 720, '{"dock":"bottom"}']]) {
  test(`${w}px: a bottom sheet leaves the end of the page reachable`, async () => {
    const { context, page } = await openAt(w, h, { storage });
    try {
      const own = await page.evaluate(() => document.querySelector('main').offsetHeight);
      await page.evaluate(() => scrollTo(0, document.documentElement.scrollHeight));
      await nextFrames(page);
      const sheet = await panelBox(page);
      assert.equal(sheet.cls, 'p');
      assert.ok(sheet.y >= h * 0.55, 'a bottom sheet: ' + JSON.stringify(sheet));
      const end = await page.locator('.end').boundingBox();
      assert.ok(end.y + end.height <= sheet.y, `last button ends at ${end.y + end.height}, sheet starts at ${sheet.y}`);
      await page.evaluate(() => { window.hits = []; document.querySelector('.end').addEventListener('click', () => hits.push('end')); });
      await page.mouse.click(end.x + end.width / 2, end.y + end.height / 2);
      assert.deepEqual(await page.evaluate(() => hits), ['end']);
      await page.evaluate(() => thermograph('overlay'));  // close
      assert.equal(await page.evaluate(() => document.documentElement.scrollHeight), own);
    } finally {
      await context.close();
    }
  });
}

// A phone's sheet opens low with what the designer is looking at (the layer and its legend) in it;
// the handle raises it for insights and filters and lowers it again.
test('375px: the sheet opens low with the layer in it; its handle raises and lowers it', async () => {
  const { context, page } = await openAt(375, 667);
  try {
    const inSheet = () => page.evaluate(() => {
      const root = document.querySelector('[data-thermograph-ui]:not(canvas):not(svg)').shadowRoot;
      const sheet = root.querySelector('.p').getBoundingClientRect(), layer = root.querySelector('[name=layer]').getBoundingClientRect();
      return { h: sheet.height, layerInside: layer.top >= sheet.top && layer.bottom <= sheet.bottom,
        expanded: root.querySelector('[name=tall]').getAttribute('aria-expanded') };
    });
    let s = await inSheet();
    assert.ok(s.h <= 0.28 * 667 + 1, `opens at ${s.h} px`);
    assert.ok(s.layerInside, 'the layer select is in sight in the low sheet');
    assert.equal(s.expanded, 'false');
    await page.locator('[data-thermograph-ui] >> button[name=tall]').click();
    s = await inSheet();
    assert.ok(s.h > 0.5 * 667, `raised to ${s.h} px`);
    assert.equal(s.expanded, 'true');
    await page.locator('[data-thermograph-ui] >> button[name=tall]').click();
    assert.ok((await inSheet()).h <= 0.28 * 667 + 1);
  } finally {
    await context.close();
  }
});

// A swipe on the handle goes its way, with a finger (real touch events through CDP) and a mouse:
// up raises the sheet, down lowers it, down from the low sheet collapses it to the pill; the page
// under the handle never scrolls, and the click that follows a mouse swipe does not undo it.
test('375px: swiping the sheet handle raises, lowers and collapses it (finger and mouse)', async () => {
  const { context, page } = await openAt(375, 667, { touch: true });
  try {
    const cdp = await context.newCDPSession(page);
    const handleAt = async () => {
      const b = await page.locator('[data-thermograph-ui] >> button[name=tall]').boundingBox();
      return { x: b.x + b.width / 2, y: b.y + b.height / 2 };
    };
    const finger = async (dy) => {
      const { x, y } = await handleAt();
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x, y }] });
      for (let i = 1; i <= 6; i++) await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [{ x, y: y + (dy * i) / 6 }] });
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
      await nextFrames(page);
    };
    const mouse = async (dy) => {
      const { x, y } = await handleAt();
      await page.mouse.move(x, y);
      await page.mouse.down();
      await page.mouse.move(x, y + dy, { steps: 6 });
      await page.mouse.up();
      await nextFrames(page);
    };
    const state = () => page.evaluate(() => {
      const root = document.querySelector('[data-thermograph-ui]:not(canvas):not(svg)').shadowRoot;
      const sheet = root.querySelector('.p');
      return { h: getComputedStyle(sheet).display === 'none' ? 0 : sheet.getBoundingClientRect().height,
        pill: getComputedStyle(root.querySelector('.pill')).display !== 'none', scrollY };
    });
    const low = 0.28 * 667 + 1;
    let s = await state();
    assert.ok(s.h > 0 && s.h <= low, `opens low: ${JSON.stringify(s)}`);
    await finger(-120);
    s = await state();
    assert.ok(s.h > 0.5 * 667, `a finger's swipe up raised it: ${JSON.stringify(s)}`);
    assert.equal(s.scrollY, 0, 'the page did not scroll under the handle');
    await finger(120);
    s = await state();
    assert.ok(s.h > 0 && s.h <= low, `a swipe down lowered it: ${JSON.stringify(s)}`);
    await mouse(-120);
    assert.ok((await state()).h > 0.5 * 667, 'a mouse swipe up raised it (and its click did not lower it again)');
    await mouse(120);
    assert.ok((await state()).h <= low, 'a mouse swipe down lowered it');
    await finger(120);
    s = await state();
    assert.ok(s.pill && s.h === 0, `a swipe down from the low sheet collapsed it to the pill: ${JSON.stringify(s)}`);
    assert.equal(s.scrollY, 0);
  } finally {
    await context.close();
  }
});

test('the dock is remembered across openings', async () => {
  let { context, page } = await openAt(1280, 720);
  await page.locator('[data-thermograph-ui] >> button[name=dock][value=bottom]').click();
  let box = await panelBox(page);
  assert.ok(box.y > 720 * 0.6 && box.w > 1000, 'docked bottom: ' + JSON.stringify(box));
  await page.locator('[data-thermograph-ui] >> button[name=dock][value=left]').click();
  await page.evaluate(() => thermograph('overlay'));  // close
  await page.evaluate(() => thermograph('overlay', { token: 'secret' }).then(() => true));
  box = await panelBox(page);
  assert.ok(box.x < 20 && box.w < 400, 'docked left again: ' + JSON.stringify(box));
  await context.close();
});

test('element names from the live DOM: accessible name and role, PII masked, never a selector', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  await page.goto(server.origin + '/names');
  const names = await page.evaluate(async () => {
    const m = await (await import('/dist/thermograph-overlay.mjs')).loadModule();
    const { createNamer } = await import('/js/overlay/names.js');
    const name = createNamer(m);
    return Object.fromEntries([...document.querySelectorAll('[id^=n]')].map((el) => [el.id, name(el)]));
  });
  assert.deepEqual(names, {
    n1: "'Start free trial' button",
    n2: "'Pricing' link",
    n3: "image 'Team photo'",
    n4: "'Close' button",
    n5: "'Work email' text field",  // the label, never the typed value
    n6: "'Plan' button",
    n7: "'Mail ••• now' button",
    n8: "'A very long link text that goes on and…' link",
    n9: "3rd card in 'Pricing' section",
  });
  await context.close();
});

test('insights in words, a friendly empty state, and the tip follows its element', async () => {
  const { context, page } = await openAt(1280, 720);
  try {
    // Headlines only: what the disclosures hold is one click deeper.
    const text = await page.locator('[data-thermograph-ui] >> .findings').evaluate((ol) => {
      const c = ol.cloneNode(true);
      for (const d of c.querySelectorAll('details')) d.remove();
      return c.textContent;
    });
    assert.match(text, /Rage clicks on 'Buy now' button \(15 % of visits\)/);
    assert.match(text, /Most clicked: 'Buy now' button, clicked in 45 % of visits/);
    assert.match(text, /n = 200 visits/);
    assert.doesNotMatch(text, /\[|div\.|#|score|interval/);  // no intervals, selectors or scores in headlines
    assert.doesNotMatch(text, /never reach|scroll no further/);  // no reach data in this fixture: no depth claims
    // Hover, then scroll the element away: the tip goes with it.
    await page.locator('[data-thermograph-ui] >> button[name=dock][value=left]').click();
    const r = await page.locator('.buy').boundingBox();
    await page.mouse.move(r.x + 10, r.y + 10);
    const tip = page.locator('[data-thermograph-ui] >> .tip');
    assert.match(await tip.textContent(), /^'Buy now' button\n120 clicks/);
    await page.evaluate(() => scrollTo(0, 100));
    await nextFrames(page);
    const top = await tip.evaluate((t) => parseFloat(t.style.top));
    assert.ok(top < r.y + 10, 'the tip moved up with its element: ' + top);
    await page.evaluate(() => scrollTo(0, 1500));
    await nextFrames(page);
    assert.equal(await tip.evaluate((t) => t.style.display), 'none');
    // An element that disappears under the pointer (a pop-up closed) takes its tip with it.
    await page.evaluate(() => scrollTo(0, 0));
    await page.mouse.move(r.x + 12, r.y + 12);
    assert.equal(await tip.evaluate((t) => t.style.display), 'block');
    await page.evaluate(() => { document.querySelector('.buy').style.display = 'none'; });
    await nextFrames(page);
    await nextFrames(page);
    assert.equal(await tip.evaluate((t) => t.style.display), 'none');
    await page.evaluate(() => thermograph('overlay'));
    missing = true;
    await page.evaluate(() => thermograph('overlay', { token: 'secret' }).then(() => true));
    const empty = await page.locator('[data-thermograph-ui] >> .insights').textContent();
    assert.match(empty, /No visits recorded for this page with these filters yet/);
    assert.doesNotMatch(empty, /\{|404|error/);
  } finally {
    missing = false;
    await context.close();
  }
});

test('changing the compare kind clears the old sides: no device=A', async () => {
  const { context, page } = await openAt(1280, 720, { state: { compare: 'variant', a: 'A', b: 'B' } });
  try {
    requests = [];
    await page.locator('[data-thermograph-ui] >> select[name=compare]').selectOption('device');
    await nextFrames(page);
    const values = await page.evaluate(() => {
      const root = document.querySelector('[data-thermograph-ui]:not(canvas):not(svg)').shadowRoot;
      return ['a', 'b'].map((n) => root.querySelector(`[name=${n}]`).value);
    });
    assert.deepEqual(values, ['', '']);
    assert.ok(requests.length >= 1);
    for (const q of requests) assert.ok(!q.device || /^[123]$/.test(q.device), JSON.stringify(q));
    await page.locator('[data-thermograph-ui] >> input[name=a]').fill('mobile');
    await page.locator('[data-thermograph-ui] >> input[name=a]').dispatchEvent('change');
    await page.locator('[data-thermograph-ui] >> input[name=b]').fill('desktop');
    await page.locator('[data-thermograph-ui] >> input[name=b]').dispatchEvent('change');
    await nextFrames(page);
    assert.deepEqual(requests.slice(-2).map((q) => q.device).sort(), ['1', '2']);
  } finally {
    await context.close();
  }
});

test('DPR 2: the heat canvas has device-pixel backing', async () => {
  const { context, page } = await openAt(800, 600, { dpr: 2 });
  try {
    const c = await page.evaluate(() => {
      const el = document.querySelector('canvas[data-thermograph-ui]');
      return { w: el.width, h: el.height, cssW: el.getBoundingClientRect().width, dpr: devicePixelRatio };
    });
    assert.equal(c.dpr, 2);
    assert.equal(c.w, c.cssW * 2);
    assert.equal(c.h, 1200);
    // Heat lands at the same CSS place as at DPR 1: the .buy centre is hot in backing pixels.
    const r = await page.locator('.buy').boundingBox();
    const px = await page.evaluate(([x, y]) => Array.from(document.querySelector('canvas[data-thermograph-ui]')
      .getContext('2d').getImageData(x, y, 1, 1).data), [Math.round((r.x + r.width * (8.5 / 16)) * 2), Math.round((r.y + r.height * (8.5 / 16)) * 2)]);
    assert.ok(px[3] > 100 && px[0] > 150, 'hot on .buy at DPR 2: ' + px);
  } finally {
    await context.close();
  }
});

test('exports: a full-page PNG of the heat and a CSV of elements with names', async () => {
  const { context, page } = await openAt(1280, 720);
  try {
    const [download] = await Promise.all([page.waitForEvent('download'),
      page.locator('[data-thermograph-ui] >> button[name=csv]').click()]);
    const csv = await new Promise((resolve) => download.createReadStream().then((s) => {
      let t = '';
      s.on('data', (d) => (t += d));
      s.on('end', () => resolve(t));
    }));
    assert.match(csv, /^name,on_page,clicks/);
    assert.match(csv, /"'Buy now' button",1,120/);
    const [png] = await Promise.all([page.waitForEvent('download'),
      page.locator('[data-thermograph-ui] >> button[name=png]').click()]);
    assert.match(png.suggestedFilename(), /^thermograph-shop\.png$/);
    const size = await page.evaluate(async () => {
      const { isOpen } = await import('/dist/thermograph-overlay.mjs');
      return isOpen();
    });
    assert.equal(size, true);
  } finally {
    await context.close();
  }
});
