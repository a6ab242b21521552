// Micro-surveys through the real collector and SQLite file: POST /api/survey (public, like POST /r)
// stores counts only; GET /api/surveys and /api/dashboard read them with the read token. Hostile
// answers get a clear reason and store nothing; the body, the client's rate and the keys a site
// may hold are bounded; with --epsilon the counts are noisy (sensitivity 1) but near the truth.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';

import { createSite, encode, getJson, operatorStats, postReport, request, sampleReport, startServer, tempDir, waitForStats } from './helpers.mjs';

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
