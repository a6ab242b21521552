// /dashboard in real Chromium at 375 and 1280 px against the real collector, seeded with figures
// known by construction (tests/collector/dashboard-seed.mjs): no token means no data, pages
// ranked (also by behaviour signals), the injected drop flagged, the experiment and its significance, the overlay links, the
// overlay's re-anchoring figure and the micro-survey answers under their page.
// DASHBOARD_SHOTS=DIR saves a screenshot per width there (docs/dashboard*.png come from it).
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';

import { HOME, PRICING, SIGNUP, startSeeded } from '../collector/dashboard-seed.mjs';
import { tempDir } from '../collector/helpers.mjs';

let tmp, seeded, browser;
before(async () => {
  tmp = tempDir();
  seeded = await startSeeded(tmp.db);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
});
after(async () => {
  await browser?.close();
  await seeded?.server.stop();
  tmp?.cleanup();
});

const pathOf = (page) => new URL(page).pathname;

for (const [width, height, scale] of [[375, 812, 2], [1280, 900, 1]]) {
  test(`dashboard at ${width} px`, async () => {
    const context = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: scale });
    try {
      const page = await context.newPage();
      const urls = [];
      page.on('request', (r) => urls.push(r.url()));
      const errors = [];
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      const token = seeded.site.read_token;

      // No token: a clear sign-in form and no data at all.
      await page.goto(`${seeded.server.base}/dashboard`);
      await page.waitForSelector('#login:not([hidden])');
      assert.equal(await page.isVisible('#app'), false);
      assert.ok(!(await page.content()).includes('shop.example'));
      assert.ok(!urls.some((u) => u.includes('/api/')), 'no API call without a token');

      // A wrong token is refused and says so.
      await page.fill('#token', 'tgr_' + '1'.repeat(64));
      await page.press('#token', 'Enter');
      await page.waitForFunction(() => document.getElementById('login-error').textContent.length > 0);
      assert.match(await page.textContent('#login-error'), /does not open any site/);
      assert.equal(await page.isVisible('#app'), false);

      // Names a designer's overlay contributed replace the hash in the hotspot matrix.
      if (width === 375) {
        for (const [page, name] of [[SIGNUP, 'Start free trial'], [PRICING, 'Compare all plans']]) {
          const r = await fetch(`${seeded.server.base}/api/names?site=${seeded.site.site_key}`, {
            method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
            body: JSON.stringify({ page, names: [{ key: 'c0ffee01', role: 'button', name }] }),
          });
          assert.equal(r.status, 200);
        }
      }

      // A designer's overlay reported how much of /pricing's element heat it could not place.
      if (width === 375) {
        const r = await fetch(`${seeded.server.base}/api/anchoring?site=${seeded.site.site_key}`, {
          method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ page: PRICING, elements: 8, found: 7, missing_share: 0.125 }),
        });
        assert.equal(r.status, 200);
      }

      // Visitors answered micro-surveys on /signup: 3 yes and 1 no to 'broken', ratings 4 and 5.
      if (width === 375) {
        const answers = [...['yes', 'yes', 'yes', 'no'].map((answer) => ['broken', answer]), ['checkout', 4], ['checkout', 5]];
        for (const [survey, answer] of answers) {
          const r = await fetch(`${seeded.server.base}/api/survey?site=${seeded.site.site_key}`, {
            method: 'POST', headers: { 'Content-Type': 'text/plain' },
            body: JSON.stringify({ page: SIGNUP, survey, element: 0, answer }),
          });
          assert.equal(r.status, 204);
        }
      }

      // Sign in with the keyboard.
      await page.focus('#token');
      await page.keyboard.type(token);
      await page.keyboard.press('Enter');
      await page.waitForSelector('#pages li');
      const order = await page.$$eval('#pages .page-link', (as) => as.map((a) => a.getAttribute('href')));
      assert.deepEqual(order, [HOME, SIGNUP, PRICING].map((p) => `${p}#thermograph`));
      assert.deepEqual(await page.$$eval('#pages .page', (li) => li.length), 3);
      for (const sp of await page.$$('#pages svg.spark')) assert.ok((await sp.getAttribute('aria-label')).startsWith('Page views per day'));
      // The re-anchoring figure in words under its page (the day is the collector's); the pages
      // never checked with the overlay say nothing about it.
      const checked = (await (await fetch(`${seeded.server.base}/api/dashboard`, { headers: { Authorization: `Bearer ${token}` } })).json())
        .pages.find((p) => p.page === PRICING).anchoring.checked;
      const notes = await page.$$eval('#pages .page', (li) => li.map((l) => [l.querySelector('.page-link').getAttribute('href'), l.querySelector('.anchoring')?.textContent ?? null]));
      assert.deepEqual(notes, [[`${HOME}#thermograph`, null], [`${SIGNUP}#thermograph`, null],
        [`${PRICING}#thermograph`, `12.5 % of element heat not found on the live page (checked ${checked.slice(0, 10)})`]]);
      assert.match(await page.getAttribute('#pages .anchoring', 'title'), /^7 of 8 stored elements found by the overlay, \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);

      // Survey answers in words under their page; other pages say nothing about surveys.
      const surveys = await page.$$eval('#pages .page', (li) => li.map((l) => [...l.querySelectorAll('.survey-note')].map((n) => n.textContent)));
      assert.deepEqual(surveys, [[], ["Survey 'broken': 3 yes, 1 no", "Survey 'checkout': 4.5 of 5 on average (2 ratings)"], []]);

      // Ranked by frustration from the keyboard: pricing first.
      await page.focus('[data-rank=frustration]');
      await page.keyboard.press('Enter');
      assert.equal(await page.getAttribute('[data-rank=frustration]', 'aria-pressed'), 'true');
      assert.equal(await page.getAttribute('#pages .page-link', 'href'), `${PRICING}#thermograph`);
      assert.match(await page.textContent('#pages .page'), /Frustration per 100 page views.*50\.0rage 50\.0 · dead 0\.0 · error 0\.0/);
      // Ranked by behaviour signals: pricing first (33.3 per 100 page views), each rate in words;
      // the page's (closed) Journeys disclosure comes last.
      await page.focus('[data-rank=signals]');
      await page.keyboard.press('Enter');
      assert.equal(await page.getAttribute('[data-rank=signals]', 'aria-pressed'), 'true');
      assert.equal(await page.getAttribute('#pages .page-link', 'href'), `${PRICING}#thermograph`);
      assert.match(await page.textContent('#pages .page'),
        /Behaviour signals per 100 page views33\.3excessive scrolling 8\.3 % · thrashed cursor 16\.7 % · dead swipes 8\.3 %Journeys$/);
      assert.equal(await page.getAttribute('#pages .page [data-signal=pv_cursor_thrash]', 'title'), 'Visits whose pointer went back and forth several times in quick succession');
      assert.match(await page.textContent('#pages .page:last-child'), /Behaviour signals per 100 page views0\.0none recordedJourneys$/);
      assert.match(new URL(page.url()).hash, /rank=signals/);

      // The injected drop, in words, with what to check.
      const health = await page.textContent('#health');
      assert.match(health, new RegExp(`${HOME.replace(/[/.]/g, '\\$&')}: Page views fell to 3 on`));
      assert.match(health, /What to check: Check that the tracker tag is still on this page/);

      // The experiment with its significance.
      const exp = await page.textContent('#experiments');
      assert.match(exp, /'b' beats 'a' by 30\.0 percentage points \(significant after false-discovery control\) \(p = 0\.00015, adjusted 0\.00015\)/);
      assert.match(exp, /more page views to detect a 10 % lift/);
      assert.equal(await page.getAttribute('#experiments h3 a', 'href'), `${SIGNUP}#thermograph`);

      // Hotspot matrix and its formula.
      assert.equal(await page.$$eval('#hotspots svg circle.dot', (c) => c.length), 3);
      assert.match(await page.textContent('#hotspots details'), /score = 100 x/);
      const hot = await page.$$eval('#hotspots tbody th', (th) => th.map((t) => t.textContent));
      assert.deepEqual(hot, ["1. 'Start free trial' button on /signup", "2. 'Compare all plans' button on /pricing", '3. unnamed element (c0ffee01) on /']);
      // Each row opens its page with the overlay; the unnamed one says how it gets a name.
      assert.deepEqual(await page.$$eval('#hotspots tbody th a', (a) => a.map((x) => x.getAttribute('href'))), [`${SIGNUP}#thermograph`, `${PRICING}#thermograph`, `${HOME}#thermograph`]);
      assert.match(await page.textContent('#hotspots'), /Open a page with the overlay to name its buttons, links and fields/);

      // The token never reaches a URL; it lives in this tab's sessionStorage only.
      assert.ok(!urls.some((u) => u.includes(token)), 'token in a URL');
      assert.ok(!page.url().includes(token));
      assert.equal(await page.evaluate(() => localStorage.length), 0);
      assert.equal(await page.evaluate(() => sessionStorage.getItem('thermograph-read-token')), token);

      // Readable at this width: nothing wider than the viewport, text not tiny.
      assert.ok(await page.evaluate(() => document.documentElement.scrollWidth) <= width);
      const smallest = await page.$$eval('#app *', (els) => Math.min(...els.filter((e) => e.childNodes.length && [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())).map((e) => parseFloat(getComputedStyle(e).fontSize))));
      assert.ok(smallest >= 11, `smallest text ${smallest} px`);
      // Keyboard focus is visible on links.
      await page.focus('#pages .page-link');
      assert.notEqual(await page.$eval('#pages .page-link', (a) => getComputedStyle(a).outlineStyle), 'none');

      if (process.env.DASHBOARD_SHOTS) {
        await page.click('[data-rank=page_views]');
        const name = width < 500 ? 'dashboard-phone.png' : 'dashboard.png';
        await page.screenshot({ path: path.join(process.env.DASHBOARD_SHOTS, name), fullPage: true });
      }

      // Filters: one day (the drop) and one variant, through the form, with the keyboard.
      if (width > 500) {
        await page.click('[data-rank=page_views]');
        const day = new Date((seeded.today - 1) * 86400000).toISOString().slice(0, 10);
        for (const name of ['from', 'to']) await page.$eval(`#filters [name=${name}]`, (i, v) => { i.value = v; }, day);
        await page.focus('#filters [name=variant]');
        await page.keyboard.type('b');
        await page.keyboard.press('Enter');
        await page.waitForFunction(() => document.querySelectorAll('#pages .page').length === 1);
        assert.equal(await page.getAttribute('#pages .page-link', 'href'), `${SIGNUP}#thermograph`);
        assert.match(await page.textContent('#summary'), /Page views60/);
        assert.match(await page.textContent('#status'), new RegExp(`^${day} to ${day}`));
        // The view is in the URL's fragment (the token never is): a reload keeps it.
        assert.equal(new URL(page.url()).hash, `#from=${day}&to=${day}&variant=b`);
        await page.reload();
        await page.waitForFunction(() => document.querySelectorAll('#pages .page').length === 1);
        assert.equal(await page.inputValue('#filters [name=variant]'), 'b');
      }

      // Signing out forgets the token and shows no data.
      await page.click('#sign-out');
      assert.equal(await page.isVisible('#app'), false);
      assert.equal(await page.evaluate(() => sessionStorage.getItem('thermograph-read-token')), null);
      assert.deepEqual(errors.filter((e) => !/401|403/.test(e)), []);
    } finally {
      await context.close();
    }
  });
}
