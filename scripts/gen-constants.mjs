// Generates build/gen/constants.mjs, the JavaScript copy of every constant C++ and JS share.
//
// The C++ declaration is the only home of each value. A comment line `// @js` right before a
// declaration in src/core or src/wasm exports it to JavaScript:
//   enum [class] E { kFooBar = 1, kBaz, ... };  -> FOO_BAR, BAZ (enum class: E_FOO_BAR, ...);
//                                                 `// @js names` adds E_NAMES from the enumerator
//                                                 names (kFooBar -> 'foo_bar'; plain enums drop
//                                                 the prefix all enumerators share)
//   inline constexpr T kFooBar = expr;            -> FOO_BAR
//   inline constexpr T kFooBar[] = {a, b};        -> FOO_BAR = [a, b]
//   struct FooOptions { T member = expr; ... };   -> FOO_OPTIONS = { member: ... } (camelCase keys,
//                                                 members without an initializer are left out);
//                                                 `// @js names` also: FOO_OPTIONS_NAMES, the
//                                                 camelCase member names in their order, for a
//                                                 struct of one member type read as an array
//                                                 (JS that only needs the names imports just it)
//   a name table inside `const char* foo_name(E e)` in a .cpp (a list of string literals, or one
//   packed "a\0b\0..." literal)                   -> E_NAMES, one name per enumerator of E
// Expressions may use integer and floating literals, other constants and enumerators (marked or
// not, from any header in src/core and src/wasm), + - * << >> | & ~ and parentheses.
//
// js/tracker and js/overlay import the values as `thermograph-constants`, an esbuild alias for
// the generated file (scripts/build-js.mjs, which runs this first); tests import the file by path.
// tests/node/constants.test.mjs compiles the same names as C++ and checks every value.
// The output is build output: never committed (build/ is ignored).
//
// Usage: node scripts/gen-constants.mjs [OUT]   (default build/gen/constants.mjs)
import { mkdirSync, readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const OUT = path.join(ROOT, 'build/gen/constants.mjs');
const DIRS = ['src/core', 'src/wasm'];

// kFooBar -> FOO_BAR; FooBar -> FOO_BAR; kIpv4 -> IPV4.
const upperSnake = (id) => id.replace(/^k(?=[A-Z])/, '').replace(/([a-z0-9])([A-Z])/g, '$1_$2')
  .replace(/([A-Z])([A-Z][a-z])/g, '$1_$2').toUpperCase();
const camel = (snake) => snake.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
const stripComments = (s) => s.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, ' ');

class GenError extends Error {}
const fail = (where, msg) => { throw new GenError(`gen-constants: ${where}: ${msg}`); };

// Every enum, constexpr scalar and constexpr array of the headers, by name, unevaluated: the
// symbol table expressions resolve against (marked or not).
function scanSymbols(files, symbols) {
  for (const { rel, text } of files) {
    if (!rel.endsWith('.h')) continue;
    const src = stripComments(text);
    for (const m of src.matchAll(/\benum\s+(class\s+)?(\w+)\s*(?::\s*[\w:]+\s*)?\{([^}]*)\}/g)) {
      for (const e of parseEnum(m[3], m[2], !!m[1], rel)) symbols.set(e.cxx, e);
    }
    for (const m of src.matchAll(/\bconstexpr\s+[\w:<>]+\s+(k\w+)\s*(\[[^\]]*\])?\s*=\s*([^;]+);/g)) {
      if (!symbols.has(m[1])) symbols.set(m[1], { cxx: m[1], expr: m[3].trim(), array: !!m[2], where: rel });
    }
  }
}

// Enumerators with their value expressions: an implicit value is the previous one + 1.
function parseEnum(body, name, scoped, where) {
  const out = [];
  let prev = null;
  for (const part of body.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = part.match(/^(\w+)\s*(?:=\s*(.+))?$/s);
    if (!m) fail(where, `cannot read enumerator "${part}" of ${name}`);
    const expr = m[2] ? m[2].trim() : prev ? `(${prev}) + 1` : '0';
    const cxx = scoped ? `${name}::${m[1]}` : m[1];
    out.push({ cxx, id: m[1], expr, enumName: name, scoped, where });
    prev = cxx;
  }
  return out;
}

function evaluator(symbols) {
  const cache = new Map();
  const value = (name, where, stack = []) => {
    if (cache.has(name)) return cache.get(name);
    const s = symbols.get(name) || symbols.get(name.replace(/^\w+::(?=k)/, ''));
    if (!s) fail(where, `unknown name ${name}`);
    if (stack.includes(name)) fail(where, `circular definition of ${name}`);
    const v = s.array ? list(s.expr, s.where, [...stack, name]) : evaluate(s.expr, s.where, [...stack, name]);
    cache.set(name, v);
    return v;
  };
  const list = (expr, where, stack) => {
    const m = expr.match(/^\{([^}]*)\}$/s);
    if (!m) fail(where, `not an array initializer: ${expr}`);
    return m[1].split(',').map((e) => e.trim()).filter(Boolean).map((e) => evaluate(e, where, stack));
  };
  // Literals and names become JS numbers; anything else but arithmetic is refused.
  const evaluate = (expr, where, stack = []) => {
    const js = expr.trim()
      .replace(/\b(true|false)\b/g, (b) => (b === 'true' ? '1' : '0'))
      .replace(/(\d)'(?=\d)/g, '$1')
      .replace(/\b((?:0[xX][\da-fA-F]+)|(?:\d+\.?\d*(?:[eE][+-]?\d+)?)|(?:\.\d+(?:[eE][+-]?\d+)?))[uUlLfF]*\b/g, '$1')
      .replace(/(?:\b\w+::)*\b[A-Za-z_]\w*/g, (id) => {
        if (/^0[xX]/.test(id)) return id;
        if (/^[eE]\d/.test(id)) return id;
        const v = value(id.replace(/^thermograph::/, ''), where, stack);
        if (typeof v !== 'number') fail(where, `${id} is not a number`);
        return `(${v})`;
      });
    if (!/^[\d\s.eExX+\-*()|&~<>a-fA-F]*$/.test(js)) fail(where, `unsupported expression "${expr}"`);
    const v = Function(`"use strict"; return (${js});`)();
    if (typeof v !== 'number' || !Number.isFinite(v)) fail(where, `"${expr}" is not a finite number`);
    return v;
  };
  return { value, list, evaluate };
}

// The declaration after a `// @js` marker: from the next code line to its closing `;`.
function declarationAfter(lines, i, where) {
  let text = '', depth = 0;
  for (let j = i + 1; j < lines.length; j++) {
    const line = stripComments(lines[j]);
    text += line + '\n';
    for (const c of line) depth += c === '{' ? 1 : c === '}' ? -1 : 0;
    if (depth === 0 && /;\s*$/.test(line)) return { text: text.trim(), line: j + 1 };
  }
  fail(where, 'no declaration after the marker');
}

// "a" "b\0c" -> the bytes those literals spell (only the escapes name tables use).
const literalText = (lits, where) => lits.map((l) => l.slice(1, -1).replace(/\\(.)/g, (_, c) => {
  if (c === '0') return '\0';
  if (c === '\\' || c === '"') return c;
  fail(where, `unsupported escape \\${c}`);
})).join('');

function parseMarked(file, symbols, ev, entries) {
  const lines = file.text.split('\n');
  lines.forEach((line, i) => {
    const marker = line.match(/^\s*\/\/ @js\b(?:\s+(names)\b)?/);
    if (!marker) return;
    const where = `${file.rel}:${i + 1}`;
    const { text } = declarationAfter(lines, i, where);
    const src = `${file.rel}:${i + 2}`;
    let m;
    if ((m = text.match(/^enum\s+(class\s+)?(\w+)\s*(?::\s*[\w:]+\s*)?\{([^}]*)\}\s*;$/s))) {
      const [, scoped, name, body] = m;
      const items = parseEnum(body, name, !!scoped, where);
      for (const e of items) {
        const js = (scoped ? upperSnake(name) + '_' : '') + upperSnake(e.id);
        entries.push({ js, kind: 'int', value: ev.value(e.cxx, where), cxx: e.cxx, src, decl: `enum ${name}` });
      }
      if (marker[1]) {
        const named = items.filter((e) => !/Count$/.test(e.id));
        named.forEach((e, i) => ev.value(e.cxx, where) === i || fail(where, `names need ${name} to count 0, 1, 2, ...`));
        const ids = named.map((e) => e.id.replace(/^k/, ''));
        const prefix = scoped ? '' : commonPrefix(ids);
        const names = ids.map((id) => id.slice(prefix.length).replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase());
        entries.push({ js: upperSnake(name) + '_NAMES', kind: 'names', value: names, src, decl: `enum ${name}`, derived: true });
      }
    } else if ((m = text.match(/^static\s+(?:constexpr\s+)?(?:const\s+)?char\s*\*?\s*(?:const\s+)?kNames\s*\[[^\]]*\]\s*=\s*(.+);$/s))) {
      // A name table: the enum is the parameter type of the enclosing `const char* f(E e)`.
      let fn = null;
      for (let j = i; j >= 0 && !fn; j--) fn = lines[j].match(/^[\w:* ]*?\b(\w+)\((?:const\s+)?(\w+)\s+\w+\)\s*\{/);
      if (!fn) fail(where, 'a name table outside `const char* name(Enum e) {`');
      const lits = m[1].match(/"(?:[^"\\]|\\.)*"/g) || [];
      const names = m[1].trim().startsWith('{') ? lits.map((l) => literalText([l], where)) : literalText(lits, where).split('\0');
      const count = [...symbols.values()].filter((s) => s.enumName === fn[2] && !/Count$/.test(s.id)).length;
      if (!count) fail(where, `no enum ${fn[2]} in the headers`);
      if (names.length < count) fail(where, `${names.length} names for ${count} enumerators of ${fn[2]}`);
      entries.push({ js: upperSnake(fn[2]) + '_NAMES', kind: 'names', value: names.slice(0, count), src,
        decl: `${fn[1]}()`, fn: fn[1], enumName: fn[2] });
    } else if ((m = text.match(/^(?:inline\s+|static\s+)*constexpr\s+[\w:<>]+\s+(k\w+)\s*(\[[^\]]*\])?\s*=\s*([^;]+);$/s))) {
      const [, name, array, expr] = m;
      const value = array ? ev.list(expr.trim(), where) : ev.evaluate(expr, where);
      entries.push({ js: upperSnake(name), kind: array ? 'ints' : numberKind(text, value), value, cxx: name, src, decl: name });
    } else if ((m = text.match(/^struct\s+(\w+)\s*\{(.*)\}\s*;$/s))) {
      const [, name, body] = m;
      const value = {}, fields = {};
      for (const stmt of body.split(';').map((s) => s.trim()).filter(Boolean)) {
        if (/[(]/.test(stmt) && !/=/.test(stmt)) continue;  // a member function
        const d = stmt.match(/^([\w:<>]+)\s+(.*)$/s);
        if (!d || /operator|\(/.test(d[2].split('=')[0])) continue;
        for (const part of d[2].split(',')) {
          const pm = part.trim().match(/^(\w+)\s*(?:=\s*(.+)|\{\s*\})?$/s);
          if (!pm) fail(where, `cannot read member "${part.trim()}" of ${name}`);
          if (pm[2] === undefined) continue;  // no initializer: not a default JS needs
          const key = camel(pm[1]);
          value[key] = d[1] === 'bool' ? !!ev.evaluate(pm[2], where) : ev.evaluate(pm[2], where);
          fields[key] = { member: pm[1], type: d[1] };
        }
      }
      if (marker[1]) {
        const types = new Set(Object.values(fields).map((f) => f.type));
        if (types.size !== 1) fail(where, `names need every member of ${name} to be of one type`);
        entries.push({ js: upperSnake(name) + '_NAMES', kind: 'names', value: Object.keys(value), fields, cxx: name,
          src, decl: `struct ${name}`, struct: true });
      }
      entries.push({ js: upperSnake(name), kind: 'struct', value, fields, cxx: name, src, decl: `struct ${name}` });
    } else {
      fail(where, `cannot read the declaration after the marker:\n${text}`);
    }
  });
}

const numberKind = (text, value) => (/\b(double|float)\b/.test(text) ? 'double' : Number.isInteger(value) ? 'int' : 'double');

// The leading words all ids share: Device in DeviceMouse, DeviceTouch (never Devic or DeviceM).
function commonPrefix(ids) {
  let p = ids[0] || '';
  while (p && !ids.every((id) => id.startsWith(p) && /[A-Z]/.test(id[p.length] || ''))) p = p.slice(0, -1);
  return p;
}

// All marked declarations of the tree: [{ js, kind, value, cxx?, src, ... }], in file order.
export function collect(root = ROOT) {
  const files = [];
  for (const dir of DIRS) {
    for (const f of readdirSync(path.join(root, dir)).sort()) {
      if (/\.(h|cpp)$/.test(f)) files.push({ rel: `${dir}/${f}`, text: readFileSync(path.join(root, dir, f), 'utf8') });
    }
  }
  const symbols = new Map();
  scanSymbols(files, symbols);
  const ev = evaluator(symbols);
  const entries = [];
  for (const f of files) parseMarked(f, symbols, ev, entries);
  const seen = new Set();
  for (const e of entries) {
    if (seen.has(e.js)) fail(e.src, `${e.js} is generated twice`);
    seen.add(e.js);
    if (e.kind === 'names' && e.value.some((n) => !/^[\w ]+$/.test(n))) fail(e.src, `a name with odd characters in ${e.js}`);
  }
  return entries;
}

// The module's text: the numbers first, then tables and defaults. esbuild inlines an imported
// `const` as a literal only while no other kind of statement precedes it in its module, so this
// order keeps every number a literal in the minified bundles. Name tables are comma-joined
// strings split at load, as small as hand-written ones.
export function generate(root = ROOT) {
  const entries = collect(root);
  const files = [...new Set(entries.map((e) => e.src.split(':')[0]))];
  const out = [
    '// GENERATED by scripts/gen-constants.mjs: do not edit, and never commit.',
    '// Every value comes from the C++ declaration marked `// @js` that the comment above it names, in:',
    ...files.map((f) => `//   ${f}`),
    '// Change the C++ and rebuild (node scripts/build-js.mjs runs the generator).',
  ];
  const scalar = (e) => e.kind === 'int' || e.kind === 'double';
  let decl = '';
  for (const e of [...entries.filter(scalar), ...entries.filter((e) => !scalar(e))]) {
    if (e.decl !== decl) out.push('', `// ${e.decl} (${e.src})`);
    decl = e.decl;
    const v = e.kind === 'names' ? `/* @__PURE__ */ '${e.value.join(',')}'.split(',')`
      : JSON.stringify(e.value).replace(/"(\w+)":/g, '$1: ').replace(/,(?=\S)/g, ', ');
    out.push(`export const ${e.js} = ${v};`);
  }
  return { code: out.join('\n') + '\n', entries };
}

// Writes the module (only when its text changed, so bundlers and editors see no new file).
export function writeConstants(out = OUT) {
  const { code, entries } = generate();
  mkdirSync(path.dirname(out), { recursive: true });
  if (!existsSync(out) || readFileSync(out, 'utf8') !== code) writeFileSync(out, code);
  return entries.length;
}

if (process.argv[1] && pathToFileURL(path.resolve(process.argv[1])).href === import.meta.url) {
  const out = path.resolve(process.argv[2] || OUT);
  try {
    console.log(`gen-constants: ${writeConstants(out)} constants -> ${path.relative(process.cwd(), out)}`);
  } catch (e) {
    if (!(e instanceof GenError)) throw e;
    console.error(e.message);
    process.exit(1);
  }
}
