// Operator commands: --version, site update / rotate-token / delete (also on a running collector),
// and export of an unknown site.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';

import { cli, createSite, encode, getJson, postReport, sampleReport, startServer, tempDir } from './helpers.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let tmp;
before(() => { tmp = tempDir(); });
after(() => tmp?.cleanup());

// A running collector reloads its view of the sites at most a second after a change: poll.
async function until(fn, tries = 100) {
  for (let i = 0; ; i++) {
    const v = await fn();
    if (v || i >= tries) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('--version prints the package version', () => {
  const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  for (const flag of ['--version', 'version']) {
    const r = cli([flag]);
    assert.equal(r.status, 0);
    assert.equal(r.stdout, `thermograph-collector ${version}\n`);
  }
  assert.match(cli(['--help']).stdout, /site rotate-token/);
  for (const c of ['update', 'rotate-token', 'delete']) {
    const r = cli(['site', c, '--help']);
    assert.equal(r.status, 0, c);
    assert.match(r.stdout, new RegExp(`site ${c}`));
  }
});

test('usage errors and unknown sites: one line, exit 64 or 1', () => {
  const db = path.join(tmp.dir, 'errors.sqlite');
  const site = createSite(db);
  const usage = [
    [['site', 'update', '--db', db, '--site', site.site_key], /--origin is required/],
    [['site', 'update', '--db', db, '--site', site.site_key, '--origin', 'ftp://x'], /not an origin/],
    [['site', 'rotate-token', '--db', db], /--site are required/],
    [['site', 'delete', '--site', site.site_key], /--site are required/],
    [['site', 'frob', '--db', db], /unknown command 'site frob'/],
  ];
  for (const [args, re] of usage) {
    const r = cli(args);
    assert.equal(r.status, 64, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re);
  }
  for (const args of [
    ['export', '--db', db, '--site', 'tg_nosuchsite'],
    ['export', '--db', db, '--site', 'tg_nosuchsite', '--format', 'csv'],
    ['site', 'delete', '--db', db, '--site', 'tg_nosuchsite'],
    ['site', 'rotate-token', '--db', db, '--site', 'tg_nosuchsite'],
    ['site', 'update', '--db', db, '--site', 'tg_nosuchsite', '--origin', 'https://a.example'],
  ]) {
    const r = cli(args);
    assert.equal(r.status, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /no site with key 'tg_nosuchsite'/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.equal(r.stdout, '');
  }
  // The site that exists is untouched by all of that.
  const list = JSON.parse(cli(['site', 'list', '--db', db, '--json']).stdout);
  assert.deepEqual(list.map((s) => s.site_key), [site.site_key]);
});

test('on a running collector: rotate-token, update --origin and delete take effect', async () => {
  const db = path.join(tmp.dir, 'live.sqlite');
  const site = createSite(db, ['https://shop.example']);
  const other = createSite(db, ['https://other.example'], 'other');
  const server = await startServer(db, ['--rate', '0']);
  try {
    const pagesUrl = `${server.base}/api/pages?site=${site.site_key}`;
    const post = (origin = 'https://shop.example') =>
      postReport(server.base, encode(sampleReport(site.site_key)), { Origin: origin });
    assert.equal((await post()).status, 204);
    assert.equal((await getJson(pagesUrl, site.read_token)).status, 200);

    // rotate-token: printed once, the old token stops working, the new one works.
    const rot = cli(['site', 'rotate-token', '--db', db, '--site', site.site_key, '--json']);
    assert.equal(rot.status, 0, rot.stderr);
    const { read_token: fresh } = JSON.parse(rot.stdout);
    assert.match(fresh, /^tgr_[0-9a-f]{64}$/);
    assert.notEqual(fresh, site.read_token);
    const refused = await until(async () => (await getJson(pagesUrl, site.read_token)).status === 403);
    assert.ok(refused, 'the old token still reads after rotation');
    const ok = await getJson(pagesUrl, fresh);
    assert.equal(ok.status, 200);
    assert.equal(ok.body.pages[0].page_views, 1);
    const text = cli(['site', 'rotate-token', '--db', db, '--site', site.site_key]);
    assert.match(text.stdout, /^read token: tgr_[0-9a-f]{64}\n/);
    const newest = /tgr_[0-9a-f]{64}/.exec(text.stdout)[0];

    // update --origin: the new origin may send, the old one is refused.
    const up = cli(['site', 'update', '--db', db, '--site', site.site_key, '--origin', 'https://New.example', '--name', 'renamed']);
    assert.equal(up.status, 0, up.stderr);
    const moved = await until(async () => (await post('https://shop.example')).status === 403);
    assert.ok(moved, 'the old origin still writes after update');
    // The page key's origin must be one of the site's origins too.
    const r = await postReport(server.base, encode(sampleReport(site.site_key, { segment: { page: 'https://new.example/pricing' } })), { Origin: 'https://new.example' });
    assert.equal(r.status, 204);
    const list = JSON.parse(cli(['site', 'list', '--db', db, '--json']).stdout);
    const rec = list.find((s) => s.site_key === site.site_key);
    assert.deepEqual(rec.origins, ['https://new.example']);
    assert.equal(rec.name, 'renamed');

    // delete: its data and token are gone, reports for it are refused; the other site stays.
    assert.equal((await postReport(server.base, encode(sampleReport(other.site_key, { segment: { page: 'https://other.example/' } })), { Origin: 'https://other.example' })).status, 204);
    const del = cli(['site', 'delete', '--db', db, '--site', site.site_key]);
    assert.equal(del.status, 0, del.stderr);
    assert.match(del.stdout, new RegExp(`deleted site ${site.site_key} and \\d+ rows`));
    const gone = await until(async () => (await post('https://new.example')).status === 403);
    assert.ok(gone, 'reports for a deleted site are still accepted');
    assert.equal((await getJson(pagesUrl, newest)).status, 403);
    const exp = cli(['export', '--db', db, '--site', site.site_key]);
    assert.equal(exp.status, 1);
    const otherPages = await getJson(`${server.base}/api/pages?site=${other.site_key}`, other.read_token);
    assert.equal(otherPages.status, 200);
    assert.equal(otherPages.body.pages[0].page_views, 1);
  } finally {
    await server.stop();
  }
  // Nothing of the deleted site is left in the database, even rows still pending compaction.
  const count = (table) => spawnSync('sqlite3', [db, `SELECT COUNT(*) FROM ${table} WHERE site='${site.site_key}'`], { encoding: 'utf8' }).stdout.trim();
  for (const table of ['aggregates', 'deltas', 'quarantine']) assert.equal(count(table), '0', table);
  const left = cli(['export', '--db', db, '--site', other.site_key]);
  assert.equal(JSON.parse(left.stdout).pages.length, 1);
  assert.equal(JSON.parse(cli(['site', 'list', '--db', db, '--json']).stdout).length, 1);
});
