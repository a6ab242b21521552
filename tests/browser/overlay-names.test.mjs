// The overlay shares element names with the real collector: a visit through the real tracker,
// the overlay opened with the read token on the live page, then the dashboard names the clicked
// button and link as people see them, and leaves the heading (not interactive) unnamed.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { nextFrames, withLiveStack } from './overlay-harness.mjs';

const page = (endpoint, site) => `<!doctype html><body style="margin:0;background:#fff"><main>
<h2 class="title" style="margin:40px">Pricing</h2>
<button class="trial" style="margin:40px;width:220px;height:50px">Start free trial</button>
<a class="plans" href="#plans" style="display:block;margin:40px;width:200px">See plans</a></main>
<script src="/dist/thermograph.min.js" data-endpoint="${endpoint}" data-site="${site}"></script></body>`;

test('overlay -> POST /api/names -> dashboard names', async () => {
  await withLiveStack(page, async ({ web, site, browser, until }) => {
    const tab = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await tab.goto(`${web.origin}/p`);
    await tab.waitForTimeout(300);  // clicks in the first 200 ms of a page view are ignored
    for (const sel of ['button.trial', 'a.plans', 'h2.title']) await tab.click(sel);
    await tab.evaluate(() => thermograph('flush'));
    const d = await until((x) => x.hotspots?.elements?.length >= 3);
    assert.equal(d.hotspots.elements.length, 3, JSON.stringify(d.hotspots));
    assert.ok(d.hotspots.elements.every((e) => e.name === null));

    await tab.evaluate((token) => thermograph('overlay', { token }).then(() => true), site.read_token);
    await nextFrames(tab);
    const named = await until((x) => x.hotspots.elements.filter((e) => e.name).length >= 2);
    const got = named.hotspots.elements.map((e) => e.name).sort();
    assert.deepEqual(got, ["'See plans' link", "'Start free trial' button", null]);
  });
});
