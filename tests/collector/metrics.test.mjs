// /metrics: Prometheus text; loopback-only by default, or behind its own token; counters move
// with the reports that arrive.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { auth, cli, createSite, encode, postReport, request, sampleReport, startServer, tempDir } from './helpers.mjs';

let tmp;
before(() => { tmp = tempDir(); });
after(() => tmp?.cleanup());

// "name{labels} value" lines -> Map, comments dropped.
function parse(text) {
  const m = new Map();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    m.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return m;
}

async function metrics(base, headers = {}) {
  const r = await request(`${base}/metrics`, { headers });
  return { status: r.status, type: r.headers['content-type'], text: r.text, m: r.status === 200 ? parse(r.text) : null };
}

test('counters, queue, batch and commit histograms, database size', async () => {
  const db = path.join(tmp.dir, 'm.sqlite');
  const site = createSite(db);
  const server = await startServer(db, ['--rate', '0']);
  try {
    const before = await metrics(server.base);
    assert.equal(before.status, 200);
    assert.match(before.type, /^text\/plain; version=0\.0\.4/);
    assert.equal(before.m.get('thermograph_reports_total{result="accepted"}'), 0);
    assert.equal(before.m.get('thermograph_commit_batch_reports_count'), 0);
    assert.equal(before.m.get('thermograph_queue_depth'), 0);
    assert.equal(before.m.get('thermograph_queue_capacity'), 8192);
    assert.equal(before.m.get('thermograph_healthy'), 1);
    assert.ok(before.m.get('thermograph_database_bytes') > 0);
    assert.match(before.text, /# TYPE thermograph_commit_seconds histogram/);

    const good = encode(sampleReport(site.site_key));
    for (let i = 0; i < 3; i++) assert.equal((await postReport(server.base, good)).status, 204);
    assert.equal((await postReport(server.base, encode(sampleReport('tg_nosuchsite')))).status, 403);
    const foreign = encode(sampleReport(site.site_key, { segment: { page: 'https://elsewhere.example/' } }));
    assert.equal((await postReport(server.base, foreign)).status, 400);

    const now = (await metrics(server.base)).m;
    assert.equal(now.get('thermograph_reports_total{result="accepted"}'), 3);
    assert.equal(now.get('thermograph_reports_total{result="rejected",reason="unknown_site"}'), 1);
    assert.equal(now.get('thermograph_reports_total{result="rejected",reason="foreign_page"}'), 1);
    // Every accepted report was in exactly one committed batch.
    assert.equal(now.get('thermograph_commit_batch_reports_sum'), 3);
    const batches = now.get('thermograph_commit_batch_reports_count');
    assert.ok(batches >= 1 && batches <= 3, String(batches));
    assert.equal(now.get('thermograph_commit_seconds_count'), batches);
    assert.equal(now.get('thermograph_commit_seconds_bucket{le="+Inf"}'), batches);
    // Buckets are cumulative: never decreasing.
    const buckets = [...now].filter(([k]) => k.startsWith('thermograph_commit_seconds_bucket')).map(([, v]) => v);
    assert.deepEqual(buckets, [...buckets].sort((a, b) => a - b));
    // Per-site counters stay out of the collector-wide series (and out of `stats`).
    assert.ok(![...now.keys()].some((k) => k.includes('site/')));
    assert.ok(!cli(['stats', '--db', db]).stdout.includes('site/'));
  } finally {
    await server.stop();
  }
});

test('loopback only by default: a request from another address is refused', async (t) => {
  const ip = Object.values(os.networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
  if (!ip) return t.skip('this machine has no non-loopback IPv4 address');
  const db = path.join(tmp.dir, 'lo.sqlite');
  createSite(db);
  const server = await startServer(db, ['--host', '0.0.0.0']);
  try {
    const far = await request(`http://${ip}:${server.port}/metrics`, { localAddress: ip });
    assert.equal(far.status, 403);
    assert.equal(far.json().reason, 'metrics_loopback_only');
    assert.ok(!far.text.includes('thermograph_reports_total'));
    // The same collector answers its own host, and serves other requests to the far client.
    assert.equal((await metrics(`http://127.0.0.1:${server.port}`)).status, 200);
    assert.equal((await request(`http://${ip}:${server.port}/healthz`, { localAddress: ip })).status, 200);
  } finally {
    await server.stop();
  }
});

test('--metrics-token-file: every client needs that token, a read token does not do', async () => {
  const db = path.join(tmp.dir, 'tok.sqlite');
  const site = createSite(db);
  const tokenFile = path.join(tmp.dir, 'metrics-token');
  const token = 'metrics-0123456789abcdef';
  writeFileSync(tokenFile, `${token}\n`);
  const short = path.join(tmp.dir, 'short-token');
  writeFileSync(short, 'abc\n');
  const bad = cli(['serve', '--db', db, '--port', '0', '--metrics-token-file', short]);
  assert.equal(bad.status, 64);
  assert.match(bad.stderr, /16\.\.255 characters/);
  const server = await startServer(db, ['--metrics-token-file', tokenFile]);
  try {
    const none = await metrics(server.base);
    assert.equal(none.status, 401);
    assert.ok(!none.text.includes('thermograph_'));
    assert.equal((await metrics(server.base, auth('metrics-wrong-token-0000'))).status, 403);
    assert.equal((await metrics(server.base, auth(site.read_token))).status, 403);
    const ok = await metrics(server.base, auth(token));
    assert.equal(ok.status, 200);
    assert.equal(ok.m.get('thermograph_reports_total{result="accepted"}'), 0);
  } finally {
    await server.stop();
  }
});
