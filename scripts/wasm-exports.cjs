// Keeps only the exports a module's JavaScript uses (a prefix, plus `memory`) and drops the
// rest Emscripten adds (stackSave, stackAlloc, __errno_location, ...), so wasm-opt can then
// remove the code only those exports kept alive. With MAP.json, the kept exports (memory too) are renamed
// to one or two letters (in the order of their names, so the same exports always get the same
// letters) and MAP.json records { tg_name: short }: the bundler renames the JS side's property
// accesses from it (scripts/build-js.mjs), so sources and tests keep the readable names and every
// visitor downloads ~100 B less. Usage: node wasm-exports.cjs IN OUT PREFIX [MAP.json]
const fs = require('fs');
const [input, output, prefix, mapFile] = process.argv.slice(2);
const short = (i) => (i < 26 ? '' : String.fromCharCode(97 + Math.floor(i / 26) - 1)) + String.fromCharCode(97 + (i % 26));
const map = {};
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
    if (name === 'memory' || name.startsWith(prefix)) kept.push({ name, desc: b.subarray(s + nlen, t) });
    r = t;
  }
  const names = kept.map((k) => k.name).sort();
  if (mapFile) names.forEach((n, i) => (map[n] = short(i)));
  const entry = (k) => {
    const n = Buffer.from(map[k.name] || k.name);
    return Buffer.concat([Buffer.from(enc(n.length)), n, k.desc]);
  };
  const body = Buffer.concat([Buffer.from(enc(kept.length)), ...kept.map(entry)]);
  parts.push(Buffer.from([7, ...enc(body.length)]), body);
  p = q + len;
}
fs.writeFileSync(output, Buffer.concat(parts));
if (mapFile) fs.writeFileSync(mapFile, JSON.stringify(map, null, 2) + '\n');
