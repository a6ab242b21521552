// Shared pieces of the install tests: the package as a site owner gets it (`npm pack` of this
// checkout, installed from the tarball into a scratch app in a temporary folder, no network), a
// static file server for built sample apps, and Chromium.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const NODE_MODULES = path.join(ROOT, 'node_modules');
export const PKG = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

const temps = [];
export function tempDir(prefix = 'tg-install-') {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}
export function cleanup() {
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
}

// `npm pack` of this checkout (already built by `npm test`'s bootstrap, so no prepack here).
export function pack() {
  for (const f of PKG.files) {
    if (!existsSync(path.join(ROOT, f))) throw new Error(`${f} is missing: build first (bash scripts/bootstrap.sh)`);
  }
  const dest = tempDir('tg-pack-');
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dest],
    { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const [info] = JSON.parse(out);
  return { tarball: path.join(dest, info.filename), files: info.files.map((f) => f.path) };
}

// A scratch app: package.json plus the given files, then the tarball installed the way a site
// owner does (`npm install ./thermograph-x.y.z.tgz`), offline: the package has no dependencies.
export function scratchApp(tarball, files = {}, pkg = {}) {
  const dir = tempDir('tg-app-');
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'scratch-app', version: '1.0.0', private: true, ...pkg }, null, 2));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error', tarball],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  return dir;
}

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm',
  '.css': 'text/css', '.json': 'application/json' };

// Serves files from `dir` (index.html for `/`); `override(pathname)` may answer instead:
// { status, type, body, headers }. Every answer carries `headers`.
export async function serveDir(dir, { headers = {}, override } = {}) {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const o = override && override(url.pathname);
    if (o) {
      res.writeHead(o.status || 200, { 'content-type': o.type || 'text/html', ...headers, ...o.headers });
      return res.end(o.body ?? '');
    }
    let file = path.join(dir, decodeURIComponent(url.pathname));
    if (existsSync(file) && statSync(file).isDirectory()) file = path.join(file, 'index.html');
    if (!file.startsWith(dir) || !existsSync(file)) return res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream', ...headers });
    res.end(readFileSync(file));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { origin: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}

// Console lines and uncaught page errors of one page, for "nothing throws, one line" checks.
export function watch(page) {
  const lines = [], errors = [];
  page.on('console', (m) => lines.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  return { lines, errors, thermograph: () => lines.filter((l) => l.startsWith('thermograph:')) };
}
