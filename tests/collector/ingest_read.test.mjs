// Ingest + read round trip against the real binary: values come back exactly as sent, merged.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { auth, createSite, decodeAggregate, encode, getJson, postReport, request, sampleReport, startServer, tempDir } from './helpers.mjs';

const ORIGIN = 'https://shop.example';
const PAGE = 'https://shop.example/pricing';
let tmp, server, site;

before(async () => {
  tmp = tempDir();
  site = createSite(tmp.db, [ORIGIN]);
  server = await startServer(tmp.db, ['--rate', '0']);
});
after(async () => {
  await server?.stop();
  tmp?.cleanup();
});

const q = (path, params) => `${server.base}${path}?${new URLSearchParams({ site: site.site_key, ...params })}`;

test('reports merge across requests and read back exactly (json, bin, csv)', async () => {
  const a = encode(sampleReport(site.site_key));
  const b = encode(sampleReport(site.site_key, {
    segment: { tags: { plan: 'pro' } },
    layers: { clicks: [[96, 192, 5]], move: [[0, 0, 7]] },
    elements: [{ key: 'deadbeef', counters: { clicks: 1, pv_clicked: 1 } }, { key: '00000001', counters: { hover: 4 } }],
  }));
  assert.ok(a.length > 20 && a.length < 300, `report is ${a.length} bytes`);
  for (const bytes of [a, a, b]) {
    const r = await postReport(server.base, bytes, { Origin: ORIGIN });
    assert.equal(r.status, 204, r.text);
    assert.equal(r.headers['access-control-allow-origin'], ORIGIN);
  }

  const { status, body: j } = await getJson(q('/api/heatmap', { page: PAGE, format: 'json' }), site.read_token);
  assert.equal(status, 200);
  assert.equal(j.kind, 'aggregate');
  assert.equal(j.counters.page_views, 3);
  assert.equal(j.counters.pv_clicked, 3);
  assert.deepEqual(j.layers.clicks, [[96, 192, 2 + 2 + 5], [112, 192, 2]]);
  assert.deepEqual(j.layers.move, [[0, 0, 7]]);
  assert.deepEqual(j.layers.reach_px, [[0, 2], [1, 2], [2, 2]]);
  const el = j.elements.find((e) => e.key === 'deadbeef');
  assert.deepEqual(el.counters, { clicks: 7, pv_clicked: 3 });
  assert.deepEqual(el.cells, [[1, 1, 4], [2, 1, 2]]);
  assert.equal(el.interactive, true);
  // Two segments (with and without the tag) were merged: the tag differs, so it is dropped.
  assert.deepEqual(j.segment.tags, {});
  assert.equal(j.segment.width_class, 2);
  assert.equal(j.segment.device, 1);

  const bin = await request(q('/api/heatmap', { page: PAGE, format: 'bin' }), { headers: auth(site.read_token) });
  assert.equal(bin.status, 200);
  assert.equal(bin.headers['content-type'], 'application/octet-stream');
  assert.deepEqual(decodeAggregate(bin.body), j);

  const csv = await request(q('/api/elements.csv', { page: PAGE }), { headers: auth(site.read_token) });
  assert.equal(csv.status, 200);
  const lines = csv.text.trim().split('\n');
  assert.equal(lines[0], 'key,flags,clicks,rage,dead,error,hover,pv_clicked,pv_hovered,pv_rage,pv_dead,pv_error,pv_converted,' +
    'hesitation_lt_1s,hesitation_1_3s,hesitation_3_10s,hesitation_ge_10s,pv_hover_clicked,pv_exposed,exposure,pv_focused,pv_changed,' +
    'pv_submitted,pv_exit,exit_seconds,rate,ci_low,ci_high,hot,name');
  // rate = pv_clicked / page views with its Wilson interval (docs/insights.md): 0 of 3 and 3 of 3.
  // key, flags, the 23 element counters, then rate and its interval.
  assert.deepEqual(lines.slice(1).map((l) => l.split(',').slice(0, 25).join(',')),
    ['00000001,0,0,0,0,0,4' + ',0'.repeat(18), 'deadbeef,2,7,0,0,0,0,3' + ',0'.repeat(17)]);
  assert.deepEqual(lines.slice(1).map((l) => l.split(',')[25]), ['0', '1']);
  const [lo, hi, hot] = lines[2].split(',').slice(26).map(Number);
  assert.ok(lo > 0.4 && lo < 0.5 && hi === 1 && hot === 0, lines[2]);
});

test('filters, layer selection, pages and segments', async () => {
  const page2 = 'https://shop.example/cart';
  const mobile = encode(sampleReport(site.site_key, { segment: { page: page2, width_class: 0, device: 2, variant: 'B', logged_in: true, tags: { plan: 'free' } } }));
  const desktop = encode(sampleReport(site.site_key, { segment: { page: page2, width_class: 4, device: 1, variant: 'A' } }));
  for (const bytes of [mobile, mobile, desktop]) assert.equal((await postReport(server.base, bytes)).status, 204);

  const pages = await getJson(q('/api/pages', {}), site.read_token);
  assert.equal(pages.status, 200);
  const cart = pages.body.pages.find((p) => p.page === page2);
  assert.equal(cart.page_views, 3);

  const seg = await getJson(q('/api/segments', { page: page2 }), site.read_token);
  assert.equal(seg.status, 200);
  assert.equal(seg.body.page_views, 3);
  assert.deepEqual(seg.body.width_classes, [{ value: 0, page_views: 2 }, { value: 4, page_views: 1 }]);
  assert.deepEqual(seg.body.devices, [{ value: 1, page_views: 1 }, { value: 2, page_views: 2 }]);
  assert.deepEqual(seg.body.variants, [{ value: 'A', page_views: 1 }, { value: 'B', page_views: 2 }]);
  assert.deepEqual(seg.body.logged_in, [{ value: false, page_views: 1 }, { value: true, page_views: 2 }]);
  assert.deepEqual(seg.body.tags, [{ key: 'plan', value: 'free', page_views: 2 }]);
  assert.equal(seg.body.days.length, 1);

  const heat = async (params) => getJson(q('/api/heatmap', { page: page2, ...params }), site.read_token);
  assert.equal((await heat({ device: 'touch' })).body.counters.page_views, 2);
  assert.equal((await heat({ device: '1' })).body.counters.page_views, 1);
  assert.equal((await heat({ width: '4' })).body.counters.page_views, 1);
  assert.equal((await heat({ variant: 'B' })).body.counters.page_views, 2);
  assert.equal((await heat({ logged_in: '1' })).body.counters.page_views, 2);
  assert.equal((await heat({ tag: 'plan:free' })).body.counters.page_views, 2);
  assert.equal((await heat({ tag: 'plan:pro' })).status, 404);
  const day = seg.body.days[0].value;
  assert.equal((await heat({ from: day, to: day })).body.counters.page_views, 3);
  assert.equal((await heat({ to: '1999-01-01' })).status, 404);
  // Mixed segments: width/device become 255 (kMixed), variant empty.
  const all = (await heat({})).body;
  assert.equal(all.segment.width_class, 255);
  assert.equal(all.segment.device, 255);
  assert.equal(all.segment.variant, '');
  const clicksOnly = (await heat({ layer: 'clicks', elements: '0' })).body;
  assert.deepEqual(Object.keys(clicksOnly.layers), ['clicks']);
  assert.deepEqual(clicksOnly.elements, []);
  assert.equal((await heat({ layer: 'heat' })).status, 400);
  assert.equal((await heat({ width: 'wide' })).status, 400);
  assert.equal((await heat({ from: '2024-02-31' })).status, 400);
  assert.equal((await heat({ format: 'xml' })).status, 400);
});

test('CORS: ingest echoes configured origins, preflights answer for read endpoints', async () => {
  const pre = await request(q('/api/heatmap', { page: PAGE }), {
    method: 'OPTIONS',
    headers: { Origin: ORIGIN, 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'authorization' },
  });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers['access-control-allow-origin'], ORIGIN);
  assert.match(pre.headers['access-control-allow-headers'], /Authorization/i);
  assert.match(pre.headers['access-control-allow-methods'], /GET/);

  const foreign = await request(q('/api/heatmap', { page: PAGE }), { method: 'OPTIONS', headers: { Origin: 'https://evil.example' } });
  assert.equal(foreign.headers['access-control-allow-origin'], undefined);

  const read = await request(q('/api/pages', {}), { headers: { Origin: ORIGIN, ...auth(site.read_token) } });
  assert.equal(read.status, 200);
  assert.equal(read.headers['access-control-allow-origin'], ORIGIN);
  assert.equal(read.headers['cache-control'], 'no-store');

  const beaconPre = await request(`${server.base}/r`, { method: 'OPTIONS', headers: { Origin: ORIGIN, 'Access-Control-Request-Method': 'POST' } });
  assert.equal(beaconPre.status, 204);
  assert.equal(beaconPre.headers['access-control-allow-origin'], ORIGIN);
  assert.match(beaconPre.headers['access-control-allow-methods'], /POST/);

  const wrongOrigin = await postReport(server.base, encode(sampleReport(site.site_key)), { Origin: 'https://evil.example' });
  assert.equal(wrongOrigin.status, 403);
  assert.equal(wrongOrigin.json().reason, 'origin_not_allowed');
  assert.equal(wrongOrigin.headers['access-control-allow-origin'], undefined);
});

test('token accepted as ?token= too', async () => {
  const r = await getJson(q('/api/pages', { token: site.read_token }));
  assert.equal(r.status, 200);
});
