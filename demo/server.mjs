// Static server of the demo site: demo/site at /, the built tracker at /dist/, and the SPA shell
// for /app/*. HTML placeholders (%ENDPOINT%, %SITE%) are filled at request time, so the same files
// work with any collector address and site key.
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

export const ROOT = path.resolve(new URL('..', import.meta.url).pathname);
const SITE = path.join(ROOT, 'demo/site');
const DIST = path.join(ROOT, 'dist');
const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.css': 'text/css', '.wasm': 'application/wasm', '.png': 'image/png', '.svg': 'image/svg+xml',
  '.json': 'application/json',
};

function resolve(pathname) {
  if (pathname === '/') return path.join(SITE, 'index.html');
  if (pathname === '/app' || pathname.startsWith('/app/')) return path.join(SITE, 'app.html');
  if (pathname.startsWith('/dist/')) return path.join(DIST, pathname.slice(6));
  return path.join(SITE, pathname);
}

// Fails with EADDRINUSE (and a readable message) instead of a stack trace when the port is taken.
export function listen(server, port, host) {
  return new Promise((ok, fail) => {
    const onError = (e) => fail(e.code === 'EADDRINUSE'
      ? Object.assign(new Error(`port ${port} on ${host} is already in use`), { code: e.code }) : e);
    server.once('error', onError);
    server.listen(port, host, () => { server.off('error', onError); ok(server.address().port); });
  });
}

export async function startDemoServer({ port = 8080, host = '127.0.0.1', endpoint, site }) {
  const fill = (html) => html.replaceAll('%ENDPOINT%', endpoint).replaceAll('%SITE%', site);
  const server = http.createServer(async (req, res) => {
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') return res.writeHead(405).end();
      const { pathname } = new URL(req.url, 'http://x');
      const file = path.normalize(resolve(decodeURIComponent(pathname)));
      if (!file.startsWith(SITE + path.sep) && !file.startsWith(DIST + path.sep)) return res.writeHead(404).end();
      const type = TYPES[path.extname(file)] || 'application/octet-stream';
      let body = await readFile(file);
      if (type.startsWith('text/html')) body = fill(body.toString());
      // No caching: a rebuilt tracker or overlay shows up on the next reload.
      res.writeHead(200, { 'content-type': type, 'cache-control': 'no-cache' });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (e) {
      res.writeHead(e.code === 'ENOENT' || e.code === 'EISDIR' ? 404 : 500, { 'content-type': 'text/plain' });
      res.end(e.code === 'ENOENT' ? 'not found\n' : 'error\n');
    }
  });
  const actual = await listen(server, port, host);
  const sockets = new Set();
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  return {
    base: `http://${host}:${actual}`,
    port: actual,
    // Keep-alive sockets from browsers would hold close() open: end them.
    close: () => new Promise((r) => { server.close(r); for (const s of sockets) s.destroy(); }),
  };
}
