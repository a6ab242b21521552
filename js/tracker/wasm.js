// Loads the visitor module (no Emscripten glue) and wraps its plain C exports.
// Views of wasm memory are re-created whenever memory has grown: a cached view of an old
// buffer is detached and would silently read zeros.
import { EVENT_SLOTS } from 'thermograph-constants';

export async function loadModule(url) {
  // Compiled from bytes rather than streamed: the module is ~15 KB, so streaming gains nothing,
  // and this path works whatever MIME type the server sends. It imports nothing. A CSP without
  // 'wasm-unsafe-eval' makes instantiate() throw, which the caller reports once.
  const bytes = await (await fetch(url, { credentials: 'omit' })).arrayBuffer();
  const inst = (await WebAssembly.instantiate(bytes, {})).instance;
  const x = inst.exports;
  const enc = new TextEncoder();
  const view = (Type, at, n) => new Type(x.memory.buffer, at, n);
  // Buffer sizes: events per batch and scratch bytes (kEventCapacity, kScratchBytes).
  const [capacity, scratch] = view(Int32Array, x.tg_limits(), 2);
  // Copies a string's UTF-8 (at most `scratch` bytes: the wasm cuts on a character boundary) to
  // the scratch buffer and returns its length (the view runs to the end of memory, the copy not).
  const put = (s) => {
    const bytes = enc.encode(s).subarray(0, scratch);
    view(Uint8Array, x.tg_scratch()).set(bytes);
    return bytes.length;
  };
  // Exported wasm functions need no `this`: most are handed out as they are.
  return {
    capacity,
    eventView: () => view(Float64Array, x.tg_events(), capacity * EVENT_SLOTS),
    applyEvents: x.tg_apply,
    begin: x.tg_begin,
    setNumber: x.tg_set_number,
    setString: (field, s) => x.tg_set_string(field, put(s)),
    elementKey: (selector) => x.tg_element_key(put(selector)) >>> 0,
    takeReport(t, final) {
      const n = x.tg_flush(t, final ? 1 : 0);
      return n ? view(Uint8Array, x.tg_out(), n).slice() : null;
    },
  };
}
