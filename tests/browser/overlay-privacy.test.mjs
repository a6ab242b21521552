// Under differential privacy (--epsilon) the overlay says so: real visits through the real
// tracker into the real collector, then the overlay on the live page shows the click map the
// release serves (visits that clicked, since raw clicks are withheld) and a notice naming epsilon
// and the noise per spot, at phone and desktop widths. A high epsilon keeps the 3 visits above
// the noisy gate (page-view noise sd < 1), so the test does not depend on luck.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { createSite, startServer, tempDir } from '../collector/helpers.mjs';
import { launch, nextFrames, serve } from './overlay-harness.mjs';

const page = (endpoint, site) => `<!doctype html><body style="margin:0;background:#fff"><main>
<button class="trial" style="margin:40px;width:220px;height:50px">Start free trial</button></main>
<script src="/dist/thermograph.min.js" data-endpoint="${endpoint}" data-site="${site}"></script></body>`;

test('overlay under --epsilon: the served click map and a plain-words noise notice', async () => {
  const tmp = tempDir();
  const pages = {};
  const web = await serve({ pages });
  const site = createSite(tmp.db, [web.origin]);
  const collector = await startServer(tmp.db, ['--rate', '0', '--epsilon', '20', '--min-page-views', '1']);
  pages['/p'] = page(collector.base, site.site_key);
  const browser = await launch();
  try {
    for (const width of [375, 1280]) {
      const tab = await browser.newPage({ viewport: { width, height: 720 } });
      for (let visit = 0; visit < 3; visit++) {
        await tab.goto(`${web.origin}/p`);
        await tab.waitForTimeout(300);  // clicks in the first 200 ms of a page view are ignored
        await tab.click('button.trial');
        await tab.evaluate(() => thermograph('flush'));
      }
      await tab.evaluate((token) => thermograph('overlay', { token }).then(() => true), site.read_token);
      let ui;
      for (let i = 0; i < 100; i++) {
        await nextFrames(tab);
        ui = await tab.evaluate(() => {
          const root = document.querySelector('[data-thermograph-ui]:not(canvas):not(svg)').shadowRoot;
          return { warn: root.querySelector('.warn').textContent, layer: root.querySelector('[name=layer]').value,
            layerText: root.querySelector('[name=layer]').selectedOptions[0]?.textContent };
        });
        if (ui.warn.includes('Noised')) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.match(ui.warn, /Noised for privacy \(epsilon 20\): counts are approximate, ± \d+(\.\d)? visits per 32 px spot \(1 sd\)\. Shows visits that clicked; raw clicks and other maps are withheld\./);
      assert.equal(ui.layer, '9');
      assert.equal(ui.layerText, 'Visits that clicked');
      await tab.screenshot({ path: `${process.env.THERMOGRAPH_SHOTS || tmp.dir}/privacy-${width}.png` });
      await tab.close();
    }
  } finally {
    await browser.close();
    await collector.stop();
    await web.close();
    tmp.cleanup();
  }
});
