// `npm run bench`: runs every benchmark, writes bench/results/*.json, and rewrites
// docs/BENCHMARKS.md from those files (and from results other benchmarks left there:
// overlay.json, collector.json).
//   node bench/run.mjs [--runs N] [--only size,mainthread,wire,scaling,overlay,collector,clickhouse,read-scale] [--render-only]
// read-scale (15-22 minutes: 1M and 10M page views into both stores) runs only when --only names it.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ROOT, writeResult, runsArg, machine, launch } from './lib/common.mjs';
import { runSize } from './size.mjs';
import { collectRuns } from './lib/runs.mjs';
import { mainThreadFrom } from './mainthread.mjs';
import { wireFrom } from './wire.mjs';
import { runScaling } from './scaling.mjs';
import { runOverlayPeers } from './overlay-peers.mjs';
import { render } from './render.mjs';

const argv = process.argv;
const onlyAt = argv.indexOf('--only');
const only = onlyAt > 0 ? new Set(argv[onlyAt + 1].split(',')) : null;
const want = (k) => !argv.includes('--render-only') && (!only || only.has(k));
const runs = runsArg(3);
const banner = (s) => console.log(`\n== ${s}`);

// Another developer's script: run it as its own process, the way its README would.
function runExternal(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) console.warn(`bench: ${cmd} ${args.join(' ')} failed (exit ${r.status}); its old result, if any, is kept`);
}

const browser = await launch();
writeResult('machine', machine(browser.version()));
await browser.close();

if (want('size')) { banner('visitor download'); writeResult('size', await runSize()); }
let collected = null;
if (want('mainthread') || want('wire')) {
  banner(`60 s session x ${runs} runs per tool (main thread + wire)`);
  collected = await collectRuns(runs);
  writeResult('mainthread', mainThreadFrom(collected));
  writeResult('wire', wireFrom(collected));
}
if (want('scaling')) { banner('scaling'); writeResult('scaling', await runScaling(Math.min(runs, 2), collected)); }
if (want('overlay')) {
  if (existsSync(path.join(ROOT, 'bench/overlay.mjs'))) { banner('overlay (ours)'); runExternal('node', ['bench/overlay.mjs']); }
  banner('overlay (peers)');
  writeResult('overlay-peers', await runOverlayPeers(runs));
}
if (want('collector') && existsSync(path.join(ROOT, 'bench/collector/run.sh'))) {
  banner('collector ingest');
  runExternal('bash', ['bench/collector/run.sh']);
  banner('collector ingest while one page grows to 1M cells');
  runExternal('node', ['bench/collector/hot_row.mjs']);
}

if (want('clickhouse') && existsSync('/usr/sbin/clickhouse-server')) {
  banner('collector on ClickHouse (scale-out)');
  runExternal('node', ['bench/collector/clickhouse.mjs']);
}
if (only && only.has('read-scale') && existsSync('/usr/sbin/clickhouse-server')) {
  banner('30-day reads and bytes at 1M and 10M page views (SQLite and ClickHouse)');
  runExternal('node', ['bench/collector/read_scale.mjs']);
}

banner('docs/BENCHMARKS.md');
render();
