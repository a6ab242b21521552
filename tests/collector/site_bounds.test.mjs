// Per-site bounds against the real binary: page keys per site and day, variants and tag values
// per page and day (folded into "(other)" and counted), cells per page and day (dropped past the
// bound at compaction, counted and reported), /api/pages paginated by traffic; plus the
// sanitizer's variant forms, foreign page keys and out-of-range enums from a forged client.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { createSite, encode, getJson, operatorStats, postReport, sampleReport, startServer, tempDir } from './helpers.mjs';

const ORIGIN = 'https://shop.example';
let tmp, server, site, site2;

before(async () => {
  tmp = tempDir();
  site = createSite(tmp.db, [ORIGIN]);  // the cardinality tests fill its page bound
  site2 = createSite(tmp.db, [ORIGIN]);  // the other tests
  server = await startServer(tmp.db, ['--rate', '0', '--max-pages', '5', '--max-variants', '2', '--max-tag-values', '3',
    '--max-cells', '2000', '--compact-after', '0']);
});
after(async () => {
  await server?.stop();
  tmp?.cleanup();
});

const q = (s, path, params = {}) => `${server.base}${path}?${new URLSearchParams({ site: s.site_key, ...params })}`;
const get = (path, params) => getJson(q(site, path, params), site.read_token);
const post = (segment, extra = {}) => postReport(server.base, encode(sampleReport(site.site_key, { segment, ...extra })));
const get2 = (path, params) => getJson(q(site2, path, params), site2.read_token);
const post2 = (segment, extra = {}) => postReport(server.base, encode(sampleReport(site2.site_key, { segment, ...extra })));
// Collector-wide counters are the operator's (`thermograph-collector stats`; /api/stats shows a
// site only its own figures). Refusal and fold counters reach the database within a second.
const stats = async () => {
  await new Promise((r) => setTimeout(r, 1500));
  return operatorStats(tmp.db);
};

async function settled() {
  for (let i = 0; i < 200; i++) {
    if (operatorStats(tmp.db).storage.pending_deltas === 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail('pending deltas were not compacted');
}

test('page keys past --max-pages fold into (other); /api/pages is paginated by traffic', async () => {
  // Page i gets i + 1 page views, so the order by traffic is known.
  for (let i = 0; i < 8; i++) {
    for (let k = 0; k <= i; k++) assert.equal((await post({ page: `${ORIGIN}/p${i}` })).status, 204);
  }
  const all = (await get('/api/pages', { limit: '100' })).body;
  assert.equal(all.total, 6);
  // p0..p4 were the first five; p5, p6, p7 (6 + 7 + 8 page views) went to (other).
  assert.deepEqual(all.pages.map((p) => [p.page, p.page_views]),
    [['(other)', 21], [`${ORIGIN}/p4`, 5], [`${ORIGIN}/p3`, 4], [`${ORIGIN}/p2`, 3], [`${ORIGIN}/p1`, 2], [`${ORIGIN}/p0`, 1]]);
  assert.equal((await stats()).adjusted.pages_folded, 21);
  // (other) keeps the page counters, never a grid.
  const other = (await get('/api/heatmap', { page: '(other)' })).body;
  assert.equal(other.counters.page_views, 21);
  assert.deepEqual(other.layers ?? {}, {});

  const first = (await get('/api/pages', { limit: '4' })).body;
  assert.equal(first.pages.length, 4);
  assert.equal(first.next_offset, 4);
  const rest = (await get('/api/pages', { limit: '4', offset: '4' })).body;
  assert.deepEqual([...first.pages, ...rest.pages].map((p) => p.page), all.pages.map((p) => p.page));
  assert.equal(rest.next_offset, null);
  assert.equal((await get('/api/pages', {})).body.limit, 100);
  for (const bad of [{ limit: '0' }, { limit: '1001' }, { limit: 'x' }, { offset: '-1' }]) {
    const r = await get('/api/pages', bad);
    assert.equal(r.status, 400, JSON.stringify(bad));
    assert.equal(r.body.reason, 'bad_request');
  }
});

test('variants and tag values past their bounds fold into (other)', async () => {
  const page = `${ORIGIN}/p0`;
  for (const variant of ['A', 'B', 'C', 'D', 'A']) assert.equal((await post({ page, variant })).status, 204);
  for (const plan of ['free', 'pro', 'team', 'enterprise']) assert.equal((await post({ page, tags: { plan } })).status, 204);
  assert.equal((await post({ page, tags: { region: 'eu' } })).status, 204);  // a new key past the bound: dropped
  const seg = (await get('/api/segments', { page })).body;
  assert.deepEqual(seg.variants.map((v) => v.value).sort(), ['', '(other)', 'A', 'B']);
  assert.equal(seg.variants.find((v) => v.value === '(other)').page_views, 2);
  assert.deepEqual(seg.tags.map((t) => `${t.key}:${t.value}`).sort(), ['plan:(other)', 'plan:free', 'plan:pro', 'plan:team']);
  const s = await stats();
  assert.equal(s.adjusted.variants_folded, 2);
  assert.equal(s.adjusted.tags_folded, 2);
  assert.equal(s.rejected.variants_folded, undefined, 'folded reports are not rejections');
});

test('cells past --max-cells per page and day are dropped when compacted, counted and reported', async () => {
  const page = `${ORIGIN}/hot`;
  // 576 distinct cells per report (64 clicks, 512 dwell); 5 reports = 2,880 cells, the bound is 2,000.
  for (let r = 0; r < 5; r++) {
    const cells = (n) => Array.from({ length: n }, (_, i) => [(i % 64) * 16, (r * 20 + Math.floor(i / 64)) * 16, 1]);
    const res = await post2({ page }, { layers: { clicks: cells(64), move: cells(512) }, elements: [] });
    assert.equal(res.status, 204, res.text);
    await settled();
  }
  const heat = (await get2('/api/heatmap', { page })).body;
  const cells = Object.values(heat.layers).reduce((n, l) => n + l.length, 0);
  assert.equal(cells, 2000);
  assert.equal(heat.counters.page_views, 5);
  assert.equal((await stats()).storage.cells_over_limit, 880);
  const listed = (await get2('/api/pages', { limit: '1000' })).body.pages.find((p) => p.page === page);
  assert.equal(listed.cells_dropped, 880);
});

test('PII in variant forms never reaches the store', async () => {
  const forms = [
    `${ORIGIN}/orders/name%40example.org-receipt`,
    `${ORIGIN}/orders/078-05-1121-receipt`,
    `${ORIGIN}/p0?utm_campaign=4111_1111_1111_1111`,
    `${ORIGIN}/p0?utm_campaign=%2B44_20_7946_0958`,
  ];
  const before = (await stats()).adjusted.pii_removed ?? 0;
  for (const page of forms) assert.equal((await post2({ page, variant: '+44_20_7946_0958', tags: { plan: '4111_1111_1111_1111' } })).status, 204);
  const listed = JSON.stringify((await get2('/api/pages', { limit: '1000' })).body);
  for (const secret of ['name', '40example', '078-05', '1121', '4111', '7946']) assert.ok(!listed.includes(secret), `${secret} was stored`);
  const seg = JSON.stringify((await get2('/api/segments', { page: `${ORIGIN}/p0` })).body);
  for (const secret of ['4111', '7946']) assert.ok(!seg.includes(secret), `${secret} was stored`);
  assert.ok((await stats()).adjusted.pii_removed >= before + forms.length);

  // Digits in the host name: not a page of this site (and a host cannot be templated).
  const host = await post2({ page: 'https://4111111111111111.shop.example/' });
  assert.equal(host.status, 400);
});

test('page keys of foreign origins are refused (400 foreign_page) and counted', async () => {
  const before = (await stats()).rejected.foreign_page ?? 0;
  for (const page of ['https://evil.example/pricing', 'ftp://shop.example/file', 'http://shop.example/pricing', 'https://shop.example:8443/x']) {
    const r = await post2({ page });
    assert.equal(r.status, 400, page);
    assert.equal(r.json().reason, 'foreign_page', page);
  }
  assert.equal((await stats()).rejected.foreign_page, before + 4);
  const listed = JSON.stringify((await get2('/api/pages', { limit: '1000' })).body);
  assert.ok(!listed.includes('evil.example') && !listed.includes('ftp:'));
});

test('out-of-range enums are refused by the decoder', async () => {
  const page = `${ORIGIN}/p0`;
  // The segment starts at byte 4: site and page (1-byte lengths here), then width and device.
  const at = 4 + 1 + site2.site_key.length + 1 + page.length;
  for (const [offset, value, needle] of [[0, 5, /width class 5/], [0, 255, /width class 255/], [1, 9, /device 9/], [1, 255, /device 255/]]) {
    const bytes = Buffer.from(encode(sampleReport(site2.site_key, { segment: { page } })));
    bytes[at + offset] = value;
    const r = await postReport(server.base, bytes);
    assert.equal(r.status, 400);
    assert.equal(r.json().reason, 'out_of_range');
    assert.match(r.json().error, needle);
  }
});
