// Driving the real collector binary from Node: find it, create a site, serve, wait until healthy,
// query the read API, stop it. Shared by `npm start`, the screenshot script and the demo test.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { ROOT } from './server.mjs';

// THERMOGRAPH_COLLECTOR points at another build (an operator's, or a sanitizer build).
export function collectorPath() {
  const bin = process.env.THERMOGRAPH_COLLECTOR || path.join(ROOT, 'build/src/collector/thermograph-collector');
  if (!existsSync(bin)) {
    throw new Error(`the collector binary is missing: ${bin}\n` +
      '  build it with `npm run build` (CMake target thermograph-collector in src/collector/)');
  }
  return bin;
}

// True when nothing listens on host:port (checked before starting anything, for a clear message).
export function portFree(port, host = '127.0.0.1') {
  return new Promise((ok) => {
    const s = net.createServer();
    s.once('error', () => ok(false));
    s.listen(port, host, () => s.close(() => ok(true)));
  });
}

export function freePort(host = '127.0.0.1') {
  return new Promise((ok, fail) => {
    const s = net.createServer();
    s.once('error', fail);
    s.listen(0, host, () => { const { port } = s.address(); s.close(() => ok(port)); });
  });
}

// Parses what `site create` prints: JSON with --json, else "site key: ..." / "read token: ..." text.
export function parseSite(out) {
  for (const line of [out.trim(), ...out.split('\n').reverse()]) {
    try {
      const j = JSON.parse(line);
      const siteKey = j.site_key || j.siteKey || j.key || j.site, readToken = j.read_token || j.readToken || j.token;
      if (siteKey && readToken) return { siteKey, readToken };
    } catch (e) { /* not JSON: try the next form */ }
  }
  const siteKey = /site[ _-]?key\W+(\S+)/i.exec(out)?.[1], readToken = /read[ _-]?token\W+(\S+)/i.exec(out)?.[1];
  if (siteKey && readToken) return { siteKey, readToken };
  throw new Error('could not read the site key and read token from `site create`:\n' + out);
}

export function createSite({ db, origins }) {
  const args = ['site', 'create', '--db', db, '--name', 'Lumen demo', ...origins.flatMap((o) => ['--origin', o])];
  let r = spawnSync(collectorPath(), [...args, '--json'], { encoding: 'utf8' });
  if (r.status === 64) r = spawnSync(collectorPath(), args, { encoding: 'utf8' });  // no --json: parse text
  if (r.status !== 0) throw new Error(`site create failed (exit ${r.status}): ${r.stderr || r.stdout}`);
  return parseSite(r.stdout);
}

// Starts `serve` and resolves once GET /healthz answers. The demo drives many visitors from one
// address, so a per-client rate limit (when the binary has one) is switched off.
// `args`: more `serve` flags.
export async function startCollector({ db, port, host = '127.0.0.1', log = null, args = [] }) {
  const bin = collectorPath();
  const help = spawnSync(bin, ['serve', '--help'], { encoding: 'utf8' });
  const extra = /--rate\b/.test(help.stdout + help.stderr) ? ['--rate', '0'] : [];
  const proc = spawn(bin, ['serve', '--db', db, '--port', String(port), '--host', host, ...extra, ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk) => {
    output = (output + chunk).slice(-4000);
    if (log) log(String(chunk));
  };
  proc.stdout.on('data', keep);
  proc.stderr.on('data', keep);
  const exited = new Promise((r) => proc.once('exit', (code, signal) => r({ code, signal })));
  const url = `http://${host}:${port}`;
  const deadline = Date.now() + 15000;
  for (;;) {
    const done = await Promise.race([exited, new Promise((r) => setTimeout(r, 100, null))]);
    if (done) throw new Error(`the collector exited (${done.code ?? done.signal}) before it was ready:\n${output}`);
    try {
      if ((await fetch(url + '/healthz')).ok) break;
    } catch (e) { /* not listening yet */ }
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error('the collector did not answer /healthz within 15 s:\n' + output);
    }
  }
  const stop = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill('SIGTERM');  // the collector drains its write queue on SIGTERM
    const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
  };
  return { url, proc, stop, exited, output: () => output };
}

// GET on the read API with the site's read token; resolves to { status, body }.
export async function readApi(url, token, pathAndQuery) {
  const res = await fetch(url + pathAndQuery, { headers: { authorization: 'Bearer ' + token } });
  const text = await res.text();
  let body = text;
  try { body = JSON.parse(text); } catch (e) { /* not JSON (an error page or CSV) */ }
  return { status: res.status, body };
}

export async function pageViews(url, token, site) {
  const r = await readApi(url, token, '/api/pages?limit=1000&site=' + encodeURIComponent(site));
  if (r.status !== 200) throw new Error(`GET /api/pages answered ${r.status}: ${JSON.stringify(r.body)}`);
  const pages = r.body.pages || [];
  return { pages, total: pages.reduce((n, p) => n + (p.page_views || 0), 0) };
}
