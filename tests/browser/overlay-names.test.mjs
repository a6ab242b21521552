// The overlay shares element names with the real collector: a visit through the real tracker,
// the overlay opened with the read token on the live page, then the dashboard names the clicked
// button and link as people see them, and leaves the heading (not interactive) unnamed.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { createSite, getJson, startServer, tempDir } from '../collector/helpers.mjs';
import { launch, nextFrames, serve } from './overlay-harness.mjs';

const page = (endpoint, site) => `<!doctype html><body style="margin:0;background:#fff"><main>
<h2 class="title" style="margin:40px">Pricing</h2>
<button class="trial" style="margin:40px;width:220px;height:50px">Start free trial</button>
<a class="plans" href="#plans" style="display:block;margin:40px;width:200px">See plans</a></main>
<script src="/dist/thermograph.min.js" data-endpoint="${endpoint}" data-site="${site}"></script></body>`;

test('overlay -> POST /api/names -> dashboard names', async () => {
  const tmp = tempDir();
  const pages = {};
  const web = await serve({ pages });
  const site = createSite(tmp.db, [web.origin]);
  const collector = await startServer(tmp.db, ['--rate', '0']);
  pages['/p'] = page(collector.base, site.site_key);
  const browser = await launch();
  try {
    const tab = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await tab.goto(`${web.origin}/p`);
    await tab.waitForTimeout(300);  // clicks in the first 200 ms of a page view are ignored
    for (const sel of ['button.trial', 'a.plans', 'h2.title']) await tab.click(sel);
    await tab.evaluate(() => thermograph('flush'));
    const dash = () => getJson(`${collector.base}/api/dashboard`, site.read_token);
    let d;
    for (let i = 0; i < 100; i++) {
      d = (await dash()).body;
      if (d.hotspots?.elements?.length >= 3) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(d.hotspots.elements.length, 3, JSON.stringify(d.hotspots));
    assert.ok(d.hotspots.elements.every((e) => e.name === null));

    await tab.evaluate((token) => thermograph('overlay', { token }).then(() => true), site.read_token);
    await nextFrames(tab);
    const names = async () => (await dash()).body.hotspots.elements.map((e) => e.name).sort();
    let got;
    for (let i = 0; i < 100; i++) {
      got = await names();
      if (got.filter(Boolean).length >= 2) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepEqual(got, ["'See plans' link", "'Start free trial' button", null]);
  } finally {
    await browser.close();
    await collector.stop();
    await web.close();
    tmp.cleanup();
  }
});
