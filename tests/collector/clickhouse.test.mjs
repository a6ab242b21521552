// The ClickHouse store (docs/scale-out.md) against a real two-shard cluster this file starts
// itself (tests/collector/clickhouse.mjs): every server is killed by pid in t.after.
import assert from 'node:assert/strict';
import net from 'node:net';
import path from 'node:path';
import { test } from 'node:test';

import { startCluster } from './clickhouse.mjs';
import { auth, cli, collectorFor, createSite, encode, getJson, postReport, request, sampleReport, startServer, tempDir } from './helpers.mjs';
import { expectedCounts, flatten, postOnDays } from './survey-seed.mjs';

test('the test cluster: two shards, a Distributed table keeps each page on one shard', async (t) => {
  const c = await startCluster(2);
  t.after(() => c.stop());
  for (let i = 0; i < 2; i++) {
    assert.equal((await c.query(i, 'CREATE DATABASE probe')).status, 200);
    assert.equal((await c.query(i, 'CREATE TABLE probe.t (site String, page String, v UInt64) ENGINE = MergeTree ORDER BY (site, page)')).status, 200);
    assert.equal((await c.query(i, 'CREATE TABLE probe.d AS probe.t ENGINE = Distributed(thermograph, probe, t, sipHash64(site, page))')).status, 200);
  }
  let rows = '';
  for (let p = 0; p < 20; p++) rows += `s\tpage${p}\t1\ns\tpage${p}\t2\n`;
  const ins = await c.query(0, `INSERT INTO probe.d FORMAT TabSeparated\n${rows}`, { settings: 'insert_distributed_sync=1' });
  assert.equal(ins.status, 200, ins.text);
  const local = [];
  for (let i = 0; i < 2; i++) local.push((await c.query(i, 'SELECT page, count() FROM probe.t GROUP BY page ORDER BY page FORMAT TabSeparated')).text.trim().split('\n'));
  assert.ok(local[0].length > 0 && local[1].length > 0, 'both shards hold pages');
  assert.equal(local[0].length + local[1].length, 20, 'each page on exactly one shard');
  for (const line of [...local[0], ...local[1]]) assert.match(line, /\t2$/);
  const all = await c.query(1, 'SELECT sum(v) FROM probe.d FORMAT TabSeparated');
  assert.equal(all.text, '60\n');
});

// --- the collector on ClickHouse ------------------------------------------------------------

const ORIGIN = 'https://shop.example';
const PAGES = [
  'https://shop.example/pricing',
  'https://shop.example/cart',
  // hostile keys: quotes, backslashes and SQL for the literal escaping, a tab for TabSeparated
  "https://shop.example/it's/a\\path/'); DROP TABLE cells_local; --",
  'https://shop.example/tab\there/ünïcode/%27',
];

// Ground truth by construction: a fixed set of reports over pages, segments, variants, tags,
// elements with stable keys and journey steps, and layers; reports i and i+1 differ.
function reports(siteKey) {
  const out = [];
  for (let i = 0; i < 48; i++) {
    const page = PAGES[i % PAGES.length];
    out.push(sampleReport(siteKey, {
      segment: {
        page,
        width_class: i % 3,
        device: 1 + (i % 2),
        variant: ['A', 'B'][(i >> 2) % 2],
        logged_in: i % 5 === 0,
        tracker_version: 1 + (i % 7 === 0 ? 1 : 0),
        tags: i % 4 === 0 ? { plan: 'pro', team: 'x.y:z-w_v' } : i % 4 === 1 ? { plan: 'free' } : {},
      },
      counters: { page_views: i % 6 === 5 ? 0 : 1, pv_clicked: i % 2, conversions: i % 3 === 0 ? 1 : 0, fold_sum: 700 + i, pv_dead_swipe: i % 3 === 1 ? 1 : 0 },
      // route_from (wire version 5): 31-bit route hashes, some reports without one.
      layers: { clicks: [[16 * (i % 5), 192, 1 + (i % 3)], [112, 192, 1]], move: [[16 * (i % 4), 48, 2 + i]], reach_px: i % 2 ? [[0, 1], [1, 1]] : [[0, 1]], ...(i % 3 ? { route_from: [[[12345, 2 ** 31 - 1][i % 2], 1]] } : {}) },
      elements: [
        // Journey steps (wire version 5), one of them from an element with nothing else.
        { key: '00000042', next: [['deadbeef', 1]] },
        { key: (0x100 + (i % 3)).toString(16).padStart(8, '0'), fixed: i % 2 === 0, counters: { hover: i }, next: [['deadbeef', 1]] },
        { key: 'deadbeef', stable: 'cafe0001', interactive: true, counters: { clicks: 1 + (i % 4), pv_clicked: 1, pv_submitted: i % 2, exposure: 7 + i }, cells: [[i % 3, 1, 2], [4, 4, 1]], next: [[(0x100 + ((i + 1) % 3)).toString(16).padStart(8, '0'), 1]] },
      ],
    }));
  }
  return out;
}


// Every read the API and the CLI offer, as raw bytes, keyed by a label.
async function reads(server, site, db, pages) {
  const out = {};
  const q = (path, params) => `${server.base}${path}?${new URLSearchParams({ site: site.site_key, ...params })}`;
  const get = async (label, path, params) => {
    const r = await request(q(path, params), { headers: auth(site.read_token) });
    out[label] = `${r.status} ${r.headers['content-type']}\n${r.body.toString('base64')}\n${r.text}`;
  };
  for (const page of pages) {
    await get(`heatmap ${page}`, '/api/heatmap', { page });
    await get(`heatmap bin ${page}`, '/api/heatmap', { page, format: 'bin' });
    await get(`heatmap B mobile ${page}`, '/api/heatmap', { page, variant: 'B', device: 'touch' });
    await get(`heatmap tags ${page}`, '/api/heatmap', { page, tag: 'team:x.y:z-w_v' });
    await get(`heatmap layer ${page}`, '/api/heatmap', { page, layer: 'clicks,move', elements: '0', width: '1' });
    await get(`elements ${page}`, '/api/elements.csv', { page });
    await get(`insights ${page}`, '/api/insights', { page });
    await get(`compare ${page}`, '/api/compare', { page, 'a.variant': 'A', 'b.variant': 'B' });
    await get(`segments ${page}`, '/api/segments', { page });
  }
  await get('none', '/api/heatmap', { page: 'https://shop.example/never' });
  await get('pages', '/api/pages', {});
  await get('pages window', '/api/pages', { limit: '2', offset: '1' });
  await get('stats', '/api/stats', {});
  for (const format of ['json', 'csv']) {
    const r = cli(['export', '--db', db, '--site', site.site_key, '--format', format]);
    out[`export ${format}`] = `${r.status}\n${r.stdout}${r.stderr}`;
  }
  return out;
}

function assertSameReads(a, b, what) {
  assert.deepEqual(Object.keys(a), Object.keys(b));
  for (const k of Object.keys(a)) assert.equal(b[k], a[k], `${what}: ${k}`);
}

const storedPages = async (server, site) =>
  (await getJson(`${server.base}/api/pages?site=${site.site_key}&limit=1000`, site.read_token)).body.pages.map((p) => p.page).sort();

const pageViews = async (server, site, page) => {
  const r = await getJson(`${server.base}/api/heatmap?${new URLSearchParams({ site: site.site_key, page })}`, site.read_token);
  return r.status === 404 ? 0 : r.body.counters.page_views;
};

// A two-shard cluster with one site moved into its database `db` by import, as operators move a
// site over: the site's key and token are the same in tmp.db (SQLite) and on the cluster.
async function clusterSite(t, db) {
  const c = await startCluster(2);
  t.after(() => c.stop());
  const tmp = tempDir();
  t.after(() => tmp.cleanup());
  const site = createSite(tmp.db, [ORIGIN]);
  const url = c.url(db);
  const imp = cli(['import', '--from', tmp.db, '--store', url]);
  assert.equal(imp.status, 0, imp.stderr);
  assert.match(imp.stdout, /imported 1 sites \(1 new\) and 0 rows/);
  return { c, tmp, site, url };
}

test('the same reports read back byte for byte the same from SQLite and from ClickHouse (two collectors)', async (t) => {
  const { c, tmp, site, url } = await clusterSite(t, 'same');

  const sqlite = await collectorFor(t, tmp.db);
  const chA = await collectorFor(t, url);
  const chB = await collectorFor(t, url);

  const list = reports(site.site_key);
  for (let i = 0; i < list.length; i++) {
    const bytes = encode(list[i]);
    for (const s of [sqlite, i % 2 ? chA : chB]) {
      const r = await postReport(s.base, bytes, { Origin: ORIGIN });
      assert.equal(r.status, 204, r.text);
    }
  }
  // Each page lives on one shard (which one depends on the random site key).
  const perShard = [];
  for (let i = 0; i < 2; i++) perShard.push((await c.query(i, "SELECT uniqExact(page) FROM same.cells_local WHERE kind = 0 FORMAT TabSeparated")).text.trim());
  assert.equal(Number(perShard[0]) + Number(perShard[1]), PAGES.length);

  // The page keys as stored (the collector re-checks them: docs/privacy.md), hostile ones kept.
  const stored = await storedPages(sqlite, site);
  assert.equal(stored.length, PAGES.length);
  assert.ok(stored.some((p) => p.includes("')")) && stored.some((p) => p.includes('\t')), stored.join(' | '));
  const want = await reads(sqlite, site, tmp.db, stored);
  // Ground truth spot checks (so two equally wrong stores cannot pass).
  const views = list.filter((r) => r.segment.page === PAGES[0]).reduce((n, r) => n + r.counters.page_views, 0);
  assert.equal(await pageViews(sqlite, site, PAGES[0]), views);
  let total = 0;
  for (const page of stored) total += await pageViews(sqlite, site, page);
  assert.equal(total, list.reduce((n, r) => n + r.counters.page_views, 0));
  assert.match(want[`heatmap ${PAGES[0]}`], /^200 /);
  assert.match(want[`heatmap tags ${PAGES[0]}`], /^200 /);
  assert.match(want[`compare ${PAGES[1]}`], /^200 /);
  assert.match(want.none, /^404 /);
  assert.match(want['export json'], /^0\n/);
  // Journeys of PAGES[0] (reports 0, 4, .., 44): every report steps 00000042 -> deadbeef, a third
  // of them each 0000010x -> deadbeef and deadbeef -> 0000010x; route_from 12345 where i % 3.
  const first = JSON.parse(want[`heatmap ${PAGES[0]}`].split('\n').slice(2).join('\n'));
  const next = Object.fromEntries(first.elements.filter((e) => e.next).map((e) => [e.key, e.next]));
  const hex = (k) => k.toString(16).padStart(8, '0');
  assert.deepEqual(next, {
    '00000042': [['deadbeef', 12]],
    ...Object.fromEntries([0x100, 0x101, 0x102].map((k) => [hex(k), [['deadbeef', 4]]])),
    deadbeef: [0x100, 0x101, 0x102].map((k) => [hex(k), 4]),
  });
  assert.deepEqual(first.layers.route_from, [[12345, 8]]);
  assertSameReads(want, await reads(chA, site, url, stored), 'ClickHouse via collector A');
  assertSameReads(want, await reads(chB, site, url, stored), 'ClickHouse via collector B');

  // The collector-wide counters add up over both collectors.
  const stats = JSON.parse(cli(['stats', '--store', url]).stdout);
  assert.equal(stats.accepted, list.length);
  assert.equal(stats.sites, 1);
});

test('a shard down: 503 with Retry-After, nothing acknowledged and nothing stored; back up: accepted again', async (t) => {
  const { c, site, url } = await clusterSite(t, 'down');
  const server = await collectorFor(t, url);
  const bytes = encode(sampleReport(site.site_key, { segment: { page: PAGES[0] } }));
  assert.equal((await postReport(server.base, bytes)).status, 204);

  await c.kill(1);
  for (const page of PAGES) {  // pages on either shard: the batch is refused whole
    const r = await postReport(server.base, encode(sampleReport(site.site_key, { segment: { page } })));
    assert.equal(r.status, 503, r.text);
    assert.equal(JSON.parse(r.text).reason, 'store_unavailable');
    assert.ok(Number(r.headers['retry-after']) > 0);
  }
  const health = await request(`${server.base}/healthz`);
  assert.equal(health.status, 503);
  const read = await getJson(`${server.base}/api/pages?site=${site.site_key}`, site.read_token);
  assert.equal(read.status, 503);
  assert.equal(read.body.reason, 'store_unavailable');
  assert.ok(Number(read.headers['retry-after']) > 0);

  await c.start(1);
  // Nothing of the refused reports reached either shard: the first page still counts 1, the
  // others 0 (nothing acknowledged, nothing half-stored).
  assert.equal(await pageViews(server, site, PAGES[0]), 1);
  for (const page of PAGES.slice(1)) assert.equal(await pageViews(server, site, page), 0);
  assert.equal((await postReport(server.base, bytes)).status, 204);
  assert.equal(await pageViews(server, site, PAGES[0]), 2);
});

test('schema version: a cluster of another version is refused with one clear line', async (t) => {
  const c = await startCluster(2);
  t.after(() => c.stop());
  const url = c.url('versioned');
  const first = cli(['stats', '--store', url]);  // creates the schema on both shards
  assert.equal(first.status, 0, first.stderr);
  assert.equal(JSON.parse(first.stdout).sites, 0);
  assert.equal((await c.query(1, 'INSERT INTO versioned.schema_version VALUES (99)')).status, 200);
  const r = cli(['stats', '--store', url]);
  assert.equal(r.status, 1);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /shard 127\.0\.0\.1:\d+ database versioned has schema version 99; this collector needs 1/);
  const tmp = tempDir();
  t.after(() => tmp.cleanup());
  await assert.rejects(startServer(url), /schema version 99/);
  // A URL whose shard list does not match the cluster is refused too.
  const one = cli(['stats', '--store', `clickhouse://127.0.0.1:${c.shards[0].http}/other`]);
  assert.equal(one.status, 1);
  assert.match(one.stderr, /cluster 'thermograph'.*the store URL lists 1 shards/);
  // Tables made before wire version 4 (value columns v0..v10) get the new columns in place.
  const cols = (n) => ['site String, page String, date Date, width UInt8, device UInt8, logged_in UInt8, variant String, tags String, kind UInt8, layer UInt8, elem UInt32, stable UInt32, flags UInt8, version UInt16, idx UInt32, batch String, n UInt64', ...Array.from({ length: n }, (_, i) => `v${i} UInt64`)].join(', ');
  for (let i = 0; i < 2; i++) {
    for (const sql of ['CREATE DATABASE legacy', 'CREATE TABLE legacy.schema_version (version UInt32) ENGINE = TinyLog', 'INSERT INTO legacy.schema_version VALUES (1)',
      `CREATE TABLE legacy.cells_local (${cols(11)}) ENGINE = SummingMergeTree PARTITION BY toYYYYMM(date) ORDER BY (site, page, date, width, device, logged_in, variant, tags, kind, layer, elem, idx, stable, flags, version, batch)`,
      "CREATE TABLE legacy.cells AS legacy.cells_local ENGINE = Distributed(thermograph, legacy, cells_local, sipHash64(site, page))"])
      assert.equal((await c.query(i, sql)).status, 200, sql);
  }
  const legacy = cli(['stats', '--store', c.url('legacy')]);
  assert.equal(legacy.status, 0, legacy.stderr);
  for (let i = 0; i < 2; i++) {
    const r = await c.query(i, "SELECT table, count() FROM system.columns WHERE database = 'legacy' AND match(name, '^v[0-9]+$') GROUP BY table ORDER BY table");
    assert.equal(r.text, 'cells\t23\ncells_local\t23\n');
  }
  // An empty version table (a first start cut short) gets the version like a new database.
  for (let i = 0; i < 2; i++) {
    assert.equal((await c.query(i, 'CREATE DATABASE fresh')).status, 200);
    assert.equal((await c.query(i, 'CREATE TABLE fresh.schema_version (version UInt32) ENGINE = TinyLog')).status, 200);
  }
  const fresh = cli(['stats', '--store', c.url('fresh')]);
  assert.equal(fresh.status, 0, fresh.stderr);
  for (let i = 0; i < 2; i++) assert.equal((await c.query(i, 'SELECT version FROM fresh.schema_version FORMAT TabSeparated')).text, '1\n');
  const both = cli(['stats', '--db', '/nonexistent.sqlite', '--store', url]);
  assert.equal(both.status, 64);
  assert.match(both.stderr, /--db and --store are alternatives/);
  const bad = cli(['stats', '--store', 'clickhouse://127.0.0.1:1/x;y']);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /database name must be/);
});

// A TCP proxy in front of one ClickHouse HTTP port that passes everything through, except that
// the first request containing `needle` runs to its end in ClickHouse (the answer has started to
// come back) and then the connection is cut: an insert that happened, its acknowledgement lost.
function lossyProxy(targetPort, needle, state) {
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    let sent = '';
    let doomed = false;
    client.on('data', (d) => {
      if (sent.length < 65536) sent += d.toString('latin1');
      if (state.dropped === 0 && !doomed && sent.includes(needle)) doomed = true;
      upstream.write(d);
    });
    client.on('end', () => upstream.end());
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    upstream.on('data', (d) => {
      if (doomed) {
        if (state.dropped++ === 0) {
          client.destroy();
          upstream.destroy();
          return;
        }
      }
      client.write(d);
    });
    upstream.on('end', () => client.end());
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ port: server.address().port, close: () => new Promise((r) => server.close(r)) })));
}

test('an insert whose answer is lost is retried with its batch id and counted once', async (t) => {
  const { c, site } = await clusterSite(t, 'retry');
  const proxies = [];
  const state = { dropped: 0 };
  for (const s of c.shards) proxies.push(await lossyProxy(s.http, 'INSERT INTO retry.cells FORMAT', state));
  t.after(() => Promise.all(proxies.map((p) => p.close())));
  const url = `clickhouse://${proxies.map((p) => `127.0.0.1:${p.port}`).join(',')}/retry`;
  const server = await collectorFor(t, url);

  const r = await postReport(server.base, encode(sampleReport(site.site_key, { segment: { page: PAGES[1] } })));
  assert.equal(r.status, 204, r.text);
  assert.equal(state.dropped, 1, 'the first insert lost its answer');
  assert.equal(await pageViews(server, site, PAGES[1]), 1);
  const st = cli(['stats', '--store', c.url('retry')]);  // spawnSync: not through the proxies
  assert.equal(st.status, 0, st.stderr);
  assert.equal(JSON.parse(st.stdout).accepted, 1);
  // The data went in once: one page row in the cluster, one marker of one batch.
  const rows = await c.query(0, "SELECT countIf(kind = 0), countIf(kind = 4), uniqExact(batch) - 1 FROM retry.cells WHERE page != '#stats' FORMAT TabSeparated");
  assert.equal(rows.text, '1\t1\t1\n');
});

test('prune drops whole months per shard and the older days of the current month', async (t) => {
  const { c, site, url } = await clusterSite(t, 'pruned');
  const server = await collectorFor(t, url);
  for (const page of PAGES) assert.equal((await postReport(server.base, encode(sampleReport(site.site_key, { segment: { page } })))).status, 204);
  // Old rows of two pages, written as the collector would have written them on those days
  // (the page row of a report: kind 0, page_views in v0): 400 and 100 days ago.
  const old = (page, days) => `${site.site_key}\t${page}\t${new Date(Date.now() - days * 86400e3).toISOString().slice(0, 10)}\t0\t1\t0\t\t{}\t0\t0\t0\t0\t0\t1\t0\t\t1\t5\n`;
  const ins = await c.query(0, `INSERT INTO pruned.cells (site, page, date, width, device, logged_in, variant, tags, kind, layer, elem, stable, flags, version, idx, batch, n, v0) FORMAT TabSeparated\n${old('https://shop.example/old', 400)}${old('https://shop.example/older', 100)}`, { settings: 'insert_distributed_sync=1' });
  assert.equal(ins.status, 200, ins.text);
  const before = await storedPages(server, site);
  assert.equal(before.length, PAGES.length + 2);

  const r = cli(['prune', '--store', url, '--older-than', '30']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^deleted 2 rows older than /);
  const kept = before.filter((p) => !p.endsWith('/old') && !p.endsWith('/older'));
  assert.deepEqual(await storedPages(server, site), kept);
  for (const page of kept) assert.equal(await pageViews(server, site, page), 1);
  // The old months' partitions are gone from both shards; the counters (partition 197001) stay.
  for (let i = 0; i < 2; i++) {
    const parts = (await c.query(i, "SELECT DISTINCT partition FROM system.parts WHERE active AND database = 'pruned' AND table = 'cells_local' FORMAT TabSeparated")).text.trim().split('\n');
    const months = new Set([new Date(Date.now() - 400 * 86400e3), new Date(Date.now() - 100 * 86400e3)].map((d) => d.toISOString().slice(0, 7).replace('-', '')));
    for (const m of months) assert.ok(!parts.includes(m), `shard ${i} still has ${m}: ${parts}`);
  }
  assert.equal(JSON.parse(cli(['stats', '--store', url]).stdout).accepted, PAGES.length);

  // The cutoff's own month: its earlier days go by a background DELETE (a bounded wait), the
  // cutoff day stays. A cutoff on the 2nd or later, so the day before is in the same month.
  let k = 40;
  while (new Date(Date.now() - k * 86400e3).getUTCDate() < 2) k++;
  const more = await c.query(0, `INSERT INTO pruned.cells (site, page, date, width, device, logged_in, variant, tags, kind, layer, elem, stable, flags, version, idx, batch, n, v0) FORMAT TabSeparated\n${old('https://shop.example/partial', k + 1)}${old('https://shop.example/kept', k)}`, { settings: 'insert_distributed_sync=1' });
  assert.equal(more.status, 200, more.text);
  const p2 = cli(['prune', '--store', url, '--older-than', String(k)]);
  assert.equal(p2.status, 0, p2.stderr);
  assert.match(p2.stdout, /^deleted 1 rows older than /);
  let pages = [];
  for (let i = 0; i < 200; i++) {
    pages = await storedPages(server, site);
    if (!pages.some((p) => p.endsWith('/partial'))) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.deepEqual(pages, [...kept, 'https://shop.example/kept'].sort());
});

test('import moves an SQLite store with data into ClickHouse: the same reads', async (t) => {
  const c = await startCluster(2);
  t.after(() => c.stop());
  const tmp = tempDir();
  t.after(() => tmp.cleanup());
  const site = createSite(tmp.db, [ORIGIN]);
  const sqlite = await startServer(tmp.db, ['--rate', '0']);
  for (const report of reports(site.site_key)) assert.equal((await postReport(sqlite.base, encode(report))).status, 204);
  const stored = await storedPages(sqlite, site);
  // What a designer's overlay adds: an element name (in elements.csv) and a re-anchoring figure.
  const designer = (path, body) => request(`${sqlite.base}${path}?site=${site.site_key}`, {
    method: 'POST', body: Buffer.from(JSON.stringify(body)), headers: { 'Content-Type': 'application/json', ...auth(site.read_token) },
  });
  assert.equal((await designer('/api/names', { page: stored[0], names: [{ key: 'deadbeef', role: 'button', name: 'Buy now' }] })).status, 200);
  assert.equal((await designer('/api/anchoring', { page: stored[0], elements: 10, found: 9, missing_share: 0.05 })).status, 200);
  const anchoring = async (server) => (await getJson(`${server.base}/api/dashboard?site=${site.site_key}`, site.read_token)).body.pages.map((p) => [p.page, p.anchoring && { ...p.anchoring }]);
  const wantAnchoring = await anchoring(sqlite);
  assert.ok(wantAnchoring.some(([, a]) => a && a.found === 9), JSON.stringify(wantAnchoring));
  const want = await reads(sqlite, site, tmp.db, stored);
  assert.match(want[`elements ${stored[0]}`], /Buy now/);
  // Micro-survey answers on two days, on pages of both shards (7 pages: all on one shard with
  // probability 2^-6); each direction must carry every (page, survey, element, answer, day) count.
  const today = Math.floor(Date.now() / 86400000);
  const given = [];
  for (const [day, n] of [[today - 2, 2], [today - 1, 1]])
    for (let i = 0; i < 7; i++)
      for (let k = 0; k < n + (i % 2); k++) given.push({ day, page: `${ORIGIN}/s${i}`, survey: i < 3 ? 'broken' : 'rate', element: i < 3 ? 9 + i : 0, answer: i < 3 ? (k % 2 ? 'no' : 'yes') : 1 + ((i + k) % 5) });
  await postOnDays(sqlite.base, tmp.db, site.site_key, given, today);
  const surveyQueries = { '': [], [`&from=${today - 2}&to=${today - 2}`]: [today - 2, today - 2], [`&to=${today - 1}&from=${today - 1}`]: [today - 1, today - 1] };
  const surveys = async (server) => {
    const out = {};
    for (const [q, days] of Object.entries(surveyQueries)) {
      const g = await getJson(`${server.base}/api/surveys?site=${site.site_key}${q}`, site.read_token);
      assert.equal(g.status, 200, JSON.stringify(g.body));
      assert.deepEqual(flatten(g.body.pages), expectedCounts(given, ...days), `surveys${q}`);
      out[q] = g.body.pages;
    }
    return out;
  };
  const wantSurveys = await surveys(sqlite);
  await sqlite.stop();

  const url = c.url('moved');
  const imp = cli(['import', '--from', tmp.db, '--store', url]);
  assert.equal(imp.status, 0, imp.stderr);
  assert.match(imp.stdout, new RegExp(`imported 1 sites \\(1 new\\) and \\d+ rows, ${given.length} survey answers`));
  const again = cli(['import', '--from', tmp.db, '--store', url]);
  assert.equal(again.status, 1, 'a second import would count twice');
  assert.match(again.stderr, /already holds rows of site/);

  const ch = await collectorFor(t, url);
  assertSameReads(want, await reads(ch, site, url, stored), 'imported into ClickHouse');
  assert.deepEqual(await anchoring(ch), wantAnchoring);
  assert.deepEqual(await surveys(ch), wantSurveys, 'survey answers imported into ClickHouse');
  assert.equal(JSON.parse(cli(['stats', '--store', url]).stdout).accepted, reports(site.site_key).length);

  // And back: ClickHouse rows (page x day x segment, read one by one) into a new SQLite file.
  const back = path.join(tmp.dir, 'back.sqlite');
  const out = cli(['import', '--from', url, '--db', back]);
  assert.equal(out.status, 0, out.stderr);
  const rowsIn = Number(/and (\d+) rows/.exec(imp.stdout)[1]);
  assert.match(out.stdout, new RegExp(`imported 1 sites \\(1 new\\) and ${rowsIn} rows`));
  const sqliteBack = await collectorFor(t, back);
  assertSameReads(want, await reads(sqliteBack, site, back, stored), 'SQLite -> ClickHouse -> SQLite');
  assert.match(out.stdout, new RegExp(`, ${given.length} survey answers`));
  assert.deepEqual(await surveys(sqliteBack), wantSurveys, 'survey answers SQLite -> ClickHouse -> SQLite');
});

// The operator's and the dashboard's store calls on the cluster: rotate-token, update --origin,
// delete, element names and re-anchoring figures from the overlay, and the database size /metrics
// reports.
test('on ClickHouse: rotate-token, update --origin, element names, re-anchoring figures, database size, delete', async (t) => {
  const c = await startCluster(2);
  t.after(() => c.stop());
  const url = c.url('ops');
  const site = createSite(url, [ORIGIN]);
  const other = createSite(url, ['https://other.example'], 'other');
  const server = await collectorFor(t, url);
  const until = async (fn) => {
    for (let i = 0; i < 100; i++) {
      if (await fn()) return true;
      await new Promise((r) => setTimeout(r, 50));
    }
    return false;
  };
  const post = (origin = ORIGIN, page = `${ORIGIN}/pricing`) =>
    postReport(server.base, encode(sampleReport(site.site_key, { segment: { page } })), { Origin: origin });
  assert.equal((await post()).status, 204);
  const pagesUrl = `${server.base}/api/pages?site=${site.site_key}`;

  const rot = cli(['site', 'rotate-token', '--store', url, '--site', site.site_key, '--json']);
  assert.equal(rot.status, 0, rot.stderr);
  const { read_token: fresh } = JSON.parse(rot.stdout);
  assert.ok(await until(async () => (await getJson(pagesUrl, site.read_token)).status === 403), 'old token refused');
  assert.equal((await getJson(pagesUrl, fresh)).body.pages[0].page_views, 1);

  const up = cli(['site', 'update', '--store', url, '--site', site.site_key, '--origin', 'https://new.example', '--name', 'renamed']);
  assert.equal(up.status, 0, up.stderr);
  const list = JSON.parse(cli(['site', 'list', '--store', url, '--json']).stdout);
  assert.deepEqual(list.map((s) => [s.site_key, s.name, s.origins]).sort(),
    [[site.site_key, 'renamed', ['https://new.example']], [other.site_key, 'other', ['https://other.example']]].sort());
  assert.ok(await until(async () => (await post()).status === 403), 'the old origin is refused after update');
  assert.equal((await post('https://new.example', 'https://new.example/pricing')).status, 204);

  // Element names (the overlay posts them with the read token); the CSV names the element.
  const names = await request(`${server.base}/api/names?site=${site.site_key}`, {
    method: 'POST', headers: { ...auth(fresh), 'Content-Type': 'application/json' },
    body: Buffer.from(JSON.stringify({ page: 'https://new.example/pricing', names: [{ key: 'deadbeef', role: 'button', name: 'Buy now' }] })),
  });
  assert.equal(names.status, 200, names.text);
  assert.equal(names.json().stored, 1);
  const csv = await getJson(`${server.base}/api/elements.csv?site=${site.site_key}&page=${encodeURIComponent('https://new.example/pricing')}`, fresh);
  assert.equal(csv.status, 200);
  assert.match(csv.body, /deadbeef.*'Buy now' button/);

  // Re-anchoring figures (the overlay posts them with the read token): the latest per page is
  // what the dashboard shows, also when two land within one second; the per-site bound holds.
  const anchoring = (body) => request(`${server.base}/api/anchoring?site=${site.site_key}`, {
    method: 'POST', headers: { ...auth(fresh), 'Content-Type': 'application/json' }, body: Buffer.from(JSON.stringify(body)),
  });
  const shownFigure = async () => (await getJson(`${server.base}/api/dashboard`, fresh)).body.pages
    .find((p) => p.page === 'https://new.example/pricing').anchoring;
  assert.equal(await shownFigure(), null);
  for (const [found, share] of [[1, 2 / 3], [2, 1 / 3]]) {
    const a = await anchoring({ page: 'https://new.example/pricing', elements: 3, found, missing_share: share });
    assert.equal(a.status, 200, a.text);
    assert.equal(a.json().stored, true);
  }
  const figure = await shownFigure();
  assert.deepEqual({ ...figure, checked: undefined }, { elements: 3, found: 2, missing_share: 1 / 3, checked: undefined });
  assert.ok(Math.abs(Date.parse(figure.checked) - Date.now()) < 3600e3, figure.checked);
  assert.equal((await anchoring({ page: 'https://shop.example/pricing', elements: 3, found: 2, missing_share: 0.5 })).json().reason, 'foreign_page');
  // Fill the site's figures to the bound (20,000 pages, kMaxAnchoredPagesPerSite) on every shard.
  for (let i = 0; i < 2; i++) {
    const fill = await c.query(i, `INSERT INTO ops.anchoring SELECT '${site.site_key}', concat('https://new.example/f', toString(number)), 3, 2, 0.5, 0, 1 FROM numbers(19999)`);
    assert.equal(fill.status, 200, fill.text);
  }
  assert.equal((await anchoring({ page: 'https://new.example/one-more', elements: 1, found: 1, missing_share: 0 })).json().reason, 'site_full');
  assert.equal((await anchoring({ page: 'https://new.example/pricing', elements: 4, found: 4, missing_share: 0 })).json().stored, true);
  assert.equal((await shownFigure()).elements, 4);

  const metrics = await request(`${server.base}/metrics`);
  const bytes = Number(/^thermograph_database_bytes (\d+)$/m.exec(metrics.text)?.[1]);
  assert.ok(bytes > 0, `database bytes ${bytes}`);

  const del = cli(['site', 'delete', '--store', url, '--site', site.site_key]);
  assert.equal(del.status, 0, del.stderr);
  assert.match(del.stdout, new RegExp(`deleted site ${site.site_key} and [1-9]\\d* rows`));
  assert.deepEqual(JSON.parse(cli(['site', 'list', '--store', url, '--json']).stdout).map((s) => s.site_key), [other.site_key]);
  assert.ok(await until(async () => (await getJson(pagesUrl, fresh)).status === 403), 'a deleted site cannot be read');
  for (let i = 0; i < 2; i++) {
    const left = () => c.query(i, `SELECT count() FROM ops.anchoring WHERE site = '${site.site_key}' FORMAT TabSeparated`);
    assert.ok(await until(async () => (await left()).text === '0\n'), `shard ${i}: the site's figures are deleted`);
  }
  assert.equal(cli(['site', 'delete', '--store', url, '--site', site.site_key]).status, 1);
});

test('on ClickHouse: micro-survey answers are summed across shards, bounded per site, pruned and deleted', async (t) => {
  const c = await startCluster(2);
  t.after(() => c.stop());
  const url = c.url('surveys');
  const site = createSite(url, [ORIGIN]);
  const server = await collectorFor(t, url);
  const answer = (page, element, a) => request(`${server.base}/api/survey?site=${site.site_key}`, {
    method: 'POST', headers: { 'Content-Type': 'text/plain', Origin: ORIGIN },
    body: Buffer.from(JSON.stringify({ page: `${ORIGIN}${page}`, survey: 'broken', element, answer: a })),
  });
  // Pages spread over both shards (sipHash64(site, page)); the same answers as in survey.test.mjs.
  // 16 pages: all on one shard with probability 2^-15.
  const given = [['/cart', 7, 'yes'], ['/cart', 7, 'yes'], ['/cart', 7, 'no'], ['/cart', 0, 3],
    ...Array.from({ length: 15 }, (_, i) => [`/p${i}`, i, i % 2 ? 'no' : 5])];
  for (const [page, element, a] of given) assert.equal((await answer(page, element, a)).status, 204);
  const perShard = [];
  for (let i = 0; i < 2; i++) perShard.push(Number((await c.query(i, 'SELECT sum(count) FROM surveys.survey_answers_local FORMAT TabSeparated')).text));
  assert.equal(perShard[0] + perShard[1], given.length);
  assert.ok(perShard.every((n) => n > 0), `both shards hold answers: ${perShard}`);
  const read = async () => (await getJson(`${server.base}/api/surveys?site=${site.site_key}`, site.read_token)).body.pages;
  const pages = await read();
  assert.deepEqual(pages.map((p) => p.page), ['/cart', ...given.slice(4).map((g) => g[0])].map((p) => ORIGIN + p).sort());
  assert.deepEqual(pages.find((p) => p.page === `${ORIGIN}/p3`).surveys[0].elements, [{ element: '00000003', answers: { no: 1 }, total: 1 }]);
  assert.deepEqual(pages.find((p) => p.page === `${ORIGIN}/cart`).surveys, [{ survey: 'broken', answers: { 3: 1, no: 1, yes: 2 }, total: 4, elements: [
    { element: null, answers: { 3: 1 }, total: 1 },
    { element: '00000007', answers: { no: 1, yes: 2 }, total: 3 },
  ] }]);
  assert.equal((await answer('/cart', 7, 'maybe')).json().reason, 'bad_answer');
  // The key bound: fill the site to 10,000 keys (one shard is enough: reads go through the
  // Distributed table), then a new key is refused and a known one still counts.
  const fill = await c.query(0, `INSERT INTO surveys.survey_answers_local SELECT '${site.site_key}', '${ORIGIN}/fill', 'broken', toUInt32(number), 'yes', today(), 1 FROM numbers(${10000 - 17})`);
  assert.equal(fill.status, 200, fill.text);
  assert.equal((await answer('/new', 1, 'yes')).json().reason, 'site_full');
  assert.equal((await answer('/cart', 7, 'yes')).status, 204);
  // prune keeps today's answers; site delete removes them (a background mutation on each shard).
  assert.equal(cli(['prune', '--store', url, '--older-than', '1']).status, 0);
  const until = async (fn) => {
    for (let i = 0; i < 100; i++) {
      if (await fn()) return true;
      await new Promise((r) => setTimeout(r, 50));
    }
    return false;
  };
  assert.equal((await read()).find((p) => p.page === `${ORIGIN}/cart`).surveys[0].answers.yes, 3);
  assert.equal(cli(['site', 'delete', '--store', url, '--site', site.site_key]).status, 0);
  for (let i = 0; i < 2; i++) {
    const left = () => c.query(i, `SELECT count() FROM surveys.survey_answers_local WHERE site = '${site.site_key}' FORMAT TabSeparated`);
    assert.ok(await until(async () => (await left()).text === '0\n'), `shard ${i}: the site's answers are deleted`);
  }
});
