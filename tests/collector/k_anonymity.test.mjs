// k-anonymity against the real binary with its default K (5): a page key, variant or tag value
// that fewer than K page views of its day carried is stored as "(rare)" (a name in label form,
// first_last, passes every detector: this is what keeps it off the disk), and the raw value never
// reaches the database file (nor its WAL); from the K-th page view on, the value is stored.
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { after, before, test } from 'node:test';

import { createSite, encode, getJson, postReport, sampleReport, startServer, tempDir, waitForStats } from './helpers.mjs';

const ORIGIN = 'https://shop.example';
let tmp, server, site;

before(async () => {
  tmp = tempDir();
  site = createSite(tmp.db, [ORIGIN]);
  server = await startServer(tmp.db, ['--rate', '0', '--compact-after', '0'], { productDefaults: true });
});
after(async () => {
  await server?.stop();
  tmp?.cleanup();
});

const PAGE = `${ORIGIN}/private-sale`;
const segment = { page: PAGE, variant: 'jane-doe-offer', tags: { customer: 'first_last', plan: 'pro' } };
const post = (seg = segment) => postReport(server.base, encode(sampleReport(site.site_key, { segment: seg })));
const get = (path, params = {}) =>
  getJson(`${server.base}${path}?${new URLSearchParams({ site: site.site_key, ...params })}`, site.read_token);

function onDisk() {
  return ['', '-wal'].map((s) => tmp.db + s).filter(existsSync).map((f) => readFileSync(f).toString('latin1')).join('');
}

test('values under K page views are stored as (rare) and never written to disk', async () => {
  for (let i = 0; i < 4; i++) assert.equal((await post()).status, 204);
  const s = await waitForStats(tmp.db, (x) => x.adjusted.pages_rare === 4);
  assert.equal(s.adjusted.pages_rare, 4);
  assert.equal(s.adjusted.variants_rare, 4);
  assert.equal(s.adjusted.tags_rare, 8);
  assert.equal(s.accepted, 4, 'rare values are kept as page views, not refused');

  const pages = await get('/api/pages');
  assert.equal(pages.status, 200);
  assert.deepEqual(pages.body.pages.map((p) => [p.page, p.page_views]), [['(rare)', 4]]);
  const segs = await get('/api/segments', { page: '(rare)' });
  assert.deepEqual(segs.body.variants, [{ value: '(rare)', page_views: 4 }]);

  const disk = onDisk();
  for (const raw of ['private-sale', 'jane-doe-offer', 'first_last'])
    assert.ok(!disk.includes(raw), `"${raw}" is not in the database files`);
});

test('the K-th page view stores the value; what came before stays (rare)', async () => {
  assert.equal((await post()).status, 204);
  await waitForStats(tmp.db, (x) => x.accepted === 5);
  const pages = await get('/api/pages');
  assert.deepEqual(pages.body.pages.map((p) => [p.page, p.page_views]).sort(), [['(rare)', 4], [PAGE, 1]].sort());
  // Variants and tags count per page: on the page, this was their first page view.
  const segs = await get('/api/segments', { page: PAGE });
  assert.deepEqual(segs.body.variants, [{ value: '(rare)', page_views: 1 }]);
  // Four more page views with the same variant take it to K on this page.
  for (let i = 0; i < 4; i++) assert.equal((await post()).status, 204);
  await waitForStats(tmp.db, (x) => x.accepted === 9);
  const after5 = await get('/api/segments', { page: PAGE });
  assert.deepEqual(after5.body.variants.sort((a, b) => a.value.localeCompare(b.value)),
    [{ value: '(rare)', page_views: 4 }, { value: 'jane-doe-offer', page_views: 1 }]);
});
