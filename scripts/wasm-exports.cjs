// Keeps only the exports a module's JavaScript uses (a prefix, plus `memory`) and drops the
// rest Emscripten adds (stackSave, stackAlloc, __errno_location, ...), so wasm-opt can then
// remove the code only those exports kept alive. Usage: node wasm-exports.cjs IN OUT PREFIX
const fs = require('fs');
const [input, output, prefix] = process.argv.slice(2);
const b = fs.readFileSync(input);
const leb = (buf, p) => { let r = 0, s = 0, x; do { x = buf[p++]; r |= (x & 0x7f) << s; s += 7; } while (x & 0x80); return [r >>> 0, p]; };
const enc = (n) => { const o = []; do { let x = n & 0x7f; n >>>= 7; if (n) x |= 0x80; o.push(x); } while (n); return o; };
const parts = [b.subarray(0, 8)];
for (let p = 8; p < b.length;) {
  const id = b[p];
  let [len, q] = leb(b, p + 1);
  if (id !== 7) { parts.push(b.subarray(p, q + len)); p = q + len; continue; }
  let [count, r] = leb(b, q);
  const kept = [];
  for (let i = 0; i < count; i++) {
    const [nlen, s] = leb(b, r);
    const name = b.subarray(s, s + nlen).toString();
    let [, t] = leb(b, s + nlen + 1);
    if (name === 'memory' || name.startsWith(prefix)) kept.push(b.subarray(r, t));
    r = t;
  }
  const body = Buffer.concat([Buffer.from(enc(kept.length)), ...kept]);
  parts.push(Buffer.from([7, ...enc(body.length)]), body);
  p = q + len;
}
fs.writeFileSync(output, Buffer.concat(parts));
