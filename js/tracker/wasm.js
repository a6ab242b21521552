// Loads the visitor module (no Emscripten glue) and wraps its plain C exports.
// Views of wasm memory are re-created whenever memory has grown: a cached view of an old
// buffer is detached and would silently read zeros.
export async function loadModule(url) {
  const imports = {};  // the module imports nothing: no allocator, no abort, fixed memory
  const res = fetch(url, { credentials: 'omit' });
  let inst;
  try {
    inst = (await WebAssembly.instantiateStreaming(res, imports)).instance;
  } catch (e) {
    // Wrong MIME type on the server: fall back to compiling the bytes. A CSP without
    // 'wasm-unsafe-eval' fails both ways and reaches the caller.
    if (e instanceof WebAssembly.CompileError && /wasm-unsafe-eval|Content Security/i.test(e.message)) throw e;
    inst = (await WebAssembly.instantiate(await (await res).arrayBuffer(), imports)).instance;
  }
  const x = inst.exports;
  x._initialize && x._initialize();
  const enc = new TextEncoder();
  const view = (Type, at, n) => new Type(x.memory.buffer, at, n);
  // Copies a string's UTF-8 (at most 2048 bytes: the wasm cuts on a character boundary) to the
  // scratch buffer and returns its length.
  const put = (s) => {
    const bytes = enc.encode(s), n = Math.min(bytes.length, 2048);
    view(Uint8Array, x.tg_scratch(), n).set(bytes.subarray(0, n));
    return n;
  };
  const capacity = x.tg_event_capacity();
  // Exported wasm functions need no `this`: most are handed out as they are.
  return {
    capacity,
    eventView: () => view(Float64Array, x.tg_events(), capacity * 8),
    applyEvents: x.tg_apply,
    begin: x.tg_begin,
    setNumber: x.tg_set_number,
    setString: (field, s) => x.tg_set_string(field, put(s)),
    // The page key this page's reports carry (the overlay reads exactly that key).
    pageKey: () => new TextDecoder().decode(view(Uint8Array, x.tg_scratch(), x.tg_page_key())),
    elementKey: (selector) => x.tg_element_key(put(selector)) >>> 0,
    takeReport(t, final) {
      const n = x.tg_flush(t, final ? 1 : 0);
      return n ? view(Uint8Array, x.tg_out(), n).slice() : null;
    },
  };
}
