// Micro-surveys end to end in real Chromium at 375 and 1280 px, through the real collector: a dead
// click raises the yes/no prompt, a goal the 1-5 rating; the answers given are exactly what
// GET /api/surveys shows. A page view without a trigger never requests the survey chunk, a second
// trigger in the same page view shows no second prompt, and Esc dismisses without sending.
// The widget lives in a closed shadow root, so the test reads it as assistive technology does:
// Chromium's accessibility tree (CDP), and clicks where that tree says a button is.
// THERMOGRAPH_SCREENSHOTS=1 saves docs/survey-1280.png (the yes/no card) and docs/survey-375.png
// (the rating sheet).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fnv1a, ROOT } from './harness.mjs';
import { withLiveStack } from './overlay-harness.mjs';

const SURVEYS = [
  { id: 'broken', on: 'dead', question: 'Something not working here?', answers: 'yesno' },
  { id: 'checkout', on: 'goal', question: 'How easy was checkout?', answers: 'rating' },
];
// A dead button (no handler), a goal button and a button that both react (they change the DOM).
const PAGE = (collector, site) => `<!doctype html><html><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width"><title>shop</title>
<style>body{margin:0;font:16px sans-serif} button{position:absolute;left:20px;width:140px;height:44px}
/* Hostile page CSS: must not reach into the widget or hide it. */
button{color:red !important} p{font-size:40px !important}</style>
<script async src="/dist/thermograph.min.js" data-endpoint="${collector}" data-site="${site}"
  data-goal-clicks="#buy" data-surveys='${JSON.stringify(SURVEYS)}'></script>
<script>/* ?only=goal: the same page with the goal survey alone (the query is not part of the page key) */
if (location.search === '?only=goal') document.querySelector('script[data-surveys]').dataset.surveys = '${JSON.stringify([SURVEYS[1]])}';
/* ?bad=1: a survey whose id is free text, which the widget refuses */
if (location.search === '?bad=1') document.querySelector('script[data-surveys]').dataset.surveys = '${JSON.stringify([{ ...SURVEYS[0], id: 'Is it broken?' }])}';</script>
</head><body>
<button id="broken" style="top:100px">Apply coupon</button>
<button id="buy" style="top:200px">Buy</button>
<button id="works" style="top:300px">Show details</button>
<div style="height:1500px"></div>
<script>document.getElementById('works').onclick = () => document.body.append('details');
document.getElementById('buy').onclick = () => document.body.append('thanks');  // a goal that answers</script>
</body></html>`;
const BROKEN_KEY = fnv1a('button#broken');

// The accessibility tree's dialogs and buttons, closed shadow roots included.
async function axTree(cdp) {
  const { nodes } = await cdp.send('Accessibility.getFullAXTree');
  return nodes.filter((n) => !n.ignored).map((n) => ({ role: n.role?.value, name: n.name?.value, id: n.backendDOMNodeId }));
}
const dialogs = async (cdp) => (await axTree(cdp)).filter((n) => n.role === 'dialog');
async function waitDialog(cdp, name) {
  for (let i = 0; i < 200; i++) {  // 10 s
    const d = (await dialogs(cdp)).find((n) => n.name === name);
    if (d) return d;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no dialog named "${name}"`);
}
async function clickAx(page, cdp, name) {
  const node = (await axTree(cdp)).find((n) => n.role === 'button' && n.name === name);
  assert.ok(node, `a button named "${name}"`);
  const { model } = await cdp.send('DOM.getBoxModel', { backendNodeId: node.id });
  const [x1, y1, , , x3, y3] = model.border;
  await page.mouse.click((x1 + x3) / 2, (y1 + y3) / 2);
  return { x1, y1, x3, y3 };
}
async function focusedName(cdp) {
  const { nodes } = await cdp.send('Accessibility.getFullAXTree');
  // The document itself also says it is focused: the element is the last focused node.
  const f = nodes.filter((n) => !n.ignored && n.role?.value !== 'RootWebArea' && n.properties?.some((p) => p.name === 'focused' && p.value.value));
  return f.at(-1)?.name?.value;
}

// After the card's 180 ms entrance animation.
const shot = (page, file) => new Promise((r) => setTimeout(r, 400)).then(() => page.screenshot({ path: path.join(ROOT, file) }));

for (const width of [375, 1280]) {
  test(`surveys at ${width} px: prompt on a dead click and a goal, answers counted, one per page view`, async () => {
    await withLiveStack(PAGE, async ({ web, site, collector, browser, getJson }) => {
      const height = width === 375 ? 667 : 800;
      const context = await browser.newContext({ viewport: { width, height } });
      const requests = [];
      context.on('request', (r) => requests.push({ url: r.url(), method: r.method(), body: r.postData() }));
      // The widget chunk (fetched only for a prompt); the trigger chunk (thermograph-survey.mjs,
      // ~0.3 KB) comes with every page view of a site that configures surveys.
      const surveyChunk = () => requests.filter((r) => r.url.endsWith('/thermograph-survey-widget.mjs')).length;
      const triggerChunk = () => requests.filter((r) => r.url.endsWith('/thermograph-survey.mjs')).length;
      const answersSent = () => requests.filter((r) => r.url.includes('/api/survey?')).length;
      const errors = [], warnings = [];
      const open = async (query = '') => {
        const page = await context.newPage();
        page.on('pageerror', (e) => errors.push(e.message));
        page.on('console', (m) => m.type() === 'warning' && warnings.push(m.text()));
        const cdp = await context.newCDPSession(page);
        await cdp.send('DOM.enable');
        await page.goto(`${web.origin}/p${query}`);
        await page.waitForFunction(() => window.thermograph && window.thermograph.loaded &&
          performance.getEntriesByType('resource').some((e) => /\.wasm$/.test(e.name) && e.responseEnd > 0));
        await new Promise((r) => setTimeout(r, 300));  // past the tracker's 200 ms settle time
        return { page, cdp };
      };
      const surveys = async () => (await getJson(`${collector.base}/api/surveys?site=${site.site_key}`, site.read_token)).body.pages;

      // 1. A page view without a trigger: a click that gets a reaction, time for a verdict.
      {
        const { page } = await open();
        await page.click('#works');
        await new Promise((r) => setTimeout(r, 3500));
        await page.evaluate(() => thermograph('flush'));
        await page.close();
        assert.equal(surveyChunk(), 0, 'no trigger: the survey widget is never requested');
        assert.ok(triggerChunk() > 0, 'the trigger chunk is');
      }

      // 1b. A dead click where only a goal survey is configured: a trigger no survey asks about.
      {
        const { page } = await open('?only=goal');
        await page.click('#broken');
        await new Promise((r) => setTimeout(r, 3500));
        await page.close();
        assert.equal(surveyChunk(), 0, 'no configured survey matched: the widget is never requested');
      }

      // 1c. A survey whose id is not a label: the widget refuses it with one console line, shows
      //     nothing and sends nothing.
      {
        const { page, cdp } = await open('?bad=1');
        await page.click('#broken');
        for (let i = 0; i < 200 && !warnings.some((w) => w.includes('survey refused')); i++) await new Promise((r) => setTimeout(r, 50));
        assert.deepEqual(warnings.filter((w) => w.includes('survey')), ['thermograph: survey refused (id must be a label)']);
        assert.equal((await dialogs(cdp)).length, 0);
        await page.close();
      }
      const chunkBefore = surveyChunk();

      // 2. A dead click: the yes/no prompt, without taking focus; answered; a second dead click
      //    and a goal in the same page view ask nothing more.
      {
        const { page, cdp } = await open();
        await page.click('#broken');
        const dialog = await waitDialog(cdp, 'Something not working here?');
        assert.ok(dialog);
        assert.ok(surveyChunk() > chunkBefore);
        assert.equal(await page.evaluate(() => document.activeElement.id), 'broken', 'focus stays where the visitor was');
        const names = (await axTree(cdp)).filter((n) => n.role === 'button').map((n) => n.name);
        for (const n of ['Yes', 'No', 'Close']) assert.ok(names.includes(n), `button ${n} in ${names}`);
        if (process.env.THERMOGRAPH_SCREENSHOTS && width === 1280) await shot(page, 'docs/survey-1280.png');
        const box = await clickAx(page, cdp, width === 375 ? 'Yes' : 'No');
        if (width === 375) {
          // Bottom sheet: full width, at the bottom, at most ~30 % of the viewport high.
          assert.ok(box.y3 > height * 0.7, `answer buttons near the bottom (${box.y3})`);
        } else {
          assert.ok(box.x1 > width / 2 && box.y1 > height / 2, `a card in the bottom right corner (${box.x1}, ${box.y1})`);
        }
        for (let i = 0; i < 100 && answersSent() < 1; i++) await new Promise((r) => setTimeout(r, 50));
        assert.equal(answersSent(), 1);
        await page.click('#broken');
        await page.click('#buy');
        await new Promise((r) => setTimeout(r, 3500));
        assert.deepEqual((await dialogs(cdp)).length, 0, 'no second prompt in this page view');
        assert.equal(answersSent(), 1);
        await page.close();
      }

      // 3. A goal: the rating prompt; Esc dismisses it and sends nothing.
      {
        const { page, cdp } = await open();
        await page.click('#buy');
        await waitDialog(cdp, 'How easy was checkout?');
        if (process.env.THERMOGRAPH_SCREENSHOTS && width === 375) await shot(page, 'docs/survey-375.png');
        const names = (await axTree(cdp)).filter((n) => n.role === 'button').map((n) => n.name);
        // The ends say which way is better, in the labels and (for sighted visitors) under them.
        for (const r of ['1 out of 5, poor', '2 out of 5', '3 out of 5', '4 out of 5', '5 out of 5, great']) assert.ok(names.includes(r), names.join());
        await page.keyboard.press('Escape');
        for (let i = 0; i < 40 && (await dialogs(cdp)).length; i++) await new Promise((r) => setTimeout(r, 50));
        assert.equal((await dialogs(cdp)).length, 0, 'Esc dismissed it');
        await page.click('#broken');  // dismissed: not asked again in this page view
        await new Promise((r) => setTimeout(r, 3500));
        assert.equal((await dialogs(cdp)).length, 0);
        await page.close();
        assert.equal(answersSent(), 1, 'nothing sent on Esc');
      }

      // 3b. A goal from the page's own code (thermograph('goal'), no click): the trigger chunk drains
      // for it, so the prompt comes before any report is sent (not with the next 10 s flush).
      // Esc: nothing sent.
      {
        const { page, cdp } = await open();
        const reports = () => requests.filter((r) => r.method === 'POST' && new URL(r.url).pathname === '/r').length;
        const before = reports();
        await page.evaluate(() => thermograph('goal'));
        await waitDialog(cdp, 'How easy was checkout?');
        assert.equal(reports(), before, 'prompted by a drain, not by a flush');
        await page.keyboard.press('Escape');
        await page.close();
        assert.equal(answersSent(), 1, 'nothing sent on Esc');
      }

      // 3c. An SPA navigation while the prompt is open closes it (the question was about the page
      // left); nothing sent.
      {
        const { page, cdp } = await open();
        await page.evaluate(() => thermograph('goal'));
        await waitDialog(cdp, 'How easy was checkout?');
        await page.evaluate(() => history.pushState({}, '', '/p/next'));
        for (let i = 0; i < 100 && (await dialogs(cdp)).length; i++) await new Promise((r) => setTimeout(r, 50));
        assert.equal((await dialogs(cdp)).length, 0, 'closed by the navigation');
        await page.close();
        assert.equal(answersSent(), 1, 'nothing sent');
      }

      // 3d. Consent withdrawn while the prompt is open closes it, and a goal after that asks
      // nothing (the tracker is stopped); nothing sent. Consent given again: one prompt again.
      {
        const { page, cdp } = await open();
        await page.evaluate(() => thermograph('goal'));
        await waitDialog(cdp, 'How easy was checkout?');
        await page.evaluate(() => thermograph('consent', false));
        for (let i = 0; i < 100 && (await dialogs(cdp)).length; i++) await new Promise((r) => setTimeout(r, 50));
        assert.equal((await dialogs(cdp)).length, 0, 'closed when consent is withdrawn');
        await page.evaluate(() => thermograph('goal'));
        await new Promise((r) => setTimeout(r, 3500));  // past the 2.6 s a goal's prompt waits
        assert.equal((await dialogs(cdp)).length, 0, 'no prompt without consent');
        await page.evaluate(() => thermograph('consent', true));
        await page.evaluate(() => thermograph('goal'));
        await waitDialog(cdp, 'How easy was checkout?');
        assert.equal((await dialogs(cdp)).length, 1, 'one prompt after consent comes back');
        await page.keyboard.press('Escape');
        await page.close();
        assert.equal(answersSent(), 1, 'nothing sent');
      }

      // 4. A goal again, answered by keyboard: the dialog is reachable with Tab, "4 out of 5".
      {
        const { page, cdp } = await open();
        await page.click('#buy');
        await waitDialog(cdp, 'How easy was checkout?');
        // Tab through the page to the widget (its host is last in the document): focus lands on
        // its first button, "1 out of 5"; three more Tabs reach "4 out of 5".
        let reached = false;
        for (let i = 0; i < 10 && !reached; i++) {
          await page.keyboard.press('Tab');
          reached = await page.evaluate(() => document.activeElement.localName === 'thermograph-survey');
        }
        assert.ok(reached, 'Tab reaches the widget');
        assert.equal(await focusedName(cdp), '1 out of 5, poor');
        for (let i = 0; i < 3; i++) await page.keyboard.press('Tab');
        assert.equal(await focusedName(cdp), '4 out of 5');
        await page.keyboard.press('Enter');
        for (let i = 0; i < 100 && answersSent() < 2; i++) await new Promise((r) => setTimeout(r, 50));
        await page.close();
      }
      await context.close();
      assert.deepEqual(errors, [], 'nothing thrown into the page');
      assert.equal(answersSent(), 2, 'one answer per page view that answered');

      // The collector shows exactly the answers given.
      let pages;
      for (let i = 0; i < 50; i++) {
        pages = await surveys();
        if (pages.length && pages[0].surveys.length === 2) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const answered = width === 375 ? 'yes' : 'no';
      assert.deepEqual(pages, [{
        page: `${web.origin}/p`,
        surveys: [
          { survey: 'broken', answers: { [answered]: 1 }, total: 1, elements: [{ element: BROKEN_KEY, answers: { [answered]: 1 }, total: 1 }] },
          { survey: 'checkout', answers: { 4: 1 }, total: 1, elements: [{ element: null, answers: { 4: 1 }, total: 1 }] },
        ],
      }]);

      // A designer opens the overlay on the page: its panel lists the page's surveys, the dead
      // button's answer under the button's name.
      if (width === 1280) {
        const designer = await browser.newContext({ viewport: { width, height } });
        try {
          const page = await designer.newPage();
          await page.goto(`${web.origin}/p`);
          await page.waitForFunction(() => window.thermograph && window.thermograph.loaded);
          await page.evaluate((token) => thermograph('overlay', { token }), site.read_token);
          const section = page.locator('[data-thermograph-ui] >> .surveys');
          await section.locator('li').first().waitFor({ timeout: 20000 });
          const items = await section.locator(':scope > ul > li').evaluateAll((li) => li.map((l) => l.innerText.split('\n')));
          assert.deepEqual(items, [
            ["Survey 'broken': 0 yes, 1 no", "'Apply coupon' button: 0 yes, 1 no"],
            ["Survey 'checkout': 4.0 of 5 on average (1 rating)"],
          ]);
          // The overlay's dates apply to the answers: today (UTC, the collector's days) asks for
          // today's answers, the same ones; a day without visits empties the list with the map.
          const today = new Date().toISOString().slice(0, 10);
          const asked = [];
          page.on('request', (r) => r.url().includes('/api/surveys') && asked.push(new URL(r.url()).searchParams));
          const ui = page.locator('[data-thermograph-ui]:not(canvas):not(svg)').first();
          await ui.locator('input[name=from]').fill(today);
          await ui.locator('input[name=to]').fill(today);
          for (let i = 0; i < 200 && !asked.some((q) => q.get('from') === today && q.get('to') === today); i++) await new Promise((r) => setTimeout(r, 50));
          assert.ok(asked.some((q) => q.get('from') === today && q.get('to') === today), 'the surveys request carries the dates');
          await section.locator('li').first().waitFor({ timeout: 20000 });
          assert.equal(await section.locator(':scope > ul > li').count(), 2);
          await ui.locator('input[name=from]').fill('2020-01-01');
          await ui.locator('input[name=to]').fill('2020-01-01');
          await section.locator('li').first().waitFor({ state: 'detached', timeout: 20000 });
        } finally {
          await designer.close();
        }
      }
    });
  });
}
