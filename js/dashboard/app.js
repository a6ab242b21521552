// The dashboard: signs in with a site's read token (kept in sessionStorage, sent as a header,
// never put in a URL), reads /api/dashboard and draws it. Every figure is computed by the
// collector; this file only lays it out.
import { matrix, rateBar, sparkline } from './charts.js';
import { surveyText } from './surveys.js';
import { CAME_HINT, STEPS_HINT, UNNAMED_ROUTE, share, topRoutes, topSteps } from './journeys.js';

const KEY = 'thermograph-read-token';
const $ = (id) => document.getElementById(id);
let data = null;
let rank = 'page_views';
let query = '';  // the filters of the figures shown, for the per-page reads (journeys)

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c != null) e.append(c);
  return e;
}
const pct = (v, digits = 1) => `${(100 * v).toFixed(digits)} %`;
const num = (v) => Number(v).toLocaleString('en');
const interval = (r) => `${pct(r.rate)} (${pct(r.lo)} to ${pct(r.hi)})`;

function showLogin(message = '') {
  $('app').hidden = true;
  $('sign-out').hidden = true;
  $('login').hidden = false;
  $('login-error').textContent = message;
  $('token').focus();
}

// Filters and ranking live in the URL's fragment (never the token), so a view can be bookmarked
// or shared with someone who has the token.
function readHash() {
  const h = new URLSearchParams(location.hash.slice(1));
  for (const el of $('filters').elements) if (el.name && h.has(el.name)) el.value = h.get(el.name);
  if (['page_views', 'conversions', 'frustration', 'signals'].includes(h.get('rank'))) rank = h.get('rank');
}

function writeHash() {
  const h = new URLSearchParams();
  for (const [k, v] of new FormData($('filters'))) if (v) h.set(k, v);
  if (rank !== 'page_views') h.set('rank', rank);
  history.replaceState(null, '', [...h].length ? `#${h}` : location.pathname);
}

async function load() {
  const token = sessionStorage.getItem(KEY);
  if (!token) return showLogin();
  const q = new URLSearchParams();
  for (const [k, v] of new FormData($('filters'))) {
    if (k === 'tag') for (const t of String(v).split(/[\s,]+/).filter(Boolean)) q.append('tag', t);
    else if (v) q.set(k, v);
  }
  writeHash();
  query = String(q);
  $('status').textContent = 'Loading…';
  let res;
  try {
    res = await fetch(`/api/dashboard?${q}`, { headers: { Authorization: `Bearer ${token}` }, cache: 'no-store' });
  } catch (e) {
    $('status').textContent = `The collector did not answer (${e.message}).`;
    return;
  }
  const body = await res.json().catch(() => ({}));
  if (res.status === 401 || res.status === 403) {
    sessionStorage.removeItem(KEY);
    return showLogin('That token does not open any site on this collector.');
  }
  if (!res.ok) {
    $('status').textContent = body.error || `The collector answered ${res.status}.`;
    return;
  }
  data = body;
  $('login').hidden = true;
  $('app').hidden = false;
  $('sign-out').hidden = false;
  $('site-name').textContent = data.name ? `· ${data.name}` : '';
  $('status').textContent = data.days.length ? `${data.days[0]} to ${data.days.at(-1)} (UTC days)` : 'No data in this window.';
  render();
}

function render() {
  renderPrivacy();
  renderSummary();
  renderHealth();
  renderPages();
  renderExperiments();
  renderHotspots();
}

// Under differential privacy: say that figures are noised, by how much, and what is withheld.
function renderPrivacy() {
  const p = data.privacy;
  $('privacy').hidden = !p;
  if (!p) return;
  const withheld = p.withheld.includes('page_counters') ? ' Conversion, frustration and engagement rates are withheld by this release.' : '';
  $('privacy').textContent = `Noised for privacy (epsilon ${p.epsilon}): page views are approximate (± ${p.page_views_sd} per figure, 1 sd); elements need about ${num(p.element_threshold ?? 0)} clicking visits to be listed.${withheld}`;
}

function renderSummary() {
  const t = data.totals;
  const noConversions = data.privacy?.withheld.includes('page_counters');
  const card = (label, value, sub) => el('div', { class: 'stat' }, el('span', { class: 'label' }, label), el('strong', {}, value), sub ? el('span', { class: 'sub' }, sub) : null);
  $('summary').replaceChildren(
    card('Page views', num(t.page_views)),
    noConversions ? card('Conversion rate', 'withheld', 'for privacy') : card('Conversion rate', pct(t.conversions.rate), `${num(t.conversions.count)} conversions`),
    card('Pages', num(data.pages.length), data.limits.pages_total > data.limits.max_pages ? `busiest ${data.limits.max_pages} of ${num(data.limits.pages_total)}` : null),
    card('Health flags', num(data.health.flags.length)),
  );
}

function renderHealth() {
  const flags = data.health.flags;
  const list = el('ul', { class: 'flags' });
  for (const f of flags) {
    list.append(el('li', { class: `flag ${f.severity}` },
      el('strong', {}, f.page ? `${f.page}: ` : ''), f.message,
      el('p', { class: 'check' }, el('b', {}, 'What to check: '), f.check)));
  }
  const foot = el('p', { class: 'note' }, `Drops and spikes compare ${data.checked_day} with the ${data.health.baseline_days} days before it. Page views with a second Thermograph tag on the page (all time): ${data.health.duplicate_tracker}.`);
  $('health').replaceChildren(flags.length ? list : el('p', {}, 'Nothing to check: no drops, spikes, old trackers or refused reports.'), foot);
}

// How much of the page's element heat a designer's overlay could not place on the live page, as
// last measured; nothing for a page never opened with the overlay.
function anchoringNote(a) {
  if (!a) return null;
  const day = a.checked.slice(0, 10);
  return el('p', { class: `anchoring${a.missing_share >= 0.1 ? ' warn' : ''}`, title: `${num(a.found)} of ${num(a.elements)} stored elements found by the overlay, ${a.checked.replace('T', ' ').replace('Z', ' UTC')}` },
    `${pct(a.missing_share)} of element heat not found on the live page (checked ${day})`);
}

// The behaviour signals (wire version 4): counter, words, what it means (the tracker's defaults).
const SIGNALS = [
  ['pv_quick_exit', 'quick exits', 'Visits that ended within seconds without a click or tap'],
  ['pv_scroll_thrash', 'excessive scrolling', 'Visits that scrolled up and down several times in quick succession'],
  ['pv_cursor_thrash', 'thrashed cursor', 'Visits whose pointer went back and forth several times in quick succession'],
  ['pv_dead_swipe', 'dead swipes', 'Visits with a touch swipe that moved nothing and that nothing answered'],
];

// One figure: the four signals per 100 page views, then each one seen in words ("quick exits
// 8.0 %"), its meaning on hover.
function signalsFig(sig, max) {
  const range = { rate: sig.per_100 / 100, lo: SIGNALS.reduce((a, [c]) => a + sig[c].lo, 0), hi: SIGNALS.reduce((a, [c]) => a + sig[c].hi, 0) };
  const parts = SIGNALS.filter(([c]) => sig[c].count > 0).map(([c, words, why]) => el('span', { title: why, 'data-signal': c }, `${words} ${pct(sig[c].rate)}`));
  const detail = el('span', { class: 'detail' }, parts.length ? null : 'none recorded');
  parts.forEach((p, i) => detail.append(...(i ? [' · ', p] : [p])));
  return el('div', { class: 'fig' }, el('span', { class: 'label' }, 'Behaviour signals per 100 page views'),
    rateBar(range, max, `Behaviour signals ${sig.per_100.toFixed(1)} per 100 page views`), el('strong', {}, sig.per_100.toFixed(1)), detail);
}

// Micro-survey answers on this page (the dashboard's dates), one line per survey; per-element counts are in
// the overlay and GET /api/surveys.
function surveyNotes(surveys) {
  return (surveys || []).map((s) => el('p', { class: 'survey-note', title: `${s.elements.length} element${s.elements.length === 1 ? '' : 's'} asked about` }, surveyText(s)));
}

// One CSV line's fields: quoted ones may hold commas and doubled quotes.
function csvFields(line) {
  const out = [];
  for (let i = 0; i <= line.length;) {
    if (line[i] === '"') {
      let v = '', j = i + 1;
      for (; j < line.length; j++) {
        if (line[j] === '"' && line[j + 1] === '"') { v += '"'; j++; } else if (line[j] === '"') break; else v += line[j];
      }
      out.push(v);
      i = j + 2;
    } else {
      const j = line.indexOf(',', i);
      out.push(line.slice(i, j < 0 ? line.length : j));
      i = j < 0 ? line.length + 1 : j + 1;
    }
  }
  return out;
}

// A page's journeys (GET /api/insights with the same filters), read when its block is opened:
// the top element steps, named as designers' overlays shared them (GET /api/elements.csv), and
// the pages visitors came from.
async function loadJourneys(p, box) {
  const token = sessionStorage.getItem(KEY);
  const q = `${query ? query + '&' : ''}${new URLSearchParams({ site: data.site, page: p.page })}`;
  const get = (path) => fetch(`${path}?${q}`, { headers: { Authorization: `Bearer ${token}` }, cache: 'no-store' });
  box.replaceChildren(el('p', { class: 'note' }, 'Loading…'));
  try {
    const [ins, csv] = await Promise.all([get('/api/insights'), get('/api/elements.csv')]);
    const body = await ins.json().catch(() => ({}));
    if (!ins.ok) return box.replaceChildren(el('p', { class: 'note' }, body.message || body.error || `The collector answered ${ins.status}.`));
    const rows = csv.ok ? (await csv.text()).trim().split('\n').slice(1).map(csvFields) : [];
    const names = new Map(rows.filter((r) => r.at(-1)).map((r) => [r[0], r.at(-1)]));
    const j = body.journeys || {};
    const steps = topSteps(j.steps), from = topRoutes(j.came_from);
    const named = (key) => names.get(key) ?? `element ${key}`;
    const path = (page) => (page ? page.replace(/^https?:\/\/[^/]+/, '') || '/' : UNNAMED_ROUTE);
    const out = [];
    if (steps.length) {
      out.push(el('p', { class: 'label', title: STEPS_HINT }, 'Most common next steps'),
        el('ol', { class: 'steps' }, ...steps.map((s) => el('li', { 'data-step': `${s.from}-${s.to}` }, `${named(s.from)} → ${named(s.to)} (${share(s.share)} of visits)`))));
      if (steps.some((s) => !names.has(s.from) || !names.has(s.to))) out.push(el('p', { class: 'note' }, 'Open the page with the overlay to name its elements.'));
    }
    if (from.length) out.push(el('p', { class: 'came', title: CAME_HINT }, `Came from: ${from.map((r) => `${path(r.page)} (${share(r.share)} of visits)`).join(', ')}`));
    box.replaceChildren(...(out.length ? out : [el('p', { class: 'note' }, 'No steps between elements or arrivals from other pages recorded yet.')]));
  } catch (e) {
    box.replaceChildren(el('p', { class: 'note' }, `The collector did not answer (${e.message}).`));
  }
}

// The page's "Journeys" disclosure: read from the collector when first opened.
function journeysBlock(p) {
  const box = el('div', { class: 'journeys-body' });
  const d = el('details', { class: 'journeys' }, el('summary', {}, 'Journeys'), box);
  d.addEventListener('toggle', () => { if (d.open && !box.childElementCount) loadJourneys(p, box); });
  return d;
}

function renderPages() {
  for (const b of document.querySelectorAll('[data-rank]')) b.setAttribute('aria-pressed', String(b.dataset.rank === rank));
  const byPage = new Map(data.pages.map((p) => [p.page, p]));
  const maxConv = Math.max(0.01, ...data.pages.map((p) => p.conversions.hi));
  const maxFr = Math.max(0.01, ...data.pages.map((p) => (p.frustration.rage.hi + p.frustration.dead.hi + p.frustration.error.hi)));
  const maxSig = Math.max(0.01, ...data.pages.map((p) => SIGNALS.reduce((a, [c]) => a + p.signals[c].hi, 0)));
  const withheld = data.privacy?.withheld.includes('page_counters');
  const off = (label) => el('div', { class: 'fig' }, el('span', { class: 'label' }, label), el('strong', {}, 'withheld'), el('span', { class: 'detail' }, 'for privacy'));
  const items = data.rankings[rank].map((key) => {
    const p = byPage.get(key);
    const fr = p.frustration;
    const frRange = { rate: fr.per_100 / 100, lo: fr.rage.lo + fr.dead.lo + fr.error.lo, hi: fr.rage.hi + fr.dead.hi + fr.error.hi };
    const path = p.page.replace(/^https?:\/\/[^/]+/, '') || '/';
    return el('li', { class: 'page' },
      el('div', { class: 'page-head' },
        el('a', { href: p.overlay_url, target: '_blank', rel: 'noopener noreferrer', class: 'page-link', title: `Open ${p.page} with the heatmap overlay` }, path, el('span', { class: 'host' }, ` ${new URL(p.page).host}`)),
        anchoringNote(p.anchoring), ...surveyNotes(p.surveys)),
      el('div', { class: 'fig' }, el('span', { class: 'label' }, 'Page views per day'), sparkline(p.series, `Page views per day, ${data.days[0] ?? ''} to ${data.days.at(-1) ?? ''}: ${p.series.map((v) => v ?? 'withheld').join(', ')}`), el('strong', {}, num(p.page_views))),
      withheld ? off('Converted') : el('div', { class: 'fig' }, el('span', { class: 'label' }, 'Converted'), rateBar(p.conversions, maxConv, `Conversion rate ${interval(p.conversions)}`), el('strong', {}, pct(p.conversions.rate)),
        el('span', { class: 'detail' }, `95 %: ${pct(p.conversions.lo)} to ${pct(p.conversions.hi)}`)),
      withheld ? off('Frustration per 100 page views') : el('div', { class: 'fig' }, el('span', { class: 'label' }, 'Frustration per 100 page views'), rateBar(frRange, maxFr, `Frustration ${fr.per_100.toFixed(1)} per 100 page views`), el('strong', {}, fr.per_100.toFixed(1)),
        el('span', { class: 'detail' }, `rage ${(100 * fr.rage.rate).toFixed(1)} · dead ${(100 * fr.dead.rate).toFixed(1)} · error ${(100 * fr.error.rate).toFixed(1)}`)),
      withheld ? off('Behaviour signals per 100 page views') : signalsFig(p.signals, maxSig),
      journeysBlock(p),
    );
  });
  $('pages').replaceChildren(...items);
  $('pages-note').textContent = `${data.limits.note} Intervals: 95 % Wilson. Each page opens live with the overlay.`;
}

function renderExperiments() {
  // Variants are compared on page rates (converted, clicked), which a privacy release may withhold.
  if (data.privacy?.withheld.includes('page_counters')) return $('experiments').replaceChildren(el('p', {}, 'Withheld for privacy: experiments compare conversion and click rates per variant, which this release does not publish.'));
  if (!data.experiments.length) return $('experiments').replaceChildren(el('p', {}, 'No page has two or more variants in this window.'));
  const out = data.experiments.map((e) => {
    const metric = e.metric === 'conversion' ? 'conversions' : 'clicked';
    const max = Math.max(0.01, ...e.variants.map((v) => v[metric].hi));
    const cols = ['Variant', 'Page views', 'Clicked', 'Converted', 'Against control'];
    const rows = e.variants.map((v) => el('tr', {},
      el('th', { scope: 'row' }, v.variant, v.control ? el('span', { class: 'tag' }, 'control') : null),
      el('td', { 'data-label': cols[1] }, num(v.page_views)),
      el('td', { 'data-label': cols[2] }, metric === 'clicked' ? rateBar(v.clicked, max, `${v.variant}: ${interval(v.clicked)}`) : null, ' ', interval(v.clicked)),
      el('td', { 'data-label': cols[3] }, metric === 'conversions' ? rateBar(v.conversions, max, `${v.variant}: ${interval(v.conversions)}`) : null, ' ', interval(v.conversions)),
      el('td', { 'data-label': cols[4], class: v.vs_control?.significant ? 'win' : '' }, v.vs_control ? `${v.vs_control.summary} (p = ${v.vs_control.p.toPrecision(2)}, adjusted ${v.vs_control.p_adjusted.toPrecision(2)})` : '—')));
    return el('article', { class: 'experiment' },
      el('h3', {}, el('a', { href: e.overlay_url, target: '_blank', rel: 'noopener noreferrer' }, e.page)),
      el('p', {}, `Compared on ${e.metric === 'conversion' ? 'conversion rate' : 'the share of page views with a click'}; ${e.more_page_views > 0 ? `about ${num(e.more_page_views)} more page views to detect a 10 % lift` : e.progress}.`),
      el('div', { class: 'scroll' }, el('table', { class: 'stack' }, el('thead', {}, el('tr', {}, ...cols.map((h) => el('th', { scope: 'col' }, h)))), el('tbody', {}, ...rows))));
  });
  $('experiments').replaceChildren(...out, el('p', { class: 'note' }, `${data.statistics.tests}; ${data.statistics.false_discovery}.`));
}

function renderHotspots() {
  const els = data.hotspots.elements;
  const partial = data.privacy?.withheld.includes('element_counters') ? el('p', { class: 'note' }, 'Under privacy noise only clicks are published per element: scores rest on engagement, with conversion and frustration read as 0.') : null;
  if (!els.length) return $('hotspots').replaceChildren(el('p', {}, 'No clicked elements in this window.'));
  const at = (e) => e.page.replace(/^https?:\/\/[^/]+/, '') || '/';
  const label = (e) => `${e.name ?? `unnamed element (${e.key})`} on ${at(e)}`;
  const top = els.slice(0, 10);
  const cols = ['Element', 'Score', 'Reading', 'Components'];
  // Each row opens its page with the overlay, which also names the page's buttons, links and
  // fields for this list.
  const rows = top.map((e, i) => el('tr', {}, el('th', { scope: 'row' }, `${i + 1}. `,
    el('a', { href: e.overlay_url, target: '_blank', rel: 'noopener noreferrer', title: `Open ${at(e)} with the heatmap overlay` }, label(e))),
    el('td', { 'data-label': cols[1] }, e.score.toFixed(0)), el('td', { 'data-label': cols[2] }, e.quadrant),
    el('td', { 'data-label': cols[3] }, `engagement ${e.engagement.toFixed(2)} · conversion ${e.conversion.toFixed(2)} · frustration ${e.frustration.toFixed(2)}`)));
  $('hotspots').replaceChildren(...[partial].filter(Boolean), el('div', { class: 'hot-grid' },
    el('div', { class: 'matrix-wrap' }, matrix(top.map((e) => ({ ...e, label: label(e) })))),
    el('div', { class: 'scroll' }, el('table', { class: 'stack' }, el('thead', {}, el('tr', {}, ...cols.map((h) => el('th', { scope: 'col' }, h)))), el('tbody', {}, ...rows)))),
    ...(top.some((e) => e.name == null) ? [el('p', { class: 'note' }, 'Open a page with the overlay to name its buttons, links and fields; other elements keep their key.')] : []),
    el('details', {}, el('summary', {}, 'How the score is computed'), el('p', {}, data.hotspots.formula)));
}

$('login').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const token = $('token').value.trim();
  $('token').value = '';
  if (!token) return;
  sessionStorage.setItem(KEY, token);
  load();
});
$('filters').addEventListener('submit', (ev) => { ev.preventDefault(); load(); });
$('sign-out').addEventListener('click', () => { sessionStorage.removeItem(KEY); data = null; showLogin(); });
for (const b of document.querySelectorAll('[data-rank]')) b.addEventListener('click', () => { rank = b.dataset.rank; writeHash(); if (data) renderPages(); });
readHash();
load();
