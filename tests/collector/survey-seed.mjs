// Micro-survey answers on chosen UTC days, with the counts they must read back as, known by
// construction. Answers go through POST /api/survey of the real collector, which stamps each with
// today; right after they are stored (synchronously, 204) they are moved to their day in the
// SQLite file, as dashboard-seed.mjs moves reports (no other mechanism sets the day of data).
import { spawnSync } from 'node:child_process';

import { request } from './helpers.mjs';

export function postAnswer(base, siteKey, body) {
  return request(`${base}/api/survey?site=${siteKey}`, {
    method: 'POST', body: Buffer.from(JSON.stringify(body)), headers: { 'Content-Type': 'text/plain' },
  });
}

// Moves every answer stamped today (or later, should midnight pass) to day `day`.
export function moveAnswersToDay(db, today, day) {
  const r = spawnSync('sqlite3', [db, `UPDATE survey_answers SET day = ${day} WHERE day >= ${today};`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`sqlite3: ${r.stderr}`);
}

// Posts `given` ([{day, page, survey, element, answer}], `day` a UTC day number before `today`) day by day, oldest
// first, moving each day's answers to it.
export async function postOnDays(base, db, siteKey, given, today) {
  const days = [...new Set(given.map((g) => g.day))].sort((a, b) => a - b);
  for (const day of days) {
    for (const { page, survey, element, answer } of given.filter((g) => g.day === day)) {
      const r = await postAnswer(base, siteKey, { page, survey, element, answer });
      if (r.status !== 204) throw new Error(`answer refused: ${r.status} ${r.text}`);
    }
    moveAnswersToDay(db, today, day);
  }
}

const sorted = (o) => JSON.stringify(Object.entries(o).sort());
const hex = (element) => (element === 0 ? null : element.toString(16).padStart(8, '0'));

// What the collector should answer for days from..to (inclusive): "page|survey|element|answer" ->
// count, counted from the answers themselves.
export function expectedCounts(given, from = -Infinity, to = Infinity) {
  const out = {};
  for (const g of given) {
    if (g.day < from || g.day > to) continue;
    const k = `${g.page}|${g.survey}|${hex(g.element)}|${g.answer}`;
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

// GET /api/surveys' (or a dashboard page's) nested answer in the same form; every per-survey sum
// is checked against its elements on the way.
export function flatten(pages) {
  const out = {};
  for (const { page, surveys } of pages) {
    for (const s of surveys) {
      const sum = {};
      for (const e of s.elements) {
        for (const [answer, n] of Object.entries(e.answers)) {
          out[`${page}|${s.survey}|${e.element}|${answer}`] = n;
          sum[answer] = (sum[answer] ?? 0) + n;
        }
        if (e.total !== Object.values(e.answers).reduce((a, b) => a + b, 0)) throw new Error(`element total ${JSON.stringify(e)}`);
      }
      if (sorted(sum) !== sorted(s.answers)) throw new Error(`survey answers ${JSON.stringify(s)}`);
    }
  }
  return out;
}
