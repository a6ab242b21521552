// `npm start`: the whole product on one machine. Runs the real collector on 127.0.0.1, serves the
// demo site with the tracker, seeds simulated visits on the first run, then prints where to look.
//
// Usage: node demo/start.mjs [--port 8080] [--collector-port 8787] [--visits 120] [--no-seed] [--reset]
import { mkdirSync, readFileSync, writeFileSync, rmSync, existsSync, createWriteStream } from 'node:fs';
import path from 'node:path';
import { ROOT, startDemoServer } from './server.mjs';
import { collectorPath, createSite, startCollector, portFree, pageViews } from './collector.mjs';
import { simulate } from './simulate.mjs';

const HELP = `usage: npm start -- [options]
  --port N             demo site port (default 8080)
  --collector-port N   collector port (default 8787)
  --visits N           simulated visits seeded on the first run (default 120)
  --concurrency N      browser contexts while seeding (default 4)
  --no-seed            never seed
  --reset              delete .thermograph/ (database and site key) and start over`;

function parseArgs(argv) {
  const o = { port: 8080, collectorPort: 8787, visits: 120, concurrency: 4, seed: true, reset: false };
  const names = { '--port': 'port', '--collector-port': 'collectorPort', '--visits': 'visits', '--concurrency': 'concurrency' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (names[a]) {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${a} needs a whole number`);
      o[names[a]] = n;
    } else if (a === '--no-seed') o.seed = false;
    else if (a === '--reset') o.reset = true;
    else if (a === '-h' || a === '--help') o.help = true;
    else throw new Error(`unknown option '${a}'`);
  }
  return o;
}

const say = (m) => process.stderr.write(m + '\n');
function die(m) {
  say('thermograph demo: ' + m);
  process.exit(1);
}

let opts;
try {
  opts = parseArgs(process.argv.slice(2));
} catch (e) {
  say(`thermograph demo: ${e.message}\n${HELP}`);
  process.exit(64);
}
if (opts.help) {
  console.log(HELP);
  process.exit(0);
}

// 120 visits give every persona and segment some heat; the first 12 (every persona, both variants) are seeded before the URL is
// printed, the rest in the background (timings measured in README "What npm start shows").
const dir = path.join(ROOT, '.thermograph');
if (opts.reset) rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
try {
  collectorPath();
} catch (e) {
  die(e.message);
}

// Both ports are checked before anything starts, so a taken port never leaves half a demo running.
const host = '127.0.0.1';
for (const [flag, port] of [['--port', opts.port], ['--collector-port', opts.collectorPort]]) {
  if (!(await portFree(port, host))) die(`port ${port} is already in use on ${host}; pick another with ${flag} N`);
}

// The site is created once and reused: its key is in every report, and the read token is shown
// only at creation (the collector keeps just its hash). A new demo port means a new origin.
const db = path.join(dir, 'demo.sqlite');
const stateFile = path.join(dir, 'demo.json');
const state = existsSync(stateFile) && existsSync(db) ? JSON.parse(readFileSync(stateFile, 'utf8')) : { sites: {} };
let site = state.sites[opts.port];
if (!site) {
  const origins = [`http://127.0.0.1:${opts.port}`, `http://localhost:${opts.port}`];
  site = { ...createSite({ db, origins }), origins, created: new Date().toISOString() };
  state.sites[opts.port] = site;
  writeFileSync(stateFile, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
  say(`created site ${site.siteKey} for ${origins.join(', ')} (saved in .thermograph/demo.json)`);
}

const logFile = createWriteStream(path.join(dir, 'collector.log'), { flags: 'a' });
let collector, demo, stopping = false;
async function shutdown(code) {
  if (stopping) return;
  stopping = true;
  background.abort();
  await backgroundSeeding?.catch(() => {});
  await Promise.allSettled([demo?.close(), collector?.stop()]);
  logFile.end();
  process.exit(code);
}
process.on('SIGINT', () => { say('\nstopping...'); shutdown(130); });
process.on('SIGTERM', () => shutdown(143));

try {
  collector = await startCollector({ db, port: opts.collectorPort, host, log: (s) => logFile.write(s) });
  collector.exited.then(({ code, signal }) => {
    if (stopping) return;
    say(`thermograph demo: the collector stopped unexpectedly (${code ?? signal}); see .thermograph/collector.log`);
    shutdown(1);
  });
  demo = await startDemoServer({ port: opts.port, host, endpoint: collector.url, site: site.siteKey });
} catch (e) {
  say('thermograph demo: ' + e.message);
  await shutdown(1);
}

// Seeding happens once: a database that already holds page views is left as it is. A first batch
// that covers every persona and variant comes before the URL is printed, so heat is there when the
// user opens it; the rest of the visits follow in the background.
const FIRST_BATCH = 12;
const background = new AbortController();
let backgroundSeeding = null;
async function seedIfEmpty() {
  const before = await pageViews(collector.url, site.readToken, site.siteKey);
  if (!opts.seed || before.total > 0 || opts.visits === 0) return before;
  const first = Math.min(FIRST_BATCH, opts.visits);
  say(`seeding ${first} simulated visits before the demo opens (first run only; --no-seed skips, --reset starts over)`);
  const r = await simulate({ base: demo.base, visits: first, concurrency: opts.concurrency, seed: 1 });
  if (r.failed) say(`${r.failed} of ${r.visits.length} visits failed (first: ${r.visits.find((v) => !v.ok).error})`);
  say(`seeded in ${(r.ms / 1000).toFixed(0)} s`);
  await new Promise((ok) => setTimeout(ok, 500));  // the last beacons may still be in flight
  if (opts.visits > first) {
    backgroundSeeding = simulate({
      base: demo.base, visits: opts.visits, from: first, concurrency: Math.min(2, opts.concurrency), seed: 1,
      quiet: true, signal: background.signal,
    }).then(async (rest) => {
      if (stopping) return;
      const now = await pageViews(collector.url, site.readToken, site.siteKey).catch(() => null);
      say(`background seeding done: ${rest.visits.length - rest.failed} more visits in ${(rest.ms / 1000).toFixed(0)} s` +
        (now ? ` (${now.total} page views on ${now.pages.length} pages now)` : ''));
    }, (e) => say('background seeding stopped: ' + e.message));
  }
  return pageViews(collector.url, site.readToken, site.siteKey);
}

let pages, total;
try {
  ({ pages, total } = await seedIfEmpty());
} catch (e) {
  say('thermograph demo: ' + e.message + (/ 40[13]/.test(e.message) ? '\n  the saved read token does not open this database: try --reset' : ''));
  await shutdown(1);
}

console.log(`
Thermograph demo is running.

  Demo site        ${demo.base}/
  Heatmap overlay  ${demo.base}/#thermograph   (#thermograph on any page of the site)
  Dashboard        ${collector.url}/dashboard   (sign in with the read token)
  Read token       ${site.readToken}
  Site key         ${site.siteKey}
  Collector        ${collector.url}   (database: .thermograph/demo.sqlite, log: .thermograph/collector.log)
  Data             ${total} page views on ${pages.length} pages

Open the overlay URL and paste the read token when asked. Ctrl-C stops everything.${backgroundSeeding ?
  `\n${opts.visits - FIRST_BATCH} more simulated visits are arriving in the background; reload the overlay to see them.` : ''}`);
