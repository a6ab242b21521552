// 30-day heatmap read latency and bytes per page view at 1M and 10M page views, on the SQLite
// store and on a two-shard ClickHouse cluster, in one run on one machine (docs/BENCHMARKS.md,
// section 7; docs/scale-out.md, "Sizing").
//
//   node bench/collector/read_scale.mjs [--scales 1e6,1e7] [--reads 21] [--slices-per-day 8]
//
// Data: pushing 10M reports through HTTP would take hours here, so collector_read_scale_gen
// (bench/collector/read_scale_gen.cpp, built with the collector) simulates a realistic site's
// page views in C++ (150 pages with a Zipf traffic split, width/device/login/A-B segments;
// per page view clicks, pointer dwell, reach, attention and elements as the tracker sends
// them; seeded) and writes them into both stores through the stores' own commit_batch, the
// collector's ingest path. Page views are summed per row key and day (--slices-per-day cuts
// days finer, at a cost in rows) before they are stored, in commits of at most 1000 reports
// and 250,000 cells: ClickHouse gets hundreds of inserts (hundreds of parts, merged in the
// background), SQLite in-place merges and pending deltas folded by its compactor.
//
// For each scale: the 30-day /api/heatmap of the busiest page (page 0 by construction), read
// through a real collector on each store (the first read warms caches, then --reads - 1 timed
// reads: median and p95), the two answers compared byte for byte and their page views checked
// against the generator's count; bytes on disk per page view (SQLite: file + WAL; ClickHouse:
// active parts in system.parts on both shards). ClickHouse is measured twice: right after
// loading (parts as the inserts left them, background merges still running) and after
// OPTIMIZE TABLE ... FINAL on each shard (one part per partition).
// Writes bench/results/collector-read-scale.json. Not part of npm test (15-22 minutes on this machine kind, with other work beside it).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { startCluster } from '../../tests/collector/clickhouse.mjs';
import { auth, cli, collectorBin, createSite, request, startServer, tempDir } from '../../tests/collector/helpers.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const GEN = path.join(path.dirname(collectorBin), 'collector_read_scale_gen');
const argValue = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const SCALES = argValue('scales', '1e6,1e7').split(',').map(Number);
const READS = Number(argValue('reads', '21'));
const SLICES = Number(argValue('slices-per-day', '1'));
const ORIGIN = 'https://shop.example';
const DAYS = 30;

const elapsed = (t0) => +((Date.now() - t0) / 1000).toFixed(1);
const log = (s) => console.error(`read_scale: ${s}`);

// `reads` reads of `url`; the first warms caches and is not timed. Returns the timings and the
// last body (every body must be the same).
async function timeReads(url, token) {
  const times = [];
  let body = null;
  for (let i = 0; i < READS; i++) {
    const t0 = process.hrtime.bigint();
    const r = await request(url, { headers: auth(token) });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 200) throw new Error(`read ${r.status}: ${r.text.slice(0, 300)}`);
    if (body !== null && r.text !== body) throw new Error(`${url}: two reads of the same data differ`);
    body = r.text;
    if (i > 0) times.push(ms);
  }
  times.sort((a, b) => a - b);
  const at = (q) => times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)];
  return { timing: { reads: times.length, median_ms: +at(0.5).toFixed(1), p95_ms: +at(0.95).toFixed(1), min_ms: +times[0].toFixed(1) }, body };
}

async function clickhouseParts(c, db) {
  let bytes = 0, parts = 0, rows = 0;
  for (let i = 0; i < c.shards.length; i++) {
    const r = await c.query(i, `SELECT sum(bytes_on_disk), count(), sum(rows) FROM system.parts WHERE active AND database = '${db}' FORMAT TabSeparated`);
    if (r.status !== 200) throw new Error(r.text);
    const [b, p, n] = r.text.trim().split('\t').map(Number);
    bytes += b;
    parts += p;
    rows += n;
  }
  return { bytes, parts, rows };
}

async function oneScale(c, pageViews) {
  const tmp = tempDir();
  const db = `scale_${pageViews}`;
  const url = c.url(db);
  const servers = [];
  try {
    const site = createSite(tmp.db, [ORIGIN]);
    // The site (key and read token) into ClickHouse too: both stores answer the same query.
    const imp = cli(['import', '--from', tmp.db, '--store', url]);
    if (imp.status !== 0) throw new Error(`import: ${imp.stderr}`);
    let t0 = Date.now();
    log(`${pageViews} page views: generating and loading both stores`);
    const g = spawnSync(GEN, ['--page-views', String(pageViews), '--db', tmp.db, '--store', url, '--site', site.site_key,
      '--days', String(DAYS), '--slices-per-day', String(SLICES)], { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (g.status !== 0) throw new Error(`collector_read_scale_gen: ${g.stderr}`);
    const gen = JSON.parse(g.stdout);
    const out = { page_views: pageViews, generated: gen, load_seconds: elapsed(t0) };
    log(`loaded in ${out.load_seconds} s: ${JSON.stringify(gen)}`);

    const sqliteBytes = statSync(tmp.db).size + (existsSync(`${tmp.db}-wal`) ? statSync(`${tmp.db}-wal`).size : 0);
    const loaded = await clickhouseParts(c, db);

    const sq = await startServer(tmp.db);
    servers.push(sq);
    const ch = await startServer(url);
    servers.push(ch);
    const top = async (base) => (await request(`${base}/api/pages?site=${site.site_key}&limit=1`, { headers: auth(site.read_token) })).json().pages[0].page;
    const [sqTop, chTop] = [await top(sq.base), await top(ch.base)];
    if (sqTop !== gen.busiest_page || chTop !== gen.busiest_page)
      throw new Error(`busiest page: generator ${gen.busiest_page}, SQLite ${sqTop}, ClickHouse ${chTop}`);
    const today = new Date().toISOString().slice(0, 10);
    const from = new Date(Date.now() - (DAYS - 1) * 86400e3).toISOString().slice(0, 10);
    const query = `/api/heatmap?${new URLSearchParams({ site: site.site_key, page: gen.busiest_page, from, to: today })}`;

    t0 = Date.now();
    const sqRead = await timeReads(sq.base + query, site.read_token);
    const chLoaded = await timeReads(ch.base + query, site.read_token);
    const heat = JSON.parse(sqRead.body);
    if (heat.counters.page_views !== gen.busiest_page_views)
      throw new Error(`SQLite read ${heat.counters.page_views} page views; the generator wrote ${gen.busiest_page_views}`);
    if (chLoaded.body !== sqRead.body) throw new Error('ClickHouse (as loaded) and SQLite answer the same read differently');
    const cells = heat.layers ? Object.values(heat.layers).reduce((n, l) => n + l.length, 0) : null;

    // The same cluster after every shard merged its parts into one per partition.
    t0 = Date.now();
    for (let i = 0; i < c.shards.length; i++) {
      const r = await c.query(i, `OPTIMIZE TABLE ${db}.cells_local FINAL`);
      if (r.status !== 200) throw new Error(`OPTIMIZE on shard ${i}: ${r.text}`);
    }
    const optimizeSeconds = elapsed(t0);
    const merged = await clickhouseParts(c, db);
    const chMerged = await timeReads(ch.base + query, site.read_token);
    if (chMerged.body !== sqRead.body) throw new Error('ClickHouse (merged) and SQLite answer the same read differently');

    const perPv = (b) => +(b / pageViews).toFixed(1);
    out.read = {
      page: gen.busiest_page,
      page_views: gen.busiest_page_views,
      response_bytes: sqRead.body.length,
      layer_cells: cells,
      elements: heat.elements ? heat.elements.length : null,
      sqlite: sqRead.timing,
      clickhouse_as_loaded: chLoaded.timing,
      clickhouse_optimized: chMerged.timing,
    };
    out.storage = {
      sqlite: { bytes: sqliteBytes, bytes_per_page_view: perPv(sqliteBytes) },
      clickhouse_as_loaded: { ...loaded, bytes_per_page_view: perPv(loaded.bytes) },
      clickhouse_optimized: { ...merged, bytes_per_page_view: perPv(merged.bytes), optimize_seconds: optimizeSeconds },
    };
    log(`${pageViews}: ${JSON.stringify(out.read)} ${JSON.stringify(out.storage)}`);
    return out;
  } finally {
    for (const s of servers) if (s.proc.exitCode === null && s.proc.signalCode === null) s.proc.kill('SIGKILL');
    for (let i = 0; i < c.shards.length; i++) await c.query(i, `DROP DATABASE IF EXISTS ${db}`).catch(() => {});
    tmp.cleanup();
  }
}

const ratio = (a, b) => +(a / b).toFixed(2);

async function main() {
  if (!existsSync(GEN)) throw new Error(`${GEN} is missing: build it (source scripts/lib.sh; cmake_build build collector_read_scale_gen)`);
  const started = Date.now();
  const c = await startCluster(2);
  const result = { days: DAYS, shards: 2, reads: READS - 1, slices_per_day: SLICES, scales: [] };
  try {
    for (const n of SCALES) result.scales.push(await oneScale(c, n));
  } finally {
    await c.stop();
  }
  result.ratios = {};
  for (const s of result.scales) {
    const tag = s.page_views >= 1e6 ? `${s.page_views / 1e6}M` : String(s.page_views);
    result.ratios[tag] = {
      read_clickhouse_as_loaded_vs_sqlite: ratio(s.read.clickhouse_as_loaded.median_ms, s.read.sqlite.median_ms),
      read_clickhouse_optimized_vs_sqlite: ratio(s.read.clickhouse_optimized.median_ms, s.read.sqlite.median_ms),
      bytes_clickhouse_as_loaded_vs_sqlite: ratio(s.storage.clickhouse_as_loaded.bytes, s.storage.sqlite.bytes),
      bytes_clickhouse_optimized_vs_sqlite: ratio(s.storage.clickhouse_optimized.bytes, s.storage.sqlite.bytes),
    };
  }
  if (result.scales.length >= 2) {
    const [a, b] = [result.scales[0], result.scales[result.scales.length - 1]];
    result.ratios[`${b.page_views / a.page_views}x_page_views`] = {
      read_sqlite: ratio(b.read.sqlite.median_ms, a.read.sqlite.median_ms),
      read_clickhouse_as_loaded: ratio(b.read.clickhouse_as_loaded.median_ms, a.read.clickhouse_as_loaded.median_ms),
      read_clickhouse_optimized: ratio(b.read.clickhouse_optimized.median_ms, a.read.clickhouse_optimized.median_ms),
      bytes_sqlite: ratio(b.storage.sqlite.bytes, a.storage.sqlite.bytes),
      bytes_clickhouse_optimized: ratio(b.storage.clickhouse_optimized.bytes, a.storage.clickhouse_optimized.bytes),
    };
  }
  result.seconds = elapsed(started);
  mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(path.join(ROOT, 'bench/results/collector-read-scale.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify(result, null, 2));
}

await main();
