// Main-thread cost of each tracker in the scripted 60-second session (bench/lib/session.mjs):
// CDP Performance.getMetrics ScriptDuration and TaskDuration in thread time, from navigation to
// the end of the session, minus the same figure without any tracker. Long tasks and total
// blocking time come from an in-page PerformanceObserver('longtask').
//   node bench/mainthread.mjs [--runs N]
import { stats, writeResult, runsArg, isMain } from './lib/common.mjs';
import { collectRuns, isOurs, TOOLS } from './lib/runs.mjs';

export function mainThreadFrom(collected) {
  const { byTool } = collected;
  const pick = (tool, f) => byTool[tool].map(f);
  const base = {
    script: stats(pick('none', (r) => r.total.scriptMs)).median,
    task: stats(pick('none', (r) => r.total.taskMs)).median,
  };
  const tools = {};
  for (const tool of Object.keys(byTool)) {
    tools[tool] = {
      scriptMs: stats(pick(tool, (r) => r.total.scriptMs)),
      taskMs: stats(pick(tool, (r) => r.total.taskMs)),
      loadScriptMs: stats(pick(tool, (r) => r.load.scriptMs)),
      sessionScriptMs: stats(pick(tool, (r) => r.session.scriptMs)),
      // Overhead per run against the baseline's median: min/median/max keep the run spread.
      overheadScriptMs: stats(pick(tool, (r) => r.total.scriptMs - base.script)),
      overheadTaskMs: stats(pick(tool, (r) => r.total.taskMs - base.task)),
      longTasks: stats(pick(tool, (r) => r.longTasks.count)),
      tbtMs: stats(pick(tool, (r) => r.longTasks.tbtMs)),
      heapMB: stats(pick(tool, (r) => r.heapMB)),
    };
  }
  const over = (t) => tools[t]?.overheadScriptMs.median;
  const peers = Object.keys(tools).filter((t) => t !== 'none' && !isOurs(t));
  const ratios = {};
  for (const p of peers) ratios[p] = { scriptOverhead: over(p) / over('thermograph'), taskOverhead: tools[p].overheadTaskMs.median / tools.thermograph.overheadTaskMs.median };
  const lightest = peers.reduce((a, b) => (over(a) <= over(b) ? a : b), peers[0]);
  return {
    method: 'Performance.getMetrics (timeDomain threadTicks) deltas from before navigation to the end of the session; '
      + 'overhead = tool run - median baseline run (no tracker); long tasks from PerformanceObserver(longtask), TBT = sum(max(0, d - 50 ms)).',
    plan: collected.plan,
    runs: byTool.none.length,
    tools,
    ratios,
    target: {
      rule: "Thermograph's script overhead < half of the lightest peer's",
      lightestPeer: lightest,
      thermographMs: over('thermograph'),
      lightestPeerMs: over(lightest),
      met: over('thermograph') < over(lightest) / 2,
      // Every opt-in signal on: against the issue-21 budget, a third of the lightest peer's.
      signalsMs: over('thermographSignals'),
      signalsMet: over('thermographSignals') < over(lightest) / 3,
    },
    // Main-thread busy time (all tasks) relative to the page without a tracker.
    taskToBaseline: Object.fromEntries(Object.keys(tools).map((t) => [t, tools[t].taskMs.median / base.task])),
  };
}

if (isMain(import.meta)) {
  const collected = await collectRuns(runsArg(3), { tools: TOOLS });
  const r = mainThreadFrom(collected);
  for (const [t, v] of Object.entries(r.tools)) {
    console.log(`${t.padEnd(12)} script ${v.scriptMs.median.toFixed(1)} ms  overhead ${v.overheadScriptMs.median.toFixed(1)} ms  tbt ${v.tbtMs.median} ms`);
  }
  writeResult('mainthread', { machine: { chromium: collected.browser }, ...r });
}
