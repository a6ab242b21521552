// Visitor simulator: real headless Chromium visitors (playwright-core, Debian's /usr/bin/chromium)
// browse the demo site with the real tracker, which reports to the real collector.
//
// Usage: node demo/simulate.mjs [--base URL] [--visits N] [--concurrency C] [--seed S] [--pace F] [--quiet]
// --pace scales think time (1 = leisurely, default 0.6).
// Each visit is a fresh browser context (no shared state), all in one browser process.
import { launchBrowser, Visitor } from './visitor.mjs';
import { PERSONAS, BEHAVIOURS } from './personas.mjs';

// mulberry32: small, fast and seedable, so a run can be repeated (Math.random cannot be seeded).
export function rngFrom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// The visits of a run, decided up front so they do not depend on scheduling: the first ones cover
// every persona (alternating variants), the rest follow the persona weights.
export function planVisits(n, seed = 1) {
  const rng = rngFrom(seed);
  const total = PERSONAS.reduce((s, p) => s + p.weight, 0);
  const visits = [];
  for (let i = 0; i < n; i++) {
    let persona = PERSONAS[i];
    if (i >= PERSONAS.length) {
      let r = rng() * total;
      persona = PERSONAS.find((p) => (r -= p.weight) < 0) || PERSONAS[0];
    }
    const variant = i < PERSONAS.length ? 'AB'[i % 2] : rng() < 0.5 ? 'A' : 'B';
    const loggedIn = !!persona.loggedIn || (i >= PERSONAS.length && rng() < 0.2);
    visits.push({ index: i, persona, variant, loggedIn, seed: (seed * 1000003 + i) >>> 0 });
  }
  return visits;
}

async function runVisit(browser, base, visit, pace) {
  const p = visit.persona;
  const context = await browser.newContext({
    viewport: { width: p.width, height: p.height }, hasTouch: !!p.touch, isMobile: !!p.touch, deviceScaleFactor: 1,
  });
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(10000);
    try {
      await BEHAVIOURS[p.intent](new Visitor(page, p, rngFrom(visit.seed), base, pace), visit);
    } catch (e) {
      // THERMOGRAPH_DEMO_DEBUG=DIR keeps a screenshot of every failed visit, for diagnosis.
      const dir = process.env.THERMOGRAPH_DEMO_DEBUG;
      if (dir) await page.screenshot({ path: `${dir}/visit-${visit.index}-${p.name}.png` }).catch(() => {});
      throw e;
    } finally {
      // pagehide: the tracker's final flush (a beacon). Give it a moment to leave before the
      // context, and its network stack, is torn down.
      await page.close({ runBeforeUnload: true });
      await new Promise((r) => setTimeout(r, 150));
    }
  } finally {
    await context.close();
  }
}

function progressBar(total, quiet) {
  const start = Date.now(), tty = process.stderr.isTTY;
  let lastPrinted = -1;
  return (done, failed) => {
    if (quiet) return;
    const s = (Date.now() - start) / 1000;
    const eta = done ? (s / done) * (total - done) : 0;
    const width = 30, filled = Math.round((done / total) * width);
    const line = `visits [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}` +
      `${failed ? ` (${failed} failed)` : ''}  ${s.toFixed(0)} s${done < total && done ? `, ~${eta.toFixed(0)} s left` : ''}`;
    if (tty) process.stderr.write('\r' + line + (done === total ? '\n' : ''));
    else if (Math.floor((done * 10) / total) !== lastPrinted || done === total) {
      lastPrinted = Math.floor((done * 10) / total);
      process.stderr.write(line + '\n');
    }
  };
}

// `from` skips the first visits of the plan (a run continued in stages sees the same visits as one
// long run); `signal` stops taking new visits (those under way finish).
export async function simulate({ base = 'http://127.0.0.1:8080', visits = 20, from = 0, concurrency = 4, seed = 1, pace = 0.6, quiet = false, signal } = {}) {
  const plan = planVisits(visits, seed).slice(from);
  const browser = await launchBrowser();
  const progress = progressBar(plan.length, quiet);
  const results = [];
  let next = 0, done = 0, failed = 0;
  const started = Date.now();
  progress(0, 0);
  const worker = async () => {
    while (next < plan.length && !signal?.aborted) {
      const visit = plan[next++];
      const t = Date.now();
      try {
        await runVisit(browser, base, visit, pace);
        results.push({ ...visit, ok: true, ms: Date.now() - t });
      } catch (e) {
        failed++;
        results.push({ ...visit, ok: false, error: e.message.split('\n')[0], ms: Date.now() - t });
      }
      progress(++done, failed);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, plan.length)) }, worker));
  } finally {
    await browser.close();
  }
  results.sort((a, b) => a.index - b.index);
  return { visits: results, failed, ms: Date.now() - started };
}

function parseArgs(argv) {
  const o = { base: 'http://127.0.0.1:8080', visits: 20, concurrency: 4, seed: 1, pace: 0.6, quiet: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i], val = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    const int = () => {
      const n = Number(val());
      if (!Number.isInteger(n) || n < 0) throw new Error(`${a} needs a whole number`);
      return n;
    };
    if (a === '--base') o.base = val().replace(/\/$/, '');
    else if (a === '--visits') o.visits = int();
    else if (a === '--concurrency') o.concurrency = Math.max(1, int());
    else if (a === '--seed') o.seed = int();
    else if (a === '--pace') o.pace = Number(val());
    else if (a === '--quiet') o.quiet = true;
    else if (a === '-h' || a === '--help') o.help = true;
    else throw new Error(`unknown option '${a}'`);
  }
  return o;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error('simulate: ' + e.message + ' (see --help)');
    process.exit(64);
  }
  if (opts.help) {
    console.log('usage: node demo/simulate.mjs [--base URL] [--visits N] [--concurrency C] [--seed S] [--pace F] [--quiet]\n' +
      'personas: ' + PERSONAS.map((p) => p.name).join(', '));
    process.exit(0);
  }
  const r = await simulate(opts);
  for (const v of r.visits.filter((x) => !x.ok)) console.error(`visit ${v.index} (${v.persona.name}) failed: ${v.error}`);
  console.error(`${r.visits.length - r.failed}/${r.visits.length} visits in ${(r.ms / 1000).toFixed(1)} s`);
  process.exit(r.failed === r.visits.length && r.visits.length ? 1 : 0);
}
