// Journeys (wire version 5) in the ClickHouse store (docs/scale-out.md, row kind 6): element ->
// next element steps and the route_from layer, against a real two-shard cluster this file starts
// (tests/collector/clickhouse.mjs) and the SQLite store fed the same reports.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { startCluster } from './clickhouse.mjs';
import { auth, cli, collectorFor, createSite, encode, postReport, request, sampleReport, routeHash, tempDir } from './helpers.mjs';

const ORIGIN = 'https://app.example';
const PAGES = ['https://app.example/inbox', "https://app.example/it's/a\\path/'); DROP TABLE cells_local; --"];

const ROUTES = ['https://app.example/settings', 'https://app.example/', 'https://app.example/ünï/%27'].map(routeHash);
const ROUTE_MAX = 2 ** 31 - 1;  // the largest index the layer allows

const hex = (k) => k.toString(16).padStart(8, '0');
// Elements with counters on every report, and keys that only ever start steps (no counters, no
// cells, in no other row), one of them the largest key there is (the end of the read's walk).
const BUTTON = 0x00000a00;
const LINKS = [0x00000b01, 0x00000b02, 0x00000b03];
const ONLY_STEPS = [0x00000001, 0x00000a01, 0x7fff0000, 0xffffffff];

// Report i of the fixed set: the steps it makes (at most Bounds::transitions = 8, 1 each).
function stepsOf(i) {
  const steps = [[BUTTON, LINKS[i % 3]], [LINKS[i % 3], BUTTON]];
  if (i % 2 === 0) steps.push([ONLY_STEPS[i % 4], BUTTON]);
  if (i % 3 === 0) steps.push([ONLY_STEPS[(i + 1) % 4], 0xfffffffe]);
  if (i % 5 === 0) steps.push([LINKS[(i + 1) % 3], 0xffffffff]);
  return steps;
}

function routeOf(i) {
  return i % 5 === 4 ? null : i % 7 === 0 ? ROUTE_MAX : ROUTES[i % ROUTES.length];
}

function reportOf(siteKey, i) {
  const elements = new Map();
  const el = (key) => {
    if (!elements.has(key)) elements.set(key, { key: hex(key) });
    return elements.get(key);
  };
  Object.assign(el(BUTTON), { interactive: true, counters: { clicks: 1 + (i % 2), pv_clicked: 1 }, cells: [[i % 4, 2, 1]] });
  Object.assign(el(LINKS[i % 3]), { stable: 'cafe0002', counters: { clicks: 1, pv_clicked: 1 } });
  for (const [from, to] of stepsOf(i)) (el(from).next ??= []).push([hex(to), 1]);
  const layers = { clicks: [[16 * (i % 3), 64, 1]] };
  if (routeOf(i) !== null) layers.route_from = [[routeOf(i), 1]];
  return sampleReport(siteKey, {
    segment: {
      page: PAGES[i % PAGES.length],
      variant: ['A', 'B'][(i >> 1) % 2],
      device: 1 + ((i >> 2) % 2),
      tags: i % 3 === 0 ? { plan: 'pro' } : {},
    },
    counters: { page_views: 1, pv_clicked: 1 },
    layers,
    elements: [...elements.values()].sort((a, b) => (a.key < b.key ? -1 : 1)),
  });
}

const COUNT = 30;

// Ground truth by construction for the reports `pick` selects: elements[].next and
// layers.route_from of their merge, in the collector's JSON shape (keys and indexes ascending).
function expected(pick) {
  const steps = new Map();  // from -> (to -> page views)
  const routes = new Map();
  for (let i = 0; i < COUNT; i++) {
    if (!pick(i)) continue;
    for (const [from, to] of stepsOf(i)) {
      if (!steps.has(from)) steps.set(from, new Map());
      steps.get(from).set(to, (steps.get(from).get(to) ?? 0) + 1);
    }
    if (routeOf(i) !== null) routes.set(routeOf(i), (routes.get(routeOf(i)) ?? 0) + 1);
  }
  const next = {};
  for (const [from, tos] of [...steps].sort((a, b) => a[0] - b[0]))
    next[hex(from)] = [...tos].sort((a, b) => a[0] - b[0]).map(([to, n]) => [hex(to), n]);
  return { next, routeFrom: [...routes].sort((a, b) => a[0] - b[0]) };
}

const journeysOf = (body) => {
  const next = {};
  for (const e of body.elements) if (e.next) next[e.key] = e.next;
  return { next, routeFrom: body.layers.route_from ?? [] };
};

async function heatmap(server, site, params) {
  const url = `${server.base}/api/heatmap?${new URLSearchParams({ site: site.site_key, ...params })}`;
  const r = await request(url, { headers: auth(site.read_token) });
  assert.equal(r.status, 200, r.text);
  return r;
}


test('journey steps and route_from read back from ClickHouse exactly as from SQLite and as posted', async (t) => {
  const c = await startCluster(2);
  t.after(() => c.stop());
  const tmp = tempDir();
  t.after(() => tmp.cleanup());
  const site = createSite(tmp.db, [ORIGIN]);
  const url = c.url('journeys');
  const imp = cli(['import', '--from', tmp.db, '--store', url]);
  assert.equal(imp.status, 0, imp.stderr);
  const sqlite = await collectorFor(t, tmp.db);
  const ch = await collectorFor(t, url);

  let posted = 0;
  for (let i = 0; i < COUNT; i++) {
    const bytes = encode(reportOf(site.site_key, i));
    assert.equal(bytes[2], 6, 'a wire version 6 report');
    for (const s of [sqlite, ch]) assert.equal((await postReport(s.base, bytes, { Origin: ORIGIN })).status, 204);
    posted += stepsOf(i).length;
  }

  // The stored page keys (the collector re-checks them), in the order of PAGES.
  const listed = await request(`${sqlite.base}/api/pages?site=${site.site_key}`, { headers: auth(site.read_token) });
  const stored = listed.json().pages.map((p) => p.page);
  assert.equal(stored.length, 2);
  assert.ok(stored.includes(PAGES[0]), stored.join(' | '));
  const pages = [PAGES[0], stored.find((p) => p !== PAGES[0])];
  assert.ok(pages[1].includes("it's/a/path/')"), pages[1]);  // quotes kept for the SQL escaping

  // Reads with every filter path: a whole page, a variant (fewer rows), a tag (the rows' tag sets
  // passed to the data queries), and a device with a layer filter.
  const cases = [];
  for (let p = 0; p < PAGES.length; p++) {
    const onPage = (i) => i % PAGES.length === p;
    cases.push([{ page: pages[p] }, onPage]);
    cases.push([{ page: pages[p], variant: 'B' }, (i) => onPage(i) && (i >> 1) % 2 === 1]);
    cases.push([{ page: pages[p], tag: 'plan:pro' }, (i) => onPage(i) && i % 3 === 0]);
    cases.push([{ page: pages[p], device: 'touch', layer: 'route_from' }, (i) => onPage(i) && (i >> 2) % 2 === 1]);
  }
  for (const [params, pick] of cases) {
    const what = JSON.stringify(params);
    const want = expected(pick);
    assert.ok(Object.keys(want.next).length > 0 && want.routeFrom.length > 0, `${what}: the case has journeys`);
    const fromSqlite = await heatmap(sqlite, site, { ...params, format: 'json' });
    const fromCh = await heatmap(ch, site, { ...params, format: 'json' });
    assert.deepEqual(journeysOf(fromSqlite.json()), want, `SQLite ${what}`);
    assert.deepEqual(journeysOf(fromCh.json()), want, `ClickHouse ${what}`);
    assert.equal(fromCh.text, fromSqlite.text, `ClickHouse and SQLite JSON ${what}`);
    const binSqlite = await heatmap(sqlite, site, { ...params, format: 'bin' });
    const binCh = await heatmap(ch, site, { ...params, format: 'bin' });
    assert.ok(binCh.body.equals(binSqlite.body), `ClickHouse and SQLite binary ${what}`);
  }

  // A step-only element comes back with nothing but its steps, also the largest key.
  const whole = (await heatmap(ch, site, { page: pages[0] })).json();
  const last = whole.elements.at(-1);
  assert.equal(last.key, 'ffffffff');
  assert.ok(last.next.length > 0 && Object.values(last.counters).every((v) => v === 0) && last.cells.length === 0);
  assert.ok(whole.elements.some((e) => e.key === '00000001'));

  // The export reads row by row (Store::for_each_row): the same on both stores.
  const exported = (db) => cli(['export', '--db', db, '--site', site.site_key, '--format', 'json']);
  const exSqlite = exported(tmp.db);
  const exCh = cli(['export', '--store', url, '--site', site.site_key, '--format', 'json']);
  assert.equal(exSqlite.status, 0, exSqlite.stderr);
  assert.match(exSqlite.stdout, /"next"/);
  assert.equal(exCh.stdout, exSqlite.stdout);

  // In the table: kind 6 rows adding up to the steps posted (the collector may merge reports of
  // one row key before a commit), and no element row (kind 2) for an element that only ever
  // started steps.
  const only = ONLY_STEPS.join(', ');
  let steps = 0;
  let stepOnlyElementRows = 0;
  for (let i = 0; i < 2; i++) {
    const r = await c.query(i, `SELECT sumIf(v0, kind = 6), countIf(kind = 2 AND elem IN (${only})) FROM journeys.cells_local FORMAT TabSeparated`);
    assert.equal(r.status, 200, r.text);
    const [s, e] = r.text.trim().split('\t').map(Number);
    steps += s;
    stepOnlyElementRows += e;
  }
  assert.equal(steps, posted);
  assert.equal(stepOnlyElementRows, 0);

  // Deleting the site deletes its step rows too (a background mutation per shard: bounded wait).
  await ch.stop();
  const del = cli(['site', 'delete', '--store', url, '--site', site.site_key]);
  assert.equal(del.status, 0, del.stderr);
  for (let i = 0; i < 2; i++) {
    let left = '';
    for (let tries = 0; tries < 100; tries++) {
      left = (await c.query(i, 'SELECT count() FROM journeys.cells_local WHERE kind = 6 FORMAT TabSeparated')).text;
      if (left === '0\n') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(left, '0\n', `shard ${i}: the site's steps are deleted`);
  }
});

test('import carries journeys from SQLite into ClickHouse and back unchanged', async (t) => {
  const c = await startCluster(2);
  t.after(() => c.stop());
  const tmp = tempDir();
  t.after(() => tmp.cleanup());
  const site = createSite(tmp.db, [ORIGIN]);
  const sqlite = await collectorFor(t, tmp.db);
  for (let i = 0; i < COUNT; i++) assert.equal((await postReport(sqlite.base, encode(reportOf(site.site_key, i)), { Origin: ORIGIN })).status, 204);
  const want = (await heatmap(sqlite, site, { page: PAGES[0] })).text;
  assert.deepEqual(journeysOf(JSON.parse(want)), expected((i) => i % PAGES.length === 0));
  await sqlite.stop();

  const url = c.url('moved');
  const imp = cli(['import', '--from', tmp.db, '--store', url]);
  assert.equal(imp.status, 0, imp.stderr);
  const ch = await collectorFor(t, url);
  assert.equal((await heatmap(ch, site, { page: PAGES[0] })).text, want);
  await ch.stop();

  const back = `${tmp.dir}/back.sqlite`;
  const out = cli(['import', '--from', url, '--db', back]);
  assert.equal(out.status, 0, out.stderr);
  const again = await collectorFor(t, back);
  assert.equal((await heatmap(again, site, { page: PAGES[0] })).text, want);
});

test('prune removes old journey steps (whole months and the older days of the cutoff month), keeps the rest', async (t) => {
  const c = await startCluster(2);
  t.after(() => c.stop());
  const tmp = tempDir();
  t.after(() => tmp.cleanup());
  const site = createSite(tmp.db, [ORIGIN]);
  const url = c.url('pruned');
  assert.equal(cli(['import', '--from', tmp.db, '--store', url]).status, 0);
  const server = await collectorFor(t, url);
  for (let i = 0; i < COUNT; i += PAGES.length) assert.equal((await postReport(server.base, encode(reportOf(site.site_key, i)), { Origin: ORIGIN })).status, 204);
  const want = (await heatmap(server, site, { page: PAGES[0] })).text;
  assert.deepEqual(journeysOf(JSON.parse(want)), expected((i) => i % PAGES.length === 0));

  // Old days of PAGES[0] as the collector writes them: a page row (kind 0) and a step (kind 6)
  // 400 days ago (a whole old month) and the day before a cutoff on the 2nd or later of its month.
  let k = 40;
  while (new Date(Date.now() - k * 86400e3).getUTCDate() < 2) k++;
  const day = (days) => new Date(Date.now() - days * 86400e3).toISOString().slice(0, 10);
  const row = (days, kind, elem, idx) => `${site.site_key}\t${PAGES[0]}\t${day(days)}\t2\t1\t0\t\t{}\t${kind}\t0\t${elem}\t0\t0\t1\t${idx}\t\t1\t1\n`;
  let rows = '';
  for (const days of [400, k + 1]) rows += row(days, 0, 0, 0) + row(days, 6, BUTTON, 0x00000c00);
  const ins = await c.query(0, `INSERT INTO pruned.cells (site, page, date, width, device, logged_in, variant, tags, kind, layer, elem, stable, flags, version, idx, batch, n, v0) FORMAT TabSeparated\n${rows}`, { settings: 'insert_distributed_sync=1' });
  assert.equal(ins.status, 200, ins.text);
  // Read over every day: the old steps are there before the prune.
  const all = JSON.parse((await heatmap(server, site, { page: PAGES[0], from: day(500) })).text);
  assert.deepEqual(journeysOf(all).next[hex(BUTTON)].find(([to]) => to === '00000c00'), ['00000c00', 2]);

  const p = cli(['prune', '--store', url, '--older-than', String(k)]);
  assert.equal(p.status, 0, p.stderr);
  for (let i = 0; i < 2; i++) {
    let left = '';
    for (let tries = 0; tries < 100; tries++) {
      left = (await c.query(i, 'SELECT count() FROM pruned.cells_local WHERE kind = 6 AND idx = 3072 FORMAT TabSeparated')).text;
      if (left === '0\n') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(left, '0\n', `shard ${i}: the old steps are pruned`);
  }
  assert.equal((await heatmap(server, site, { page: PAGES[0], from: day(500) })).text, want);
});
