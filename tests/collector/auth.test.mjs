// Access control: read endpoints need the site's own read token; keys never cross sites.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { auth, createSite, encode, postReport, request, sampleReport, startServer, tempDir } from './helpers.mjs';

let tmp, server, siteA, siteB;
const PAGE = 'https://shop.example/pricing';

before(async () => {
  tmp = tempDir();
  siteA = createSite(tmp.db, ['https://shop.example'], 'a');
  siteB = createSite(tmp.db, ['https://blog.example'], 'b');
  server = await startServer(tmp.db, ['--rate', '0']);
  assert.equal((await postReport(server.base, encode(sampleReport(siteA.site_key)))).status, 204);
});
after(async () => {
  await server?.stop();
  tmp?.cleanup();
});

const endpoints = (site) => [
  `/api/pages?site=${site}`,
  `/api/segments?site=${site}&page=${encodeURIComponent(PAGE)}`,
  `/api/heatmap?site=${site}&page=${encodeURIComponent(PAGE)}&format=json`,
  `/api/heatmap?site=${site}&page=${encodeURIComponent(PAGE)}&format=bin`,
  `/api/elements.csv?site=${site}&page=${encodeURIComponent(PAGE)}`,
];

test('no token: 401 with WWW-Authenticate on every read endpoint', async () => {
  for (const path of [...endpoints(siteA.site_key), '/api/stats']) {
    const r = await request(server.base + path);
    assert.equal(r.status, 401, path);
    assert.match(r.headers['www-authenticate'], /Bearer/);
    assert.equal(r.json().reason, 'no_token');
  }
});

test('wrong token, other site\'s token, site key as token, unknown site: 403', async () => {
  const cases = [
    ['wrong token', 'tgr_' + '0'.repeat(64)],
    ['other site token', siteB.read_token],
    ['own site key', siteA.site_key],
    ['other site key', siteB.site_key],
    ['token with suffix', siteA.read_token + 'x'],
    ['token prefix', siteA.read_token.slice(0, -1)],
  ];
  for (const [name, token] of cases) {
    for (const path of endpoints(siteA.site_key)) {
      const viaHeader = await request(server.base + path, { headers: auth(token) });
      assert.equal(viaHeader.status, 403, `${name} ${path}`);
      const viaQuery = await request(`${server.base}${path}&token=${encodeURIComponent(token)}`);
      assert.equal(viaQuery.status, 403, `${name} ${path} (query)`);
    }
  }
  const unknown = await request(`${server.base}/api/pages?site=tg_nope`, { headers: auth(siteA.read_token) });
  assert.equal(unknown.status, 403);
  const missingSite = await request(`${server.base}/api/pages`, { headers: auth(siteA.read_token) });
  assert.equal(missingSite.status, 400);
});

test('site B\'s token reads B only, and B sees none of A\'s data', async () => {
  const r = await request(`${server.base}/api/pages?site=${siteB.site_key}`, { headers: auth(siteB.read_token) });
  assert.equal(r.status, 200);
  assert.deepEqual(r.json().pages, []);
  const h = await request(`${server.base}/api/heatmap?site=${siteB.site_key}&page=${encodeURIComponent(PAGE)}`, { headers: auth(siteB.read_token) });
  assert.equal(h.status, 404);
});

test('a report carrying site B\'s key lands in B, never in A; B\'s origin cannot write as A', async () => {
  const asB = encode(sampleReport(siteB.site_key, { segment: { page: 'https://blog.example/post' } }));
  assert.equal((await postReport(server.base, asB, { Origin: 'https://blog.example' })).status, 204);
  const pagesA = (await request(`${server.base}/api/pages?site=${siteA.site_key}`, { headers: auth(siteA.read_token) })).json();
  assert.ok(pagesA.pages.every((p) => p.page !== 'https://blog.example/post'));
  const pagesB = (await request(`${server.base}/api/pages?site=${siteB.site_key}`, { headers: auth(siteB.read_token) })).json();
  assert.deepEqual(pagesB.pages.map((p) => p.page), ['https://blog.example/post']);
  // Site A's key sent from B's origin is refused.
  const cross = await postReport(server.base, encode(sampleReport(siteA.site_key)), { Origin: 'https://blog.example' });
  assert.equal(cross.status, 403);
});

test('/api/stats with site B\'s token shows site B only; A\'s site or key get 403', async () => {
  const asB = encode(sampleReport(siteB.site_key, { segment: { page: 'https://blog.example/stats' } }));
  assert.equal((await postReport(server.base, asB)).status, 204);
  const pagesA = (await request(`${server.base}/api/pages?site=${siteA.site_key}`, { headers: auth(siteA.read_token) })).json();
  for (const url of [`${server.base}/api/stats`, `${server.base}/api/stats?site=${siteB.site_key}`]) {
    const r = await request(url, { headers: auth(siteB.read_token) });
    assert.equal(r.status, 200, url);
    assert.equal(r.headers['cache-control'], 'no-store');
    const j = r.json();
    assert.equal(j.site, siteB.site_key);
    // B's own figures: its pages and page views, none of A's.
    const pagesB = (await request(`${server.base}/api/pages?site=${siteB.site_key}`, { headers: auth(siteB.read_token) })).json();
    assert.equal(j.pages, pagesB.pages.length);
    assert.equal(j.page_views, pagesB.pages.reduce((a, p) => a + p.page_views, 0));
    assert.ok(!JSON.stringify(j).includes(siteA.site_key));
    assert.ok(!JSON.stringify(j).includes('pricing'));
    // No collector-wide counters: those would describe every site's traffic.
    for (const key of ['accepted', 'rejected', 'rejected_total', 'queue_depth']) assert.ok(!(key in j), key);
  }
  assert.ok(pagesA.pages.length >= 1);
  // Another site's key with B's token, and a site key as token: 403.
  assert.equal((await request(`${server.base}/api/stats?site=${siteA.site_key}`, { headers: auth(siteB.read_token) })).status, 403);
  assert.equal((await request(`${server.base}/api/stats`, { headers: auth(siteB.site_key) })).status, 403);
  const a = (await request(`${server.base}/api/stats`, { headers: auth(siteA.read_token) })).json();
  assert.equal(a.site, siteA.site_key);
  assert.equal(a.page_views, pagesA.pages.reduce((x, p) => x + p.page_views, 0));
});
