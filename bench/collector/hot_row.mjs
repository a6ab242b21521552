// Hot-row benchmark: does one page growing to 1M cells slow ingest for every other page?
//
// The real thermograph-collector on loopback; wrk (2 threads, 64 connections) posts 16 ordinary
// reports over 4 other pages. Three phases of equal length: A (baseline: wrk alone), B (wrk while
// one client grows one page-day row by 576 new cells per report, paced, until it holds 1M cells),
// then A again (so machine drift between phases shows). Ratio = B / mean(A). The budget
// (docs/../DESIGN.md): other pages keep >= 80 % of their rate.
//
//   node bench/collector/hot_row.mjs [--seconds S] [--cells N] [--hot-rate R] [--collector PATH]
//
// --collector runs another build (an older one has no --max-cells/--compact-after: flags it does
// not list in `serve --help` are left out). Writes bench/results/collector-hot-row.json (or
// -<label>.json with --label).
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BUILD = path.resolve(ROOT, process.env.THERMOGRAPH_BUILD || 'build');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const SECONDS = Number(arg('seconds', 20));
const TARGET_CELLS = Number(arg('cells', 1000000));
const HOT_RATE = Number(arg('hot-rate', 100));  // reports/s from the hot client (5 clients at the default --rate 20)
const COLLECTOR = path.resolve(arg('collector', path.join(BUILD, 'src/collector/thermograph-collector')));
const LABEL = arg('label', '');
const ENCODE = path.join(BUILD, 'thermograph-encode');
const DECODE = path.join(BUILD, 'thermograph-decode');
const CELLS_PER_REPORT = 64 + 512;  // the per-page-view bounds: 64 click cells, 512 dwell cells

// --- a minimal wire-v1 encoder (docs/wire-format.md) for the hot reports -----------------------
function varint(out, v) {
  while (v >= 0x80) { out.push((v & 0x7f) | 0x80); v >>>= 7; }
  out.push(v);
}
function str(out, s) {
  const b = Buffer.from(s);
  varint(out, b.length);
  out.push(...b);
}
function sparse(out, indexes, value) {
  varint(out, indexes.length << 1);  // pairs mode
  let next = 0;
  for (const i of indexes) { varint(out, i - next); varint(out, value); next = i + 1; }
}
// Report r: 64 click cells and 512 dwell cells in rows 4r..4r+3, so no two reports share a cell.
function hotReport(site, page, r) {
  const out = [0x54, 0x47, 1, 0];
  str(out, site); str(out, page);
  out.push(3, 1, 0);  // width class, device, flags
  str(out, ''); varint(out, 1); out.push(0);  // variant, tracker version, no tags
  varint(out, 1); varint(out, 1);  // counters: page_views = 1
  out.push(2);
  const base = r * 4 * 256;
  out.push(0); sparse(out, Array.from({ length: 64 }, (_, i) => base + i), 1);
  out.push(1); sparse(out, Array.from({ length: 512 }, (_, i) => base + i), 1);
  varint(out, 0);  // no elements
  return Buffer.from(out);
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function wrk(url, dir) {
  return new Promise((resolve, reject) => {
    const p = spawn('wrk', ['-t2', '-c64', `-d${SECONDS}s`, '-s', path.join(ROOT, 'bench/collector/report.lua'), url],
      { env: { ...process.env, BENCH_REPORTS: dir } });
    let out = '';
    p.stdout.on('data', (d) => { out += d; });
    p.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`wrk exited ${code}`));
      const rps = parseFloat(/Requests\/sec:\s+([\d.]+)/.exec(out)[1]);
      const non2xx = parseInt((/Non-2xx or 3xx responses: (\d+)/.exec(out) || [0, 0])[1]);
      resolve({ rps: Math.round(rps), non2xx });
    });
  });
}

// One keep-alive connection posting the hot reports at HOT_RATE until all are sent (or `until`).
async function hotClient(base, bodies) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const statuses = {};
  const t0 = Date.now();
  for (let i = 0; i < bodies.length; i++) {
    const due = t0 + (i * 1000) / HOT_RATE;
    if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    const status = await new Promise((resolve) => {
      const req = http.request(`${base}/r`, { method: 'POST', agent, headers: { 'Content-Type': 'text/plain', 'Content-Length': bodies[i].length } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      });
      req.on('error', () => resolve(0));
      req.end(bodies[i]);
    });
    statuses[status] = (statuses[status] ?? 0) + 1;
  }
  agent.destroy();
  return { sent: bodies.length, seconds: (Date.now() - t0) / 1000, statuses };
}

async function main() {
  const tmp = mkdtempSync(path.join(tmpdir(), 'tg-hot-row-'));
  let server;
  try {
    const db = path.join(tmp, 'bench.sqlite');
    const site = JSON.parse(run(COLLECTOR, ['site', 'create', '--db', db, '--origin', 'https://shop.example', '--name', 'bench', '--json']));
    // The same 16 ordinary reports as run.sh (4 pages x segments), seeded.
    let s = 12345;
    const rnd = (n) => { s = (s * 1103515245 + 12345) >>> 0; return (s >>> 8) % n; };
    const pages = ['/', '/pricing', '/docs/start', '/blog/:slug'].map((p) => 'https://shop.example' + p);
    for (let i = 0; i < 16; i++) {
      const cells = (n, max) => {
        const m = new Map();
        while (m.size < n) m.set(`${rnd(80) * 16},${rnd(200) * 16}`, rnd(max) + 1);
        return [...m].map(([k, v]) => [...k.split(',').map(Number), v]);
      };
      const bands = (n) => Array.from({ length: n }, (_, b) => [b, 1]);
      const report = {
        kind: 'delta',
        segment: { site: site.site_key, page: pages[i % 4], width_class: i % 3, device: 1 + (i % 2), variant: i % 4 < 2 ? 'A' : 'B', tracker_version: 1, tags: { plan: i % 2 ? 'pro' : 'free' } },
        counters: { page_views: 1, pv_clicked: 1, fold_sum: 800, doc_height_sum: 3200, engaged_seconds: 40 },
        layers: { clicks: cells(12, 3), move: cells(40, 20), reach_px: bands(20), reach_pct: bands(60), attention: bands(8).map(([b]) => [b, rnd(50) + 1]) },
        elements: Array.from({ length: 4 }, (_, k) => ({ key: (0x1000 + k * 977 + i).toString(16), interactive: true, counters: { clicks: 1, pv_clicked: 1, hover: rnd(30) + 1 }, cells: [[rnd(16), rnd(16), 1]] })),
      };
      writeFileSync(path.join(tmp, `report${i}.bin`), spawnSync(ENCODE, [], { input: JSON.stringify(report) }).stdout);
    }
    const hotPage = 'https://shop.example/hot';
    const hot = Array.from({ length: Math.ceil(TARGET_CELLS / CELLS_PER_REPORT) }, (_, r) => hotReport(site.site_key, hotPage, r));
    run(DECODE, [], { input: hot[0], encoding: 'buffer' });  // the hand encoder writes valid reports

    const help = run(COLLECTOR, ['serve', '--help']);
    const extra = help.includes('--max-cells') ? ['--max-cells', String(Math.ceil(TARGET_CELLS * 1.1))] : [];
    // wrk's 64 connections and the hot client all come from 127.0.0.1: lift the per-address cap
    // (default 64), or the 65th connection, whichever it is, gets 503 too_many_connections.
    if (help.includes('--max-connections-per-address')) extra.push('--max-connections-per-address', '256');
    server = spawn(COLLECTOR, ['serve', '--db', db, '--port', '0', '--rate', '0', '--threads', '64', ...extra], { stdio: ['ignore', 'ignore', 'pipe'] });
    const port = await new Promise((resolve, reject) => {
      let err = '';
      server.stderr.on('data', (d) => {
        err += d;
        const m = /listening on http:\/\/[^:]+:(\d+)/.exec(err);
        if (m) resolve(Number(m[1]));
      });
      server.on('exit', (c) => reject(new Error(`collector exited ${c}: ${err}`)));
    });
    const base = `http://127.0.0.1:${port}`;

    console.log(`== A: other pages alone (${SECONDS} s)`);
    const a1 = await wrk(base, tmp);
    console.log(a1);
    console.log(`== B: other pages while ${hotPage} grows to ${hot.length * CELLS_PER_REPORT} cells at ${HOT_RATE} reports/s`);
    const [b, hotResult] = await Promise.all([wrk(base, tmp), hotClient(base, hot)]);
    console.log(b, hotResult);
    console.log(`== A again (${SECONDS} s)`);
    const a2 = await wrk(base, tmp);
    console.log(a2);

    const heat = await fetch(`${base}/api/heatmap?site=${site.site_key}&page=${encodeURIComponent(hotPage)}&elements=0`, { headers: { Authorization: `Bearer ${site.read_token}` } });
    const hotJson = await heat.json();
    const hotCells = Object.values(hotJson.layers ?? {}).reduce((n, l) => n + l.length, 0);
    const baseline = (a1.rps + a2.rps) / 2;
    const result = {
      collector: path.relative(ROOT, COLLECTOR),
      other_pages_rps: { baseline_before: a1.rps, during_growth: b.rps, baseline_after: a2.rps },
      ratio: Math.round((b.rps / baseline) * 1000) / 1000,
      budget: 0.8,
      non_2xx: a1.non2xx + b.non2xx + a2.non2xx,
      hot_page: { reports_sent: hotResult.sent, statuses: hotResult.statuses, seconds: Math.round(hotResult.seconds * 10) / 10, cells_stored: hotCells, page_views: hotJson.counters?.page_views ?? 0 },
      setup: { phase_seconds: SECONDS, hot_rate: HOT_RATE, cells_per_hot_report: CELLS_PER_REPORT, wrk: '2 threads, 64 connections, 16 reports over 4 pages', loopback: true },
    };
    mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
    const out = path.join(ROOT, 'bench/results', `collector-hot-row${LABEL ? '-' + LABEL : ''}.json`);
    writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
    console.log(JSON.stringify(result, null, 2));
  } finally {
    if (server && server.exitCode === null) {
      server.kill('SIGTERM');
      await new Promise((r) => server.on('exit', r));
    }
    rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
