// One node:http server for every tracker run: it serves the session page (with the tracker's
// snippet injected), the trackers' scripts, and acts as the sink every tool sends to. Page and
// sink share an origin, so no tool pays for CORS preflights the others don't.
import http from 'node:http';
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './common.mjs';
import { PEER_FILES, posthogBundle } from './peers.mjs';

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.cjs': 'text/javascript', '.wasm': 'application/wasm', '.svg': 'image/svg+xml' };

// Each tool configured the way a site owner who wants heatmaps would run it (docs/BENCHMARKS.md
// explains the choices). Every tool loads async, as its own install snippet does.
function snippet(tool, base) {
  switch (tool) {
    case 'none': return '';
    case 'thermograph':
      return `<script async src="/dist/thermograph.min.js" data-endpoint="${base}/tg" data-site="bench"></script>`;
    case 'thermographSignals':  // everything on: the behaviour signals chunk too (exposure, form fields, dead swipes)
      return `<script async src="/dist/thermograph.min.js" data-endpoint="${base}/tg" data-site="bench" data-signals></script>`;
    case 'clarity':
      // Clarity's own tag queues clarity('start', config) and loads the script; `upload` points its
      // uploads at our sink instead of clarity.ms (src/core/config.ts).
      return `<script>window.clarity=window.clarity||function(){(clarity.q=clarity.q||[]).push(arguments)};
clarity('start',{projectId:'bench',upload:'${base}/clarity'});</script>
<script async src="/peers/clarity.min.js"></script>`;
    case 'posthog':
      // Heatmaps + autocapture + pageview; no session recording (PostHog's heatmaps don't need it,
      // and it is the lightest PostHog configuration that yields heatmaps). opt_out_useragent_filter:
      // PostHog drops all events from automated browsers (navigator.webdriver) otherwise.
      return `<script async src="/peers/posthog-heatmaps.js" onload="posthog.init('phc_test',{api_host:'${base}',
autocapture:true,capture_pageview:true,enable_heatmaps:true,disable_session_recording:true,
advanced_disable_feature_flags:true,opt_out_useragent_filter:true,__extensionClasses:window.posthogExtensions})"></script>`;
    default: throw new Error(`unknown tool ${tool}`);
  }
}

export async function serve() {
  const posthog = await posthogBundle();
  const page = readFileSync(path.join(ROOT, 'bench/pages/session.html'), 'utf8');
  const statics = {
    '/peers/clarity.min.js': PEER_FILES.clarity,
    '/peers/posthog-heatmaps.js': posthog,
    '/peers/simpleheat.js': PEER_FILES.simpleheat,
    '/peers/heatmap.min.js': PEER_FILES.heatmapjs,
  };
  let received = [];
  let base = '';
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const p = url.pathname;
    if (p === '/pages/session.html') {
      res.writeHead(200, { 'content-type': 'text/html', 'cache-control': 'no-store' });
      return res.end(page.replace('<!--TRACKER-->', snippet(url.searchParams.get('tool') || 'none', base)));
    }
    let file = statics[p];
    // PostHog lazy-loads extensions from its CDN's /static/: serve the installed copies.
    const lazy = p.match(/^\/static\/[^/]+\/([\w.-]+\.js)$/);
    if (lazy) file = path.join(ROOT, 'node_modules/posthog-js/dist', lazy[1]);
    if (!file && (p.startsWith('/dist/') || p.startsWith('/pages/'))) {
      file = path.join(ROOT, p.startsWith('/dist/') ? '' : 'bench', p);
    }
    if (file) {
      if (!file.startsWith(ROOT) || !existsSync(file)) return res.writeHead(404).end();
      res.writeHead(200, { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream' });
      return res.end(readFileSync(file));
    }
    // Anything else is a tool talking to its backend: keep the request, answer like an empty backend.
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received.push({
        method: req.method, url: req.url, at: Date.now(),
        contentType: req.headers['content-type'] || '', contentEncoding: req.headers['content-encoding'] || '',
        body: Buffer.concat(chunks),
      });
      if (p.startsWith('/tg')) return res.writeHead(204).end();
      res.writeHead(200, { 'content-type': 'application/json' }).end(p.startsWith('/clarity') ? '' : '{}');
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${server.address().port}`;
  return {
    base,
    take: () => { const r = received; received = []; return r; },
    count: () => received.length,
    close: () => new Promise((r) => server.close(r)),
  };
}
