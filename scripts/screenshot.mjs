// Writes docs/overlay.png (1280 px) and docs/overlay-phone.png (375 px, DPR 2): the demo page with
// the heatmap overlay on.
// By default it is self-contained: a real collector on a temp DB, the demo site, seeded simulated
// visits, then the overlay opened with the read token. With --base and --token it photographs
// an already running `npm start` instead.
//
// Usage: node scripts/screenshot.mjs [--visits 80] [--out docs/overlay.png] [--phone docs/overlay-phone.png]
//                                    [--path /] [--scroll PX] [--debug 1] [--dock left|right|bottom]
//                                    [--base URL --token READ_TOKEN]
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT, startDemoServer } from '../demo/server.mjs';
import { createSite, startCollector, freePort } from '../demo/collector.mjs';
import { simulate } from '../demo/simulate.mjs';
import { launchBrowser } from '../demo/visitor.mjs';
import { openOverlay, heatPixels } from '../demo/overlay.mjs';

const o = { visits: 80, out: path.join(ROOT, 'docs/overlay.png'), phone: path.join(ROOT, 'docs/overlay-phone.png'), path: '/',
  scroll: 0, base: null, token: null, debug: 0, dock: '' };
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  const key = args[i].replace(/^--/, '');
  if (!(key in o) || i + 1 >= args.length) {
    console.error(`screenshot: unknown option or missing value '${args[i]}'`);
    process.exit(64);
  }
  o[key] = typeof o[key] === 'number' ? Number(args[++i]) : args[++i];
}
if (!!o.base !== !!o.token) {
  console.error('screenshot: --base and --token go together');
  process.exit(64);
}

const cleanup = [];
let code = 0;
try {
  let base = o.base, token = o.token;
  if (!base) {
    const dir = mkdtempSync(path.join(tmpdir(), 'thermograph-shot-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const port = await freePort(), db = path.join(dir, 'demo.sqlite');
    const site = createSite({ db, origins: [`http://127.0.0.1:${port}`] });
    const collector = await startCollector({ db, port: await freePort() });
    cleanup.unshift(() => collector.stop());
    const demo = await startDemoServer({ port, endpoint: collector.url, site: site.siteKey });
    cleanup.unshift(() => demo.close());
    ({ base } = demo);
    token = site.readToken;
    const r = await simulate({ base, visits: o.visits, concurrency: 4, seed: 1 });
    if (r.failed) console.error(`${r.failed} visits failed; the picture may be thinner`);
    await new Promise((r) => setTimeout(r, 500));  // the last beacons
  }
  const browser = await launchBrowser();
  cleanup.unshift(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  // --dock: the toolbar's dock as a designer left it (the overlay remembers it in localStorage).
  if (o.dock) await page.addInitScript((dock) => localStorage.setItem('thermograph-overlay-ui', JSON.stringify({ dock })), o.dock);
  await openOverlay(page, { base, token, path: o.path });
  // The designer closes the demo's pop-up through the open toolbar: the page stays clickable.
  const dismiss = (p) => p.locator('.modal:not([hidden]) .close').click({ timeout: 3000 }).catch(() => {});
  await dismiss(page);
  if (o.scroll) await page.evaluate((y) => scrollTo(0, y), o.scroll);
  const { painted } = await heatPixels(page);
  if (!painted) throw new Error('the overlay canvas stayed empty');
  await page.waitForTimeout(500);  // let a fade-in finish
  mkdirSync(path.dirname(o.out), { recursive: true });
  await page.screenshot({ path: o.out });
  console.log(`wrote ${path.relative(ROOT, o.out)}`);
  if (o.debug) {
    console.log(await page.evaluate(async () => {
      const m = await import('/dist/thermograph-overlay.mjs');
      const c = await m.open();
      return JSON.stringify({ scroll: { ...c.insights.scroll, elements: undefined }, text: document.querySelector('[data-thermograph-ui]:not(canvas)').shadowRoot.querySelector('.body').innerText.slice(0, 3000) });
    }));
  }
  if (o.phone) {
    // A phone: 375 x 667 CSS px at DPR 2, touch; the overlay reads phone-width visits.
    const phone = await browser.newContext({ viewport: { width: 375, height: 667 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    const p = await phone.newPage();
    await openOverlay(p, { base, token, path: o.path });
    await heatPixels(p);
    await dismiss(p);
    await p.evaluate(() => scrollTo(0, 0));
    await p.waitForTimeout(500);
    await p.screenshot({ path: o.phone });
    console.log(`wrote ${path.relative(ROOT, o.phone)}`);
    await phone.close();
  }
} catch (e) {
  console.error('screenshot: ' + e.message);
  code = 1;
} finally {
  for (const c of cleanup) await Promise.resolve().then(c).catch(() => {});
}
process.exit(code);
