// Opening the designer overlay from a script (screenshot, tests) the way a designer does:
// `#thermograph` in the URL, then presenting the read token when the overlay asks for it,
// whether it asks with prompt() or with a token field of its own.
export const CANVAS = 'canvas[data-thermograph-ui]';
const TOKEN_FIELD = '[data-thermograph-token], input[name*=token i], input[autocomplete=off][type=password]';

export async function openOverlay(page, { base, token, path = '/', timeout = 30000 }) {
  page.on('dialog', (d) => (d.type() === 'prompt' ? d.accept(token) : d.dismiss()).catch(() => {}));
  await page.goto(`${base}${path}#thermograph`, { waitUntil: 'load' });
  const start = Date.now(), end = start + timeout;
  let nudged = false;
  while (Date.now() < end) {
    if (await page.locator(CANVAS).count()) break;
    const field = page.locator(TOKEN_FIELD).first();
    if (await field.isVisible().catch(() => false)) {
      await field.fill(token);
      await field.press('Enter');
    } else if (!nudged && Date.now() > start + 5000) {
      // Still nothing after 5 s: ask explicitly, the documented command (token passed along).
      nudged = true;
      await page.evaluate((t) => window.thermograph && window.thermograph('overlay', { token: t }), token).catch(() => {});
    }
    await page.waitForTimeout(250);
  }
  try {
    await page.locator(CANVAS).first().waitFor({ state: 'attached', timeout: Math.max(1000, end - Date.now()) });
  } catch (e) {
    const overlayBuilt = (await page.request.get(`${base}/dist/thermograph-overlay.mjs`)).ok();
    throw new Error(`the overlay did not open within ${timeout / 1000} s: no ${CANVAS} on ${path}#thermograph` +
      (overlayBuilt ? '' : ' (dist/thermograph-overlay.mjs is not built)'));
  }
}

// Pixels of the overlay canvas that carry heat (alpha > 0). drawImage() onto a scratch canvas reads
// 2D and WebGL canvases alike. Polls, because the overlay fetches and renders asynchronously,
// scrolling through the page between polls.
export async function heatPixels(page, { timeout = 15000 } = {}) {
  const end = Date.now() + timeout;
  let best = { painted: 0, total: 0 };
  while (Date.now() < end) {
    best = await page.evaluate((sel) => {
      const c = document.querySelector(sel);
      if (!c || !c.width || !c.height) return { painted: 0, total: 0 };
      const s = document.createElement('canvas');
      s.width = c.width;
      s.height = c.height;
      const g = s.getContext('2d');
      g.drawImage(c, 0, 0);
      const d = g.getImageData(0, 0, s.width, s.height).data;
      let painted = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i] > 0) painted++;
      return { painted, total: d.length / 4 };
    }, CANVAS);
    if (best.painted > 0) return best;
    // Heat may all sit below the fold (few visits): walk down the page, then start over.
    await page.evaluate(() => {
      const root = document.scrollingElement;
      root.scrollTop = root.scrollTop + innerHeight >= root.scrollHeight ? 0 : root.scrollTop + innerHeight * 0.8;
    });
    await page.waitForTimeout(300);
  }
  return best;
}
