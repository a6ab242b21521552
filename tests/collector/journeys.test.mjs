// Journeys (wire v5) through the real collector: element steps merge across page views, the
// routes visitors came from are named from the site's own pages, and bad steps are refused whole.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { createSite, encode, getJson, postReport, routeHash, startServer, tempDir } from './helpers.mjs';

const PRICING = 'https://shop.example/pricing', CHECKOUT = 'https://shop.example/checkout';
const A = '000000aa', B = '000000bb', C = '000000cc';
let tmp, server, site;

const routeOf = routeHash;

const report = (page, { next = [], from } = {}) => ({
  kind: 'delta',
  segment: { site: site.site_key, page, width_class: 3, device: 1, tracker_version: 1 },
  counters: { page_views: 1, pv_clicked: 1 },
  layers: { clicks: [[96, 96, 1]], ...(from === undefined ? {} : { route_from: [[from, 1]] }) },
  elements: [{ key: A, interactive: true, counters: { clicks: 1, pv_clicked: 1 }, ...(next.length ? { next: next.map((k) => [k, 1]) } : {}) },
    // B only as a step's start: the report says nothing else about it.
    ...(next.includes(C) ? [{ key: B, next: [[C, 1]] }] : [])],
});

const post = async (r, n = 1) => {
  const bytes = encode(r);
  for (let i = 0; i < n; i++) assert.equal((await postReport(server.base, bytes)).status, 204);
};

before(async () => {
  tmp = tempDir();
  site = createSite(tmp.db);
  server = await startServer(tmp.db, ['--rate', '0']);
  await post(report(PRICING, { next: [B] }), 6);      // A -> B in 6 page views
  await post(report(PRICING, { next: [B, C] }), 2);   // A -> B, A -> C and B -> C in 2
  await post(report(PRICING), 2);                     // no steps
  await post(report(CHECKOUT, { from: routeOf(PRICING) }), 3);
  await post(report(CHECKOUT, { from: routeOf('https://shop.example/gone') }), 1);
  await post(report(CHECKOUT));
});
after(async () => {
  await server?.stop();
  tmp?.cleanup();
});

const url = (path, page, params = {}) => `${server.base}${path}?${new URLSearchParams({ site: site.site_key, page, ...params })}`;

test('insights list the most travelled steps with their share of page views', async () => {
  const { status, body } = await getJson(url('/api/insights', PRICING), site.read_token);
  assert.equal(status, 200, JSON.stringify(body));
  assert.equal(body.page_views, 10);
  assert.deepEqual(body.journeys.steps, [
    { from: A, to: B, page_views: 8, share: 0.8 },
    { from: A, to: C, page_views: 2, share: 0.2 },
    { from: B, to: C, page_views: 2, share: 0.2 },
  ]);
  assert.deepEqual(body.journeys.came_from, []);
  // The merged aggregate carries them too (JSON form of GET /api/heatmap).
  const heat = (await getJson(url('/api/heatmap', PRICING), site.read_token)).body;
  assert.deepEqual(heat.elements.find((e) => e.key === A).next, [[B, 8], [C, 2]]);
  assert.deepEqual(heat.elements.find((e) => e.key === B).next, [[C, 2]]);
});

test('came from: SPA routes named from the site\'s pages, an unknown one left unnamed', async () => {
  const { status, body } = await getJson(url('/api/insights', CHECKOUT), site.read_token);
  assert.equal(status, 200, JSON.stringify(body));
  assert.equal(body.page_views, 5);
  assert.deepEqual(body.journeys.came_from, [
    { route: routeOf(PRICING), page: PRICING, page_views: 3, share: 0.6 },
    { route: routeOf('https://shop.example/gone'), page: null, page_views: 1, share: 0.2 },
  ]);
  assert.equal(body.journeys.came_from_page_views, 4);
});

test('steps a page view cannot make are refused whole, with the reason', async () => {
  const before = (await getJson(url('/api/insights', PRICING), site.read_token)).body.page_views;
  const nine = report(PRICING);
  nine.elements = Array.from({ length: 9 }, (_, i) => ({ key: (0x100 + i).toString(16), next: [[(0x200 + i).toString(16), 1]] }));
  const twice = report(PRICING);
  twice.elements[0].next = [[B, 2]];
  for (const [r, why] of [[nine, /transition count is 9, a page view contributes at most 8/], [twice, /transition to \d+ is not one step/]]) {
    // Version 5: a version-6 delta's steps are 1 each by construction.
    const res = await postReport(server.base, encode(r, { version: 5 }));
    assert.equal(res.status, 400, res.text);
    assert.match(res.text, why);
  }
  assert.equal((await getJson(url('/api/insights', PRICING), site.read_token)).body.page_views, before);
});

test('under differential privacy, journeys are withheld by default (no public domain for their keys)', async () => {
  // A large epsilon: the page views come through (5 of them would often be refused at epsilon 1);
  // what is withheld depends on the parts' weights, not on epsilon.
  const dp = await startServer(tmp.db, ['--rate', '0', '--epsilon', '1000', '--min-page-views', '1']);
  try {
    const u = `${dp.base}/api/heatmap?${new URLSearchParams({ site: site.site_key, page: CHECKOUT })}`;
    const { status, body } = await getJson(u, site.read_token);
    assert.equal(status, 200, JSON.stringify(body));
    assert.ok(body.privacy.withheld.includes('route_from'), JSON.stringify(body.privacy));
    assert.ok(body.privacy.withheld.includes('element_next'), JSON.stringify(body.privacy));
    assert.equal(body.layers.route_from, undefined);
    const p = `${dp.base}/api/heatmap?${new URLSearchParams({ site: site.site_key, page: PRICING })}`;
    for (const e of (await getJson(p, site.read_token)).body.elements) assert.equal(e.next, undefined);
  } finally {
    await dp.stop();
  }
});
