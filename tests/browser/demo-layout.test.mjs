// The demo site renders without horizontal overflow at phone, tablet and desktop widths: nothing
// (hero headline, forms, the app's sidebar) is wider than the screen.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, serve } from './overlay-harness.mjs';

let browser, server;
before(async () => { browser = await launch(); server = await serve(); });
after(async () => { await browser?.close(); await server?.close(); });

for (const width of [375, 768, 1280]) {
  test(`demo pages fit ${width} px`, async () => {
    const context = await browser.newContext({ viewport: { width, height: 800 } });
    const page = await context.newPage();
    for (const name of ['index', 'checkout', 'app', 'thanks']) {
      await page.goto(`${server.origin}/demo/site/${name}.html`);
      const r = await page.evaluate(() => {
        const wide = [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > innerWidth + 1
          && getComputedStyle(e).position !== 'fixed' && !e.closest('.slides, [hidden]'));
        return { scroll: document.documentElement.scrollWidth, inner: innerWidth, wide: wide.slice(0, 3).map((e) => e.tagName + '.' + e.className) };
      });
      assert.ok(r.scroll <= r.inner, `${name}.html at ${width}px scrolls sideways (${r.scroll} > ${r.inner}): ${r.wide}`);
    }
    await context.close();
  });
}
