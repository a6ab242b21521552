// How Thermograph's cost grows with session length: bytes per page view and main-thread script
// time for 10 s, 60 s and 10 min sessions, each against a baseline run of the same plan.
// 10 s and 60 s replay pointer moves at 60 Hz. The 10-minute session replays them at 10 Hz
// (6,000 steps 100 ms apart) so one run takes minutes, not ten: the tracker samples the pointer
// once per animation frame anyway, and it sees 10 minutes of timestamps, flush intervals and
// ~250 clicks plus 10 read-throughs of the page.
//   node bench/scaling.mjs [--runs N]
import { launch, stats, writeResult, runsArg, isMain } from './lib/common.mjs';
import { serve } from './lib/server.mjs';
import { makePlan, runSession } from './lib/session.mjs';
import { SESSION } from './lib/runs.mjs';

export const LENGTHS = [
  { label: '10 s', seconds: 10, hz: 60 },
  { label: '60 s', seconds: 60, hz: 60 },
  { label: '10 min', seconds: 600, hz: 10 },
];

const tgBytes = (run) => run.requests.filter((r) => r.url.startsWith('/tg')).reduce((s, r) => s + r.body.length, 0);
const tgReports = (run) => run.requests.filter((r) => r.url.startsWith('/tg')).length;

// `reuse` may hold the standard 60 s runs (same plan) from lib/runs.mjs: no need to replay them.
export async function runScaling(runs = 1, reuse = null) {
  const browser = await launch();
  const server = await serve();
  const rows = [];
  try {
    for (const len of LENGTHS) {
      const plan = makePlan({ seconds: len.seconds, hz: len.hz, seed: SESSION.seed });
      let base = [], tg = [];
      if (reuse && len.seconds === SESSION.seconds && len.hz === SESSION.hz && reuse.byTool.thermograph?.length) {
        base = reuse.byTool.none; tg = reuse.byTool.thermograph;
      } else {
        const n = len.seconds > 60 ? 1 : runs;
        for (let i = 0; i < n; i++) {
          base.push(await runSession(browser, server, 'none', plan));
          tg.push(await runSession(browser, server, 'thermograph', plan));
        }
      }
      const baseScript = stats(base.map((r) => r.total.scriptMs)).median;
      const row = {
        ...len, steps: plan.steps.length, clicks: plan.clicks, runs: tg.length,
        bytes: stats(tg.map(tgBytes)), reports: stats(tg.map(tgReports)),
        overheadScriptMs: stats(tg.map((r) => r.total.scriptMs - baseScript)),
      };
      rows.push(row);
      console.log(`  ${len.label.padEnd(6)} ${row.bytes.median} B in ${row.reports.median} reports, script overhead ${row.overheadScriptMs.median.toFixed(1)} ms`);
    }
  } finally {
    await browser.close();
    await server.close();
  }
  return { method: 'Thermograph run minus baseline run of the same plan (thread-time ScriptDuration); bytes = sum of report bodies.', rows };
}

if (isMain(import.meta)) writeResult('scaling', await runScaling(runsArg(1)));
