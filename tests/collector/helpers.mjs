// Shared helpers for collector tests: they drive the real thermograph-collector binary on
// 127.0.0.1 with a temporary database. Nothing here asserts on time; waits are generous.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { after } from 'node:test';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const build = path.resolve(root, process.env.THERMOGRAPH_BUILD || 'build');
export const collectorBin = path.join(build, 'src/collector/thermograph-collector');
export const encodeBin = path.join(build, 'thermograph-encode');
export const decodeBin = path.join(build, 'thermograph-decode');

export function tempDir() {
  const dir = mkdtempSync(path.join(tmpdir(), 'tg-collector-'));
  return { dir, db: path.join(dir, 'collector.sqlite'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function cli(args) {
  const r = spawnSync(collectorBin, args, { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function createSite(db, origins = ['https://shop.example'], name = 'test') {
  const args = ['site', 'create', '--db', db, '--name', name, '--json'];
  for (const o of origins) args.push('--origin', o);
  const r = cli(args);
  if (r.status !== 0) throw new Error(`site create failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

// JSON form -> report bytes, through the native encoder (the same codec the collector runs).
// version 5: the previous wire version, whose deltas carry values a page view cannot have (a
// version-6 delta's 0/1 counters and journey steps are 1 by construction).
export function encode(report, { version } = {}) {
  const r = spawnSync(encodeBin, version ? ['--version', String(version)] : [], { input: JSON.stringify(report) });
  if (r.status !== 0) throw new Error(`encode failed: ${r.stderr}`);
  return r.stdout;
}

export function decodeAggregate(bytes) {
  const r = spawnSync(decodeBin, ['--aggregate'], { input: bytes });
  if (r.status !== 0) throw new Error(`decode failed: ${r.stderr}`);
  return JSON.parse(r.stdout.toString());
}

export function sampleReport(site, extra = {}) {
  return {
    kind: 'delta',
    segment: { site, page: 'https://shop.example/pricing', width_class: 2, device: 1, tracker_version: 1, ...extra.segment },
    counters: { page_views: 1, pv_clicked: 1, ...extra.counters },
    layers: extra.layers ?? { clicks: [[96, 192, 2], [112, 192, 1]], reach_px: [[0, 1], [1, 1], [2, 1]] },
    elements: extra.elements ?? [{ key: 'deadbeef', interactive: true, counters: { clicks: 3, pv_clicked: 1 }, cells: [[1, 1, 2], [2, 1, 1]] }],
  };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

// Minimal HTTP client: full control over headers (Origin), raw bodies, no status exceptions.
// Bodies get a Content-Length like sendBeacon's; `chunked: true` streams without one instead.
// `localAddress` picks the client address (any of 127.0.0.0/8 on Linux).
export function request(url, { method = 'GET', headers = {}, body, keepAlive = false, chunked = false, localAddress } = {}) {
  if (body !== undefined && !chunked) headers = { 'Content-Length': String(body.length), ...headers };
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, agent: keepAlive ? agent : false, localAddress }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const buf = Buffer.concat(chunks);
        resolve({ status: res.statusCode, headers: res.headers, body: buf, text: buf.toString(), json: () => JSON.parse(buf.toString()) });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

export function postReport(base, bytes, headers = {}) {
  return request(`${base}/r`, { method: 'POST', body: bytes, headers: { 'Content-Type': 'text/plain', ...headers } });
}

// Every collector a test file started is killed when the file's tests end, also when a test
// failed before its own stop(): a live child would keep the test process (and CI) waiting.
const running = new Set();
after(() => {
  for (const proc of running) proc.kill('SIGKILL');
});

// Starts `serve` on a free port (--port 0; the port is read from stderr) and waits for /healthz.
// `prefix`: a command that runs the collector (e.g. ['bash', '-c', 'ulimit -f 64; exec "$@"', '-']);
// `spawnOptions`: extra child_process options (uid, gid). `productDefaults`: no test-only flags.
export async function startServer(db, extraArgs = [], { prefix = [], spawnOptions = {}, productDefaults = false } = {}) {
  // Tests post a handful of reports whose values they read back: k-anonymity (default 5) is off
  // unless a test sets it (k_anonymity.test.mjs tests the default).
  const k = productDefaults || extraArgs.includes('--k-anonymity') ? [] : ['--k-anonymity', '1'];
  const argv = [...prefix, collectorBin, 'serve', '--db', db, '--port', '0', ...k, ...extraArgs];
  const proc = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], ...spawnOptions });
  running.add(proc);
  proc.on('exit', () => running.delete(proc));
  let stderr = '';
  const port = await new Promise((resolve, reject) => {
    proc.stderr.on('data', (d) => {
      stderr += d;
      const m = /listening on http:\/\/[^:]+:(\d+)/.exec(stderr);
      if (m) resolve(Number(m[1]));
    });
    proc.on('exit', (code) => reject(new Error(`collector exited ${code}: ${stderr}`)));
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await request(`${base}/healthz`, { keepAlive: false })).status === 200) break;
    } catch (e) {
      if (i > 600) throw e;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  return {
    base, port, proc, exited,
    stderr: () => stderr,
    stop: async (signal = 'SIGTERM') => { proc.kill(signal); return exited; },
  };
}

// Collector-wide counters, as the operator reads them (`stats` on the database; /api/stats only
// shows one site's figures). Adds rejected_total.
export function operatorStats(db) {
  const r = cli(['stats', '--db', db]);
  if (r.status !== 0) throw new Error(`stats failed: ${r.stderr}`);
  const j = JSON.parse(r.stdout);
  j.rejected_total = Object.values(j.rejected).reduce((a, b) => a + b, 0);
  return j;
}

// Rejection counters reach the database with the writer's next commit (at least once a second
// while serve runs, and on shutdown). Polls, a bounded number of times, until `done(stats)`
// holds, and returns the last reading for the caller to assert on.
export async function waitForStats(db, done, tries = 150) {
  for (let i = 0; ; i++) {
    const s = operatorStats(db);
    if (done(s) || i >= tries) return s;
    await new Promise((r) => setTimeout(r, 100));
  }
}

// core/page_key.h route_hash, written from its definition: 31 bits of the FNV-1a hash of a page
// key's UTF-8 bytes (the route_from layer's index).
export function routeHash(key) {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(key, 'utf8')) h = Math.imul(h ^ b, 0x01000193) >>> 0;
  return h >>> 1;
}

// Starts a collector and kills it after the test (one that has exited already is not waited for).
export async function collectorFor(t, db, args = ['--rate', '0']) {
  const s = await startServer(db, args);
  t.after(async () => {
    if (s.proc.exitCode === null && s.proc.signalCode === null) await s.stop('SIGKILL');
  });
  return s;
}

export function auth(token) {
  return { Authorization: `Bearer ${token}` };
}

export async function getJson(url, token) {
  const r = await request(url, { headers: token ? auth(token) : {} });
  const isJson = (r.headers["content-type"] || "").includes("json") && r.body.length > 0;
  return { status: r.status, headers: r.headers, body: isJson ? r.json() : r.text };
}
