// Insights and A/B comparison endpoints against the real binary: element rates with intervals,
// a truly different element is significant after BH, an equal one is not; CSV carries the rates.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { createSite, encode, getJson, postReport, request, startServer, tempDir } from './helpers.mjs';

const PAGE = 'https://shop.example/pricing';
const X = '000000aa', Y = '000000bb';  // X: 60 % of page views in A, 20 % in B; Y: 30 % in both
let tmp, server, site;

const report = (variant, clicked) => ({
  kind: 'delta',
  segment: { site: site.site_key, page: PAGE, width_class: 3, device: 1, variant, tracker_version: 1 },
  counters: { page_views: 1, pv_clicked: clicked.length ? 1 : 0 },
  layers: clicked.length ? { clicks: [[96, 96, 1]] } : {},
  elements: clicked.map((key) => ({ key, interactive: true, counters: { clicks: 1, pv_clicked: 1 }, cells: [[1, 1, 1]] })),
});

before(async () => {
  tmp = tempDir();
  site = createSite(tmp.db);
  server = await startServer(tmp.db, ['--rate', '0']);
  // 200 page views per arm. A: X 120, Y 60. B: X 40, Y 60.
  const plan = [['A', [X, Y], 60], ['A', [X], 60], ['A', [], 80],
    ['B', [X, Y], 40], ['B', [Y], 20], ['B', [], 140]];
  for (const [variant, clicked, n] of plan) {
    const bytes = encode(report(variant, clicked));
    for (let i = 0; i < n; i++) assert.equal((await postReport(server.base, bytes)).status, 204);
  }
});
after(async () => {
  await server?.stop();
  tmp?.cleanup();
});

const url = (path, params) => `${server.base}${path}?${new URLSearchParams({ site: site.site_key, page: PAGE, ...params })}`;

test('insights list element rates with Wilson intervals', async () => {
  const { status, body } = await getJson(url('/api/insights', { variant: 'A' }), site.read_token);
  assert.equal(status, 200, JSON.stringify(body));
  assert.equal(body.page_views, 200);
  const x = body.elements.find((e) => e.key === X), y = body.elements.find((e) => e.key === Y);
  assert.equal(x.rate, 0.6);
  assert.equal(y.rate, 0.3);
  assert.ok(x.ci[0] > 0.52 && x.ci[0] < 0.6 && x.ci[1] > 0.6 && x.ci[1] < 0.68, String(x.ci));
  assert.equal(x.hot, true);  // 120 clicks >= 100 and the lower bound beats the mean rate 0.45
  assert.equal(y.hot, false);
  assert.ok(x.priority.score > y.priority.score);
  assert.ok(Array.isArray(body.hotspots) && Array.isArray(body.scroll.reach));
  // Options as parameters: a higher click floor takes the "hot" badge away.
  const strict = (await getJson(url('/api/insights', { variant: 'A', hot_min_clicks: '500' }), site.read_token)).body;
  assert.equal(strict.elements.find((e) => e.key === X).hot, false);
  assert.equal((await getJson(url('/api/insights', { q: 'lots' }), site.read_token)).status, 400);
});

test('compare: the different element is significant, the equal one is not', async () => {
  const { status, body } = await getJson(url('/api/compare', { 'a.variant': 'A', 'b.variant': 'B' }), site.read_token);
  assert.equal(status, 200, JSON.stringify(body));
  assert.equal(body.page_views_a, 200);
  assert.equal(body.page_views_b, 200);
  const x = body.elements.find((e) => e.key === X), y = body.elements.find((e) => e.key === Y);
  assert.equal(x.rate_a, 0.6);
  assert.equal(x.rate_b, 0.2);
  assert.equal(x.significant, true);
  assert.ok(x.p_adjusted < 1e-6, String(x.p_adjusted));
  assert.equal(y.significant, false);
  assert.equal(y.difference, 0);
  assert.equal(body.significant, 1);
  // Unprefixed filters apply to both sides: variant A vs itself shows nothing.
  const same = (await getJson(url('/api/compare', { variant: 'A' }), site.read_token)).body;
  assert.equal(same.significant, 0);
  const missing = await getJson(url('/api/compare', { 'a.variant': 'A', 'b.variant': 'C' }), site.read_token);
  assert.equal(missing.status, 404);
  assert.match(missing.body.error, /^side b: /);
});

test('token required; CSV gains rate, ci_low, ci_high, hot', async () => {
  assert.equal((await getJson(url('/api/insights', {}))).status, 401);
  assert.equal((await getJson(url('/api/compare', { 'a.variant': 'A' }), 'tgr_wrong')).status, 403);
  const csv = await request(url('/api/elements.csv', { variant: 'A' }), { headers: { Authorization: `Bearer ${site.read_token}` } });
  const [head, ...rows] = csv.text.trim().split('\n').map((l) => l.split(','));
  assert.deepEqual(head.slice(-5), ['rate', 'ci_low', 'ci_high', 'hot', 'name']);
  const x = Object.fromEntries(head.map((h, i) => [h, rows.find((r) => r[0] === X)[i]]));
  assert.equal(Number(x.rate), 0.6);
  assert.ok(Number(x.ci_low) < 0.6 && Number(x.ci_high) > 0.6);
  assert.equal(x.hot, '1');
});
