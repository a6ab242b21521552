// Hostile inputs get a precise 4xx, are counted by reason, and never change the store.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { auth, createSite, encode, operatorStats, postReport, request, sampleReport, startServer, tempDir, waitForStats } from './helpers.mjs';

const PAGE = 'https://shop.example/pricing';
let tmp, server, site, good;

before(async () => {
  tmp = tempDir();
  site = createSite(tmp.db);
  server = await startServer(tmp.db, ['--rate', '0', '--max-body', '65536']);
  good = encode(sampleReport(site.site_key));
  for (let i = 0; i < 2; i++) assert.equal((await postReport(server.base, good)).status, 204);
});
after(async () => {
  await server?.stop();
  tmp?.cleanup();
});

// `expect(stats)`: what the collector-wide counters must reach (rejections are committed within
// about a second); without it, the counters as they are now.
async function snapshot(expect) {
  const h = await request(`${server.base}/api/heatmap?site=${site.site_key}&page=${encodeURIComponent(PAGE)}`, { headers: auth(site.read_token) });
  const p = await request(`${server.base}/api/pages?site=${site.site_key}`, { headers: auth(site.read_token) });
  const stats = expect ? await waitForStats(tmp.db, expect) : operatorStats(tmp.db);
  return { heatmap: h.json(), pages: p.json(), stats };
}

// Seeded bytes so a failure reproduces.
function garbage(n, seed = 7) {
  const b = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

const withByte = (buf, at, v) => {
  const b = Buffer.from(buf);
  b[at] = v;
  return b;
};

test('hostile reports: precise status and reason, counted, store unchanged', async () => {
  const before = await snapshot();
  assert.equal(before.heatmap.counters.page_views, 2);
  const cases = [
    { name: 'truncated', body: good.subarray(0, good.length - 5), status: 400, reason: 'truncated' },
    { name: 'truncated header', body: good.subarray(0, 3), status: 400, reason: 'truncated' },
    { name: 'empty body', body: Buffer.alloc(0), status: 400, reason: 'truncated' },
    { name: 'garbage', body: garbage(300), status: 400, reason: 'bad_magic' },
    { name: 'wrong magic', body: withByte(good, 0, 0x58), status: 400, reason: 'bad_magic', message: /magic/ },
    { name: 'wrong version', body: withByte(good, 2, 7), status: 400, reason: 'bad_version', message: /got wire version 7/ },
    { name: 'unknown kind', body: withByte(good, 3, 9), status: 400, reason: 'bad_kind' },
    { name: 'trailing bytes', body: Buffer.concat([good, Buffer.from([0])]), status: 400, reason: 'trailing_bytes' },
    {
      name: 'huge cell count',
      body: Buffer.from([0x54, 0x47, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0xff, 0xff, 0xff, 0xff, 0x0f]),
      status: 400, reason: 'truncated', message: /claims/,
    },
    // A version-6 delta's page_views is a bit (1); version 5, still accepted, carries the value.
    { name: 'huge page_views', body: encode(sampleReport(site.site_key, { counters: { page_views: 4000000000 } }), { version: 5 }), status: 400, reason: 'out_of_bounds', message: /page_views/ },
    { name: 'huge cell value', body: encode(sampleReport(site.site_key, { layers: { clicks: [[0, 0, 1000000]] } })), status: 400, reason: 'out_of_bounds' },
    // click_pv is 1 per cell and 4 cells per page view: the DP release's sensitivity rests on it.
    { name: 'click_pv above 1', body: encode(sampleReport(site.site_key, { layers: { click_pv: [[0, 0, 2]] } })), status: 400, reason: 'out_of_bounds' },
    { name: 'click_pv on 5 cells', body: encode(sampleReport(site.site_key, { layers: { click_pv: [0, 16, 32, 48, 64].map((x) => [x, 0, 1]) } })), status: 400, reason: 'out_of_bounds' },
    { name: 'unknown site', body: encode(sampleReport('tg_doesnotexist')), status: 403, reason: 'unknown_site' },
    { name: 'aggregate posted as report', body: encode({ ...sampleReport(site.site_key), kind: 'aggregate' }), status: 400, reason: 'not_delta' },
    { name: 'oversized (100 KiB)', body: garbage(100 * 1024), status: 413, reason: 'too_large' },
  ];
  const expected = {};
  for (const c of cases) {
    const r = await postReport(server.base, c.body);
    assert.equal(r.status, c.status, `${c.name}: ${r.text}`);
    const j = r.json();
    assert.equal(j.reason, c.reason, c.name);
    assert.ok(j.error.length > 0, c.name);
    if (c.message) assert.match(j.error, c.message, c.name);
    expected[c.reason] = (expected[c.reason] ?? 0) + 1;
  }
  const total = Object.values(expected).reduce((a, b) => a + b, 0);
  const afterSnap = await snapshot((s) => s.rejected_total >= before.stats.rejected_total + total);
  assert.deepEqual(afterSnap.heatmap, before.heatmap);
  assert.deepEqual(afterSnap.pages, before.pages);
  assert.equal(afterSnap.stats.accepted, before.stats.accepted);
  for (const [reason, n] of Object.entries(expected))
    assert.equal((afterSnap.stats.rejected[reason] ?? 0) - (before.stats.rejected[reason] ?? 0), n, reason);
});

test('a version-6 delta cannot carry more than one page view: thermograph-encode refuses to write one', () => {
  // page_views and pv_* are their mask bit alone (1) in a version-6 delta, journey steps count 1:
  // what a page view contributes there is bounded by the format, not only by the collector.
  assert.throws(() => encode(sampleReport(site.site_key, { counters: { page_views: 2 } })),
    /page counter page_views is 2: one page view's delta holds 0 or 1 \(--version 5 writes other values\)/);
  const v5 = encode(sampleReport(site.site_key, { counters: { page_views: 2 } }), { version: 5 });
  assert.equal(v5[2], 5);
  const v6 = encode(sampleReport(site.site_key));
  assert.equal(v6[2], 6);
  assert.ok(v6.length < v5.length, `${v6.length} < ${v5.length}`);
});

async function postBig(options) {
  try {
    return (await request(`${server.base}/r`, { method: 'POST', body: garbage(10 * 1024 * 1024), ...options })).status;
  } catch (e) {
    return e.code;  // the server may close the connection after answering, mid-upload
  }
}

test('a 10 MB body is refused (413 with Content-Length or chunked) and never stored', async () => {
  const before = await snapshot();
  const sized = await postBig({});
  assert.ok(sized === 413 || sized === 'ECONNRESET' || sized === 'EPIPE', `got ${sized}`);
  // Chunked bodies have no length up front: reading stops at --max-body.
  const chunked = await postBig({ chunked: true });
  assert.ok([413, 'ECONNRESET', 'EPIPE'].includes(chunked), `got ${chunked}`);
  const afterSnap = await snapshot((s) => s.rejected_total >= before.stats.rejected_total + 2);
  assert.deepEqual(afterSnap.heatmap, before.heatmap);
  assert.equal(afterSnap.stats.accepted, before.stats.accepted);
  assert.equal(afterSnap.stats.rejected.too_large, (before.stats.rejected.too_large ?? 0) + 2);
  assert.equal(afterSnap.stats.rejected_total, before.stats.rejected_total + 2);
  // The collector is still healthy.
  assert.equal((await postReport(server.base, good)).status, 204);
});

test('rejections survive a restart (persisted with the next commit or on shutdown)', async () => {
  // A rejection just before the stop is still in memory: shutdown must commit it.
  assert.equal((await postReport(server.base, garbage(300, 11))).status, 400);
  await server.stop();
  const before = operatorStats(tmp.db);
  assert.ok(before.rejected.bad_magic >= 2, JSON.stringify(before));
  server = await startServer(tmp.db, ['--rate', '0']);
  const afterSnap = operatorStats(tmp.db);
  assert.deepEqual(afterSnap.rejected, before.rejected);
  assert.equal(afterSnap.accepted, before.accepted);
});

test('rate limit: the client past its burst gets 429 with Retry-After', async () => {
  const t = tempDir();
  const s = createSite(t.db);
  // 0.001 tokens/s: nothing refills during the test, so the outcome does not depend on timing.
  const srv = await startServer(t.db, ['--rate', '0.001', '--burst', '3']);
  try {
    const bytes = encode(sampleReport(s.site_key));
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await postReport(srv.base, bytes)).status);
    assert.deepEqual(statuses, [204, 204, 204, 429, 429]);
    const r = await postReport(srv.base, bytes);
    assert.ok(Number(r.headers['retry-after']) >= 1);
    assert.equal(r.json().reason, 'rate_limited');
  } finally {
    await srv.stop();
    t.cleanup();
  }
});

test('--min-page-views withholds small segments through the release hook', async () => {
  const t = tempDir();
  const s = createSite(t.db);
  const srv = await startServer(t.db, ['--rate', '0', '--min-page-views', '3']);
  try {
    const bytes = encode(sampleReport(s.site_key));
    const url = `${srv.base}/api/heatmap?site=${s.site_key}&page=${encodeURIComponent(PAGE)}`;
    for (let i = 0; i < 2; i++) assert.equal((await postReport(srv.base, bytes)).status, 204);
    const refused = await request(url, { headers: auth(s.read_token) });
    assert.equal(refused.status, 403);
    assert.equal(refused.json().reason, 'below_min_page_views');
    assert.match(refused.json().error, /fewer than 3 page views/);
    const pages = await request(`${srv.base}/api/pages?site=${s.site_key}`, { headers: auth(s.read_token) });
    assert.deepEqual(pages.json().pages, []);
    // The third from an older tracker (wire version 5: its 0/1 counters carry values): it merges
    // like the version-6 ones.
    assert.equal((await postReport(srv.base, encode(sampleReport(s.site_key), { version: 5 }))).status, 204);
    const ok = await request(url, { headers: auth(s.read_token) });
    assert.equal(ok.status, 200);
    assert.equal(ok.json().counters.page_views, 3);
    assert.equal(ok.json().counters.pv_clicked, 3);
    assert.equal(ok.json().elements.find((e) => e.key === 'deadbeef').counters.pv_clicked, 3);
  } finally {
    await srv.stop();
    t.cleanup();
  }
});
