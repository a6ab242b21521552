// Shared pieces of the browser tests: Debian's Chromium through playwright-core, a static file
// server with a report endpoint that keeps every request body, and the native decoder.
import { chromium } from 'playwright-core';
import http from 'node:http';
import { readFileSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { CELL_PX } from '../../build/gen/constants.mjs';

export const ROOT = path.resolve(new URL('../..', import.meta.url).pathname);
const BUILD = path.resolve(ROOT, process.env.THERMOGRAPH_BUILD || 'build');
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css' };

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

// Serves /dist/* from dist/, /pages/* from tests/browser/pages, and records POST bodies.
export async function serve({ headers = {} } = {}) {
  const received = [];
  const server = http.createServer((req, res) => {
    if (req.method === 'POST') {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        received.push({ url: req.url, type: req.headers['content-type'], body: Buffer.concat(chunks) });
        res.writeHead(204, { 'access-control-allow-origin': '*' }).end();
      });
      return;
    }
    const url = new URL(req.url, 'http://x');
    const file = url.pathname.startsWith('/dist/')
      ? path.join(ROOT, url.pathname)
      : path.join(ROOT, 'tests/browser', url.pathname);
    if (!file.startsWith(ROOT) || !existsSync(file)) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream', ...headers });
    res.end(readFileSync(file));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${server.address().port}`;
  return { base, received, close: () => new Promise((r) => server.close(r)) };
}

// Decodes one report with the native C++ decoder (the same code the collector runs).
export function decode(bytes) {
  const r = spawnSync(path.join(BUILD, 'thermograph-decode'), [], { input: bytes });
  if (r.status !== 0) throw new Error('decode failed: ' + r.stderr.toString());
  return JSON.parse(r.stdout.toString());
}

// Sums decoded reports the way the collector does: page cells by "x,y", counters by name.
export function sum(reports) {
  const out = { counters: {}, layers: {}, elements: {} };
  const add = (obj, k, v) => { obj[k] = (obj[k] || 0) + v; };
  for (const r of reports) {
    for (const [k, v] of Object.entries(r.counters)) add(out.counters, k, v);
    for (const [name, cells] of Object.entries(r.layers)) {
      const layer = (out.layers[name] ||= {});
      for (const c of cells) add(layer, c.slice(0, -1).join(','), c[c.length - 1]);
    }
    for (const e of r.elements) {
      const el = (out.elements[e.key] ||= { counters: {}, fixed: e.fixed, interactive: e.interactive });
      if (e.stable) el.stable = e.stable;  // sent once per page view (wire v2)
      for (const c of e.cells || []) add((el.cells ||= {}), c[0] + ',' + c[1], c[2]);
      for (const [to, n] of e.next || []) add((el.next ||= {}), to, n);  // journey steps (wire v5)
      for (const [k, v] of Object.entries(e.counters)) add(el.counters, k, v);
    }
  }
  return out;
}

export async function until(fn, what, ms = 15000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('timed out waiting for ' + what);
}

export const cellOf = (x, y) => `${Math.floor(x / CELL_PX) * CELL_PX},${Math.floor(y / CELL_PX) * CELL_PX}`;

// FNV-1a of a selector, written independently of src/core/element_key.cpp (ground truth for
// tests whose selectors are already canonical).
export function fnv1a(text) {
  let h = 0x811c9dc5;
  for (const b of new TextEncoder().encode(text)) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

// Waits until the script tag ran and the wasm module has arrived (a page closed before the module
// is instantiated has nothing to encode its report with), then past the 200 ms settle time.
export async function trackerReady(page) {
  await page.waitForFunction(() => window.thermograph && window.thermograph.loaded &&
    performance.getEntriesByType('resource').some((e) => /\.wasm$/.test(e.name) && e.responseEnd > 0));
  await new Promise((r) => setTimeout(r, 300));
}
