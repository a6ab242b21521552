// Pieces every benchmark shares: paths, a seeded PRNG (runs must compare), statistics,
// result files, machine facts, and Chromium launched the way the browser tests launch it.
import { chromium } from 'playwright-core';
import { mkdirSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(new URL('../..', import.meta.url).pathname);
export const RESULTS = path.join(ROOT, 'bench/results');
export const CACHE = path.join(ROOT, 'bench/.build');

// mulberry32: tiny, fast and good enough for benchmark inputs; the seed makes runs repeatable.
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Box-Muller on the seeded generator: clicks cluster around targets, they are not uniform.
export function gauss(rand) {
  const u = Math.max(rand(), 1e-12), v = rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

export function stats(values) {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return { n: 0, min: null, median: null, max: null };
  const mid = v.length >> 1;
  const median = v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  return { n: v.length, min: v[0], median, max: v[v.length - 1] };
}

export function writeResult(name, data) {
  mkdirSync(RESULTS, { recursive: true });
  const file = path.join(RESULTS, `${name}.json`);
  writeFileSync(file, JSON.stringify({ generated: new Date().toISOString(), ...data }, null, 2) + '\n');
  console.log(`wrote ${path.relative(ROOT, file)}`);
  return file;
}

export function readResult(name) {
  const file = path.join(RESULTS, `${name}.json`);
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null;
}

// Same flags as tests/browser/harness.mjs (TOOLCHAIN.md: the background-networking flags keep
// Chromium from trying to reach the internet, which this machine refuses).
export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

export function machine(browserVersion) {
  let osName = `${os.type()} ${os.release()}`;
  try {
    const rel = readFileSync('/etc/os-release', 'utf8');
    osName = (rel.match(/^PRETTY_NAME="?([^"\n]*)/m) || [])[1] + ` (kernel ${os.release()})`;
  } catch { /* not Linux: keep os.type() */ }
  const cpus = os.cpus();
  return {
    cpu: cpus[0] ? cpus[0].model.trim() : 'unknown',
    cores: cpus.length,
    ramGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    os: osName,
    node: process.version,
    chromium: browserVersion || null,
  };
}

// `--runs N` / BENCH_RUNS: repetitions; the machine is shared, so the default stays small.
export function runsArg(fallback) {
  const i = process.argv.indexOf('--runs');
  const v = i > 0 ? +process.argv[i + 1] : +(process.env.BENCH_RUNS || 0);
  return v > 0 ? v : fallback;
}

export const isMain = (meta) => process.argv[1] && path.resolve(process.argv[1]) === new URL(meta.url).pathname;

export const fmtBytes = (b) => (b == null ? '-' : b >= 10240 ? `${(b / 1024).toFixed(1)} KB` : `${b} B`);
