// Seeds a collector with a small site whose dashboard figures are known by construction, over
// several UTC days. Reports go through POST /r of the real collector; the collector stamps every
// report with today, so each day's reports are moved to their day in the database right after
// they are acknowledged (the server runs with --compact-after 86400, so no compaction moves rows
// meanwhile: each report waits in `deltas`, the table a read merges from).
import { spawnSync } from 'node:child_process';

import { createSite, encode, postReport, sampleReport, startServer } from './helpers.mjs';

export const ORIGIN = 'https://shop.example';
export const HOME = `${ORIGIN}/`;
export const PRICING = `${ORIGIN}/pricing`;
export const SIGNUP = `${ORIGIN}/signup`;

// What was sent, by construction. T = today (UTC day number); days are T - offset.
// HOME: 30 page views a day on T-8..T-2, 3 on T-1 (a drop); T-2 from tracker version 1, the rest 2.
// PRICING: 12 a day on T-8..T-1, half of them with a rage click (50 per 100 page views); of each
// day's 12, one scrolled excessively, two thrashed the cursor and one swiped dead (wire v4).
// SIGNUP: an experiment on T-1: variant a 60 page views, 6 conversions; b 60, 24 conversions.
export const expected = {
  pageViews: { [HOME]: 7 * 30 + 3, [PRICING]: 8 * 12, [SIGNUP]: 120 },
  byPageViews: [HOME, SIGNUP, PRICING],
  rageShare: { [PRICING]: 0.5 },
  experiment: { a: { pv: 60, conv: 6 }, b: { pv: 60, conv: 24 } },
  oldTracker: { [HOME]: 30 },
  signals: { [PRICING]: { pv_quick_exit: 0, pv_scroll_thrash: 1 / 12, pv_cursor_thrash: 2 / 12, pv_dead_swipe: 1 / 12 } },
};
const PRICING_SIGNALS = { 2: ['pv_scroll_thrash'], 3: ['pv_cursor_thrash'], 4: ['pv_dead_swipe'], 7: ['pv_cursor_thrash'] };

function report(site, page, { version = 2, rage = false, variant, converted = false, signals = [] } = {}) {
  const counters = { page_views: 1, pv_clicked: 1 };
  for (const s of signals) counters[s] = 1;
  if (rage) counters.pv_rage = 1;
  if (converted) counters.conversions = 1;
  const segment = { page, tracker_version: version };
  if (variant) segment.variant = variant;
  const elements = [{ key: 'c0ffee01', interactive: true, counters: { clicks: 1, pv_clicked: 1, ...(rage ? { rage: 1, pv_rage: 1 } : {}), ...(converted ? { pv_converted: 1 } : {}) }, cells: [[8, 8, 1]] }];
  return encode(sampleReport(site, { segment, counters, elements, layers: { clicks: [[48, 48, 1]] } }));
}

export async function postAll(base, list) {
  for (let i = 0; i < list.length; i += 25) {
    const res = await Promise.all(list.slice(i, i + 25).map((b) => postReport(base, b)));
    for (const r of res) if (r.status !== 204) throw new Error(`seed report refused: ${r.status} ${r.text}`);
  }
}

// Moves everything stamped today (or later, should midnight pass) to day `day`.
export function moveToDay(db, today, day) {
  const sql = `UPDATE deltas SET day = ${day} WHERE day >= ${today}; UPDATE aggregates SET day = ${day} WHERE day >= ${today};`;
  const r = spawnSync('sqlite3', [db, sql], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`sqlite3: ${r.stderr}`);
}

// Starts a collector on `db`, seeds it and returns { server, site, today }. The caller stops it.
export async function startSeeded(db, extraArgs = []) {
  const site = createSite(db, [ORIGIN], 'Shop');
  const server = await startServer(db, ['--rate', '0', '--compact-after', '86400', ...extraArgs]);
  try {
    const today = Math.floor(Date.now() / 86400000);
    const k = site.site_key;
    const home = { 1: report(k, HOME, { version: 1 }), 2: report(k, HOME) };
    const pricing = Array.from({ length: 12 }, (_, i) => report(k, PRICING, { rage: i % 2 === 1, signals: PRICING_SIGNALS[i] }));
    for (let offset = 8; offset >= 1; offset--) {
      const list = [];
      const homeViews = offset === 1 ? 3 : 30;
      for (let i = 0; i < homeViews; i++) list.push(home[offset === 2 ? 1 : 2]);
      for (let i = 0; i < 12; i++) list.push(pricing[i]);
      if (offset === 1) {
        const a = [report(k, SIGNUP, { variant: 'a' }), report(k, SIGNUP, { variant: 'a', converted: true })];
        const b = [report(k, SIGNUP, { variant: 'b' }), report(k, SIGNUP, { variant: 'b', converted: true })];
        for (let i = 0; i < 60; i++) list.push(a[i < 6 ? 1 : 0], b[i < 24 ? 1 : 0]);
      }
      await postAll(server.base, list);
      moveToDay(db, today, today - offset);
    }
    return { server, site, today };
  } catch (e) {
    await server.stop();
    throw e;
  }
}

export function dayString(day) {
  return new Date(day * 86400000).toISOString().slice(0, 10);
}
