// The overlay tests' and bench/overlay.mjs's pieces: a static file server that answers the
// heatmap API with aggregates made by the real encoder (build/thermograph-fixture).
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { join, normalize, extname } from 'node:path';

export const ROOT = new URL('../../', import.meta.url).pathname;
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm' };

export { launch } from './harness.mjs';

export function fixture(spec) {
  return execFileSync(join(ROOT, 'build/thermograph-fixture'), { input: JSON.stringify(spec), maxBuffer: 1 << 28 });
}

// Serves the repository read-only, `pages` (path -> html) and GET /api/heatmap with `heatmap()`.
export async function serve({ pages = {}, heatmap = () => null, token = 'secret' } = {}) {
  const log = [];
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    log.push({ method: req.method, url: req.url, auth: req.headers.authorization || '' });
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Allow-Headers', 'Authorization');
    if (req.method === 'OPTIONS') return res.writeHead(204).end();
    if (url.pathname === '/api/heatmap') {
      if (req.headers.authorization !== 'Bearer ' + token) return res.writeHead(401).end('bad token');
      const bytes = heatmap(url.searchParams);
      return bytes ? res.writeHead(200, { 'Content-Type': 'application/octet-stream' }).end(bytes) : res.writeHead(404).end();
    }
    if (pages[url.pathname]) return res.writeHead(200, { 'Content-Type': 'text/html' }).end(pages[url.pathname]);
    if (req.method !== 'GET') return res.writeHead(204).end();  // tracker reports: accepted, ignored
    const path = normalize(join(ROOT, url.pathname));
    if (!path.startsWith(ROOT)) return res.writeHead(403).end();
    const body = await readFile(path).catch(() => null);
    if (!body) return res.writeHead(404).end();
    res.writeHead(200, { 'Content-Type': TYPES[extname(path)] || 'application/octet-stream' }).end(body);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return { origin, log, close: () => new Promise((r) => server.close(r)) };
}

export const nextFrames = (page) =>
  page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

// A screenshot of the composited page, decoded by the browser; returns RGBA at `points`.
export async function screenshotPixels(page, points) {
  const png = await page.screenshot({ type: 'png' });
  return page.evaluate(async ([b64, pts]) => {
    const blob = await (await fetch('data:image/png;base64,' + b64)).blob();
    const bmp = await createImageBitmap(blob);
    const c = new OffscreenCanvas(bmp.width, bmp.height).getContext('2d');
    c.drawImage(bmp, 0, 0);
    const d = c.getImageData(0, 0, bmp.width, bmp.height).data;
    return pts.map(([x, y]) => Array.from(d.slice((y * bmp.width + x) * 4, (y * bmp.width + x) * 4 + 4)));
  }, [png.toString('base64'), points]);
}

// A live stack for end-to-end overlay tests: the page server, a site allowing its origin in a
// fresh database, the real collector on it and a browser. `page(collectorBase, siteKey)` gives
// the HTML served at each of `paths` (default /p). run(stack) gets { web, site, collector,
// browser, dashboard, until }; everything is stopped afterwards, also when it throws.
export async function withLiveStack(page, run, { paths = ['/p'] } = {}) {
  const { createSite, getJson, startServer, tempDir } = await import('../collector/helpers.mjs');
  const tmp = tempDir();
  const pages = {};
  const web = await serve({ pages });
  const site = createSite(tmp.db, [web.origin]);
  const collector = await startServer(tmp.db, ['--rate', '0']);
  for (const p of paths) pages[p] = page(collector.base, site.site_key);
  const { launch } = await import('./harness.mjs');
  const browser = await launch();
  const dashboard = async () => (await getJson(`${collector.base}/api/dashboard`, site.read_token)).body;
  // Polls the dashboard until done(answer) holds (at most 10 s); returns the last answer.
  const until = async (done) => {
    let d;
    for (let i = 0; i < 100; i++) {
      d = await dashboard();
      if (done(d)) return d;
      await new Promise((r) => setTimeout(r, 100));
    }
    return d;
  };
  try {
    return await run({ web, site, collector, browser, dashboard, until, getJson });
  } finally {
    await browser.close();
    await collector.stop();
    await web.close();
    tmp.cleanup();
  }
}

// Flushes the tracker on `page` (whose sendBeacon an init script collects into window.sent) and
// returns the first report's bytes.
export async function flushedReport(page) {
  await page.evaluate(() => thermograph('flush'));
  await page.waitForFunction(() => sent.length > 0);
  return Buffer.from((await page.evaluate(() => sent))[0]);
}

// Opens the overlay with token 'secret' and returns the panel's anchoring line.
export async function openOverlay(page) {
  await page.evaluate(() => thermograph('overlay', { token: 'secret' }).then(() => true));
  await nextFrames(page);
  return page.locator('[data-thermograph-ui] >> .anchor').textContent();
}
