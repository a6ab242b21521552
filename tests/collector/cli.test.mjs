// The command line: clear one-line errors, sites, export, stats, prune.
import assert from 'node:assert/strict';
import net from 'node:net';
import path from 'node:path';
import { writeFileSync } from 'node:fs';
import { after, before, test } from 'node:test';

import { cli, createSite, encode, postReport, sampleReport, startServer, tempDir } from './helpers.mjs';

let tmp;
before(() => { tmp = tempDir(); });
after(() => tmp?.cleanup());

const oneLine = (s) => s.trim().split('\n').length === 1;

test('--help for the tool and every subcommand', () => {
  for (const args of [['--help'], ['serve', '--help'], ['site', 'create', '--help'], ['site', 'list', '--help'], ['export', '--help'], ['stats', '--help'], ['prune', '--help']]) {
    const r = cli(args);
    assert.equal(r.status, 0, args.join(' '));
    assert.match(r.stdout, /usage: thermograph-collector/);
  }
});

test('unknown or bad flags fail with one line and exit 64', () => {
  const cases = [
    [['serve', '--db', tmp.db, '--bogus'], /unknown flag --bogus/],
    [['serve', '--db', tmp.db, '--port', 'http'], /--port must be an integer/],
    [['serve', '--db', tmp.db, '--port', '70000'], /--port must be an integer in 0\.\.65535/],
    [['serve', '--db', tmp.db, '--max-body', '-5'], /--max-body/],
    [['serve', '--db', tmp.db, '--rate', 'fast'], /--rate must be a number/],
    [['serve', '--port', '1'], /--db PATH is required/],
    [['serve', '--db'], /--db needs a value/],
    [['site', 'create', '--db', tmp.db], /--origin/],
    [['site', 'create', '--db', tmp.db, '--origin', 'shop.example'], /not an origin/],
    [['site', 'create', '--db', tmp.db, '--origin', 'https://shop.example/path'], /not an origin/],
    [['prune', '--db', tmp.db, '--older-than', 'old'], /--older-than must be an integer/],
    [['export', '--db', tmp.db, '--site', 'x', '--format', 'xml'], /json or csv/],
  ];
  for (const [args, re] of cases) {
    const r = cli(args);
    assert.equal(r.status, 64, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re, args.join(' '));
    assert.ok(oneLine(r.stderr), r.stderr);
  }
  const unknown = cli(['frobnicate']);
  assert.equal(unknown.status, 64);
  assert.match(unknown.stderr, /unknown command 'frobnicate'/);
});

test('unwritable database path: one line, exit 1', () => {
  const file = path.join(tmp.dir, 'plain-file');
  writeFileSync(file, 'x');
  for (const args of [['serve', '--db', path.join(file, 'db.sqlite'), '--port', '0'], ['site', 'create', '--db', '/nonexistent-dir/x/db.sqlite', '--origin', 'https://a.example']]) {
    const r = cli(args);
    assert.equal(r.status, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /cannot open database/);
    assert.ok(oneLine(r.stderr), r.stderr);
  }
  const missing = cli(['stats', '--db', path.join(tmp.dir, 'typo.sqlite')]);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /no database at/);
});

test('port in use: one line, exit 1', async () => {
  const blocker = net.createServer();
  await new Promise((r) => blocker.listen(0, '127.0.0.1', r));
  const { port } = blocker.address();
  try {
    const r = cli(['serve', '--db', tmp.db, '--port', String(port)]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`cannot listen on 127.0.0.1:${port}`));
    assert.ok(oneLine(r.stderr), r.stderr);
  } finally {
    blocker.close();
  }
});

test('site create/list, export json/csv, stats, prune', async () => {
  const db = path.join(tmp.dir, 'flow.sqlite');
  const text = cli(['site', 'create', '--db', db, '--origin', 'https://Shop.example']);
  assert.equal(text.status, 0);
  assert.match(text.stdout, /site key: +tg_[0-9a-f]{24}\nread token: tgr_[0-9a-f]{64}/);
  const site = createSite(db, ['https://shop.example', 'http://localhost:3000'], 'shop');
  const list = JSON.parse(cli(['site', 'list', '--db', db, '--json']).stdout);
  assert.equal(list.length, 2);
  assert.deepEqual(list[1].origins, ['https://shop.example', 'http://localhost:3000']);
  assert.equal(list[0].origins[0], 'https://shop.example');
  assert.ok(!JSON.stringify(list).includes(site.read_token), 'tokens are never listed');

  const server = await startServer(db, ['--rate', '0']);
  const bytes = encode(sampleReport(site.site_key));
  for (let i = 0; i < 3; i++) assert.equal((await postReport(server.base, bytes)).status, 204);
  await server.stop();

  const exp = JSON.parse(cli(['export', '--db', db, '--site', site.site_key]).stdout);
  assert.equal(exp.pages.length, 1);
  assert.equal(exp.pages[0].counters.page_views, 3);
  assert.deepEqual(exp.pages[0].layers.clicks, [[96, 192, 6], [112, 192, 3]]);
  const csv = cli(['export', '--db', db, '--site', site.site_key, '--format', 'csv']).stdout.trim().split('\n');
  assert.equal(csv[0].split(',').slice(0, 4).join(','), 'page,key,flags,clicks');
  // Every element counter in the core's order (the behaviour counters 0 here); no name contributed.
  assert.equal(csv[1], '"https://shop.example/pricing",deadbeef,2,9,0,0,0,0,3,0,0,0,0,0' + ',0'.repeat(12) + ',');

  const stats = JSON.parse(cli(['stats', '--db', db]).stdout);
  assert.equal(stats.accepted, 3);
  assert.equal(stats.sites, 2);

  const keep = cli(['prune', '--db', db, '--older-than', '1']);
  assert.equal(keep.status, 0);
  assert.match(keep.stdout, /deleted 0 rows/);
  // Today's bucket is 0 days old, so even --older-than 0 keeps it.
  const today = cli(['prune', '--db', db, '--older-than', '0']);
  assert.match(today.stdout, /deleted 0 rows/);
  assert.equal(JSON.parse(cli(['export', '--db', db, '--site', site.site_key]).stdout).pages.length, 1);
});
