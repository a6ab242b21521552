// The visitor module from Node, without a browser: the same imports as js/tracker/wasm.js, events
// through the shared buffer, reports decoded by the native decoder (build/thermograph-decode).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, decode, sum, cellOf } from '../browser/harness.mjs';
import { named } from './wasm-exports.mjs';
import {
  CLICK_INTERACTIVE, CLICK_NO_DEAD, EV_CLICK, EV_GOAL, EV_MOVE, EV_REACTION, EV_SCROLL, EVENT_SLOTS, FIELD_PAGE, FIELD_SITE, FIELD_TAG,
  FIELD_VARIANT, NUM_CONFIG, EVENT_CAPACITY, SCRATCH_BYTES, TRACKER_CONFIG_NAMES, SIGNAL_DEAD, SIGNAL_GOAL, SIGNAL_RAGE,
} from '../../build/gen/constants.mjs';

const bytes = readFileSync(path.join(ROOT, 'dist/thermograph.wasm'));

async function instance() {
  const imports = {
    env: { emscripten_notify_memory_growth() {} },
    wasi_snapshot_preview1: { proc_exit(code) { throw new Error('wasm abort ' + code); } },
  };
  const x = named((await WebAssembly.instantiate(bytes, imports)).instance.exports);
  x._initialize && x._initialize();
  const cap = EVENT_CAPACITY, scratch = SCRATCH_BYTES;
  const str = (s) => {
    const b = new TextEncoder().encode(s);
    new Uint8Array(x.memory.buffer, x.tg_scratch(), Math.min(b.length, scratch)).set(b.subarray(0, scratch));
    return b.length;
  };
  return {
    x, cap,
    begin(t = 0, vw = 1280, vh = 700, dh = 4000) {
      x.tg_set_string(FIELD_PAGE, str('https://example.com\0/page'));
      x.tg_begin(t, vw, vh, dh);
    },
    // Events are [type, t, a0..a5]; batches of the buffer's capacity, like drain() in tracker.js.
    apply(events) {
      for (let i = 0; i < events.length; i += cap) {
        const batch = events.slice(i, i + cap);
        const buf = new Float64Array(x.memory.buffer, x.tg_events(), cap * EVENT_SLOTS);  // fresh view: memory may grow
        batch.forEach((ev, j) => {
          buf.fill(0, j * EVENT_SLOTS, (j + 1) * EVENT_SLOTS);
          buf.set(ev.slice(0, EVENT_SLOTS), j * EVENT_SLOTS);
        });
        this.signals |= x.tg_apply(batch.length);  // micro-survey triggers (Signal in tracker.h)
      }
    },
    signals: 0,
    flush(t, final = true) {
      const n = x.tg_flush(t, final ? 1 : 0);
      return n ? decode(Buffer.from(new Uint8Array(x.memory.buffer, x.tg_out(), n))) : null;
    },
    str,
  };
}

test('a click lands in its page cell and on its element', async () => {
  const m = await instance();
  m.begin();
  const k = m.x.tg_element_key(m.str('button#buy.cta'));
  m.apply([[EV_CLICK, 500, 150, 320, k >>> 0, CLICK_INTERACTIVE, 0.25, 0.5]]);
  const r = m.flush(1000);
  assert.deepEqual(sum([r]).layers.clicks, { [cellOf(150, 320)]: 1 });
  assert.equal(r.counters.page_views, 1);
  assert.equal(r.elements.length, 1);
  assert.equal(r.elements[0].key, (k >>> 0).toString(16).padStart(8, '0'));
  assert.deepEqual(r.elements[0].cells, [[4, 8, 1]]);
  assert.equal(r.segment.width_class, 3);
});

test('micro-survey hooks: tg_apply answers the signals raised, tg_signal_key the element; the page field hands back its key', async () => {
  const m = await instance();
  // The page key the reports carry, copied back to the scratch buffer: ids templated, query dropped.
  const n = m.x.tg_set_string(FIELD_PAGE, m.str('https://shop.example\0/orders/12345678/jane@example.com?q=x&utm_source=mail'));
  assert.equal(Buffer.from(new Uint8Array(m.x.memory.buffer, m.x.tg_scratch(), n)).toString(),
    'https://shop.example/orders/:id/:id?utm_source=mail');
  assert.equal(m.x.tg_set_string(FIELD_PAGE, m.str('not a page')), 0, 'refused: no key');
  m.begin();
  const apply = (events) => { m.signals = 0; m.apply(events); return m.signals; };
  assert.equal(apply([[EV_CLICK, 1000, 50, 50, 9, 0]]), 0, 'a click alone raises nothing yet');
  assert.equal(apply([[EV_REACTION, 3600, 0]]), SIGNAL_DEAD, 'its dead verdict 2.6 s later (a kind-0 reaction is a tick)');
  assert.equal(m.x.tg_signal_key(), 9);
  assert.equal(m.x.tg_signal_key(), 0, 'taken');
  const rage = [0, 1, 2].map((i) => [EV_CLICK, 5000 + i * 100, 400, 400, 7, CLICK_INTERACTIVE | CLICK_NO_DEAD]);
  assert.equal(apply(rage), SIGNAL_RAGE);
  assert.equal(m.x.tg_signal_key(), 7);
  assert.equal(apply([[EV_GOAL, 6000]]), SIGNAL_GOAL);
  assert.equal(apply([[EV_GOAL, 6100]]), 0, 'the first goal only');
});

test('a rage burst is one rage click; a slower or wider burst is none', async () => {
  const m = await instance();
  m.begin();
  const burst = (t0, gap, dx) => [0, 1, 2, 3].map((i) => [EV_CLICK, t0 + i * gap, 400 + i * dx, 400, 7, CLICK_INTERACTIVE]);
  m.apply([...burst(1000, 100, 5), ...burst(5000, 1100, 0), ...burst(10000, 100, 40)]);
  const r = m.flush(20000);
  assert.deepEqual(sum([r]).layers.rage, { [cellOf(400, 400)]: 1 });
  assert.equal(r.counters.pv_rage, 1);
});

test('hostile values neither trap nor produce garbage', async () => {
  const m = await instance();
  const bad = [NaN, Infinity, -Infinity, -1, -1e300, 1e300, 2 ** 32, 2 ** 53, -0];
  // Bad calls before any begin(), bad fields and lengths.
  assert.equal(m.x.tg_apply(-1), -1);
  assert.equal(m.x.tg_apply(m.cap + 1), -1);
  assert.equal(m.x.tg_apply(2 ** 31 - 1), -1);
  assert.equal(m.x.tg_flush(NaN, 1), 0);
  for (const f of [-1, FIELD_TAG + 1, 99, 2 ** 31 - 1]) assert.equal(m.x.tg_set_string(f, 3), 1);
  for (const f of [-1, 15, 99]) for (const v of bad) m.x.tg_set_number(f, v);
  // Every number field: the segment's, each threshold of TrackerConfig, and the first past them.
  for (let f = 0; f <= NUM_CONFIG + TRACKER_CONFIG_NAMES.length; f++) for (const v of bad) m.x.tg_set_number(f, v);
  // -0 passed as 0 and set every threshold to 0: idle_ms 0 would leave no engaged time to check below.
  m.x.tg_set_number(NUM_CONFIG + TRACKER_CONFIG_NAMES.indexOf('idleMs'), 30000);
  m.x.tg_set_string(FIELD_SITE, 2 ** 32 - 1);  // length past the scratch buffer: clamped
  m.x.tg_element_key(2 ** 32 - 1);
  m.x.tg_begin(NaN, Infinity, NaN, -Infinity);
  m.begin();

  // Every slot of every event type gets every hostile value.
  const events = [];
  let t = 1000;
  for (let type = -2; type <= 12; type++)
    for (let slot = 0; slot < 8; slot++)
      for (const v of bad) {
        const ev = [type, t += 10, 100, 100, 5, 2, 0.5, 0.5];
        if (slot !== 1) ev[slot] = v;
        events.push(ev);
      }
  // Huge counts: 100,000 clicks all over a tall page, and as many moves and scrolls.
  for (let i = 0; i < 100000; i++) {
    const type = [EV_CLICK, EV_MOVE, EV_SCROLL][i % 3];
    events.push([type, t += 1, (i * 37) % 5000, (i * 101) % 200000, i % 1000 + 1, i % 16, (i % 7) / 7, (i % 5) / 5]);
  }
  m.apply(events);
  const r = m.flush(t + 1000);
  assert.ok(r, 'a report');
  const total = sum([r]);
  assert.equal(r.counters.page_views, 1);
  const bounded = (layer, cells, max) => {
    const values = Object.values(total.layers[layer] || {});
    assert.ok(values.length <= cells, `${layer}: ${values.length} cells`);
    for (const v of values) assert.ok(Number.isInteger(v) && v >= 1 && v <= max, `${layer}: ${v}`);
  };
  bounded('clicks', 64, 20);
  bounded('move', 512, 200);
  for (const l of ['rage', 'dead', 'error']) bounded(l, 32, 10);
  assert.ok(r.elements.length <= 128);
  for (const [layer, limit] of [['reach_px', 512], ['reach_pct', 101], ['attention', 512]])
    for (const i of Object.keys(total.layers[layer] || {})) assert.ok(+i >= 0 && +i < limit, `${layer} ${i}`);
  for (const [name, v] of Object.entries(r.counters)) assert.ok(Number.isInteger(v) && v >= 0 && v < 2 ** 32, name);
  assert.ok((r.counters.engaged_seconds ?? 0) <= 3600);  // absent when idleMs was set to 0
  for (const [k, v] of Object.entries(r.segment)) assert.notEqual(v, null, k);
  assert.ok(r.segment.device <= 3);
});

test('long or NUL-bearing strings are cut on character boundaries, never lose the report', async () => {
  const m = await instance();
  m.x.tg_set_string(FIELD_SITE, m.str('site\0junk'));
  m.x.tg_set_string(FIELD_VARIANT, m.str('日本'.repeat(30)));           // 180 bytes: cut inside a character
  assert.equal(m.x.tg_set_string(FIELD_TAG, m.str('plan\0' + '😀'.repeat(10))), 0);
  assert.equal(m.x.tg_set_string(FIELD_TAG, m.str('bad\0a\0b')), 1);  // a NUL inside a tag value: refused
  m.begin();
  // The page comes as "origin\0path+query" (the browser parsed the URL): 30 segments of 40 bytes.
  m.x.tg_set_string(FIELD_PAGE, m.str('https://example.com\0' + ('/' + 'é'.repeat(20)).repeat(30)));
  const r = m.flush(1000);
  assert.equal(r.segment.site, 'site');
  assert.equal(r.segment.variant, '日本'.repeat(10) + '日');  // 63 bytes
  assert.equal(r.segment.tags.plan, '😀'.repeat(10));
  assert.equal(r.segment.tags.bad, undefined);
  assert.ok(r.segment.page.startsWith('https://example.com/' + 'é'.repeat(20) + '/'));
  assert.ok(!r.segment.page.includes('\ufffd') && Buffer.byteLength(r.segment.page) <= 512);
});
