// The behaviour signals of wire version 4 as designers read them, in real Chromium: an aggregate
// with known counters (built by the real encoder, thermograph-fixture) served to the overlay on a
// page whose elements it names. Asserts the exact sentences and percentages: the page's signal
// line (only the non-zero ones, explained one click deeper), the findings the core's gates let
// through, and the element detail, on hover (the tip) and on a tapped finding at 375 px.
// SIGNALS_SHOTS=DIR saves what a designer sees at 1280 and 375 px there, to look at.
import { test, before, after } from 'node:test';
import path from 'node:path';
import assert from 'node:assert/strict';
import { launch, serve, fixture, nextFrames } from './overlay-harness.mjs';

const PAGE = `<!doctype html><html><head><meta name="viewport" content="width=device-width">
<style>body{margin:0;font:16px sans-serif}main{display:block;padding:40px 20px;height:1600px}
a,button,input{display:block;margin:0 0 40px;width:160px;height:40px}</style></head><body><main>
<a class="more" href="#more">Learn more</a>
<form><label for="email">Work email</label><input id="email" class="email" name="email"></form>
<button class="plans">Compare plans</button></main>
<script src="/dist/thermograph.min.js" data-endpoint="/" data-site="site_test"></script></body></html>`;

let browser, server, spec;

before(async () => {
  browser = await launch();
  server = await serve({ pages: { '/shop': PAGE }, heatmap: () => fixture(spec) });
  const p = await browser.newPage();
  await p.goto(server.origin + '/shop');
  const sel = await p.evaluate(async () => {
    const { selector } = await import('/js/tracker/element.js');
    return Object.fromEntries(['more', 'email', 'plans'].map((c) => [c, selector(document.querySelector('.' + c))]));
  });
  await p.close();
  // 200 page views: 16 quick exits (8 %), 6 excessive scrolling (3 %), 4 thrashed cursor (2 %),
  // no dead swipe.
  spec = {
    page: server.origin + '/shop',
    counters: { page_views: 200, pv_clicked: 120, pv_quick_exit: 16, pv_scroll_thrash: 6, pv_cursor_thrash: 4 },
    elements: [
      // Seen in 160 (80 %), clicked in 2 of them (1.25 %); hovered in 40, 2 of those clicked.
      { selector: sel.more, flags: 2, counters: { clicks: 2, pv_clicked: 2, pv_exposed: 160, pv_hovered: 40, pv_hover_clicked: 2 } },
      // Focused in 50, changed in 40 (20 %), 16 of those submitted: 24 left (12 % of visits, 60 % of changes).
      { selector: sel.email, flags: 2, counters: { clicks: 30, pv_clicked: 30, pv_exposed: 120, pv_focused: 50, pv_changed: 40, pv_submitted: 16,
        pv_exit: 20, exit_seconds: 60 } },
      // 40 first clicks: 5 under 1 s, 5 in 1-3 s, 20 in 3-10 s, 10 after 10 s or more.
      // ... and the last thing used before 30 visits ended (15 %), 8 s before the end on average.
      { selector: sel.plans, flags: 2, counters: { clicks: 50, pv_clicked: 40, hesitation_lt_1s: 5, hesitation_1_3s: 5,
        hesitation_3_10s: 20, hesitation_ge_10s: 10, pv_exit: 30, exit_seconds: 240 }, cells: [[8, 8, 50]] },
    ],
  };
});
after(async () => { await browser?.close(); await server?.close(); });

async function openAt(width, height) {
  const context = await browser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  await page.goto(server.origin + '/shop');
  await page.evaluate(() => thermograph('overlay', { token: 'secret' }).then(() => true));
  await nextFrames(page);
  return { context, page };
}
const ui = (page, sel) => page.locator(`[data-thermograph-ui] >> ${sel}`);
// The detail's heading and lines.
const lines = (loc) => loc.evaluate((n) => [...n.querySelectorAll('h3,li')].map((e) => e.textContent));

test('page signals: only the non-zero ones, in words, explained on hover and in a disclosure', async () => {
  const { context, page } = await openAt(1280, 720);
  try {
    const line = ui(page, '.signals .line');
    assert.equal((await line.textContent()).replace(/\s+/g, ' '), 'Quick exits 8.0 %, excessive scrolling 3.0 %, thrashed cursor 2.0 % of visits');
    assert.equal(await ui(page, '.signals [data-signal=pv_dead_swipe]').count(), 0);
    assert.match(await ui(page, '.signals [data-signal=pv_quick_exit]').getAttribute('title'), /^the visit ended within 5 s without a click or tap$/);
    await ui(page, '.signals summary').click();
    const why = await ui(page, '.signals details ul').textContent();
    assert.match(why, /Quick exits: the visit ended within 5 s without a click or tap/);
    assert.match(why, /Excessive scrolling: reversed scrolling direction 4 times in quick succession/);
    assert.match(why, /Thrashed cursor: the pointer reversed direction 5 times/);
    assert.doesNotMatch(why, /swipe/);
    // Where visits ended: the elements most often used last, by name, most first.
    assert.equal((await ui(page, '.signals [data-exits]').textContent()).replace(/\s+/g, ' '),
      "Where visits ended: 'Compare plans' button 15 % (left 8 s later on average), 'Work email' text field 10 % (left 3 s later on average)");
    if (process.env.SIGNALS_SHOTS) await page.screenshot({ path: path.join(process.env.SIGNALS_SHOTS, 'signals-1280.png') });
  } finally {
    await context.close();
  }
});

test('findings from the signals: abandoned field, often seen rarely clicked, hesitation', async () => {
  const { context, page } = await openAt(1280, 720);
  try {
    const items = await ui(page, '.findings').evaluate((ol) => [...ol.children].map((li) => {
      const c = li.cloneNode(true);
      for (const d of c.querySelectorAll('details')) d.remove();
      return c.textContent.replace(/\s+/g, ' ').trim();
    }));
    const abandoned = items.findIndex((t) => t.startsWith('Form field abandoned'));
    const ignored = items.findIndex((t) => t.startsWith('Often seen, rarely clicked'));
    const hesitant = items.findIndex((t) => t.startsWith('Visitors hesitate'));
    assert.ok(abandoned >= 0 && ignored > abandoned && hesitant > ignored, JSON.stringify(items));
    assert.equal(items[abandoned], "Form field abandoned: 'Work email' text field, changed, then left without submitting in 60 % of the visits that changed it n = 40 visits");
    assert.equal(items[ignored], "Often seen, rarely clicked: 'Learn more' link, seen in 80 % of visits, clicked by 1.3 % of those n = 160 visits");
    assert.equal(items[hesitant], "Visitors hesitate before clicking 'Compare plans' button: 75 % of first clicks came 3 s or more after the pointer arrived n = 40 visits");
  } finally {
    await context.close();
  }
});

test('element detail on hover: seen and clicked, hovered without clicking, time to click, form', async () => {
  const { context, page } = await openAt(1280, 720);
  try {
    await ui(page, 'button[name=dock][value=right]').click();
    const tip = ui(page, '.tip');
    const hoverOn = async (cls) => {
      const r = await page.locator('main .' + cls).boundingBox();
      await page.mouse.move(r.x + 5, r.y + 5);
      return (await tip.textContent()).split('\n');
    };
    assert.deepEqual((await hoverOn('more')).slice(4), ['Seen by 80 % of visits; clicked by 1.3 % of those who saw it',
      'Hovered without clicking: 19 % of visits']);
    assert.deepEqual((await hoverOn('plans')).slice(4), ['Time to click: 13 % under 1 s, 13 % 1-3 s, 50 % 3-10 s, 25 % 10 s or more (40 visits)',
      'Last thing used before leaving: 15 % of visits, who left 8 s later on average']);
    assert.deepEqual((await hoverOn('email')).slice(4), ['Seen by 60 % of visits; clicked by 25 % of those who saw it',
      'Last thing used before leaving: 10 % of visits, who left 3 s later on average',
      'Changed by 20 % of visits, then left without submitting by 12 %']);
    if (process.env.SIGNALS_SHOTS) await page.screenshot({ path: path.join(process.env.SIGNALS_SHOTS, 'signals-tip.png') });
    // The tip stays inside the viewport whatever its height.
    const box = await tip.boundingBox();
    assert.ok(box.y + box.height <= 720 && box.x + box.width <= 1280, JSON.stringify(box));
  } finally {
    await context.close();
  }
});

test('375 px: tapping a finding shows its element in words inside the bottom sheet', async () => {
  const { context, page } = await openAt(375, 667);
  try {
    await ui(page, '.findings li[data-key]:has-text("Form field abandoned")').click();
    const detail = ui(page, '.detail');
    assert.deepEqual(await lines(detail), ["'Work email' text field", '30 clicks; clicked in 15.0 % of visits',
      'Seen by 60 % of visits; clicked by 25 % of those who saw it', 'Last thing used before leaving: 10 % of visits, who left 3 s later on average',
      'Changed by 20 % of visits, then left without submitting by 12 %']);
    // Readable where it is: inside the sheet, which still covers at most 40 % of the screen.
    const sheet = await ui(page, '.p').boundingBox();
    assert.ok(sheet.height * sheet.width <= 0.4 * 375 * 667 + 1, JSON.stringify(sheet));
    const d = await detail.boundingBox();
    assert.ok(d.width <= sheet.width && d.x >= sheet.x, JSON.stringify({ d, sheet }));
    // Scrolled into view inside the sheet: its heading is on screen without scrolling by hand.
    assert.ok(d.y >= sheet.y && d.y + 20 <= sheet.y + sheet.height, JSON.stringify({ d, sheet }));
    if (process.env.SIGNALS_SHOTS) await page.screenshot({ path: path.join(process.env.SIGNALS_SHOTS, 'signals-375.png') });
    // Keyboard: Enter on another finding switches the detail.
    await ui(page, '.findings li[data-key]:has-text("Visitors hesitate")').focus();
    await page.keyboard.press('Enter');
    assert.deepEqual(await lines(detail), ["'Compare plans' button", '50 clicks; clicked in 20.0 % of visits',
      'Time to click: 13 % under 1 s, 13 % 1-3 s, 50 % 3-10 s, 25 % 10 s or more (40 visits)',
      'Last thing used before leaving: 15 % of visits, who left 8 s later on average']);
  } finally {
    await context.close();
  }
});
