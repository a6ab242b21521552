// Every way the visitor module can fail to load gets its own one-line console message naming the
// cause (`thermograph: off (...)`), and nothing throws into the page. The script tag build
// (dist/thermograph.min.js, what a CDN serves) on a page served with the given headers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { launch } from '../browser/harness.mjs';
import { ROOT, serveDir, watch } from './helpers.mjs';

const WASM = readFileSync(path.join(ROOT, 'dist/thermograph.wasm'));
const PAGE = `<!doctype html><body><button id="b" style="width:200px;height:60px">b</button>
<script src="/thermograph.min.js" data-endpoint="/" data-site="s"></script></body>`;
let browser;

before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

// Opens PAGE with the wasm answered by `wasm` (an override answer, or undefined: the real file),
// the page's headers `headers`, and waits for the tracker to settle. Returns the console lines.
async function open({ wasm, headers = {}, init, route } = {}) {
  const server = await serveDir(path.join(ROOT, 'dist'), {
    override: (p) => (p === '/' ? { body: PAGE, headers } : p === '/thermograph.wasm' ? wasm : undefined),
  });
  const page = await browser.newPage();
  try {
    const seen = watch(page);
    if (init) await page.addInitScript(init);
    await page.addInitScript(() => {
      window.sent = 0;
      navigator.sendBeacon = () => ((window.sent += 1), true);
    });
    if (route) await page.route('**/thermograph.wasm', route);
    await page.goto(server.origin + '/');
    await page.waitForFunction(() => window.thermograph && window.thermograph.loaded);
    // The script tag's `ready` is internal: wait for its one line or for the wasm to arrive.
    const loaded = () => page.evaluate(() => performance.getEntriesByType('resource').some((e) => /\.wasm$/.test(e.name) && e.responseEnd > 0));
    for (let i = 0; i < 200 && !seen.thermograph().length && !(await loaded()); i++) await page.waitForTimeout(50);
    await page.waitForTimeout(400);
    await page.click('#b');
    await page.evaluate(() => thermograph('flush'));
    return { origin: server.origin, lines: seen.thermograph(), errors: seen.errors, sent: await page.evaluate(() => window.sent) };
  } finally {
    await page.close();
    await server.close();
  }
}

test('loads and reports with the right MIME type, and with a wrong one', async () => {
  for (const type of ['application/wasm', 'application/octet-stream', 'text/plain']) {
    const r = await open({ wasm: { type, body: WASM } });
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.lines, [], type);
    assert.ok(r.sent > 0, `a report was sent (${type})`);
  }
});

test('missing wasm: the HTTP status and the URL', async () => {
  const r = await open({ wasm: { status: 404, type: 'text/plain', body: 'not found' } });
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.lines, [`thermograph: off (HTTP 404: ${r.origin}/thermograph.wasm)`]);
  assert.equal(r.sent, 0);
});

test('an HTML page instead of the wasm (an SPA fallback answering every path)', async () => {
  const r = await open({ wasm: { type: 'text/html; charset=utf-8', body: '<!doctype html><title>app</title>' } });
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.lines, [`thermograph: off (not wasm: ${r.origin}/thermograph.wasm)`]);
});

test('network error: named with the URL', async () => {
  const r = await open({ route: (route) => route.abort('connectionrefused') });
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.lines, [`thermograph: off (network error: ${r.origin}/thermograph.wasm)`]);
});

test("CSP without 'wasm-unsafe-eval': says so", async () => {
  const r = await open({ headers: { 'content-security-policy': "script-src 'self'" } });
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.lines, [`thermograph: off (CSP needs 'wasm-unsafe-eval': ${r.origin}/thermograph.wasm)`]);
  assert.equal(r.sent, 0);
});

test('CSP whose connect-src leaves out the wasm: a network error with the URL', async () => {
  const r = await open({ headers: { 'content-security-policy': "script-src 'self' 'wasm-unsafe-eval'; connect-src 'none'" } });
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.lines, [`thermograph: off (network error: ${r.origin}/thermograph.wasm)`]);
});

test('the documented CSP works', async () => {
  const csp = "script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'";
  const r = await open({ headers: { 'content-security-policy': csp } });
  assert.deepEqual([r.errors, r.lines], [[], []]);
  assert.ok(r.sent > 0);
});

test('no WebAssembly', async () => {
  const r = await open({ init: () => { delete window.WebAssembly; } });
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.lines, [`thermograph: off (no WebAssembly: ${r.origin}/thermograph.wasm)`]);
});
