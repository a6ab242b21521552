// Storage faults against the real binary: an unwritable database refuses to start (one line,
// exit 1, no read-only -wal/-shm left behind); a file-size limit (ulimit -f) and a full disk
// answer 503 storage_full without killing the process, and writes work again once space
// returns; a corrupt stored row is quarantined while every other row keeps working.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { auth, cli, collectorBin, createSite, encode, getJson, operatorStats, postReport, request, sampleReport, startServer, tempDir, waitForStats } from './helpers.mjs';

const isRoot = process.getuid() === 0;
const NOBODY = 65534;
let tmp, site;
before(() => {
  tmp = tempDir();
  site = createSite(tmp.db);
});
after(() => tmp?.cleanup());

const oneLine = (s) => s.trim().split('\n').length === 1;

// A report of ~2.5 KB: 64 click cells and 512 dwell cells, all distinct per `seed`.
function bigReport(siteKey, page, seed) {
  const cells = (n, max) => Array.from({ length: n }, (_, i) => [(i % 80) * 16, (seed * 7 + Math.floor(i / 80)) * 16 % 60000, 1 + ((i + seed) % max)]);
  return encode(sampleReport(siteKey, { segment: { page }, layers: { clicks: cells(64, 20), move: cells(512, 200) }, elements: [] }));
}

// Collector-wide counters are the operator's (`thermograph-collector stats`).
const stats = (db) => operatorStats(db);

// Posts until a 503 storage_full (bounded), checking that every other answer is a 204.
async function fillUntilFull(base, siteKey, page, max = 4000) {
  for (let i = 0; i < max; i++) {
    const r = await postReport(base, bigReport(siteKey, page, i));
    if (r.status === 503) return r;
    assert.equal(r.status, 204, r.text);
  }
  assert.fail(`no 503 after ${max} reports`);
}

// serve as an unprivileged user: root writes through permission bits, so the refusal is only
// observable for another user. Non-root runs as itself.
function asUser(dir) {
  if (!isRoot) return {};
  chownSync(dir, NOBODY, NOBODY);
  return { uid: NOBODY, gid: NOBODY };
}

function serveOnce(db, spawnOptions) {
  const r = spawnSync(collectorBin, ['serve', '--db', db, '--port', '0'], { encoding: 'utf8', timeout: 5000, ...spawnOptions });
  return { status: r.status, stderr: r.stderr };
}

test('a read-only database file: refused at start, nothing created, starts once fixed', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tg-ro-'));
  try {
    const db = path.join(dir, 'ro.sqlite');
    createSite(db);
    const user = asUser(dir);
    if (isRoot) chownSync(db, NOBODY, NOBODY);
    for (const side of ['-wal', '-shm']) rmSync(db + side, { force: true });
    chmodSync(db, 0o444);
    const r = serveOnce(db, user);
    assert.equal(r.status, 1, r.stderr);
    assert.ok(oneLine(r.stderr), r.stderr);
    assert.match(r.stderr, /cannot open database .*not writable/);
    assert.ok(!existsSync(db + '-wal') && !existsSync(db + '-shm'), 'left -wal/-shm files behind');

    chmodSync(db, 0o644);
    const server = await startServer(db, ['--rate', '0'], { spawnOptions: user });
    try {
      const s = JSON.parse(cli(['site', 'list', '--db', db, '--json']).stdout)[0];
      assert.equal((await postReport(server.base, encode(sampleReport(s.site_key)))).status, 204);
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an unwritable directory, or a read-only -wal left behind: refused at start', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tg-rodir-'));
  try {
    const db = path.join(dir, 'db.sqlite');
    createSite(db);
    for (const side of ['-wal', '-shm']) rmSync(db + side, { force: true });
    const user = asUser(dir);
    if (isRoot) chownSync(db, NOBODY, NOBODY);
    chmodSync(dir, 0o555);
    let r = serveOnce(db, user);
    assert.equal(r.status, 1, r.stderr);
    assert.ok(oneLine(r.stderr), r.stderr);
    assert.match(r.stderr, /directory .* is not writable/);
    r = serveOnce(path.join(dir, 'new.sqlite'), user);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /cannot open database/);

    chmodSync(dir, 0o755);
    writeFileSync(db + '-wal', '');
    if (isRoot) chownSync(db + '-wal', NOBODY, NOBODY);
    chmodSync(db + '-wal', 0o444);
    r = serveOnce(db, user);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /-wal is not writable/);
  } finally {
    chmodSync(dir, 0o755);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('file-size limit (ulimit -f): 503 storage_full, the process lives, writes resume when raised', async () => {
  const t = tempDir();
  try {
    const s = createSite(t.db);
    // -S: the soft limit only, so it can be raised again from outside (prlimit).
    const server = await startServer(t.db, ['--rate', '0', '--compact-after', '0'], { prefix: ['bash', '-c', 'ulimit -S -f 256; exec "$@"', '-'] });
    try {
      const full = await fillUntilFull(server.base, s.site_key, 'https://shop.example/big');
      assert.equal(full.json().reason, 'storage_full');
      assert.ok(full.headers['retry-after']);
      const health = await request(`${server.base}/healthz`);
      assert.equal(health.status, 503);
      assert.equal(health.json().reason, 'storage_full');
      assert.equal(server.proc.exitCode, null, 'the collector died');

      const raised = spawnSync('prlimit', ['--pid', String(server.proc.pid), '--fsize=unlimited']);
      assert.equal(raised.status, 0, String(raised.stderr));
      const again = await postReport(server.base, bigReport(s.site_key, 'https://shop.example/big', 99999));
      assert.equal(again.status, 204, again.text);
      assert.equal((await request(`${server.base}/healthz`)).status, 200);
      // The refusals are counted once the file can grow again (counters are stored in the file).
      assert.ok((await waitForStats(t.db, (x) => (x.rejected.storage_full ?? 0) >= 1)).rejected.storage_full >= 1);
    } finally {
      await server.stop();
    }
  } finally {
    t.cleanup();
  }
});

test('disk full (a 2 MiB tmpfs): 503 storage_full, and writes resume when space returns', async (t) => {
  const mnt = mkdtempSync(path.join(tmpdir(), 'tg-tmpfs-'));
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mnt]);
  if (mounted.status !== 0) {
    rmSync(mnt, { recursive: true, force: true });
    t.skip(`cannot mount a tmpfs here (needs root): ${String(mounted.stderr).trim()}`);
    return;
  }
  try {
    const db = path.join(mnt, 'db.sqlite');
    const s = createSite(db);
    const filler = path.join(mnt, 'filler');
    writeFileSync(filler, Buffer.alloc(512 * 1024));  // the space that "returns" later
    const server = await startServer(db, ['--rate', '0', '--compact-after', '0']);
    try {
      const full = await fillUntilFull(server.base, s.site_key, 'https://shop.example/disk');
      assert.equal(full.json().reason, 'storage_full');
      assert.equal((await request(`${server.base}/healthz`)).status, 503);
      assert.equal(server.proc.exitCode, null, 'the collector died');

      rmSync(filler);
      let status = 0;
      for (let i = 0; i < 50 && status !== 204; i++) {
        status = (await postReport(server.base, encode(sampleReport(s.site_key, { segment: { page: 'https://shop.example/disk' } })))).status;
        if (status !== 204) await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(status, 204);
      assert.equal((await request(`${server.base}/healthz`)).status, 200);
      const h = await getJson(`${server.base}/api/heatmap?site=${s.site_key}&page=${encodeURIComponent('https://shop.example/disk')}&layer=clicks`, s.read_token);
      assert.equal(h.status, 200);
      assert.ok(h.body.counters.page_views >= 2);
    } finally {
      await server.stop();
    }
  } finally {
    spawnSync('umount', [mnt]);
    rmSync(mnt, { recursive: true, force: true });
  }
});

// Both write paths: small rows merged in place (the next batch finds the bad row), and every
// report a pending delta (--in-place-cells 0: reads and the compactor find it).
for (const mode of [[], ['--in-place-cells', '0']]) test(`a corrupt stored row is quarantined; reports for every page keep being stored ${mode.join(' ')}`, async () => {
  const t = tempDir();
  try {
    const s = createSite(t.db);
    const A = 'https://shop.example/corrupt-a', B = 'https://shop.example/healthy-b';
    const rep = (page) => encode(sampleReport(s.site_key, { segment: { page } }));
    const flags = ['--rate', '0', '--compact-after', '0', ...mode];
    let server = await startServer(t.db, flags);
    for (let i = 0; i < 5; i++) for (const p of [A, B]) assert.equal((await postReport(server.base, rep(p))).status, 204);
    for (let i = 0; i < 100 && stats(t.db).storage.pending_deltas > 0; i++) await new Promise((r) => setTimeout(r, 100));
    await server.stop();

    const sql = spawnSync('sqlite3', [t.db, `UPDATE aggregates SET data = x'544701001200' WHERE page = '${A}'`], { encoding: 'utf8' });
    assert.equal(sql.status, 0, sql.stderr);

    server = await startServer(t.db, flags);
    try {
      const heat = (page) => getJson(`${server.base}/api/heatmap?site=${s.site_key}&page=${encodeURIComponent(page)}&layer=clicks`, s.read_token);
      let failed = 0;
      for (let i = 0; i < 20; i++) for (const p of [A, B]) failed += (await postReport(server.base, rep(p))).status !== 204;
      assert.equal(failed, 0, 'reports refused because of another row');
      let quarantined = 0;
      for (let i = 0; i < 100 && !quarantined; i++) {
        await heat(A);  // a read notices the bad row too
        quarantined = stats(t.db).storage.rows_quarantined ?? 0;
        if (!quarantined) await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(quarantined, 1);
      assert.equal((await heat(B)).body.counters.page_views, 25);
      assert.equal((await heat(A)).body.counters.page_views, 20, 'the new reports for A are kept');
      assert.equal(JSON.parse(cli(['stats', '--db', t.db]).stdout).storage.rows_quarantined, 1);
      const kept = spawnSync('sqlite3', [t.db, 'SELECT source, page, length(data) FROM quarantine'], { encoding: 'utf8' });
      assert.equal(kept.stdout.trim(), `row|${A}|6`);
    } finally {
      await server.stop();
    }
  } finally {
    t.cleanup();
  }
});
