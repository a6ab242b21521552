// Runs the standard 60-second session for every tool, interleaved (baseline, thermograph,
// clarity, posthog, baseline, ...) so that load from other work on the shared machine spreads
// over all tools instead of landing on one. mainthread.mjs and wire.mjs both read these runs;
// run.mjs collects them once for both.
import { launch } from './common.mjs';
import { serve } from './server.mjs';
import { makePlan, runSession } from './session.mjs';

// thermographSignals: the same tracker with every opt-in signal on (data-signals), a configuration
// of ours rather than a peer.
export const TOOLS = ['none', 'thermograph', 'thermographSignals', 'clarity', 'posthog'];
export const isOurs = (t) => t.startsWith('thermograph');
// BENCH_SESSION_SECONDS shortens the session while developing; reports are made with 60.
export const SESSION = { seconds: +(process.env.BENCH_SESSION_SECONDS || 60), hz: 60, seed: 7 };

export async function collectRuns(runs, { tools = TOOLS, session = SESSION } = {}) {
  const plan = makePlan(session);
  const browser = await launch();
  const server = await serve();
  const byTool = Object.fromEntries(tools.map((t) => [t, []]));
  try {
    for (let i = 0; i < runs; i++) {
      for (const tool of tools) {
        const t0 = Date.now();
        const r = await runSession(browser, server, tool, plan);
        byTool[tool].push(r);
        console.log(`  run ${i + 1}/${runs} ${tool.padEnd(12)} script ${r.total.scriptMs.toFixed(1)} ms, `
          + `${r.requests.length} requests, ${((Date.now() - t0) / 1000).toFixed(0)} s wall`);
      }
    }
  } finally {
    await browser.close();
    await server.close();
  }
  return {
    browser: browser.version(), byTool,
    plan: { seconds: plan.seconds, hz: plan.hz, seed: plan.seed, steps: plan.steps.length, clicks: plan.clicks, wheelTicks: plan.wheelTicks },
  };
}
