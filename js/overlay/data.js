// Where the overlay's numbers come from: the page key, the segment query and the read token.
// The token is asked once per tab: kept in this module's memory for the tab's life and in
// sessionStorage only while the overlay is open (so a reload with #thermograph reopens quietly).
import { DEVICE_MOUSE, DEVICE_NAMES, DEVICE_TOUCH, LAYER_NAMES, SCALE_NAMES, WIDTH_BREAKPOINTS } from 'thermograph-constants';

const TOKEN_KEY = 'thermograph-read-token';
let tokenInMemory = '';

// Layer, scale and device numbers and names, and the width classes, are the core's.
export const LAYERS = LAYER_NAMES;
export const SCALES = SCALE_NAMES;
export const DEVICES = { '': 'any', ...Object.fromEntries(DEVICE_NAMES.map((n, i) => [i, n]).slice(1)) };
const B = WIDTH_BREAKPOINTS;
export const WIDTHS = Object.fromEntries([`< ${B[0]}`, ...B.slice(1).map((b, i) => `${B[i]}-${b - 1}`), `>= ${B.at(-1)}`]
  .map((label, i) => [i, label]));

// As width_class() in src/core/tracker.cpp: the number of breakpoints at or below w.
export const widthClass = (w = innerWidth) => B.filter((b) => w >= b).length;

export const currentDevice = () => (matchMedia('(pointer: coarse)').matches ? DEVICE_TOUCH : DEVICE_MOUSE);

export function readToken(given) {
  let t = given || tokenInMemory;
  try { t = t || sessionStorage.getItem(TOKEN_KEY) || ''; } catch (e) { /* storage blocked */ }
  if (!t) t = (prompt('Thermograph read token for this site') || '').trim();
  tokenInMemory = t;
  try { if (t) sessionStorage.setItem(TOKEN_KEY, t); } catch (e) { /* storage blocked */ }
  return t;
}

export function forgetStoredToken() {
  try { sessionStorage.removeItem(TOKEN_KEY); } catch (e) { /* storage blocked */ }
}

export function heatmapUrl(endpoint, q) {
  // An empty filter is left out, not sent empty: the collector reads `variant=` as "no variant"
  // and refuses `from=` as a malformed day.
  const all = { site: q.site, page: q.page, width: q.width, device: q.device,
    variant: q.variant, logged_in: q.loggedIn, from: q.from, to: q.to, format: 'bin' };
  const p = new URLSearchParams(Object.entries(all).filter(([, v]) => v !== '' && v != null));
  // Tags: "plan:pro" (or "plan=pro"), several separated by commas; each must match.
  for (const t of String(q.tag || '').split(',').map((s) => s.trim().replace('=', ':')).filter((s) => /^[^:]+:.+$/.test(s))) {
    p.append('tag', t);
  }
  return String(endpoint || '').replace(/\/+$/, '') + '/api/heatmap?' + p;
}

// What a designer reads instead of the collector's JSON error.
const FRIENDLY = {
  no_data: 'No visits recorded for this page with these filters yet.',
  404: 'No visits recorded for this page with these filters yet.',
  below_min_page_views: 'Too few visits with these filters to show (the privacy threshold). Widen the filters.',
  401: 'The read token was not accepted. Close and reopen the overlay to enter it again.',
  403: 'The read token was not accepted for this site.',
  400: 'The collector did not understand these filters.',
};

// Fetches the merged aggregate's bytes; errors carry a message people can act on.
export async function fetchHeatmap(endpoint, token, q, signal) {
  const res = await fetch(heatmapUrl(endpoint, q), {
    headers: { Authorization: 'Bearer ' + token }, credentials: 'omit', signal,
  });
  if (!res.ok) {
    let code = '';
    try { code = JSON.parse(await res.text()).error || ''; } catch (e) { /* not JSON */ }
    const err = new Error(FRIENDLY[code] || FRIENDLY[res.status] || `The collector could not answer (HTTP ${res.status}).`);
    err.status = res.status;
    err.code = code;
    throw err;
  }
  const bytes = new Uint8Array(await res.arrayBuffer());
  // With differential privacy on, the collector says how the release was noised (null without).
  try { bytes.privacy = JSON.parse(res.headers.get('Thermograph-Privacy') || 'null'); } catch (e) { bytes.privacy = null; }
  return bytes;
}

// The privacy notice in words: what is noised, by how much, and what is withheld.
export function privacyNote(p) {
  if (!p) return '';
  const sd = p.layer_sd?.click_pv;
  return `Noised for privacy (epsilon ${p.epsilon}): counts are approximate` +
    (sd ? `, ± ${sd} visits per ${p.click_pv_block_px || 16} px spot (1 sd)` : '') +
    (p.withheld?.includes('clicks') ? '. Shows visits that clicked; raw clicks and other maps are withheld.' : '.');
}

// Sends the names of this page's interactive elements to the collector (POST /api/names), so the
// dashboard and the CSV say "'Start free trial' button". Best effort: a failure changes nothing
// on the page.
export async function contributeNames(endpoint, token, site, page, names) {
  if (!names.length) return null;
  const url = String(endpoint || '').replace(/\/+$/, '') + '/api/names?' + new URLSearchParams({ site });
  try {
    const res = await fetch(url, {
      method: 'POST', credentials: 'omit', body: JSON.stringify({ page, names: names.slice(0, 500) }),
      headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json' },
    });
    return res.ok ? await res.json() : null;
  } catch (e) {
    return null;
  }
}

// Share of the element heat (anchorStats: clicks inside stored elements) whose element is not on
// the live page: the figure the panel shows and the collector keeps.
export const missingShare = (stats) => (stats.total ? 1 - stats.anchored / stats.total : 0);

// Reports this page's re-anchoring figure to the collector (POST /api/anchoring), so the
// dashboard can say how much heat no longer has its element. Best effort, like the names.
export async function reportAnchoring(endpoint, token, site, page, stats) {
  if (!stats.elements) return null;
  const url = String(endpoint || '').replace(/\/+$/, '') + '/api/anchoring?' + new URLSearchParams({ site });
  const body = { page, elements: stats.elements, found: stats.found, missing_share: missingShare(stats) };
  try {
    const res = await fetch(url, {
      method: 'POST', credentials: 'omit', body: JSON.stringify(body),
      headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json' },
    });
    return res.ok ? await res.json() : null;
  } catch (e) {
    return null;
  }
}

// This page's micro-survey answers (GET /api/surveys) on the overlay's dates (`from`, `to`: the
// only filters answers carry): the page's surveys, [] when there are none or they cannot be read
// (the heatmap does not depend on them).
export async function fetchSurveys(endpoint, token, site, page, { from, to } = {}) {
  const q = Object.entries({ site, page, from, to }).filter(([, v]) => v !== '' && v != null);
  const url = String(endpoint || '').replace(/\/+$/, '') + '/api/surveys?' + new URLSearchParams(q);
  try {
    const res = await fetch(url, { credentials: 'omit', headers: { Authorization: 'Bearer ' + token } });
    const body = res.ok ? await res.json() : null;
    return body?.pages?.find((p) => p.page === page)?.surveys || [];
  } catch (e) {
    return [];
  }
}

// The site's busiest listed pages (GET /api/pages, at most 1000), to name the routes visitors
// came from; [] when they cannot be read (journeys then say "another page").
export async function fetchPages(endpoint, token, site) {
  const url = String(endpoint || '').replace(/\/+$/, '') + '/api/pages?' + new URLSearchParams({ site, limit: '1000' });
  try {
    const res = await fetch(url, { credentials: 'omit', headers: { Authorization: 'Bearer ' + token } });
    return res.ok ? (await res.json()).pages || [] : [];
  } catch (e) {
    return [];
  }
}
