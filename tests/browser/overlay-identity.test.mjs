// The overlay finds heat's elements inside open shadow roots, and across a variant whose classes
// differ from the data's (by the stable key), on the live DOM (issue 18).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { launch, serve, fixture, nextFrames, ROOT } from './overlay-harness.mjs';

let browser, server, spec;
before(async () => {
  browser = await launch();
  // The overlay asks the endpoint for heat: point it at this server's /api (reports are ignored).
  const html = readFileSync(ROOT + 'tests/browser/pages/identity.html', 'utf8').replace('data-endpoint="/r"', 'data-endpoint="/"');
  server = await serve({ pages: { '/identity': html }, heatmap: () => fixture(spec) });
});
after(async () => { await browser?.close(); await server?.close(); });

test('shadow-root elements and a restyled call to action are found on the live page', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(server.origin + '/identity?v=B');  // the live page shows variant B
  spec = {
    page: server.origin + '/identity', counters: { page_views: 30 },
    elements: [
      { selector: 'pay-card#card.at>button.buy', flags: 2, counters: { clicks: 12, pv_clicked: 10 }, cells: [[8, 8, 12]] },
      { selector: 'pay-card#card.at>pay-inner>a', flags: 2, counters: { clicks: 5, pv_clicked: 5 }, cells: [[8, 8, 5]] },
      // Recorded on variant A: its classes differ from the live button's.
      { selector: 'a#cta.btn.btn-primary', flags: 2, counters: { clicks: 9, pv_clicked: 9 }, cells: [[8, 8, 9]] },
      { selector: 'main>div.gone', flags: 2, counters: { clicks: 4 }, cells: [[8, 8, 4]] },
    ],
  };
  await page.evaluate(() => thermograph('overlay', { token: 'secret' }).then(() => true));
  await nextFrames(page);
  const anchorText = () => {
    const host = [...document.querySelectorAll('*')].find((e) => e.shadowRoot && e.shadowRoot.querySelector('.anchor'));
    return host ? host.shadowRoot.querySelector('.anchor').textContent : '';
  };
  await page.waitForFunction(anchorText);
  const text = await page.evaluate(anchorText);
  // Three of the four elements are on this page: only the removed one is missing.
  assert.match(text, /^3\/4 elements found/);
  assert.match(text, /13\.3 % of element heat not on this page/);  // 4 of 30 clicks
  await page.close();
});
