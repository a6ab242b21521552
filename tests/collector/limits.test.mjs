// HTTP limits and framing against the real binary, over raw loopback sockets: everything a
// client can hold is bounded while it is read, framing is strict, pipelined requests are answered
// in order. Loops are bounded; nothing asserts on speed (a deadline test only checks that the
// server closed a dribbling request long before it could have finished).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { after, before, test } from 'node:test';
import zlib from 'node:zlib';

import { auth, createSite, encode, request, sampleReport, startServer, tempDir, waitForStats } from './helpers.mjs';

const PAGE = 'https://shop.example/pricing';
let tmp, site, server, good;

before(async () => {
  tmp = tempDir();
  site = createSite(tmp.db);
  server = await startServer(tmp.db, ['--rate', '0']);
  good = encode(sampleReport(site.site_key));
});
after(async () => {
  await server?.stop();
  tmp?.cleanup();
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Polls `fn` until it is truthy, a bounded number of times.
async function until(fn, tries = 400, ms = 25) {
  for (let i = 0; i < tries; i++) {
    if (fn()) return true;
    await sleep(ms);
  }
  return fn();
}

function rssKiB(pid) {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
}

// A raw connection that records everything the server sends, and whether it closed.
async function connect(port, localAddress) {
  const sock = net.connect({ host: '127.0.0.1', port, localAddress });
  const c = { sock, data: Buffer.alloc(0), closed: false, error: null };
  sock.on('data', (d) => (c.data = Buffer.concat([c.data, d])));
  sock.on('error', (e) => (c.error = e.code));
  c.closing = new Promise((r) => sock.on('close', () => r((c.closed = true))));
  await new Promise((resolve, reject) => {
    sock.once('connect', resolve);
    sock.once('error', reject);
  });
  return c;
}

// Writes unless the connection is gone; resolves once the bytes reached the kernel.
function send(c, bytes) {
  if (c.closed || c.error || c.sock.destroyed) return Promise.resolve(false);
  return new Promise((r) => c.sock.write(bytes, (err) => r(!err)));
}

// Complete HTTP responses in `buf` (Content-Length framed, as every answer of the collector is).
function responses(buf) {
  const out = [];
  let off = 0;
  for (;;) {
    const end = buf.indexOf('\r\n\r\n', off);
    if (end < 0) break;
    const lines = buf.subarray(off, end).toString().split('\r\n');
    const headers = {};
    for (const l of lines.slice(1)) headers[l.slice(0, l.indexOf(':')).toLowerCase()] = l.slice(l.indexOf(':') + 1).trim();
    const len = Number(headers['content-length'] ?? 0);
    if (buf.length < end + 4 + len) break;
    const body = buf.subarray(end + 4, end + 4 + len).toString();
    out.push({ status: Number(lines[0].split(' ')[1]), headers, body, json: () => JSON.parse(body) });
    off = end + 4 + len;
  }
  return out;
}

// Sends `head` and then `more()` chunks (at most `limit` of them) until the server answers or
// closes; returns the first answer after the server has closed the connection.
async function pushUntilAnswered(port, head, more, limit) {
  const c = await connect(port);
  await send(c, head);
  for (let i = 0; i < limit && c.data.length === 0 && !c.closed && !c.error; i++) {
    await send(c, more(i));
    // Let the answer in between writes. A bare setImmediate raced on a loaded machine: the
    // server drains at most 1 MiB after answering, then closes with unread input (an RST), and
    // the client, still writing, saw EPIPE before it had read the answer.
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.ok(await until(() => c.closed), 'the server closes the connection');
  const [res] = responses(c.data);
  assert.ok(res, `an answer before the close (got ${c.data.length} bytes, ${c.error})`);
  return res;
}

async function pageViews() {
  const r = await request(`${server.base}/api/heatmap?site=${site.site_key}&page=${encodeURIComponent(PAGE)}`, { headers: auth(site.read_token) });
  return r.status === 404 ? 0 : r.json().counters.page_views;
}

const post = (body, extra = '') =>
  Buffer.concat([Buffer.from(`POST /r HTTP/1.1\r\nHost: t\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n${extra}\r\n`), body]);

test('an endless chunked body gets 413 at --max-body and memory stays bounded', async () => {
  const rss = rssKiB(server.proc.pid);
  const chunk = Buffer.concat([Buffer.from('10000\r\n'), Buffer.alloc(0x10000, 0x41), Buffer.from('\r\n')]);
  const res = await pushUntilAnswered(server.port, 'POST /r HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n', () => chunk, 3200);  // <= 200 MiB
  assert.equal(res.status, 413);
  assert.equal(res.json().reason, 'too_large');
  assert.equal(res.headers.connection, 'close');
  const grown = rssKiB(server.proc.pid) - rss;
  assert.ok(grown < 48 * 1024, `RSS grew by ${grown} KiB`);
});

test('an endless header line gets 431 and the connection closes; memory stays bounded', async () => {
  const rss = rssKiB(server.proc.pid);
  const piece = Buffer.alloc(64 * 1024, 0x61);
  const res = await pushUntilAnswered(server.port, 'GET /healthz HTTP/1.1\r\nHost: t\r\nX-Long: ', () => piece, 1024);  // <= 64 MiB
  assert.equal(res.status, 431);
  assert.equal(res.json().reason, 'header_too_large');
  const grown = rssKiB(server.proc.pid) - rss;
  assert.ok(grown < 48 * 1024, `RSS grew by ${grown} KiB`);
});

test('100,000 header fields: 431 and closed; 150 short fields: 431 by count', async () => {
  const many = Buffer.from('X-H: 1\r\n'.repeat(1000));
  let res = await pushUntilAnswered(server.port, 'GET /healthz HTTP/1.1\r\nHost: t\r\n', () => many, 100);
  assert.equal(res.status, 431);
  res = await pushUntilAnswered(server.port, `GET /healthz HTTP/1.1\r\nHost: t\r\n${'X-H: 1\r\n'.repeat(150)}\r\n`, () => '', 0);
  assert.equal(res.status, 431);
  assert.match(res.json().error, /151 header fields, the limit is 100/);
  // 100 fields (Host + 99) are fine.
  const c = await connect(server.port);
  await send(c, `GET /healthz HTTP/1.1\r\nHost: t\r\n${'X-H: 1\r\n'.repeat(99)}\r\n`);
  assert.ok(await until(() => responses(c.data).length === 1));
  assert.equal(responses(c.data)[0].status, 200);
  c.sock.destroy();
});

test('Content-Encoding br, gzip, compress: 415, never decompressed, nothing stored', async () => {
  const before = await pageViews();
  const rss = rssKiB(server.proc.pid);
  const bodies = {
    br: zlib.brotliCompressSync(Buffer.alloc(64 * 1024 * 1024)),  // inflates 64 MiB
    gzip: zlib.gzipSync(Buffer.alloc(16 * 1024 * 1024)),
    compress: Buffer.from([0x1f, 0x9d, 0x90, 0x00, 0x00]),
    'identity, gzip': zlib.gzipSync(good),
  };
  for (const [coding, body] of Object.entries(bodies)) {
    const c = await connect(server.port);
    await send(c, post(body, `Content-Encoding: ${coding}\r\n`));
    assert.ok(await until(() => c.closed), coding);
    const [res] = responses(c.data);
    assert.equal(res?.status, 415, coding);
    assert.equal(res.json().reason, 'unsupported_encoding');
  }
  // identity is the absence of an encoding.
  const c = await connect(server.port);
  await send(c, post(good, 'Content-Encoding: identity\r\n'));
  assert.ok(await until(() => responses(c.data).length === 1));
  assert.equal(responses(c.data)[0].status, 204);
  c.sock.destroy();
  assert.equal(await pageViews(), before + 1);
  const grown = rssKiB(server.proc.pid) - rss;
  assert.ok(grown < 48 * 1024, `RSS grew by ${grown} KiB`);
});

test('conflicting or malformed Content-Length / Transfer-Encoding: 400 and the connection closes', async () => {
  const before = await pageViews();
  const body = good.toString('latin1');
  const n = good.length;
  const chunked = `${n.toString(16)}\r\n${body}\r\n0\r\n\r\n`;
  const cases = {
    'two different Content-Lengths': `Content-Length: ${n}\r\nContent-Length: ${n + 1}\r\n\r\n${body}`,
    'a list of two lengths': `Content-Length: ${n}, ${n + 1}\r\n\r\n${body}`,
    'Content-Length and chunked': `Content-Length: ${n}\r\nTransfer-Encoding: chunked\r\n\r\n${chunked}`,
    'chunked and Content-Length': `Transfer-Encoding: chunked\r\nContent-Length: ${n}\r\n\r\n${chunked}`,
    'Content-Length: +N': `Content-Length: +${n}\r\n\r\n${body}`,
    'Content-Length: Nabc': `Content-Length: ${n}abc\r\n\r\n${body}`,
    'Content-Length: -1': 'Content-Length: -1\r\n\r\n',
    'two Transfer-Encodings': `Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n${chunked}`,
    'gzip then chunked in two fields': `Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n${chunked}`,
    'chunked not last': `Transfer-Encoding: chunked, gzip\r\n\r\n${chunked}`,
    'unknown coding only': `Transfer-Encoding: foo\r\n\r\n${body}`,
    'bad chunk size': `Transfer-Encoding: chunked\r\n\r\nzz\r\n${body}\r\n0\r\n\r\n`,
    'space before the colon': `Content-Length : ${n}\r\n\r\n${body}`,
  };
  for (const [name, rest] of Object.entries(cases)) {
    const c = await connect(server.port);
    // A good request follows on the same connection: after a framing error it must not run.
    await send(c, Buffer.concat([Buffer.from(`POST /r HTTP/1.1\r\nHost: t\r\nContent-Type: text/plain\r\n${rest}`, 'latin1'), post(good)]));
    assert.ok(await until(() => c.closed), `${name}: closed`);
    const all = responses(c.data);
    assert.equal(all.length, 1, `${name}: one answer, got ${c.data.toString()}`);
    assert.equal(all[0].status, 400, `${name}: ${all[0].body}`);
    assert.equal(all[0].json().reason, 'bad_http', name);
    assert.equal(all[0].headers.connection, 'close', name);
  }
  // Transfer codings before chunked are understood as such and refused (never decoded).
  const res = await pushUntilAnswered(server.port, `POST /r HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked\r\n\r\n${chunked}`, () => '', 0);
  assert.equal(res.status, 501);
  assert.equal(await pageViews(), before);
});

test('three pipelined POSTs in one write get three answers, in order', async () => {
  const before = await pageViews();
  const c = await connect(server.port);
  const garbage = Buffer.from('not a report at all');
  const foreign = encode(sampleReport('tg_nosuchsite'));
  await send(c, Buffer.concat([post(good), post(garbage), post(foreign), post(good)]));
  assert.ok(await until(() => responses(c.data).length === 4));
  const all = responses(c.data);
  assert.deepEqual(all.map((r) => r.status), [204, 400, 403, 204]);
  assert.deepEqual(all.slice(1, 3).map((r) => r.json().reason), ['bad_magic', 'unknown_site']);
  // And three good ones, each durable before its 204.
  await send(c, Buffer.concat([post(good), post(good), post(good)]));
  assert.ok(await until(() => responses(c.data).length === 7));
  assert.deepEqual(responses(c.data).slice(4).map((r) => r.status), [204, 204, 204]);
  c.sock.destroy();
  assert.equal(await pageViews(), before + 5);
});

test('Expect: 100-continue, HEAD, unknown paths and methods', async () => {
  const c = await connect(server.port);
  await send(c, `POST /r HTTP/1.1\r\nHost: t\r\nContent-Length: ${good.length}\r\nExpect: 100-continue\r\n\r\n`);
  assert.ok(await until(() => c.data.includes('HTTP/1.1 100 Continue\r\n\r\n')));
  await send(c, good);
  assert.ok(await until(() => responses(c.data).length === 2));
  assert.equal(responses(c.data)[1].status, 204);
  c.sock.destroy();
  const head = await request(`${server.base}/healthz`, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.body.length, 0);
  assert.equal(head.headers['content-length'], '12');
  const missing = await request(`${server.base}/nope`);
  assert.equal(missing.status, 404);
  assert.equal(missing.json().reason, 'not_found');
  const wrong = await request(`${server.base}/r`);
  assert.equal(wrong.status, 405);
  assert.equal(wrong.headers.allow, 'POST, OPTIONS');
});

test('100 slow-drip connections from one address: the per-address cap refuses the excess, other addresses are served', async () => {
  const t = tempDir();
  const s = createSite(t.db);
  // A long request deadline: the drips must hold their slots for the whole test.
  const srv = await startServer(t.db, ['--rate', '0', '--request-timeout', '120']);
  const drips = [];
  const timer = setInterval(() => {
    for (const c of drips) send(c, 'a');
  }, 2000);
  try {
    for (let i = 0; i < 100; i++) {
      const c = await connect(srv.port);
      drips.push(c);
      await send(c, 'POST /r HTTP/1.1\r\nX-Drip: ');
    }
    const refused = () => drips.filter((c) => c.data.length > 0);
    assert.ok(await until(() => refused().length >= 36 && refused().every((c) => c.closed)));
    await sleep(200);
    assert.equal(refused().length, 36, 'the default cap is 64 connections per address');
    for (const c of refused()) {
      const [res] = responses(c.data);
      assert.equal(res.status, 503);
      assert.equal(res.json().reason, 'too_many_connections');
      assert.match(res.json().error, /--max-connections-per-address/);
    }
    assert.equal(drips.filter((c) => !c.closed).length, 64);
    // Another connection from the same address is refused too ...
    const again = await request(`${srv.base}/healthz`);
    assert.equal(again.status, 503);
    // ... while other addresses are served.
    const bytes = encode(sampleReport(s.site_key));
    for (const localAddress of ['127.0.0.2', '127.0.0.3']) {
      const r = await request(`${srv.base}/r`, { method: 'POST', body: bytes, headers: { 'Content-Type': 'text/plain' }, localAddress });
      assert.equal(r.status, 204, localAddress);
      assert.equal((await request(`${srv.base}/healthz`, { localAddress })).status, 200);
    }
    const stats = await waitForStats(t.db, (st) => st.rejected.too_many_connections >= 37);
    assert.equal(stats.rejected.too_many_connections, 37);
    // Closing the drips frees their slots.
    for (const c of drips) c.sock.destroy();
    let ok = false;
    for (let i = 0; i < 100 && !ok; i++) {
      ok = (await request(`${srv.base}/healthz`)).status === 200;
      if (!ok) await sleep(50);
    }
    assert.ok(ok, 'slots are released when connections close');
  } finally {
    clearInterval(timer);
    for (const c of drips) c.sock.destroy();
    await srv.stop();
    t.cleanup();
  }
});

test('--max-connections caps all addresses together', async () => {
  const t = tempDir();
  const srv = await startServer(t.db, ['--max-connections', '5', '--request-timeout', '60']);
  const held = [];
  try {
    for (let i = 0; i < 5; i++) {
      const c = await connect(srv.port, `127.0.0.${10 + i}`);
      held.push(c);
      await send(c, 'GET /healthz HTTP/1.1\r\n');  // a request under way: no idle timeout
    }
    await sleep(100);
    const r = await request(`${srv.base}/healthz`, { localAddress: '127.0.0.20' });
    assert.equal(r.status, 503);
    assert.equal(r.json().reason, 'too_many_connections');
    assert.match(r.json().error, /--max-connections limit/);
    assert.ok(held.every((c) => c.data.length === 0 && !c.closed));
    held.shift().sock.destroy();
    let ok = false;
    for (let i = 0; i < 100 && !ok; i++) {
      ok = (await request(`${srv.base}/healthz`, { localAddress: '127.0.0.20' })).status === 200;
      if (!ok) await sleep(50);
    }
    assert.ok(ok, 'a freed slot is reused');
  } finally {
    for (const c of held) c.sock.destroy();
    await srv.stop();
    t.cleanup();
  }
});

test('a request dribbling past --request-timeout is closed; the deadline does not reset per byte', async () => {
  const t = tempDir();
  const srv = await startServer(t.db, ['--request-timeout', '1', '--idle-timeout', '30']);
  try {
    const c = await connect(srv.port);
    const text = 'GET /healthz HTTP/1.1\r\nHost: t\r\nX-Slow: 0123456789\r\n\r\n';
    let sent = 0;
    // One byte every 250 ms: ~14 s for the whole request, far past the 1 s deadline.
    for (; sent < text.length && !c.closed; sent++) {
      await send(c, text[sent]);
      await sleep(250);
    }
    assert.ok(await until(() => c.closed), 'closed');
    assert.ok(sent < text.length, `the whole request went through (${sent} bytes)`);
    assert.equal(responses(c.data).length, 0, 'no answer to a request that never completed');
    // A quick request on a fresh connection is unaffected.
    assert.equal((await request(`${srv.base}/healthz`)).status, 200);
    const stats = await waitForStats(t.db, (st) => st.rejected.request_timeout >= 1);
    assert.equal(stats.rejected.request_timeout, 1);
  } finally {
    await srv.stop();
    t.cleanup();
  }
});

test('an idle connection is closed after --idle-timeout, with or without a request before', async () => {
  const t = tempDir();
  const srv = await startServer(t.db, ['--idle-timeout', '0.5']);
  try {
    const silent = await connect(srv.port);
    const used = await connect(srv.port);
    await send(used, 'GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n');
    assert.ok(await until(() => silent.closed && used.closed, 800));
    assert.equal(silent.data.length, 0);
    assert.equal(responses(used.data)[0].status, 200);
    assert.equal(responses(used.data)[0].headers.connection, undefined, 'kept alive until idle');
  } finally {
    await srv.stop();
    t.cleanup();
  }
});

test('the limits are flags: --max-header-bytes, --max-headers, --max-body', async () => {
  const t = tempDir();
  const srv = await startServer(t.db, ['--max-header-bytes', '2048', '--max-headers', '5', '--max-body', '100']);
  try {
    let res = await pushUntilAnswered(srv.port, `GET /healthz HTTP/1.1\r\nHost: t\r\nX-A: ${'a'.repeat(3000)}\r\n\r\n`, () => '', 0);
    assert.equal(res.status, 431);
    assert.match(res.json().error, /--max-header-bytes \(2048 bytes\)/);
    res = await pushUntilAnswered(srv.port, `GET /healthz HTTP/1.1\r\nHost: t\r\n${'X-H: 1\r\n'.repeat(5)}\r\n`, () => '', 0);
    assert.equal(res.status, 431);
    res = await pushUntilAnswered(srv.port, `POST /r HTTP/1.1\r\nHost: t\r\nContent-Length: 101\r\n\r\n`, () => '', 0);
    assert.equal(res.status, 413);
    assert.match(res.json().error, /--max-body \(100 bytes\)/);
    const stats = await waitForStats(t.db, (st) => st.rejected.header_too_large >= 2 && st.rejected.too_large >= 1);
    assert.equal(stats.rejected.header_too_large, 2);
    assert.equal(stats.rejected.too_large, 1);
  } finally {
    await srv.stop();
    t.cleanup();
  }
});
