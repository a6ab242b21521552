// GET /api/dashboard against a collector seeded with figures known by construction
// (dashboard-seed.mjs): rankings, series, the injected drop, the experiment and its
// significance, old trackers, per-site refusals, filters, the hotspot matrix, and the token.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { HOME, PRICING, SIGNUP, dayString, expected, moveToDay, postAll, startSeeded } from './dashboard-seed.mjs';
import { createSite, encode, getJson, postReport, sampleReport, startServer, tempDir } from './helpers.mjs';

let tmp, seeded;
before(async () => {
  tmp = tempDir();
  seeded = await startSeeded(tmp.db);
});
after(async () => {
  await seeded?.server.stop();
  tmp?.cleanup();
});

const url = (q = '') => `${seeded.server.base}/api/dashboard?site=${seeded.site.site_key}${q}`;

// Two-sided p of the pooled two-proportion z-test, with erfc from Numerical Recipes (erfcc,
// fractional error < 1.2e-7): an independent computation of what the collector reports.
function erfc(x) {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? r : 2 - r;
}
function zTestP(k1, n1, k2, n2) {
  const p = (k1 + k2) / (n1 + n2);
  const z = (k2 / n2 - k1 / n1) / Math.sqrt(p * (1 - p) * (1 / n1 + 1 / n2));
  return erfc(Math.abs(z) / Math.SQRT2);
}

test('no token: 401 and no data; a wrong token: 403', async () => {
  const none = await getJson(url());
  assert.equal(none.status, 401);
  assert.deepEqual(Object.keys(none.body).sort(), ['error', 'reason']);
  assert.equal((await getJson(url(), 'tgr_' + '0'.repeat(64))).status, 403);
});

test('pages ranked by page views, conversions and frustration, with daily series', async () => {
  const r = await getJson(url(), seeded.site.read_token);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const d = r.body;
  assert.deepEqual(d.pages.map((p) => p.page), expected.byPageViews);
  assert.deepEqual(d.rankings.page_views, expected.byPageViews);
  for (const p of d.pages) assert.equal(p.page_views, expected.pageViews[p.page], p.page);
  assert.equal(d.rankings.conversions[0], SIGNUP);
  assert.equal(d.rankings.frustration[0], PRICING);
  const pricing = d.pages.find((p) => p.page === PRICING);
  assert.equal(pricing.frustration.rage.rate, expected.rageShare[PRICING]);
  assert.equal(pricing.frustration.per_100, 50);
  assert.ok(pricing.frustration.rage.lo < 0.5 && pricing.frustration.rage.hi > 0.5);
  const signup = d.pages.find((p) => p.page === SIGNUP);
  assert.equal(signup.conversions.count, 30);
  assert.equal(signup.overlay_url, `${SIGNUP}#thermograph`);
  // One series per page over the same days: T-8..T-1.
  const T = seeded.today;
  assert.deepEqual(d.days, [8, 7, 6, 5, 4, 3, 2, 1].map((o) => dayString(T - o)));
  const home = d.pages.find((p) => p.page === HOME);
  assert.deepEqual(home.series, [30, 30, 30, 30, 30, 30, 30, 3]);
  assert.deepEqual(signup.series, [0, 0, 0, 0, 0, 0, 0, 120]);
  assert.equal(d.totals.page_views, 213 + 96 + 120);
  assert.equal(d.limits.max_pages, 200);
  assert.equal(d.limits.pages_total, 3);
  assert.match(d.limits.note, /Every page/);
});

test('the injected drop is flagged, steady pages are not; old trackers are flagged', async () => {
  const d = (await getJson(url(), seeded.site.read_token)).body;
  assert.equal(d.checked_day, dayString(seeded.today - 1));
  const drops = d.health.flags.filter((f) => f.kind === 'drop' || f.kind === 'spike');
  assert.deepEqual(drops.map((f) => [f.kind, f.page]), [['drop', HOME]]);
  assert.match(drops[0].message, /fell to 3 on .* from about 30 a day/);
  assert.match(drops[0].check, /tracker tag/);
  const old = d.health.flags.filter((f) => f.kind === 'old_tracker');
  assert.deepEqual(old.map((f) => f.page), [HOME]);
  assert.match(old[0].message, new RegExp(`^${expected.oldTracker[HOME]} of 213 page views came from a tracker older than version 2`));
  assert.equal(d.health.duplicate_tracker, 0);
  assert.ok(!d.health.flags.some((f) => f.kind === 'duplicate_tracker'));
});

test('the experiment: per-variant rates, significance after BH, sample-size progress', async () => {
  const d = (await getJson(url(), seeded.site.read_token)).body;
  assert.equal(d.experiments.length, 1);
  const e = d.experiments[0];
  assert.equal(e.page, SIGNUP);
  assert.equal(e.metric, 'conversion');
  assert.equal(e.control, 'a');
  const [a, b] = e.variants;
  const x = expected.experiment;
  assert.deepEqual([a.variant, a.page_views, a.conversions.count], ['a', x.a.pv, x.a.conv]);
  assert.deepEqual([b.variant, b.page_views, b.conversions.count], ['b', x.b.pv, x.b.conv]);
  assert.equal(b.vs_control.test, 'z');
  const p = zTestP(x.a.conv, x.a.pv, x.b.conv, x.b.pv);
  assert.ok(Math.abs(b.vs_control.p - p) < 1e-6, `${b.vs_control.p} vs ${p}`);
  assert.equal(b.vs_control.p_adjusted, b.vs_control.p);  // one comparison: BH leaves it
  assert.equal(b.vs_control.significant, true);
  assert.ok(Math.abs(b.vs_control.diff - 0.3) < 1e-12);
  assert.match(b.vs_control.summary, /'b' beats 'a' by 30\.0 percentage points/);
  // Fleiss, no continuity correction: control rate 0.1 against 0.11.
  const [za, zb] = [1.959963984540054, 0.8416212335729143];
  const [p1, p2] = [0.1, 0.11];
  const pbar = (p1 + p2) / 2;
  const n = Math.ceil(((za * Math.sqrt(2 * pbar * (1 - pbar)) + zb * Math.sqrt(p1 * (1 - p1) + p2 * (1 - p2))) ** 2) / (p2 - p1) ** 2);
  assert.equal(e.needed_per_variant, n);
  assert.equal(e.more_page_views, 2 * (n - 60));
  assert.equal(e.progress, `about ${2 * (n - 60)} more page views to detect a 10 % lift`);
});

test('filters narrow the window; bad filters are refused', async () => {
  const T = seeded.today;
  const d = (await getJson(url(`&from=${dayString(T - 1)}&to=${dayString(T - 1)}`), seeded.site.read_token)).body;
  assert.deepEqual(d.days, [dayString(T - 1)]);
  assert.equal(d.pages.find((p) => p.page === HOME).page_views, 3);
  const only = (await getJson(url('&variant=b'), seeded.site.read_token)).body;
  assert.deepEqual(only.pages.map((p) => [p.page, p.page_views]), [[SIGNUP, 60]]);
  assert.equal(only.experiments.length, 0);
  assert.equal((await getJson(url('&device=toaster'), seeded.site.read_token)).status, 400);
  assert.equal((await getJson(url('&from=yesterday'), seeded.site.read_token)).status, 400);
  assert.equal((await getJson(url(`&page=${encodeURIComponent(HOME)}`), seeded.site.read_token)).status, 400);
});

test('hotspot matrix: scored elements with the formula', async () => {
  const d = (await getJson(url(), seeded.site.read_token)).body;
  assert.match(d.hotspots.formula, /score = 100 x \(0\.4 E \+ 0\.3 C \+ 0\.3 F\)/);
  const els = d.hotspots.elements;
  assert.equal(els.length, 3);  // one element per page
  for (const e of els) {
    assert.equal(e.key, 'c0ffee01');
    assert.equal(e.overlay_url, `${e.page}#thermograph`);
    const expectScore = 100 * (0.4 * e.engagement + 0.3 * e.conversion + 0.3 * e.frustration);
    assert.ok(Math.abs(e.score - expectScore) < 1e-9);
  }
  // Every page view clicked it on every page: engagement 1 everywhere; only the signup page
  // converts and only pricing frustrates.
  assert.ok(els.every((e) => e.engagement === 1));
  assert.equal(els.find((e) => e.page === PRICING).conversion, 0);
  assert.ok(els.find((e) => e.page === PRICING).frustration > 0.3);
  assert.equal(els.find((e) => e.page === HOME).frustration, 0);
  assert.deepEqual(els.map((e) => e.score), [...els.map((e) => e.score)].sort((a, b) => b - a));
});

test("a site's own refusals are flagged by reason; another site's are not", async () => {
  const foreign = encode(sampleReport(seeded.site.site_key, { segment: { page: 'https://elsewhere.example/x' } }));
  for (let i = 0; i < 2; i++) assert.equal((await postReport(seeded.server.base, foreign)).status, 400);
  assert.equal((await postReport(seeded.server.base, encode(sampleReport(seeded.site.site_key)), { Origin: 'https://evil.example' })).status, 403);
  assert.equal((await postReport(seeded.server.base, encode(sampleReport('tg_other')))).status, 403);
  const d = (await getJson(url(), seeded.site.read_token)).body;
  assert.deepEqual(d.health.refused, { foreign_page: 2, origin_not_allowed: 1 });
  const f = d.health.flags.find((x) => x.kind === 'refused' && x.message.includes('foreign_page'));
  assert.match(f.message, /^2 reports were refused \(foreign_page\)/);
  assert.match(f.check, /another origin/);
});

test('--min-page-views: pages and segments below it are left out and flagged', async () => {
  const strict = await startServer(tmp.db, ['--min-page-views', '100', '--compact-after', '86400']);
  try {
    const d = (await getJson(`${strict.base}/api/dashboard`, seeded.site.read_token)).body;
    // PRICING has 96 page views: withheld, and said so.
    assert.deepEqual(d.pages.map((p) => p.page), [HOME, SIGNUP]);
    const below = d.health.flags.find((f) => f.kind === 'below_min_page_views');
    assert.match(below.message, /^1 pages have fewer than 100 page views/);
    // SIGNUP's two variants (60 page views each) are segments below 100; HOME's one segment is not.
    const small = d.health.flags.filter((f) => f.kind === 'small_segments');
    assert.deepEqual(small.map((f) => f.page), [SIGNUP]);
    assert.match(small[0].message, /^2 of 2 segments/);
    // Neither variant passes on its own: no experiment is shown.
    assert.equal(d.experiments.length, 0);
    assert.equal(d.privacy, null);  // no DP: nothing noised
  } finally {
    await strict.stop();
  }
});

test('under --epsilon the dashboard answers with noised figures and no small-segment counts', async () => {
  const dp = await startServer(tmp.db, ['--epsilon', '1', '--min-page-views', '70', '--compact-after', '86400']);
  try {
    const r = await getJson(`${dp.base}/api/dashboard`, seeded.site.read_token);
    assert.equal(r.status, 200);
    const d = r.body;
    assert.ok(!d.health.flags.some((f) => f.kind === 'small_segments'));
    // HOME (213 page views) stays far above the noisy gate of 70; its figures are released. Without DP
    // SIGNUP's two variants (60 each) would be flagged as small segments.
    const home = d.pages.find((p) => p.page === HOME);
    assert.ok(home, JSON.stringify(d.pages.map((p) => p.page)));
    assert.equal(home.series.length, d.days.length);
    assert.ok(home.series.every((v) => v === null || Number.isInteger(v)));
    // It says how: epsilon, the page-view noise, and what the release withholds.
    assert.equal(d.privacy.epsilon, 1);
    assert.equal(d.privacy.page_views_sd, 14.8);
    assert.ok(d.privacy.withheld.includes('page_counters') && d.privacy.withheld.includes('clicks'));
    assert.ok(d.privacy.withheld.includes('element_counters'));
  } finally {
    await dp.stop();
  }
});

test('a spike is flagged against the trailing baseline', async () => {
  const other = createSite(tmp.db, ['https://spike.example'], 'spike');
  const page = 'https://spike.example/launch';
  const bytes = encode(sampleReport(other.site_key, { segment: { page } }));
  // The running collector sees the new site within a second.
  for (let i = 0; i < 100 && (await postReport(seeded.server.base, bytes)).status !== 204; i++) await new Promise((r) => setTimeout(r, 50));
  moveToDay(tmp.db, seeded.today, seeded.today - 9);
  // 12 a day on T-8..T-2, then 60 on T-1.
  for (let offset = 8; offset >= 1; offset--) {
    await postAll(seeded.server.base, Array.from({ length: offset === 1 ? 60 : 12 }, () => bytes));
    moveToDay(tmp.db, seeded.today, seeded.today - offset);
  }
  const d = (await getJson(`${seeded.server.base}/api/dashboard`, other.read_token)).body;
  assert.deepEqual(d.pages.map((p) => p.page), [page]);
  const flags = d.health.flags.filter((f) => f.kind === 'drop' || f.kind === 'spike');
  assert.deepEqual(flags.map((f) => [f.kind, f.page]), [['spike', page]]);
  assert.match(flags[0].message, /rose to 60 on .* from about 12 a day over the 7 days before \(5\.0 x\)/);
  assert.match(flags[0].check, /campaign/);
  // The first site's figures are untouched by the second site.
  const first = (await getJson(`${seeded.server.base}/api/dashboard`, seeded.site.read_token)).body;
  assert.equal(first.totals.page_views, 213 + 96 + 120);
});

test('page views from a page with a second tracker tag are counted and flagged', async () => {
  const other = createSite(tmp.db, ['https://double.example'], 'double');
  const page = 'https://double.example/';
  const flagged = encode(sampleReport(other.site_key, { segment: { page, second_tag: true } }));
  // The running collector sees the new site within a second.
  for (let i = 0; i < 100 && (await postReport(seeded.server.base, flagged)).status !== 204; i++) await new Promise((r) => setTimeout(r, 50));
  await postAll(seeded.server.base, [flagged, flagged]);
  // A later delta of the same page view (no page view of its own) is not counted again.
  const later = encode(sampleReport(other.site_key, { segment: { page, second_tag: true }, counters: { page_views: 0, pv_clicked: 1 } }));
  await postAll(seeded.server.base, [later]);
  await postAll(seeded.server.base, [encode(sampleReport(other.site_key, { segment: { page } }))]);
  const d = (await getJson(`${seeded.server.base}/api/dashboard`, other.read_token)).body;
  assert.equal(d.health.duplicate_tracker, 3);
  const f = d.health.flags.find((x) => x.kind === 'duplicate_tracker');
  assert.match(f.message, /^3 page views had a second Thermograph tag/);
  assert.match(f.check, /Remove the extra tag/);
  // Never a segment of its own: the page's rows hold all 4 page views in one segment.
  assert.equal(d.pages[0].page_views, 4);
  assert.ok(!JSON.stringify(d).includes('second_tag'));
  // The first site's audit is untouched.
  const first = (await getJson(url(), seeded.site.read_token)).body;
  assert.equal(first.health.duplicate_tracker, 0);
});

test('behaviour signals per page: rates in words-ready form, per 100 page views and a ranking', async () => {
  // The seeded pricing page: 96 page views, 8 with excessive scrolling, 16 a thrashed cursor,
  // 8 a dead swipe, no quick exit.
  const seededPages = (await getJson(url(), seeded.site.read_token)).body.pages;
  const pricing = seededPages.find((p) => p.page === PRICING).signals;
  for (const [counter, rate] of Object.entries(expected.signals[PRICING])) {
    assert.ok(Math.abs(pricing[counter].rate - rate) < 1e-12, `${counter}: ${pricing[counter].rate}`);
    assert.equal(pricing[counter].count, Math.round(rate * 96));
  }
  assert.ok(Math.abs(pricing.per_100 - (100 * 32) / 96) < 1e-9);
  assert.equal(seededPages.find((p) => p.page === HOME).signals.per_100, 0);

  // A second site: /a 40 page views (8 quick exits without a click, 4 excessive scrolling,
  // 2 thrashed cursor, 1 dead swipe); /b 20 page views, 15 with excessive scrolling.
  const other = createSite(tmp.db, ['https://signals.example'], 'signals');
  const A = 'https://signals.example/a', B = 'https://signals.example/b';
  const bytes = (page, counters = {}, clicked = true) => encode(sampleReport(other.site_key, {
    segment: { page }, counters: { pv_clicked: clicked ? 1 : 0, ...counters }, ...(clicked ? {} : { elements: [] }) }));
  const plainA = bytes(A);
  // The running collector sees the new site within a second.
  let first = 0;
  for (let i = 0; i < 100 && (first = (await postReport(seeded.server.base, plainA)).status) !== 204; i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(first, 204);
  const list = [
    ...Array(8).fill(bytes(A, { pv_quick_exit: 1 }, false)),
    ...Array(4).fill(bytes(A, { pv_scroll_thrash: 1 })),
    ...Array(2).fill(bytes(A, { pv_cursor_thrash: 1 })),
    bytes(A, { pv_dead_swipe: 1 }),
    ...Array(40 - 8 - 4 - 2 - 1 - 1).fill(plainA),
    ...Array(15).fill(bytes(B, { pv_scroll_thrash: 1 })),
    ...Array(5).fill(bytes(B)),
  ];
  await postAll(seeded.server.base, list);
  const d = (await getJson(`${seeded.server.base}/api/dashboard`, other.read_token)).body;
  const a = d.pages.find((p) => p.page === A), b = d.pages.find((p) => p.page === B);
  assert.equal(a.page_views, 40);
  assert.deepEqual(Object.fromEntries(Object.entries(a.signals).map(([k, v]) => [k, k === 'per_100' ? v : v.rate])),
    { pv_quick_exit: 0.2, pv_scroll_thrash: 0.1, pv_cursor_thrash: 0.05, pv_dead_swipe: 0.025, per_100: 37.5 });
  assert.equal(a.signals.pv_quick_exit.count, 8);
  assert.ok(a.signals.pv_quick_exit.lo < 0.2 && a.signals.pv_quick_exit.hi > 0.2);
  assert.equal(b.signals.pv_scroll_thrash.rate, 0.75);
  assert.equal(b.signals.per_100, 75);
  assert.deepEqual(d.rankings.page_views, [A, B]);
  assert.deepEqual(d.rankings.signals, [B, A]);
});
