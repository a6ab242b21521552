// POST /api/anchoring: a designer's overlay reports how much of a page's element heat it could not
// find on the live page; the collector keeps the latest figure per page (stamped with its own
// clock) and /api/dashboard shows it. Hostile input is refused with a clear reason and stores
// nothing; a site holds figures for a bounded number of pages.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';

import { cli, createSite, encode, getJson, postReport, request, sampleReport, startServer, tempDir } from './helpers.mjs';

const ORIGIN = 'https://shop.example';
const HOME = `${ORIGIN}/`;
const PRICING = `${ORIGIN}/pricing`;
const MAX_PAGES = 20000;  // kMaxAnchoredPagesPerSite (src/collector/anchoring.h, docs/collector.md)
const MAX_BODY = 2048;  // kMaxAnchoringBodyBytes

let tmp, server, site, other;
before(async () => {
  tmp = tempDir();
  site = createSite(tmp.db, [ORIGIN], 'shop');
  other = createSite(tmp.db, ['https://other.example'], 'other');
  server = await startServer(tmp.db, ['--rate', '0']);
  for (const page of [HOME, PRICING]) {
    const r = await postReport(server.base, encode(sampleReport(site.site_key, { segment: { page } })));
    assert.equal(r.status, 204, r.text);
  }
});
after(async () => {
  await server?.stop();
  tmp?.cleanup();
});

const post = (body, { token = site.read_token, key = site.site_key, headers = {} } = {}) =>
  request(`${server.base}/api/anchoring?site=${key}`, {
    method: 'POST', body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}), ...headers },
  });

// page -> anchoring as /api/dashboard shows it (null: never checked).
async function shown() {
  const d = await getJson(`${server.base}/api/dashboard`, site.read_token);
  assert.equal(d.status, 200);
  return Object.fromEntries(d.body.pages.map((p) => [p.page, p.anchoring]));
}

const sql = (query) => {
  const r = spawnSync('sqlite3', [tmp.db, query], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
};
const stored = () => sql('SELECT site, page, elements, found, missing_share, measured FROM anchoring ORDER BY site, page');

// The collector's clock, read through its own answers: a figure's time lies between the two.
const seconds = (iso) => Date.parse(iso) / 1000;

test('a posted figure is shown per page by /api/dashboard, stamped with the server clock', async () => {
  assert.deepEqual(await shown(), { [HOME]: null, [PRICING]: null });
  const t0 = Math.floor(Date.now() / 1000);
  // 5 stored elements, 4 on the live page, 2 of 5 units of element heat on the missing one.
  const r = await post({ page: PRICING, elements: 5, found: 4, missing_share: 2 / 5 });
  const t1 = Math.ceil(Date.now() / 1000);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json(), { stored: true, page: PRICING });
  const s = await shown();
  assert.equal(s[HOME], null, 'a page never checked says nothing');
  const { checked, ...figure } = s[PRICING];
  assert.deepEqual(figure, { elements: 5, found: 4, missing_share: 0.4 });
  assert.match(checked, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.ok(seconds(checked) >= t0 && seconds(checked) <= t1, `${checked} within [${t0}, ${t1}]`);
});

test('the latest figure of a page replaces the earlier one; index documents fold', async () => {
  assert.equal((await post({ page: PRICING, elements: 7, found: 7, missing_share: 0 })).status, 200);
  const r = await post({ page: `${ORIGIN}/index.html`, elements: 3, found: 1, missing_share: 0.75 });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json().page, HOME);
  const s = await shown();
  assert.deepEqual({ ...s[PRICING], checked: 0 }, { elements: 7, found: 7, missing_share: 0, checked: 0 });
  assert.deepEqual({ ...s[HOME], checked: 0 }, { elements: 3, found: 1, missing_share: 0.75, checked: 0 });
  assert.equal(sql(`SELECT COUNT(*) FROM anchoring WHERE site='${site.site_key}'`), '2');
});

test('hostile or wrong input gets a clear 4xx and stores nothing', async () => {
  const before = stored();
  const ok = { page: PRICING, elements: 5, found: 2, missing_share: 0.5 };
  const cases = [
    ['no token', post(ok, { token: null }), 401, 'no_token'],
    ['wrong token', post(ok, { token: 'tgr_' + '3'.repeat(64) }), 403, 'forbidden'],
    ['another site\'s token', post(ok, { token: other.read_token }), 403, 'forbidden'],
    ['a site key as token', post(ok, { token: site.site_key }), 403, 'forbidden'],
    ['no site', request(`${server.base}/api/anchoring`, { method: 'POST', body: Buffer.from(JSON.stringify(ok)), headers: { Authorization: `Bearer ${site.read_token}` } }), 400, 'bad_request'],
    ['not JSON', post('{"page": '), 400, 'bad_request'],
    ['an array', post('[1, 2]'), 400, 'bad_request'],
    ['a field missing', post({ page: PRICING, elements: 5, found: 2 }), 400, 'bad_request'],
    ['page not a string', post({ ...ok, page: 7 }), 400, 'bad_request'],
    ['elements as text', post({ ...ok, elements: '5' }), 400, 'bad_request'],
    ['share as null', post({ ...ok, missing_share: null }), 400, 'bad_request'],
    ['no elements', post({ ...ok, elements: 0, found: 0, missing_share: 0 }), 400, 'out_of_range'],
    ['negative elements', post({ ...ok, elements: -5 }), 400, 'out_of_range'],
    ['fractional elements', post({ ...ok, elements: 5.5 }), 400, 'out_of_range'],
    ['too many elements', post({ ...ok, elements: 1000001, found: 1 }), 400, 'out_of_range'],
    ['huge elements', post('{"page":"https://shop.example/pricing","elements":1e300,"found":1,"missing_share":0.5}'), 400, 'out_of_range'],
    ['found over elements', post({ ...ok, found: 6 }), 400, 'out_of_range'],
    ['negative found', post({ ...ok, found: -1 }), 400, 'out_of_range'],
    ['share over 1', post({ ...ok, missing_share: 1.5 }), 400, 'out_of_range'],
    ['negative share', post({ ...ok, missing_share: -0.1 }), 400, 'out_of_range'],
    ['heat missing though all found', post({ ...ok, found: 5, missing_share: 0.2 }), 400, 'out_of_range'],
    ['another origin', post({ ...ok, page: 'https://elsewhere.example/pricing' }), 400, 'foreign_page'],
    ['not a page key', post({ ...ok, page: 'pricing' }), 400, 'bad_page'],
    ['empty page', post({ ...ok, page: '' }), 400, 'bad_page'],
    ['personal data in the path', post({ ...ok, page: `${ORIGIN}/u/jane.doe@example.com` }), 400, 'bad_page'],
    ['a query outside the allow-list', post({ ...ok, page: `${PRICING}?email=x` }), 400, 'bad_page'],
    ['page over 512 bytes', post({ ...ok, page: `${ORIGIN}/${'a'.repeat(520)}` }), 400, 'bad_page'],
    ['body over the bound', post({ ...ok, pad: 'x'.repeat(MAX_BODY) }), 413, 'too_large'],
  ];
  for (const [what, pending, status, reason] of cases) {
    const r = await pending;
    assert.equal(r.status, status, `${what}: ${r.text}`);
    const body = r.json();
    assert.equal(body.reason, reason, `${what}: ${r.text}`);
    assert.ok(body.error.length > 10, `${what}: a message people can read: ${r.text}`);
  }
  assert.equal(stored(), before, 'nothing stored');
});

test('preflight lets the site\'s pages post; another site\'s figures stay apart', async () => {
  const pre = await request(`${server.base}/api/anchoring?site=${site.site_key}`, {
    method: 'OPTIONS', headers: { Origin: ORIGIN, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization, content-type' } });
  assert.equal(pre.status, 204);
  assert.match(pre.headers['access-control-allow-methods'], /POST/);
  assert.equal(pre.headers['access-control-allow-origin'], ORIGIN);
  const r = await post({ page: PRICING, elements: 2, found: 1, missing_share: 0.5 }, { headers: { Origin: ORIGIN } });
  assert.equal(r.status, 200);
  assert.equal(r.headers['access-control-allow-origin'], ORIGIN);
  const o = await post({ page: 'https://other.example/', elements: 1, found: 0, missing_share: 1 }, { token: other.read_token, key: other.site_key });
  assert.equal(o.status, 200, o.text);
  assert.equal(sql(`SELECT elements, found, missing_share FROM anchoring WHERE site='${other.site_key}'`), '1|0|1.0');
  assert.equal((await shown())[PRICING].missing_share, 0.5);
});

test(`a site holds figures for at most ${MAX_PAGES} pages; known pages are still replaced`, async () => {
  // Fill the site up to one short of the bound with figures of other pages, straight in the table.
  const held = Number(sql(`SELECT COUNT(*) FROM anchoring WHERE site='${site.site_key}'`));
  sql(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${MAX_PAGES - held - 1})
       INSERT INTO anchoring SELECT '${site.site_key}', '${ORIGIN}/filled/' || i, 3, 2, 0.5, 0 FROM n`);
  const last = await post({ page: `${ORIGIN}/last`, elements: 4, found: 3, missing_share: 0.25 });
  assert.deepEqual(last.json(), { stored: true, page: `${ORIGIN}/last` });
  const full = await post({ page: `${ORIGIN}/one-more`, elements: 4, found: 3, missing_share: 0.25 });
  assert.equal(full.status, 200);
  assert.equal(full.json().stored, false);
  assert.equal(full.json().reason, 'site_full');
  assert.equal(sql(`SELECT COUNT(*) FROM anchoring WHERE site='${site.site_key}'`), String(MAX_PAGES));
  assert.equal(sql(`SELECT COUNT(*) FROM anchoring WHERE page='${ORIGIN}/one-more'`), '0');
  // A page the site holds a figure for is still replaced, and another site is not affected.
  assert.equal((await post({ page: PRICING, elements: 9, found: 8, missing_share: 0.125 })).json().stored, true);
  assert.equal((await shown())[PRICING].missing_share, 0.125);
  const o = await post({ page: 'https://other.example/new', elements: 1, found: 1, missing_share: 0 }, { token: other.read_token, key: other.site_key });
  assert.equal(o.json().stored, true);
});

test('site delete removes the site\'s figures', async () => {
  assert.equal(cli(['site', 'delete', '--db', tmp.db, '--site', site.site_key]).status, 0);
  assert.equal(sql(`SELECT COUNT(*) FROM anchoring WHERE site='${site.site_key}'`), '0');
  assert.equal(sql(`SELECT COUNT(*) FROM anchoring WHERE site='${other.site_key}'`), '2');
});
