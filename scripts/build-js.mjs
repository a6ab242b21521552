// Bundles js/ with esbuild into dist/, copies the wasm, writes dist/size.json and fails when the
// visitor download (script + wasm, gzip) exceeds the 12 KB budget. First generates
// build/gen/constants.mjs from the C++ (scripts/gen-constants.mjs): the bundles import it as
// `thermograph-constants`.
import { build } from 'esbuild';
import { minify } from 'terser';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { OUT as CONSTANTS, writeConstants } from './gen-constants.mjs';
import { createHash } from 'node:crypto';

const BUDGET = 12288;
const wasmDir = process.env.THERMOGRAPH_WASM_DIR || 'build-wasm';
mkdirSync('dist', { recursive: true });
writeConstants();

const common = {
  bundle: true, minify: true, target: 'es2020', legalComments: 'none', logLevel: 'warning',
  alias: { 'thermograph-constants': CONSTANTS },
};
// The tracker's internal property names (ctx.*, element info, the wasm wrapper, a held report's
// retry count) shrink to one or two letters. An explicit list, never a pattern: public names (the
// tracker API and its `thermograph(...)` commands, options, `dataset` keys) and DOM or wasm names
// must keep their spelling, so an internal name must not also be one of those (ctx.record, not
// ctx.push, which would rename Array#push too).
const internal = [
  'pageStart', 'lastShift', 'lastClick', 'observesMutations', 'guard', 'undo', 'record', 'react',
  'device', 'describe', 'isGoal', 'sendScroll', 'sendDeltas', 'beginPageView', 'toPage', 'pointerDown',
  'expose', 'still', 'changed',
  'el', 'excluded', 'sel', 'k', 'flags', 'docs', 'watchDoc',
  'eventView', 'applyEvents', 'begin', 'setString', 'setNumber', 'elementKey', 'takeReport', 'signalKey',
  'tries',
];
// The visitor module's exports are renamed to letters at its build (scripts/wasm-exports.cjs);
// `x.tg_apply` in the sources becomes `x.<letter>` here, from the map written beside the wasm.
const wasmExports = JSON.parse(readFileSync(`${wasmDir}/thermograph.exports.json`, 'utf8'));
const tracker = {
  ...common, mangleProps: new RegExp(`^(${[...internal, ...Object.keys(wasmExports)].join('|')})$`), mangleCache: { ...wasmExports },
};
// esbuild bundles and mangles; terser's second look (three compress passes, top-level names, getters without side effects) takes
// another ~2 % off what every visitor downloads. Safe transforms only (no `unsafe` options).
// hoist_funs: function declarations move to the top of their scope, where terser then inlines
// single-use ones into their one caller (reduce_funcs, the default: bytes2 had it off for -5 B,
// which turned to +38 B as the tracker grew); together -53 B gzip for the script.
async function squeeze(file, module) {
  const out = await minify(readFileSync(file, 'utf8'), {
    ecma: 2020, module, toplevel: true, compress: { passes: 3, pure_getters: true, hoist_funs: true },
  });
  writeFileSync(file, out.code);
}
// Every tracker bundle and the signals chunk share one property-name map: the chunk reads the
// tracker's `ctx` (js/tracker/signals.js), so ctx.describe must be the same letter in both. The
// script tag's build makes the map; the others extend it.
const first = await build({ ...tracker, entryPoints: ['js/tracker/auto.js'], format: 'iife', outfile: 'dist/thermograph.min.js' });
tracker.mangleCache = first.mangleCache;
await squeeze('dist/thermograph.min.js', false);
await build({ ...tracker, entryPoints: ['js/tracker/index.js'], format: 'esm', outfile: 'dist/thermograph.mjs' });
await squeeze('dist/thermograph.mjs', true);
// npm entries (docs/install.md). Minifying drops comments, so the three import()s (the overlay's,
// the survey widget's and the signals chunk's) get back the two comments that tell webpack and
// Vite they load a URL at run time (the files themselves are emitted through their
// `new URL(..., import.meta.url)`), not modules to bundle.
const mjs = readFileSync('dist/thermograph.mjs', 'utf8');
const dynamic = mjs.match(/\bimport\((?=[\w$])/g) || [];
if (dynamic.length !== 3) throw new Error(`build-js: expected three import()s in dist/thermograph.mjs (overlay, survey, signals), found ${dynamic.length}`);
writeFileSync('dist/thermograph.mjs', mjs.replace(/\bimport\((?=[\w$])/g, 'import(/* webpackIgnore: true */ /* @vite-ignore */ '));
// CommonJS (require('thermograph'), server-side rendering): import.meta is empty there, so the
// wasm and the overlay are looked for next to the script (js/tracker/index.js).
await build({
  ...tracker, entryPoints: ['js/tracker/index.js'], format: 'cjs', outfile: 'dist/thermograph.cjs',
  logOverride: { 'empty-import-meta': 'silent' },
});
copyFileSync('types/thermograph.d.ts', 'dist/thermograph.d.cts');
copyFileSync(`${wasmDir}/thermograph.wasm`, 'dist/thermograph.wasm');
copyFileSync('types/thermograph.d.ts', 'dist/thermograph.d.ts');
const files = ['thermograph.min.js', 'thermograph.mjs', 'thermograph.wasm'];
// The micro-survey widget (js/survey): imported by the tracker only when a survey's trigger fired,
// so it is not part of the visitor download below.
// Bundled like the tracker: it instantiates thermograph.wasm itself, whose exports are renamed.
await build({ ...tracker, entryPoints: ['js/survey/trigger.js'], format: 'esm', outfile: 'dist/thermograph-survey.mjs' });
await build({ ...tracker, entryPoints: ['js/survey/index.js'], format: 'esm', outfile: 'dist/thermograph-survey-widget.mjs' });
// The opt-in behaviour-signal sources (js/tracker/signals.js): exposure, form fields, dead swipes.
await build({ ...tracker, entryPoints: ['js/tracker/signals.js'], format: 'esm', outfile: 'dist/thermograph-signals.mjs' });
await squeeze('dist/thermograph-signals.mjs', true);
files.push('thermograph-survey.mjs', 'thermograph-survey-widget.mjs', 'thermograph-signals.mjs');
if (existsSync('js/overlay/index.js') && existsSync(`${wasmDir}/overlay.mjs`)) {
  await build({
    ...common, entryPoints: ['js/overlay/index.js'], format: 'esm', outfile: 'dist/thermograph-overlay.mjs',
    alias: { ...common.alias, 'overlay-wasm': `./${wasmDir}/overlay.mjs` },
  });
  files.push('thermograph-overlay.mjs');
}

// Subresource Integrity hashes of what a page may load from a CDN (README's snippet shows the
// script's; tests/install/package.test.mjs keeps the README equal to this file).
const sri = {};
for (const f of ['thermograph.min.js', 'thermograph.wasm', 'thermograph-overlay.mjs', 'thermograph-survey.mjs', 'thermograph-survey-widget.mjs', 'thermograph-signals.mjs']) {
  if (existsSync(`dist/${f}`)) sri[f] = 'sha384-' + createHash('sha384').update(readFileSync(`dist/${f}`)).digest('base64');
}
writeFileSync('dist/sri.json', JSON.stringify(sri, null, 2) + '\n');

const sizes = {};
for (const f of files) {
  const bytes = readFileSync(`dist/${f}`);
  sizes[f] = { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  console.log(`${f.padEnd(28)} ${String(bytes.length).padStart(8)} raw ${String(sizes[f].gzip).padStart(7)} gzip`);
}
// What a visitor downloads with the script tag: the script and the wasm (never the overlay; the
// survey widget only when asked).
const total = sizes['thermograph.min.js'].gzip + sizes['thermograph.wasm'].gzip;
writeFileSync('dist/size.json', JSON.stringify({ files: sizes, visitor_gzip_total: total, budget: BUDGET }, null, 2) + '\n');
console.log(`visitor download: ${total} gzip bytes (budget ${BUDGET})`);
if (total > BUDGET && process.env.THERMOGRAPH_SKIP_BUDGET === '1') {
  console.warn('\n!!! build-js: THERMOGRAPH_SKIP_BUDGET=1: visitor download ' + total + ' B gzip is OVER the ' +
    BUDGET + ' B budget; not failing. Never set this in CI or for a release. !!!\n');
} else if (total > BUDGET) {
  console.error(`build-js: visitor download ${total} B gzip exceeds the ${BUDGET} B budget`);
  process.exit(1);
}
