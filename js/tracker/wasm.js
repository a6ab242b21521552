// Loads the visitor module (no Emscripten glue) and wraps its plain C exports.
// Views of wasm memory are re-created whenever memory has grown: a cached view of an old
// buffer is detached and would silently read zeros.
import { EVENT_CAPACITY, EVENT_SLOTS, SCRATCH_BYTES } from 'thermograph-constants';

// Every way loading fails throws an Error whose message names the cause and the URL; the caller
// prints it once as `thermograph: off (<message>)`.
export async function loadModule(url) {
  let why = 'no WebAssembly', inst;  // what went wrong if the step under way throws
  try {
    WebAssembly.validate;
    why = 'network error';
    // Compiled from bytes rather than streamed: the module is ~15 KB, so streaming gains nothing,
    // and this path works whatever MIME type the server sends. A network error, a CORS refusal
    // and a CSP without the file's origin in connect-src all reject the fetch alike.
    const res = await fetch(url);
    if (!res.ok) throw (why = 'HTTP ' + res.status);
    const bytes = await res.arrayBuffer();
    // Valid wasm that does not compile: a CSP without 'wasm-unsafe-eval' (the module imports
    // nothing). Invalid: typically an HTML page a server or an SPA fallback sends for a missing file.
    why = WebAssembly.validate(bytes) ? "CSP needs 'wasm-unsafe-eval'" : 'not wasm';
    inst = (await WebAssembly.instantiate(bytes, {})).instance;
  } catch (e) {
    throw Error(why + ': ' + url);
  }
  const x = inst.exports;
  const enc = new TextEncoder();
  const view = (Type, at, n) => new Type(x.memory.buffer, at, n);
  // Copies a string's UTF-8 (at most SCRATCH_BYTES: the wasm cuts on a character boundary) to
  // the scratch buffer and returns its length (the view runs to the end of memory, the copy not).
  const put = (s) => {
    const bytes = enc.encode(s).subarray(0, SCRATCH_BYTES);
    view(Uint8Array, x.tg_scratch()).set(bytes);
    return bytes.length;
  };
  // Exported wasm functions need no `this`: most are handed out as they are.
  return {
    eventView: () => view(Float64Array, x.tg_events(), EVENT_CAPACITY * EVENT_SLOTS),
    applyEvents: x.tg_apply,
    begin: x.tg_begin,
    setNumber: x.tg_set_number,
    setString: (field, s) => x.tg_set_string(field, put(s)),
    elementKey: (selector) => x.tg_element_key(put(selector)) >>> 0,
    // For a micro-survey answer: the key of the rage or dead click that raised the latest signal
    // (an i32: js/survey takes it >>> 0).
    signalKey: x.tg_signal_key,
    // `final` is a boolean: as an i32 argument it is 1 or 0.
    takeReport(t, final) {
      const n = x.tg_flush(t, final);
      return n ? view(Uint8Array, x.tg_out(), n).slice() : null;
    },
  };
}
