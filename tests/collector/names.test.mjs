// POST /api/names: element names from a designer's overlay, checked and bounded, then shown by
// the dashboard and both CSVs instead of the hash.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';

import { HOME, PRICING, SIGNUP, startSeeded } from './dashboard-seed.mjs';
import { cli, getJson, request, tempDir } from './helpers.mjs';

let tmp, seeded;
before(async () => {
  tmp = tempDir();
  seeded = await startSeeded(tmp.db);
});
after(async () => {
  await seeded?.server.stop();
  tmp?.cleanup();
});

const post = (body, token = seeded.site.read_token, headers = {}) => request(`${seeded.server.base}/api/names?site=${seeded.site.site_key}`, {
  method: 'POST', body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
  headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}), ...headers },
});

test('names need the read token and a page of the site', async () => {
  const body = { page: SIGNUP, names: [{ key: 'c0ffee01', role: 'button', name: 'Start free trial' }] };
  assert.equal((await post(body, null)).status, 401);
  assert.equal((await post(body, 'tgr_' + '2'.repeat(64))).status, 403);
  assert.equal((await post({ ...body, page: 'https://elsewhere.example/signup' })).status, 400);
  // Only page keys as ingest stores them: no personal data in the path, no foreign query.
  const origin = new URL(SIGNUP).origin;
  for (const page of [`${origin}/u/jane.doe@example.com`, `${origin}/order/123456`, `${SIGNUP}?email=x`]) {
    const r = await post({ ...body, page });
    assert.equal(r.status, 400, page);
    assert.equal(r.json().reason, 'bad_page', page);
  }
  assert.equal((await post('not json')).status, 400);
  assert.equal((await post({ page: SIGNUP, names: Array.from({ length: 501 }, () => body.names[0]) })).status, 413);
  // Nothing of that was stored.
  const d = (await getJson(`${seeded.server.base}/api/dashboard`, seeded.site.read_token)).body;
  assert.ok(d.hotspots.elements.every((e) => e.name === null));
});

test('each name is checked: interactive role, label size, no control characters, no PII', async () => {
  const r = await post({ page: PRICING, names: [
    { key: 'c0ffee01', role: 'button', name: 'Compare all plans' },
    { key: 'c0ffee02', role: 'heading', name: 'Our pricing' },
    { key: 'c0ffee03', role: 'link', name: 'Mail jane.doe@example.com' },
    { key: 'c0ffee04', role: 'link', name: 'x'.repeat(65) },
    { key: 'c0ffee05', role: 'link', name: 'line\nbreak' },
    { key: 'C0FFEE06', role: 'link', name: 'Upper-case key' },
    { key: 'c0ffee07', role: 'button', name: 'Call 415-555-0132' },
  ] });
  assert.equal(r.status, 200, r.text);
  const j = r.json();
  assert.equal(j.stored, 1);
  assert.deepEqual(j.refused.map((x) => [x.key, x.reason]), [
    ['c0ffee02', 'role_not_interactive'], ['c0ffee03', 'pii'], ['c0ffee04', 'too_long'],
    ['c0ffee05', 'control_character'], ['C0FFEE06', 'bad_key'], ['c0ffee07', 'pii']]);
});

test('the dashboard and both CSVs name the element; a later name replaces it', async () => {
  assert.equal((await post({ page: SIGNUP, names: [{ key: 'c0ffee01', role: 'button', name: 'Start trial' }] })).status, 200);
  assert.equal((await post({ page: SIGNUP, names: [{ key: 'c0ffee01', role: 'button', name: 'Start free trial' }] })).json().stored, 1);
  const d = (await getJson(`${seeded.server.base}/api/dashboard`, seeded.site.read_token)).body;
  const byPage = Object.fromEntries(d.hotspots.elements.map((e) => [e.page, e.name]));
  assert.deepEqual(byPage, { [SIGNUP]: "'Start free trial' button", [PRICING]: "'Compare all plans' button", [HOME]: null });
  const csv = await request(`${seeded.server.base}/api/elements.csv?site=${seeded.site.site_key}&page=${encodeURIComponent(SIGNUP)}`, { headers: { Authorization: `Bearer ${seeded.site.read_token}` } });
  const lines = csv.text.trim().split('\n');
  assert.ok(lines[0].endsWith(',hot,name'));
  assert.ok(lines[1].startsWith('c0ffee01,'));
  assert.ok(lines[1].endsWith(',"\'Start free trial\' button"'), lines[1]);
  const exp = cli(['export', '--db', tmp.db, '--site', seeded.site.site_key, '--format', 'csv']).stdout.trim().split('\n');
  assert.ok(exp[0].endsWith(',name'));
  const signup = exp.find((l) => l.startsWith(`"${SIGNUP}"`));
  assert.ok(signup.endsWith(',"\'Start free trial\' button"'), signup);
  assert.ok(exp.find((l) => l.startsWith(`"${HOME}"`)).endsWith(','));
});

test('preflight lets the site\'s pages post names; site delete removes them', async () => {
  const pre = await request(`${seeded.server.base}/api/names?site=${seeded.site.site_key}`, {
    method: 'OPTIONS', headers: { Origin: 'https://shop.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization, content-type' } });
  assert.equal(pre.status, 204);
  assert.match(pre.headers['access-control-allow-methods'], /POST/);
  assert.match(pre.headers['access-control-allow-headers'], /Content-Type/);
  assert.equal(pre.headers['access-control-allow-origin'], 'https://shop.example');
  assert.equal(cli(['site', 'delete', '--db', tmp.db, '--site', seeded.site.site_key]).status, 0);
  const left = spawnSync('sqlite3', [tmp.db, `SELECT COUNT(*) FROM element_names WHERE site='${seeded.site.site_key}'`], { encoding: 'utf8' });
  assert.equal(left.stdout.trim(), '0');
});
