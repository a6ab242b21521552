// The re-anchoring figure end to end: real visits through the real tracker to two variants of a
// page (variant A has an extra button), then the overlay opened with the read token on variant B,
// where that button is missing. The overlay says how much element heat is not on the page and
// reports it once; the real collector's /api/dashboard shows the same share, which follows from
// the clicks made here.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { nextFrames, withLiveStack } from './overlay-harness.mjs';

// Variant A (?v=A) shows a "Chat with sales" button that variant B does not have. The variant is
// in the query, which the page key drops: both variants' heat is stored under one page key.
const page = (endpoint, site) => `<!doctype html><body style="margin:0;background:#fff"><main>
<button class="trial" style="margin:40px;width:220px;height:50px">Start free trial</button>
<div class="side"></div></main>
<script>if (new URLSearchParams(location.search).get('v') === 'A') document.querySelector('.side').innerHTML =
  '<button class="chat" style="margin:40px;width:220px;height:50px">Chat with sales</button>';</script>
<script src="/dist/thermograph.min.js" data-endpoint="${endpoint}" data-site="${site}"></script></body>`;

// Clicks per visit, by construction: the chat button exists only in variant A.
const VISITS = { A: { 'button.trial': 3, 'button.chat': 2 }, B: { 'button.trial': 1 } };

test('heat from a variant with an extra button -> overlay on the other variant -> dashboard share', async () => {
  await withLiveStack(page, async ({ web, site, collector, browser, dashboard: dash, until, getJson }) => {
    const tab = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    let clicks = 0, missingClicks = 0, visits = 0;
    for (const [variant, targets] of Object.entries(VISITS)) {
      await tab.goto(`${web.origin}/p?v=${variant}`);
      await tab.waitForTimeout(300);  // clicks in the first 200 ms of a page view are ignored
      for (const [sel, n] of Object.entries(targets)) {
        for (let i = 0; i < n; i++) await tab.click(sel);
        clicks += n;
        if (sel === 'button.chat') missingClicks += n;
      }
      await tab.evaluate(() => thermograph('flush'));
      // Stored before the tab moves on, so no report is in flight while the page goes away.
      visits += 1;
      const d = await until((x) => x.pages?.[0]?.page_views === visits);
      assert.equal(d.pages?.[0]?.page_views, visits, JSON.stringify(d.pages));
    }
    const stored = await dash();
    assert.equal(stored.pages.length, 1, 'both variants under one page key');
    const pageKey = stored.pages[0].page;
    assert.equal(pageKey, `${web.origin}/p`);
    assert.equal(stored.pages[0].anchoring, null, 'not checked before the overlay opens');
    // Element heat is clicks inside stored elements: what the collector holds must be what was made.
    const heat = (await getJson(`${collector.base}/api/heatmap?site=${site.site_key}&page=${encodeURIComponent(pageKey)}`, site.read_token)).body;
    const sums = heat.elements.map((e) => e.cells.reduce((s, c) => s + c[2], 0)).sort((a, b) => a - b);
    assert.deepEqual(sums, [missingClicks, clicks - missingClicks], JSON.stringify(heat.elements));

    // The designer opens the overlay on variant B: the chat button is not on this page.
    const posts = [];
    tab.on('request', (r) => { if (r.url().includes('/api/anchoring')) posts.push(r.postDataJSON()); });
    await tab.goto(`${web.origin}/p?v=B`);
    await tab.evaluate((token) => thermograph('overlay', { token }).then(() => true), site.read_token);
    await nextFrames(tab);
    const share = missingClicks / clicks;
    const panel = await tab.locator('[data-thermograph-ui] >> .anchor').textContent();
    assert.equal(panel, `1/2 elements found; ${(100 * share).toFixed(1)} % of element heat not on this page`);

    const d = await until((x) => x.pages?.[0]?.anchoring);
    const a = d.pages[0].anchoring;
    assert.ok(a, 'the dashboard reports the figure');
    assert.equal(a.elements, 2);
    assert.equal(a.found, 1);
    assert.ok(Math.abs(a.missing_share - share) < 1e-12, `${a.missing_share} vs ${share}`);

    // Re-anchoring after a reflow changes nothing and sends nothing more.
    await tab.setViewportSize({ width: 1100, height: 720 });
    await nextFrames(tab);
    await nextFrames(tab);
    assert.equal(posts.length, 1, JSON.stringify(posts));
    assert.deepEqual({ ...posts[0], missing_share: 0 }, { page: pageKey, elements: 2, found: 1, missing_share: 0 });
  });
});
