// Scale-out benchmark (docs/scale-out.md): the same reports into one collector on SQLite, one
// collector on a two-shard ClickHouse cluster and two collectors on that cluster, in one run on
// one machine, so only ratios between them mean anything.
//
//   node bench/collector/clickhouse.mjs [--seconds S] [--connections N]
//
// Measures ingest (acknowledged reports/s, every 204 durable in its store), 30-day read latency
// of /api/heatmap for the busiest page (the SQLite store's rows of the day are copied to the 29
// days before, then the file is imported into a second ClickHouse database, so both stores hold
// the same 30 days), and bytes on disk per page view of those two.
// The load generator is Node on the same 2 cores: absolute numbers are lower bounds.
// Writes bench/results/collector-clickhouse.json.
import { spawnSync } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { startCluster } from '../../tests/collector/clickhouse.mjs';
import { auth, cli, createSite, encode, request, sampleReport, startServer, tempDir } from '../../tests/collector/helpers.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const SECONDS = arg('seconds', 10);
const CONNECTIONS = arg('connections', 256);  // batches grow with concurrent clients
const ORIGIN = 'https://shop.example';
// No rate limit, and room for every load connection from the one loopback address.
const SERVE_ARGS = ['--rate', '0', '--max-connections-per-address', String(CONNECTIONS + 64)];

// 200 distinct reports over 20 pages and a few segments, each like one page view's first delta.
function corpus(siteKey) {
  const out = [];
  for (let i = 0; i < 200; i++) {
    out.push(encode(sampleReport(siteKey, {
      segment: { page: `${ORIGIN}/p${i % 20}`, width_class: i % 5, device: 1 + (i % 2), variant: i % 3 ? '' : 'B' },
      layers: { clicks: [[16 * (i % 40), 16 * (i % 60), 1]], move: [[16 * (i % 30), 480, 3]], reach_px: [[0, 1], [1, 1], [2, 1]] },
      elements: [{ key: (0x1000 + (i % 12)).toString(16).padStart(8, '0'), interactive: true, counters: { clicks: 1, pv_clicked: 1 }, cells: [[i % 16, 3, 1]] }],
    })));
  }
  return out;
}

// Posts reports round robin over `bases` from CONNECTIONS keep-alive connections for SECONDS.
async function load(bases, reports) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const deadline = Date.now() + SECONDS * 1000;
  let ok = 0, failed = 0, n = 0;
  const post = (base, body) => new Promise((resolve) => {
    const req = http.request(`${base}/r`, { method: 'POST', agent, headers: { 'Content-Type': 'text/plain', 'Content-Length': body.length } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', () => resolve(0));
    req.end(body);
  });
  const worker = async () => {
    while (Date.now() < deadline) {
      const i = n++;
      const status = await post(bases[i % bases.length], reports[i % reports.length]);
      if (status === 204) ok++; else failed++;
    }
  };
  const t0 = Date.now();
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  agent.destroy();
  return { acknowledged: ok, failed, seconds: (Date.now() - t0) / 1000, reports_per_s: Math.round(ok / ((Date.now() - t0) / 1000)) };
}

async function readLatency(base, site, page) {
  const today = new Date().toISOString().slice(0, 10);
  const from = new Date(Date.now() - 29 * 86400e3).toISOString().slice(0, 10);
  const url = `${base}/api/heatmap?${new URLSearchParams({ site: site.site_key, page, from, to: today })}`;
  const times = [];
  let pageViews = 0;
  for (let i = 0; i < 21; i++) {
    const t0 = process.hrtime.bigint();
    const r = await request(url, { headers: auth(site.read_token) });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 200) throw new Error(`read ${r.status}: ${r.text}`);
    pageViews = r.json().counters.page_views;
    if (i > 0) times.push(ms);  // the first read warms caches
  }
  times.sort((a, b) => a - b);
  return { median_ms: +times[10].toFixed(2), p90_ms: +times[18].toFixed(2), page_views: pageViews };
}

const sqlite3 = (db, sql) => {
  const r = spawnSync('sqlite3', [db, sql], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout;
};

async function main() {
  const c = await startCluster(2);
  const tmp = tempDir();
  const servers = [];
  try {
    const site = createSite(tmp.db, [ORIGIN]);
    const url = c.url('bench');
    if (cli(['import', '--from', tmp.db, '--store', url]).status !== 0) throw new Error('import failed');
    const reports = corpus(site.site_key);
    const result = { seconds: SECONDS, connections: CONNECTIONS, shards: 2, ingest: {} };

    const sq = await startServer(tmp.db, SERVE_ARGS);
    servers.push(sq);
    result.ingest.sqlite_1_collector = await load([sq.base], reports);
    const ch1 = await startServer(url, SERVE_ARGS);
    servers.push(ch1);
    result.ingest.clickhouse_1_collector = await load([ch1.base], reports);
    const ch2 = await startServer(url, SERVE_ARGS);
    servers.push(ch2);
    result.ingest.clickhouse_2_collectors = await load([ch1.base, ch2.base], reports);

    // 30 days: today's rows copied to the 29 days before, in each store.
    await sq.stop();
    const cols = sqlite3(tmp.db, "SELECT name FROM pragma_table_info('aggregates')").trim().split('\n');
    const dcols = sqlite3(tmp.db, "SELECT name FROM pragma_table_info('deltas')").trim().split('\n').filter((n) => n !== 'seq');
    for (let k = 1; k < 30; k++) {
      sqlite3(tmp.db, `INSERT INTO aggregates(${cols.join(',')}) SELECT ${cols.map((n) => (n === 'day' ? `day - ${k}` : n)).join(',')} FROM aggregates WHERE day = (SELECT max(day) FROM aggregates)`);
      sqlite3(tmp.db, `INSERT INTO deltas(${dcols.join(',')}) SELECT ${dcols.map((n) => (n === 'day' ? `day - ${k}` : n)).join(',')} FROM deltas WHERE day = (SELECT max(day) FROM deltas)`);
    }
    // The same 30 days in ClickHouse: imported from the SQLite file (rows as stored).
    const url30 = c.url('bench30');
    const imp = cli(['import', '--from', tmp.db, '--store', url30]);
    if (imp.status !== 0) throw new Error(imp.stderr);
    const ch30 = await startServer(url30, SERVE_ARGS);
    servers.push(ch30);
    const sq2 = await startServer(tmp.db, SERVE_ARGS);
    servers.push(sq2);
    const busiest = JSON.parse((await request(`${sq2.base}/api/pages?site=${site.site_key}&limit=1`, { headers: auth(site.read_token) })).text).pages[0].page;
    result.read_30_days = { page: busiest, sqlite: await readLatency(sq2.base, site, busiest), clickhouse: await readLatency(ch30.base, site, busiest) };
    if (result.read_30_days.sqlite.page_views !== result.read_30_days.clickhouse.page_views)
      throw new Error(`the stores disagree: ${JSON.stringify(result.read_30_days)}`);

    // Bytes on disk per stored page view (after the copies: 30 days of rows).
    const pv = (await c.query(0, "SELECT sum(v0) FROM bench30.cells WHERE kind = 0 FORMAT TabSeparated")).text.trim();
    let chBytes = 0;
    for (let i = 0; i < 2; i++) {
      await c.query(i, 'OPTIMIZE TABLE bench30.cells_local FINAL');
      chBytes += Number((await c.query(i, "SELECT sum(bytes_on_disk) FROM system.parts WHERE active AND database = 'bench30' FORMAT TabSeparated")).text.trim());
    }
    await sq2.stop();
    sqlite3(tmp.db, 'PRAGMA wal_checkpoint(TRUNCATE); VACUUM;');
    const sqPv = Number(sqlite3(tmp.db, 'SELECT (SELECT coalesce(sum(page_views),0) FROM aggregates) + (SELECT coalesce(sum(page_views),0) FROM deltas)').trim());
    result.bytes_per_page_view = {
      sqlite: +(statSync(tmp.db).size / sqPv).toFixed(1),
      clickhouse: +(chBytes / Number(pv)).toFixed(1),
      page_views: { sqlite: sqPv, clickhouse: Number(pv) },
    };
    const ing = result.ingest;
    result.ratios = {
      ingest_clickhouse_1_vs_sqlite: +(ing.clickhouse_1_collector.reports_per_s / ing.sqlite_1_collector.reports_per_s).toFixed(2),
      ingest_clickhouse_2_vs_sqlite: +(ing.clickhouse_2_collectors.reports_per_s / ing.sqlite_1_collector.reports_per_s).toFixed(2),
      read_30_days_clickhouse_vs_sqlite: +(result.read_30_days.clickhouse.median_ms / result.read_30_days.sqlite.median_ms).toFixed(2),
      bytes_per_page_view_clickhouse_vs_sqlite: +(result.bytes_per_page_view.clickhouse / result.bytes_per_page_view.sqlite).toFixed(2),
    };
    mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
    writeFileSync(path.join(ROOT, 'bench/results/collector-clickhouse.json'), `${JSON.stringify(result, null, 2)}\n`);
    console.log(JSON.stringify(result, null, 2));
  } finally {
    for (const s of servers) if (s.proc.exitCode === null && s.proc.signalCode === null) s.proc.kill('SIGKILL');
    await c.stop();
    tmp.cleanup();
  }
}

await main();
