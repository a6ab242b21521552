// Loads the visitor module (no Emscripten glue) and wraps its plain C exports.
// Views of wasm memory are re-created whenever memory has grown: a cached view of an old
// buffer is detached and would silently read zeros.
export async function loadModule(url) {
  let exports;
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
  exports = inst.exports;
  exports._initialize && exports._initialize();
  const enc = new TextEncoder();
  const mem = () => exports.memory.buffer;
  const setBytes = (bytes) => {
    const n = Math.min(bytes.length, 2048);
    new Uint8Array(mem(), exports.tg_scratch(), n).set(bytes.subarray(0, n));
    return n;
  };
  return {
    capacity: exports.tg_event_capacity(),
    events: () => new Float64Array(mem(), exports.tg_events(), exports.tg_event_capacity() * 8),
    apply: (n) => exports.tg_apply(n),
    begin: (t, vw, vh, dh) => exports.tg_begin(t, vw, vh, dh),
    setString: (field, s) => exports.tg_set_string(field, setBytes(enc.encode(s))),
    setNumber: (field, v) => exports.tg_set_number(field, v),
    pageKey: () => new TextDecoder().decode(new Uint8Array(mem(), exports.tg_scratch(), exports.tg_page_key())),
    elementKey: (selector) => exports.tg_element_key(setBytes(enc.encode(selector))) >>> 0,
    flush(t, final) {
      const n = exports.tg_flush(t, final ? 1 : 0);
      return n ? new Uint8Array(mem(), exports.tg_out(), n).slice() : null;
    },
  };
}
