// Central differential privacy at release (--epsilon): the served numbers are noisy but close,
// small segments are refused on the noisy count. Assertions hold with overwhelming probability
// (each bound is several noise standard deviations wide; see the comments), never on exact noise.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { createSite, encode, getJson, postReport, sampleReport, startServer, tempDir } from './helpers.mjs';

const PAGE = 'https://shop.example/pricing';
const N = 300;
let tmp, site, servers = [];

before(async () => {
  tmp = tempDir();
  site = createSite(tmp.db);
  const big = encode(sampleReport(site.site_key, { segment: { variant: 'big' } }));
  const small = encode(sampleReport(site.site_key, { segment: { variant: 'small' } }));
  const boot = await startServer(tmp.db, ['--rate', '0']);
  for (let i = 0; i < N; i++) assert.equal((await postReport(boot.base, big)).status, 204);
  for (let i = 0; i < 2; i++) assert.equal((await postReport(boot.base, small)).status, 204);
  await boot.stop();
});
after(async () => {
  for (const s of servers) await s.stop();
  tmp?.cleanup();
});

async function serveWith(args) {
  const s = await startServer(tmp.db, ['--rate', '0', ...args]);
  servers.push(s);
  return (path, params) => getJson(`${s.base}${path}?${new URLSearchParams({ site: site.site_key, page: PAGE, ...params })}`, site.read_token);
}

test('epsilon 1: counts are noisy but near the truth, small segments are refused', async () => {
  // Page views get 2/17 of epsilon: discrete Laplace scale 8.5 (sd 12); +-100 is over 8 sd.
  const get = await serveWith(['--epsilon', '1', '--min-page-views', '100']);
  const reads = [];
  for (let i = 0; i < 3; i++) {
    const r = await get('/api/heatmap', { variant: 'big' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.ok(Math.abs(r.body.counters.page_views - N) <= 100, `page_views ${r.body.counters.page_views}`);
    reads.push(r.body);
  }
  // Clicks carry scale ~544 per cell (sensitivity 1,280 at 4/17 of epsilon): the exact layer
  // ([96,192,600],[112,192,300]) coming back unchanged three times is practically impossible.
  const exact = JSON.stringify([[96, 192, 2 * N], [112, 192, N]]);
  assert.ok(reads.some((j) => JSON.stringify(j.layers.clicks ?? []) !== exact), 'clicks were noised');
  // 2 page views need noise >= 98 to pass a gate of 100: probability ~1e-5.
  const small = await get('/api/heatmap', { variant: 'small' });
  assert.equal(small.status, 403);
  assert.equal(small.body.reason, 'below_min_page_views');
  assert.match(small.body.error, /^segment has -?\d+ page views, minimum 100$/);
  // Every read path goes through the same hook.
  assert.equal((await get('/api/insights', { variant: 'small' })).status, 403);
  assert.equal((await get('/api/elements.csv', { variant: 'small' })).status, 403);
  const pages = (await get('/api/pages', {})).body.pages;
  assert.equal(pages.length, 1);
  assert.ok(Math.abs(pages[0].page_views - (N + 2)) <= 100, `listed ${pages[0].page_views}`);
});

test('with DP on, the default gate is DpParams default 20 (noisy)', async () => {
  // epsilon 4: page-view scale 17/8 (sd 3); 2 page views pass 20 with probability ~1e-4.
  const get = await serveWith(['--epsilon', '4']);
  const small = await get('/api/heatmap', { variant: 'small' });
  assert.equal(small.status, 403);
  assert.match(small.body.error, /minimum 20$/);
  assert.equal((await get('/api/heatmap', { variant: 'big' })).status, 200);
});
