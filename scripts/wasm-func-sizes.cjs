// Per-function body sizes of a wasm, largest first, plus section sizes. Names come from a
// --emit-symbol-map file (`<wasm>.symbols`, "index:name" lines) when there is one: that describes
// the real optimized build, where --profiling-funcs would keep names but also change inlining.
// Otherwise from the "name" custom section. Used by scripts/pii-size.sh --profile.
'use strict';
const fs = require('fs');
const b = fs.readFileSync(process.argv[2]);
const top = Number(process.argv[3] || 40);
const symbols = {};
if (fs.existsSync(process.argv[2] + '.symbols')) {
  for (const line of fs.readFileSync(process.argv[2] + '.symbols', 'utf8').split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) symbols[Number(line.slice(0, colon))] = line.slice(colon + 1);
  }
}
let p = 8;
function leb() {
  let r = 0, s = 0, x;
  do {
    x = b[p++];
    r += (x & 0x7f) * 2 ** s;
    s += 7;
  } while (x & 0x80);
  return r;
}
function skipLimits() {
  const f = b[p++];
  leb();
  if (f & 1) leb();
}
const sections = {}, names = {};
let codeStart = -1, imported = 0;
const kSectionName = {0: 'custom', 1: 'type', 2: 'import', 3: 'function', 4: 'table', 5: 'memory',
  6: 'global', 7: 'export', 8: 'start', 9: 'elem', 10: 'code', 11: 'data', 12: 'datacount'};
while (p < b.length) {
  const id = b[p++], len = leb(), start = p;
  if (id === 2) {  // count imported functions: they take the first function indices
    for (let n = leb(); n--;) {
      for (let k = 0; k < 2; k++) {  // module and field names (p += leb() would read p first)
        const l = leb();
        p += l;
      }
      const kind = b[p++];
      if (kind === 0) { leb(); imported++; }
      else if (kind === 1) { p++; skipLimits(); }
      else if (kind === 2) skipLimits();
      else p += 2;
    }
  } else if (id === 10) {
    codeStart = p;
  } else if (id === 0) {
    const nl = leb(), nm = b.slice(p, p + nl).toString();
    p += nl;
    if (nm === 'name') {
      while (p < start + len) {
        const sub = b[p++], sl = leb(), end = p + sl;
        if (sub === 1) {
          for (let n = leb(); n--;) {
            const idx = leb(), l = leb();
            names[idx] = b.slice(p, p + l).toString();
            p += l;
          }
        }
        p = end;
      }
    }
  }
  const key = kSectionName[id] || String(id);
  sections[key] = (sections[key] || 0) + len;
  p = start + len;
}
const fns = [];
if (codeStart >= 0) {
  p = codeStart;
  for (let n = leb(), i = 0; i < n; i++) {
    const l = leb();
    fns.push([l, (symbols[i + imported] || names[i + imported] || `f${i}`).replace(/\\([0-9a-f]{2})/g, (m, h) => String.fromCharCode(parseInt(h, 16)))]);
    p += l;
  }
}
fns.sort((x, y) => y[0] - x[0]);
console.log('sections:', JSON.stringify(sections));
console.log(`functions: ${fns.length}, code bytes: ${fns.reduce((a, f) => a + f[0], 0)}`);
for (const [l, nm] of fns.slice(0, top)) console.log(String(l).padStart(6), nm.slice(0, 120));
