// kill -9 under load: every acknowledged (204) report must survive; nothing is invented.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, test } from 'node:test';

import { auth, createSite, encode, operatorStats, postReport, request, sampleReport, startServer, tempDir } from './helpers.mjs';

let tmp, site;
before(() => {
  tmp = tempDir();
  site = createSite(tmp.db);
});
after(() => tmp?.cleanup());

async function pageViews(base, page) {
  const r = await request(`${base}/api/heatmap?site=${site.site_key}&page=${encodeURIComponent(page)}&layer=clicks`, { headers: auth(site.read_token) });
  if (r.status === 404) return 0;
  assert.equal(r.status, 200, r.text);
  return r.json().counters.page_views;
}

// Workers post reports over keep-alive connections until told to stop; only 204s count as acked.
function load(base, bytes, workers) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: workers });
  const state = { sent: 0, acked: 0, stop: false };
  const one = () => new Promise((resolve) => {
    const req = http.request(`${base}/r`, { method: 'POST', agent, headers: { 'Content-Type': 'text/plain', 'Content-Length': bytes.length } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
      res.on('error', () => resolve(0));
    });
    req.on('error', () => resolve(0));
    req.end(bytes);
  });
  const loops = Array.from({ length: workers }, async () => {
    while (!state.stop) {
      state.sent++;
      if ((await one()) === 204) state.acked++;
    }
  });
  state.done = Promise.all(loops).then(() => agent.destroy());
  return state;
}

test('kill -9 mid-load loses no acknowledged report', async () => {
  const page = 'https://shop.example/crash-mid-load';
  const bytes = encode(sampleReport(site.site_key, { segment: { page } }));
  const server = await startServer(tmp.db, ['--rate', '0']);
  const state = load(server.base, bytes, 32);
  while (state.acked < 500) await new Promise((r) => setTimeout(r, 20));
  server.proc.kill('SIGKILL');  // requests in flight now fail; their reports may or may not be in
  await server.exited;
  state.stop = true;
  await state.done;

  const again = await startServer(tmp.db, ['--rate', '0']);
  try {
    const total = await pageViews(again.base, page);
    assert.ok(state.acked >= 500);
    assert.ok(total >= state.acked, `lost acknowledged reports: ${total} stored < ${state.acked} acked`);
    assert.ok(total <= state.sent, `stored ${total} > sent ${state.sent}`);
  } finally {
    await again.stop();
  }
});

test('kill -9 after the load stops: stored page views equal acknowledged reports exactly', async () => {
  const page = 'https://shop.example/crash-after-load';
  const bytes = encode(sampleReport(site.site_key, { segment: { page } }));
  const server = await startServer(tmp.db, ['--rate', '0']);
  const state = load(server.base, bytes, 16);
  while (state.acked < 300) await new Promise((r) => setTimeout(r, 20));
  state.stop = true;
  await state.done;  // every request has its answer: no report is in doubt
  assert.equal(state.acked, state.sent);
  server.proc.kill('SIGKILL');
  await server.exited;

  const again = await startServer(tmp.db, ['--rate', '0']);
  try {
    assert.equal(await pageViews(again.base, page), state.acked);
    assert.ok(operatorStats(tmp.db).accepted >= state.acked);
    // The store still takes writes after recovery.
    assert.equal((await postReport(again.base, bytes)).status, 204);
    assert.equal(await pageViews(again.base, page), state.acked + 1);
  } finally {
    await again.stop();
  }
});

test('kill -9 mid-load while compaction folds deltas into rows: nothing acknowledged lost, nothing counted twice', async () => {
  const page = 'https://shop.example/crash-compacting';
  const bytes = encode(sampleReport(site.site_key, { segment: { page } }));
  // Every report a pending delta (--in-place-cells 0), every pass folds every pending delta
  // (--compact-after 0): the kill lands amid appends and compactions.
  const flags = ['--rate', '0', '--compact-after', '0', '--in-place-cells', '0'];
  const server = await startServer(tmp.db, flags);
  const state = load(server.base, bytes, 32);
  while (state.acked < 800) await new Promise((r) => setTimeout(r, 20));
  server.proc.kill('SIGKILL');  // mid-load: batches and compactions in flight
  await server.exited;
  state.stop = true;
  await state.done;

  const again = await startServer(tmp.db, flags);
  try {
    const total = await pageViews(again.base, page);
    assert.ok(total >= state.acked, `lost acknowledged reports: ${total} stored < ${state.acked} acked`);
    assert.ok(total <= state.sent, `stored ${total} > sent ${state.sent}`);
    // Once everything is compacted the count is unchanged: no delta folded twice or lost.
    for (let i = 0; i < 200; i++) {
      const s = operatorStats(tmp.db);
      if (s.storage.pending_deltas === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(await pageViews(again.base, page), total);
  } finally {
    await again.stop();
  }
});
