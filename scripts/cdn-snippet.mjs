// Keeps the CDN snippets in README.md and docs/install.md true: every
// `cdn.jsdelivr.net/npm/thermograph@VERSION/...` names package.json's version, and every
// `integrity="sha384-..."` is the hash of dist/thermograph.min.js (dist/sri.json, written by
// scripts/build-js.mjs). The only script tag those docs show is thermograph.min.js.
//
//   node scripts/cdn-snippet.mjs           checks; exits 1 and names what is stale
//   node scripts/cdn-snippet.mjs --write   rewrites the docs after a change to the tracker
//
// The published hash is that of the file `npm publish` packs (prepack builds it). The build is
// reproducible on this project's machine kind (same Debian emscripten, same locked esbuild), so a
// hash written here matches the published file; rerun --write after any change to js/tracker/*
// or src/wasm (tests/install/package.test.mjs fails until then).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DOCS = ['README.md', 'docs/install.md'];
const VERSION_RE = /cdn\.jsdelivr\.net\/npm\/thermograph@[^/"'\s]+\//g;
const INTEGRITY_RE = /integrity="sha384-[A-Za-z0-9+/=]*"/g;

export function expected() {
  const { version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const sri = JSON.parse(readFileSync(path.join(ROOT, 'dist/sri.json'), 'utf8'))['thermograph.min.js'];
  return { version, sri, url: `cdn.jsdelivr.net/npm/thermograph@${version}/`, integrity: `integrity="${sri}"` };
}

// The snippet text of one doc, brought up to date.
export function update(text) {
  const e = expected();
  return text.replace(VERSION_RE, e.url).replace(INTEGRITY_RE, e.integrity);
}

// Names every stale snippet line; [] when all are true. Each doc must show at least one snippet.
export function stale() {
  const problems = [];
  for (const doc of DOCS) {
    const text = readFileSync(path.join(ROOT, doc), 'utf8');
    if (!text.match(VERSION_RE) || !text.match(INTEGRITY_RE)) problems.push(`${doc}: no CDN snippet with integrity`);
    else if (update(text) !== text) problems.push(`${doc}: CDN snippet version or integrity is stale`);
  }
  return problems;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--write')) {
    for (const doc of DOCS) {
      const file = path.join(ROOT, doc);
      writeFileSync(file, update(readFileSync(file, 'utf8')));
    }
  }
  const problems = stale();
  for (const p of problems) console.error(p + ' (run: node scripts/cdn-snippet.mjs --write)');
  if (!problems.length) console.log(`CDN snippets: thermograph@${expected().version}, ${expected().sri}`);
  process.exit(problems.length ? 1 : 0);
}
