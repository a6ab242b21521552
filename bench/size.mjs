// Visitor download: what a visitor's browser fetches so that a site gets heatmaps, gzip and
// brotli (node:zlib, maximum levels: what a CDN serves at best). Sizes are read from the files
// at run time, never copied here: the tracker is still shrinking.
import { readFileSync, existsSync } from 'node:fs';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';
import path from 'node:path';
import { ROOT, writeResult, isMain } from './lib/common.mjs';
import { PEER_FILES, posthogBundle } from './lib/peers.mjs';

const gzip = (b) => gzipSync(b, { level: 9 }).length;
const brotli = (b) => brotliCompressSync(b, {
  params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: b.length },
}).length;

function measureFiles(files) {
  const parts = files.map((f) => {
    if (!existsSync(f)) throw new Error(`size: ${path.relative(ROOT, f)} is missing (run npm run build / npm ci)`);
    const b = readFileSync(f);
    return { file: path.relative(ROOT, f), raw: b.length, gzip: gzip(b), brotli: brotli(b) };
  });
  const total = (k) => parts.reduce((s, p) => s + p[k], 0);
  return { parts, raw: total('raw'), gzip: total('gzip'), brotli: total('brotli') };
}

export async function runSize() {
  const dist = (f) => path.join(ROOT, 'dist', f);
  const tools = {
    thermograph: {
      label: 'Thermograph (thermograph.min.js + thermograph.wasm)',
      ...measureFiles([dist('thermograph.min.js'), dist('thermograph.wasm')]),
    },
    clarity: { label: 'clarity-js (build/clarity.min.js)', ...measureFiles([PEER_FILES.clarity]) },
    posthog: {
      label: 'posthog-js slim + AnalyticsExtensions (esbuild, minified)',
      ...measureFiles([await posthogBundle()]),
    },
    posthogArray: { label: 'posthog-js dist/array.js (script-tag default)', ...measureFiles([PEER_FILES.posthogArray]) },
    rrweb: { label: '@rrweb/record (dist/record.umd.min.cjs)', ...measureFiles([PEER_FILES.rrweb]) },
  };
  const ratios = {};
  for (const [k, t] of Object.entries(tools)) {
    if (k === 'thermograph') continue;
    ratios[k] = { gzip: t.gzip / tools.thermograph.gzip, brotli: t.brotli / tools.thermograph.brotli };
  }
  const versions = {};
  for (const p of ['clarity-js', 'posthog-js', '@rrweb/record']) {
    versions[p] = JSON.parse(readFileSync(path.join(ROOT, 'node_modules', p, 'package.json'), 'utf8')).version;
  }
  return { method: 'node:zlib gzip level 9 and brotli quality 11 of each file; a visitor total is the sum of its files.', versions, tools, ratios };
}

if (isMain(import.meta)) {
  const r = await runSize();
  for (const [k, t] of Object.entries(r.tools)) {
    console.log(`${k.padEnd(14)} raw ${String(t.raw).padStart(7)}  gzip ${String(t.gzip).padStart(7)}  br ${String(t.brotli).padStart(7)}`
      + (r.ratios[k] ? `  x${r.ratios[k].gzip.toFixed(1)} gzip` : ''));
  }
  writeResult('size', r);
}
