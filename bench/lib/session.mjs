// The scripted visitor session every main-thread, wire and scaling run replays, and the runner.
//
// Time is compressed with Playwright's page.clock: Date, performance.now, timers and
// requestAnimationFrame in the page are fake and advance only by clock.runFor(), so a 60-second
// session replays in a fraction of a minute while every tracker still sees 60 s of timestamps,
// flush intervals and upload timers. Input events are real (CDP Input.*), identical in every run.
import { prng, gauss } from './common.mjs';

export const VIEWPORT = { width: 1280, height: 720 };
const PAGE_HEIGHT = 8000;

// A plan is one step per frame: where the pointer is, an optional wheel delta, an optional click.
// Per 60 s of session: ~30 clicks including one rage burst of 5, one read-through of the page
// top to bottom in wheel bursts, then a partial scroll back up. `hz` is the pointer sampling
// rate: 60 for the standard session; long sessions use fewer, wider-spaced steps.
export function makePlan({ seconds = 60, hz = 60, seed = 1 } = {}) {
  const rand = prng(seed);
  const dt = 1000 / hz;
  const frames = Math.round(seconds * hz);
  const steps = Array.from({ length: frames }, () => ({ x: 0, y: 0, wheel: 0, click: false }));

  // Scrolling: per minute-long chunk, wheel bursts of 100 px down to the bottom over the first 85 %,
  // then up by ~2000 px. Chunks shorter than a minute are the same pass, compressed.
  const chunk = Math.min(frames, Math.round(60 * hz));
  const maxScroll = PAGE_HEIGHT - VIEWPORT.height;
  for (let start = 0; start < frames; start += chunk) {
    const len = Math.min(chunk, frames - start);
    const down = Math.ceil(maxScroll / 100), up = 20;
    const place = (count, from, to, delta) => {
      let f = from;
      for (let i = 0; i < count; ) {
        const burst = 2 + Math.floor(rand() * 4);
        for (let b = 0; b < burst && i < count; b++, i++) {
          const at = Math.min(start + len - 1, Math.floor(f) + b);
          steps[at].wheel += delta;
        }
        f += ((to - from) / count) * burst;
      }
    };
    place(down, start + len * 0.03, start + len * 0.85, 100);
    place(up, start + len * 0.87, start + len * 0.97, -100);
  }

  // Pointer: glide to a target (0.3-1 s, eased), dwell there (0.2-2 s). Clicks happen on arrival.
  const clicksWanted = Math.round((seconds / 60) * 25);  // plus 5 per rage burst below
  const clickProb = Math.min(1, clicksWanted / Math.max(1, seconds / 1.4));
  let x = 640, y = 360, f = 0;
  while (f < frames) {
    const tx = Math.min(1260, Math.max(20, 640 + gauss(rand) * 320));
    const ty = Math.min(700, Math.max(70, 380 + gauss(rand) * 180));
    const glide = Math.max(1, Math.round((0.3 + rand() * 0.7) * hz));
    for (let i = 1; i <= glide && f < frames; i++, f++) {
      const e = 0.5 - Math.cos((Math.PI * i) / glide) / 2;
      steps[f].x = x + (tx - x) * e;
      steps[f].y = y + (ty - y) * e;
    }
    x = tx; y = ty;
    if (f < frames && f > hz && rand() < clickProb) steps[f].click = true;
    const dwell = Math.max(1, Math.round((0.2 + rand() * 1.8) * hz));
    for (let i = 0; i < dwell && f < frames; i++, f++) {
      // Hands are never still: a pixel of jitter keeps pointermove events coming while dwelling.
      steps[f].x = x + (i % 2);
      steps[f].y = y;
    }
  }
  // Rage burst: 5 clicks 120 ms apart on one spot (a dead "Compare plans"-like target), per minute.
  for (let start = 0; start < frames; start += chunk) {
    const at = start + Math.floor(Math.min(chunk, frames - start) * 0.4);
    const gap = Math.max(1, Math.round(0.12 * hz));
    for (let k = 0; k < 5 && at + k * gap < frames; k++) {
      const s = steps[at + k * gap];
      s.click = true;
      s.x = steps[at].x;
      s.y = steps[at].y;
    }
  }
  return { seconds, hz, dt, seed, steps, clicks: steps.filter((s) => s.click).length,
    wheelTicks: steps.reduce((n, s) => n + Math.abs(s.wheel) / 100, 0) };
}

const READY = {
  none: () => true,
  thermograph: () => !!(window.thermograph && window.thermograph.loaded),
  thermographSignals: () => !!(window.thermograph && window.thermograph.loaded),
  clarity: () => !!(window.clarity && window.clarity.v),
  posthog: () => !!(window.posthog && window.posthog.__loaded),
};

const metricsOf = async (cdp) => {
  const { metrics } = await cdp.send('Performance.getMetrics');
  return Object.fromEntries(metrics.map((m) => [m.name, m.value]));
};

// Runs one plan against one tool in a fresh context. Returns CPU metric deltas (thread time, so
// other developers' load on the shared cores mostly cancels out), long tasks, and every request
// the tool sent during the page view, including the final pagehide beacons.
export async function runSession(browser, server, tool, plan) {
  const context = await browser.newContext({ viewport: VIEWPORT });
  const page = await context.newPage();
  await page.addInitScript(() => {
    window.__longTasks = [];
    try {
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) window.__longTasks.push(e.duration);
      }).observe({ type: 'longtask', buffered: true });
    } catch { /* no longtask support: report none */ }
  });
  // install() alone lets the fake clock also tick with the wall clock (a 60 s plan replayed in
  // ~50 s of wall time then showed every tracker ~110 s: a third flush timer, twice the dwell).
  // Paused, page time moves only by runFor() below.
  const t0 = Date.parse('2025-01-01T12:00:00Z');
  await page.clock.install({ time: t0 });
  await page.clock.pauseAt(t0 + 1);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable', { timeDomain: 'threadTicks' });
  server.take();

  const m0 = await metricsOf(cdp);
  await page.goto(`${server.base}/pages/session.html?tool=${tool}`, { waitUntil: 'load' });
  // Let the tracker load and start: fake time advances 2 s (Clarity waits `delay` = 1 s), real
  // time lets its script and wasm fetches land.
  for (let i = 0; i < 200; i++) {
    await page.clock.runFor(50);
    if (i >= 40 && await page.evaluate(READY[tool])) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  if (!await page.evaluate(READY[tool])) throw new Error(`${tool} did not start`);
  const m1 = await metricsOf(cdp);

  const mouse = page.mouse;
  let carry = 0;
  for (const s of plan.steps) {
    if (s.wheel) await mouse.wheel(0, s.wheel);
    await mouse.move(s.x, s.y);
    if (s.click) { await mouse.down(); await mouse.up(); }
    // runFor takes whole milliseconds: carry the fraction so 60 Hz adds up to exactly 60 s.
    carry += plan.dt;
    const ms = Math.floor(carry);
    carry -= ms;
    await page.clock.runFor(ms);
  }
  await page.clock.runFor(1000);
  const m2 = await metricsOf(cdp);
  const longTasks = await page.evaluate(() => window.__longTasks);
  const scrolledTo = await page.evaluate(() => scrollY);

  await page.close({ runBeforeUnload: true });  // pagehide: every tool's final flush
  // Wait until the sink has been quiet for 800 ms (beacons are sent after the page is gone).
  let last = -1, quietSince = Date.now();
  for (const end = Date.now() + 8000; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) {
    if (server.count() !== last) { last = server.count(); quietSince = Date.now(); }
    else if (Date.now() - quietSince > 800) break;
  }
  const requests = server.take();
  await context.close();

  const d = (a, b, k) => ((b[k] || 0) - (a[k] || 0)) * 1000;  // seconds -> ms
  return {
    tool,
    load: { scriptMs: d(m0, m1, 'ScriptDuration'), taskMs: d(m0, m1, 'TaskDuration') },
    session: {
      scriptMs: d(m1, m2, 'ScriptDuration'), taskMs: d(m1, m2, 'TaskDuration'),
      layoutMs: d(m1, m2, 'LayoutDuration'), styleMs: d(m1, m2, 'RecalcStyleDuration'),
    },
    total: { scriptMs: d(m0, m2, 'ScriptDuration'), taskMs: d(m0, m2, 'TaskDuration') },
    heapMB: (m2.JSHeapUsedSize || 0) / 2 ** 20,
    longTasks: { count: longTasks.length, tbtMs: longTasks.reduce((s, t) => s + Math.max(0, t - 50), 0), maxMs: Math.max(0, ...longTasks) },
    scrolledTo,
    requests,
  };
}
