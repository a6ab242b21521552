// Micro-surveys through the real collector and SQLite file: POST /api/survey (public, like POST /r)
// stores counts only; GET /api/surveys and /api/dashboard read them with the read token. Hostile
// answers get a clear reason and store nothing; the body, the client's rate and the keys a site
// may hold are bounded; with --epsilon the counts are noisy (sensitivity 1) but near the truth.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { dayString, moveToDay } from './dashboard-seed.mjs';
import { cli, collectorFor, createSite, encode, getJson, operatorStats, postReport, request, sampleReport, startServer, tempDir, waitForStats } from './helpers.mjs';
import { expectedCounts, flatten, postOnDays } from './survey-seed.mjs';

const ORIGIN = 'https://shop.example';
const HOME = `${ORIGIN}/`;
const CART = `${ORIGIN}/cart`;
const MAX_BODY = 1024;  // kMaxSurveyBodyBytes (src/collector/survey.h, docs/collector.md)

let tmp, server, site, other;
before(async () => {
  tmp = tempDir();
  site = createSite(tmp.db, [ORIGIN], 'shop');
  other = createSite(tmp.db, ['https://other.example'], 'other');
  server = await startServer(tmp.db, ['--rate', '0']);
  const r = await postReport(server.base, encode(sampleReport(site.site_key, { segment: { page: CART } })));
  assert.equal(r.status, 204, r.text);
});
after(async () => {
  await server?.stop();
  tmp?.cleanup();
});

const post = (body, { key = site.site_key, headers = {}, base = server.base } = {}) =>
  request(`${base}/api/survey?site=${key}`, {
    method: 'POST', body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
    headers: { 'Content-Type': 'text/plain', ...headers },
  });
const sql = (query, db = tmp.db) => {
  const r = spawnSync('sqlite3', [db, query], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
};
const rows = () => sql('SELECT site, page, survey, element, answer, count FROM survey_answers ORDER BY 1, 2, 3, 4, 5');
const answer = (extra = {}) => ({ page: CART, survey: 'broken', element: 0x28edad55, answer: 'yes', ...extra });

test('answers in, counts out: per page, per survey, per element, summed', async () => {
  const given = [
    answer(), answer(), answer({ answer: 'no' }),
    answer({ element: 7 }),
    answer({ survey: 'rate', element: 0, answer: 5 }), answer({ survey: 'rate', element: 0, answer: 3 }),
    answer({ page: `${ORIGIN}/index.html`, element: 0, answer: 'no' }),  // folds to "/" like ingest
  ];
  for (const a of given) {
    const r = await post(a, { headers: { Origin: ORIGIN } });
    assert.equal(r.status, 204, r.text);
    assert.equal(r.headers['access-control-allow-origin'], ORIGIN);
  }
  const got = await getJson(`${server.base}/api/surveys?site=${site.site_key}`, site.read_token);
  assert.equal(got.status, 200, JSON.stringify(got.body));
  assert.deepEqual(got.body, {
    site: site.site_key,
    pages: [
      { page: HOME, surveys: [{ survey: 'broken', answers: { no: 1 }, total: 1, elements: [{ element: null, answers: { no: 1 }, total: 1 }] }] },
      { page: CART, surveys: [
        { survey: 'broken', answers: { no: 1, yes: 3 }, total: 4, elements: [
          { element: '00000007', answers: { yes: 1 }, total: 1 },
          { element: '28edad55', answers: { no: 1, yes: 2 }, total: 3 },
        ] },
        { survey: 'rate', answers: { 3: 1, 5: 1 }, total: 2, elements: [{ element: null, answers: { 3: 1, 5: 1 }, total: 2 }] },
      ] },
    ],
  });
  const one = await getJson(`${server.base}/api/surveys?site=${site.site_key}&page=${encodeURIComponent(HOME)}`, site.read_token);
  assert.deepEqual(one.body.pages.map((p) => p.page), [HOME]);
  // The dashboard shows the page's surveys beside its figures.
  const d = await getJson(`${server.base}/api/dashboard?site=${site.site_key}`, site.read_token);
  assert.equal(d.status, 200);
  const cart = d.body.pages.find((p) => p.page === CART);
  assert.deepEqual(cart.surveys.map((s) => [s.survey, s.total]), [['broken', 4], ['rate', 2]]);
  // Counts only, per day: nothing else is stored.
  assert.equal(sql('SELECT SUM(count) FROM survey_answers'), String(given.length));
  assert.deepEqual(sql('PRAGMA table_info(survey_answers)').split('\n').map((l) => l.split('|')[1]),
    ['site', 'page', 'survey', 'element', 'answer', 'day', 'count']);
  const st = await waitForStats(tmp.db, (x) => x.surveys?.answers === given.length);
  assert.equal(st.surveys.answers, given.length, 'stored answers are counted for the operator');
});

test('reading needs the read token; another site sees nothing of this one', async () => {
  assert.equal((await getJson(`${server.base}/api/surveys?site=${site.site_key}`)).status, 401);
  assert.equal((await getJson(`${server.base}/api/surveys?site=${site.site_key}`, other.read_token)).status, 403);
  const o = await getJson(`${server.base}/api/surveys?site=${other.site_key}`, other.read_token);
  assert.deepEqual(o.body, { site: other.site_key, pages: [] });
});

test('hostile answers get a clear reason and store nothing', async () => {
  const before = rows();
  const cases = [
    ['{"page":', 400, 'bad_json'],
    ['[1,2]', 400, 'bad_request'],
    [answer({ extra: 'free text' }), 400, 'bad_request'],
    [{ page: CART, survey: 'broken', element: 0 }, 400, 'bad_request'],
    [answer({ survey: 'Something is broken here' }), 400, 'bad_survey'],
    [answer({ survey: 'jane.doe@example.com' }), 400, 'bad_survey'],
    [answer({ survey: 7 }), 400, 'bad_survey'],
    [answer({ element: -1 }), 400, 'bad_element'],
    [answer({ element: 2 ** 32 }), 400, 'bad_element'],
    [answer({ element: 1.5 }), 400, 'bad_element'],
    [answer({ element: '28edad55' }), 400, 'bad_element'],
    [answer({ answer: 0 }), 400, 'bad_answer'],
    [answer({ answer: 6 }), 400, 'bad_answer'],
    [answer({ answer: 'maybe' }), 400, 'bad_answer'],
    [answer({ answer: 'The button does nothing, call me on 0151 496 0000' }), 400, 'bad_answer'],
    [answer({ answer: 4.5 }), 400, 'bad_answer'],
    [answer({ page: 'not a url' }), 400, 'bad_page'],
    [answer({ page: `${ORIGIN}/${'a'.repeat(600)}` }), 400, 'bad_page'],
    [answer({ page: 'https://evil.example/cart' }), 400, 'foreign_page'],
    [answer({ page: 42 }), 400, 'bad_request'],
    [JSON.stringify(answer({ pad: 'x'.repeat(MAX_BODY) })), 413, 'too_large'],
  ];
  for (const [body, status, reason] of cases) {
    const r = await post(body);
    assert.equal(r.status, status, `${JSON.stringify(body).slice(0, 80)}: ${r.text}`);
    assert.equal(r.json().reason, reason, r.text);
    assert.ok(r.json().error.length > 10, 'a human message');
  }
  assert.equal((await post(answer(), { key: 'nope' })).status, 403);
  const foreign = await post(answer(), { headers: { Origin: 'https://evil.example' } });
  assert.equal(foreign.status, 403);
  assert.equal(foreign.json().reason, 'origin_not_allowed');
  assert.equal((await request(`${server.base}/api/survey?site=${site.site_key}`)).status, 405);
  assert.equal(rows(), before, 'nothing stored');
  const stats = await waitForStats(tmp.db, (x) => x.surveys?.bad_answer === 5 && x.surveys?.too_large === 1);
  assert.equal(stats.surveys.bad_answer, 5);
  assert.equal(stats.surveys.too_large, 1);
  assert.equal(stats.surveys.foreign_page, 1);
  assert.equal(stats.rejected.bad_answer, undefined, 'survey refusals are not report refusals');
});

test('a page key with PII is stored templated, exactly as ingest stores it', async () => {
  const r = await post(answer({ page: `${ORIGIN}/orders/jane.doe@example.com`, element: 0 }));
  assert.equal(r.status, 204, r.text);
  assert.equal(sql(`SELECT page FROM survey_answers WHERE page LIKE '%orders%'`), `${ORIGIN}/orders/:id`);
  assert.equal(sql(`SELECT COUNT(*) FROM survey_answers WHERE page LIKE '%@%'`), '0');
});

test('bounds: a site holds at most 10000 (page, survey, element) keys; the rest is refused and counted', async () => {
  const t = tempDir();
  const s = createSite(t.db, [ORIGIN], 'full');
  // Fill the site to one under the bound directly in its table (10000 POSTs would take minutes).
  const boot = await startServer(t.db, ['--rate', '0']);
  await boot.stop();
  sql(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 9999)
       INSERT INTO survey_answers SELECT '${s.site_key}', '${CART}', 'broken', i, 'yes', 20000, 1 FROM n`, t.db);
  const srv = await startServer(t.db, ['--rate', '0']);
  try {
    assert.equal((await post(answer({ element: 20000 }), { key: s.site_key, base: srv.base })).status, 204);  // the 10000th
    const full = await post(answer({ element: 20001 }), { key: s.site_key, base: srv.base });
    assert.equal(full.status, 429, full.text);
    assert.equal(full.json().reason, 'site_full');
    assert.equal((await post(answer({ element: 5, answer: 'no' }), { key: s.site_key, base: srv.base })).status, 204, 'a known key still counts');
    assert.equal(sql(`SELECT COUNT(DISTINCT element) FROM survey_answers`, t.db), '10000');
    assert.equal(sql(`SELECT SUM(count) FROM survey_answers WHERE element = 5`, t.db), '2');
    assert.equal((await waitForStats(t.db, (st) => st.surveys?.site_full === 1)).surveys.site_full, 1);
  } finally {
    await srv.stop();
    t.cleanup();
  }
});

test('rate limit: the per-client bucket reports use also bounds answers', async () => {
  const t = tempDir();
  const s = createSite(t.db, [ORIGIN], 'rl');
  // One token per 1000 s after a burst of 3: the 4th and later requests are refused however
  // slowly this machine runs them.
  const srv = await startServer(t.db, ['--rate', '0.001', '--burst', '3']);
  try {
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await post(answer(), { key: s.site_key, base: srv.base })).status);
    assert.deepEqual(statuses, [204, 204, 204, 429, 429, 429]);
    assert.equal(sql('SELECT SUM(count) FROM survey_answers', t.db), '3');
  } finally {
    await srv.stop();
    t.cleanup();
  }
});

test('differential privacy: with --epsilon every count is noisy (sensitivity 1) but near the truth', async () => {
  const t = tempDir();
  const s = createSite(t.db, [ORIGIN], 'dp');
  const boot = await startServer(t.db, ['--rate', '0']);
  await boot.stop();
  // 200 yes and 100 no on one element: with epsilon 1 each count gets discrete Laplace noise of
  // scale 1 (sd 1.4); +-30 is over 20 sd.
  sql(`INSERT INTO survey_answers VALUES ('${s.site_key}', '${CART}', 'broken', 7, 'yes', 20000, 200),
       ('${s.site_key}', '${CART}', 'broken', 7, 'no', 20000, 100),
       ('${s.site_key}', '${CART}', 'broken', 8, 'yes', 20000, 1)`, t.db);
  const srv = await startServer(t.db, ['--rate', '0', '--epsilon', '1', '--min-page-views', '20']);
  try {
    let differs = false;
    for (let i = 0; i < 10; i++) {
      const g = await getJson(`${srv.base}/api/surveys?site=${s.site_key}`, s.read_token);
      assert.equal(g.status, 200);
      assert.equal(typeof g.body.privacy.epsilon, 'number');
      const [survey] = g.body.pages[0].surveys;
      assert.deepEqual(survey.elements.map((e) => e.element), ['00000007'], 'an element below --min-page-views is withheld');
      const { yes, no } = survey.elements[0].answers;
      assert.ok(Math.abs(yes - 200) <= 30 && Math.abs(no - 100) <= 30, `${yes} ${no}`);
      assert.equal(survey.total, yes + no, 'sums are of the noisy counts');
      if (yes !== 200 || no !== 100) differs = true;
    }
    assert.ok(differs, 'noise was added (P(no noise on 20 counts) ~ 2e-7)');
  } finally {
    await srv.stop();
    t.cleanup();
  }
});

// Answers on three UTC days, T-3..T-1 (T: today's day number), and one report per page and day
// so the dashboard lists the pages. By construction, element 28edad55 of 'broken' on the cart has
// 3 answers on T-3, 1 on T-2 and 3 on T-1.
const EL = 0x28edad55;
function answerDays(today) {
  const [d1, d2, d3] = [today - 3, today - 2, today - 1];
  const a = (day, extra = {}) => ({ day, page: CART, survey: 'broken', element: EL, answer: 'yes', ...extra });
  const rate = (day, n) => a(day, { survey: 'rate', element: 0, answer: n });
  return {
    d1, d2, d3,
    given: [
      a(d1), a(d1), a(d1, { answer: 'no' }), rate(d1, 5),
      a(d2), a(d2, { element: 7, answer: 'no' }), a(d2, { page: HOME, element: 0 }),
      a(d3, { answer: 'no' }), a(d3, { answer: 'no' }), a(d3, { answer: 'no' }), rate(d3, 3),
    ],
    reports: { [d1]: [CART], [d2]: [CART, HOME], [d3]: [CART] },
  };
}

// A fresh SQLite file with a site, its answers and reports on their days; the collector on it
// (with --compact-after 86400, so reports wait in `deltas` where moveToDay finds them).
async function seedDays(t) {
  const d = tempDir();
  t.after(() => d.cleanup());
  const s = createSite(d.db, [ORIGIN], 'days');
  const srv = await collectorFor(t, d.db, ['--rate', '0', '--compact-after', '86400']);
  const today = Math.floor(Date.now() / 86400000);
  const plan = answerDays(today);
  for (const day of [plan.d1, plan.d2, plan.d3]) {
    for (const page of plan.reports[day]) {
      const r = await postReport(srv.base, encode(sampleReport(s.site_key, { segment: { page } })));
      assert.equal(r.status, 204, r.text);
    }
    moveToDay(d.db, today, day);
    await postOnDays(srv.base, d.db, s.site_key, plan.given.filter((g) => g.day === day), today);
  }
  return { tmp: d, site: s, server: srv, plan };
}

const range = (from, to) => (from === undefined ? '' : `&from=${from}`) + (to === undefined ? '' : `&to=${to}`);
const surveysOf = async (srv, s, query = '') => {
  const g = await getJson(`${srv.base}/api/surveys?site=${s.site_key}${query}`, s.read_token);
  assert.equal(g.status, 200, JSON.stringify(g.body));
  return g.body.pages;
};
const dashboardSurveys = async (srv, s, query = '') => {
  const g = await getJson(`${srv.base}/api/dashboard?site=${s.site_key}${query}`, s.read_token);
  assert.equal(g.status, 200, JSON.stringify(g.body));
  return g.body.pages.filter((p) => p.surveys.length > 0).map(({ page, surveys }) => ({ page, surveys }));
};

test('from / to: GET /api/surveys and the dashboard count exactly the answers of the days in range', async (t) => {
  const { site: s, server: srv, plan } = await seedDays(t);
  const { d1, d2, d3, given } = plan;
  assert.equal(given.filter((g) => g.day === d2).length, 3);
  // [from, to] as day numbers; each asked as YYYY-MM-DD and as a day number, as the other reads take them.
  const cases = [[undefined, undefined], [d1, d1], [d2, d2], [d3, d3], [d2, d3], [d1, d2], [d3, undefined],
    [undefined, d1], [d3 + 1, undefined], [undefined, d1 - 1], [d3, d1]];
  for (const [from, to] of cases) {
    const want = expectedCounts(given, from, to);
    const label = `from ${from} to ${to}`;
    const asDates = range(from === undefined ? undefined : dayString(from), to === undefined ? undefined : dayString(to));
    assert.deepEqual(flatten(await surveysOf(srv, s, asDates)), want, label);
    assert.deepEqual(flatten(await surveysOf(srv, s, range(from, to))), want, `${label} (day numbers)`);
    assert.deepEqual(flatten(await dashboardSurveys(srv, s, asDates)), want, `${label} (dashboard)`);
  }
  // The ranges really split the data (a test that cannot fail is no test).
  assert.equal(Object.values(expectedCounts(given, d1, d1)).reduce((a, b) => a + b), 4);
  assert.notDeepEqual(expectedCounts(given, d2, d3), expectedCounts(given));
  // With a page, the range applies to that page.
  const home = encodeURIComponent(HOME);
  assert.deepEqual(await surveysOf(srv, s, `&page=${home}${range(dayString(d1), dayString(d1))}`), []);
  assert.deepEqual(flatten(await surveysOf(srv, s, `&page=${home}&from=${d2}&to=${d2}`)), { [`${HOME}|broken|null|yes`]: 1 });
  // Filters answers do not carry (width, device, variant, sign-in, tags) do not apply, and are not refused.
  const segmentFilters = '&width=3&device=touch&variant=b&logged_in=1&tag=plan:pro';
  assert.deepEqual(flatten(await surveysOf(srv, s, `${range(d2, d3)}${segmentFilters}`)), expectedCounts(given, d2, d3));
  // On the dashboard the page figures follow them (reports were sent from a mouse), the answers do not.
  assert.deepEqual(flatten(await dashboardSurveys(srv, s, `${range(d2, d3)}&device=mouse`)), expectedCounts(given, d2, d3));
  // A malformed date: the same 400 as every other read.
  for (const bad of ['&from=yesterday', '&to=2026-13-45', '&from=12345678', '&from=']) {
    const surveys = await getJson(`${srv.base}/api/surveys?site=${s.site_key}${bad}`, s.read_token);
    const heatmap = await getJson(`${srv.base}/api/heatmap?site=${s.site_key}&page=${encodeURIComponent(CART)}${bad}`, s.read_token);
    const dashboard = await getJson(`${srv.base}/api/dashboard?site=${s.site_key}${bad}`, s.read_token);
    assert.equal(surveys.status, 400, bad);
    assert.deepEqual(surveys.body, heatmap.body, bad);
    assert.deepEqual(surveys.body, dashboard.body, bad);
    assert.equal(surveys.body.reason, 'bad_request');
    assert.match(surveys.body.error, /^(from|to) must be YYYY-MM-DD or a UTC day number$/);
  }
});

test('--min-page-views applies to the answers of the days in range', async (t) => {
  const { tmp: d, site: s, server: first, plan } = await seedDays(t);
  await first.stop();
  const srv = await collectorFor(t, d.db, ['--rate', '0', '--min-page-views', '3']);
  const elements = async (query) => (await surveysOf(srv, s, query)).flatMap((p) => p.surveys.flatMap((x) => x.elements.map((e) => `${p.page} ${x.survey} ${e.element} ${e.total}`)));
  // All days: 7 answers about the element; T-3: 3; T-2: 1 (withheld, as is everything else of T-2).
  assert.deepEqual(await elements(''), [`${CART} broken 28edad55 7`]);
  assert.deepEqual(await elements(range(plan.d1, plan.d1)), [`${CART} broken 28edad55 3`]);
  assert.deepEqual(await elements(range(plan.d2, plan.d2)), []);
  assert.deepEqual(await elements(range(plan.d1, plan.d2)), [`${CART} broken 28edad55 4`]);
});

test('import copies every answer on its day: the same reads, with and without dates', async (t) => {
  const { tmp: d, site: s, server: first, plan } = await seedDays(t);
  const { d1, d2, d3, given } = plan;
  const queries = ['', range(d1, d1), range(d2, d3), range(d3, undefined)];
  const want = [];
  for (const q of queries) want.push(await surveysOf(first, s, q));
  await first.stop();
  const dst = path.join(d.dir, 'copy.sqlite');
  const imp = cli(['import', '--from', d.db, '--db', dst]);
  assert.equal(imp.status, 0, imp.stderr);
  assert.match(imp.stdout, new RegExp(`, ${given.length} survey answers\\n$`));
  const copy = await collectorFor(t, dst);
  for (let i = 0; i < queries.length; i++) {
    assert.deepEqual(await surveysOf(copy, s, queries[i]), want[i], queries[i]);
    assert.deepEqual(flatten(want[i]), expectedCounts(given, ...[[], [d1, d1], [d2, d3], [d3]][i]), queries[i]);
  }
  // The stored per-day counts themselves are the same.
  const perDay = "SELECT page, survey, element, answer, day, count FROM survey_answers ORDER BY 1, 2, 3, 4, 5";
  assert.equal(sql(perDay, dst), sql(perDay, d.db));
  await copy.stop();
  // A second import would count twice: refused, nothing added.
  const again = cli(['import', '--from', d.db, '--db', dst]);
  assert.equal(again.status, 1);
  assert.match(again.stderr, /already holds rows of site/);
  assert.equal(sql(perDay, dst), sql(perDay, d.db));
});

test('import: a site with answers and no reports is still refused a second time; a source past the key bound is refused whole', async (t) => {
  const d = tempDir();
  t.after(() => d.cleanup());
  const s = createSite(d.db, [ORIGIN], 'answers only');
  sql(`INSERT INTO survey_answers VALUES ('${s.site_key}', '${CART}', 'broken', 7, 'yes', 20000, 4),
       ('${s.site_key}', '${CART}', 'broken', 7, 'yes', 20001, 2)`, d.db);
  const dst = path.join(d.dir, 'copy.sqlite');
  const once = cli(['import', '--from', d.db, '--db', dst]);
  assert.equal(once.status, 0, once.stderr);
  assert.match(once.stdout, /and 0 rows, 6 survey answers/);
  const twice = cli(['import', '--from', d.db, '--db', dst]);
  assert.equal(twice.status, 1);
  assert.match(twice.stderr, /already holds survey answers of site/);
  assert.equal(sql('SELECT day, count FROM survey_answers ORDER BY day', dst), '20000|4\n20001|2');

  // 10001 keys (past kMaxSurveyKeysPerSite, only by editing the file): nothing is imported.
  const big = tempDir();
  t.after(() => big.cleanup());
  const b = createSite(big.db, [ORIGIN], 'over the bound');
  sql(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10001)
       INSERT INTO survey_answers SELECT '${b.site_key}', '${CART}', 'broken', i, 'yes', 20000, 1 FROM n`, big.db);
  const over = path.join(big.dir, 'copy.sqlite');
  const refused = cli(['import', '--from', big.db, '--db', over]);
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /holds survey answers for 10001 \(page, survey, element\) keys, more than 10000 a site may hold/);
  assert.equal(refused.stderr.trim().split('\n').length, 1, 'one line');
  assert.equal(JSON.parse(cli(['site', 'list', '--db', over, '--json']).stdout).length, 0, 'no site imported');
  assert.equal(sql('SELECT COUNT(*) FROM survey_answers', over), '0');
});
