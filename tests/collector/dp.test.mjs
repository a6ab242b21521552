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
  // Each page view clicked two cells: click_pv (page views per cell, 1 each) beside raw clicks.
  const big = encode(sampleReport(site.site_key, {
    segment: { variant: 'big' },
    layers: { clicks: [[96, 192, 2], [112, 192, 1]], click_pv: [[96, 192, 1], [112, 192, 1]] },
  }));
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
  // Default split (src/core/dp.h): page views 2/21 of epsilon, scale 10.5 (sd 15): +-100 is
  // ~10 scales, P ~ 1e-4 per read.
  const get = await serveWith(['--epsilon', '1', '--min-page-views', '100']);
  const reads = [];
  for (let i = 0; i < 3; i++) {
    const r = await get('/api/heatmap', { variant: 'big' });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.ok(Math.abs(r.body.counters.page_views - N) <= 100, `page_views ${r.body.counters.page_views}`);
    reads.push(r.body);
  }
  for (const j of reads) {
    // Raw clicks (sensitivity 1,280) are withheld; the click map is click_pv (sensitivity 4,
    // 12/21 of epsilon: scale 7, sd 9.9) in 32 px blocks: both true cells share the block at
    // (96..127, 192..223), which holds 2N, spread over its four cells; within +-100 (P ~ 1e-6).
    assert.equal(j.layers.clicks, undefined);
    const cell = (x, y) => (j.layers.click_pv ?? []).find(([cx, cy]) => cx === x && cy === y)?.[2] ?? 0;
    const block = [cell(96, 192), cell(112, 192), cell(96, 208), cell(112, 208)];
    assert.ok(block.every((v) => v === block[0]) && Math.abs(block[0] - 2 * N) <= 100, JSON.stringify(j.layers.click_pv));
    assert.equal(j.privacy.click_pv_block_px, 32);
    // The reader is told it is noised and by how much.
    assert.equal(j.privacy.epsilon, 1);
    assert.ok(j.privacy.delta > 0 && j.privacy.delta <= 1e-6, String(j.privacy.delta));
    assert.equal(j.privacy.layer_sd.click_pv, 9.9);
    assert.equal(j.privacy.page_views_sd, 14.8);
    assert.ok(j.privacy.withheld.includes('clicks') && j.privacy.withheld.includes('move'));
  }
  assert.ok(new Set(reads.map((j) => JSON.stringify(j.layers.click_pv))).size > 1, 'click_pv was noised');
  // The binary form the overlay reads carries the same facts in a header.
  const bin = await fetch(`${servers.at(-1).base}/api/heatmap?${new URLSearchParams({ site: site.site_key, page: PAGE, variant: 'big', format: 'bin' })}`,
    { headers: { Authorization: `Bearer ${site.read_token}` } });
  assert.equal(bin.status, 200);
  assert.equal(JSON.parse(bin.headers.get('thermograph-privacy')).layer_sd.click_pv, 9.9);
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
  // epsilon 4: page-view scale 21/8 (sd 3.7); 2 page views pass 20 with probability ~5e-4.
  const get = await serveWith(['--epsilon', '4']);
  const small = await get('/api/heatmap', { variant: 'small' });
  assert.equal(small.status, 403);
  assert.match(small.body.error, /minimum 20$/);
  assert.equal((await get('/api/heatmap', { variant: 'big' })).status, 200);
});
