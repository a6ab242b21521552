// Insights in words: a short ranked list of findings ("Rage clicks on 'Compare all plans' button
// (12 % of visits)"), each with a sample-size badge; intervals and p-values sit in a disclosure.
// The numbers come from the core (compute_insights / compare_segments via the wasm module);
// element names from names.js (the live DOM, PII-masked). Also compare mode's segment queries and
// the outlines that mark elements whose difference is significant.
import { DEVICE_MOUSE, DEVICE_PEN, DEVICE_TOUCH, EL_INTERACTIVE, HESITATION_MS, INSIGHT_OPTIONS } from 'thermograph-constants';
import { viewBox } from './anchors.js';
import { answersText, surveyText } from '../dashboard/surveys.js';

const INTERACTIVE = EL_INTERACTIVE;
// The options the overlay passes (InsightParams in src/bindings/overlay.cpp), at the core's defaults.
const { q, hotMinClicks, nearMissPx, nearMissMinClicks, minDetectableEffect, noiseVariance } = INSIGHT_OPTIONS;
export const PARAMS = { q, hotMinClicks, nearMissPx, nearMissMinClicks, minDetectableEffect, noiseVariance };
export const COMPARE_KINDS = { '': 'off', variant: 'A/B variants', dates: 'before / after (dates)', device: 'mobile vs desktop',
  loggedIn: 'signed in vs out' };
export const COMPARE_HINTS = {
  variant: { a: 'variant name, e.g. A', b: 'variant name, e.g. B', text: 'Two variant names as the site passes them.' },
  dates: { a: '2024-01-01..2024-01-31', b: '2024-02-01..2024-02-29', text: 'Two date ranges, from..to.' },
  device: { a: 'mobile', b: 'desktop', text: 'mobile (touch) or desktop (mouse) on each side.' },
  loggedIn: { a: 'in', b: 'out', text: 'in or out on each side.' },
};
const MIN_VISITS = 30;

const hex = (k) => (k >>> 0).toString(16).padStart(8, '0');
export const pct = (v) => (v == null || !isFinite(v) ? '?' : (100 * v >= 10 ? Math.round(100 * v) : (100 * v).toFixed(1)) + ' %');
const px = (v) => Math.round(v).toLocaleString('en') + ' px';
export const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const badge = (n, what = 'visits') => `<span class="badge${n < MIN_VISITS ? ' low' : ''}" title="sample size">` +
  `n = ${Math.round(n).toLocaleString('en')} ${what}${n < MIN_VISITS ? ', too few to trust' : ''}</span>`;
const more = (html) => `<details class="more"><summary>numbers</summary>${html}</details>`;

// Live boxes as the core wants them: [key, x, y, w, h, interactive] per element, page px.
export function insightBoxes(byKey, stats) {
  const out = [];
  for (const [key, el] of byKey) {
    const r = viewBox(el);
    if (!r.width && !r.height) continue;
    out.push(key, r.left + scrollX, r.top + scrollY, r.width, r.height, (stats.get(key)?.flags ?? 0) & EL_INTERACTIVE ? 1 : 0);
  }
  return new Float64Array(out);
}

// The two segment queries of compare mode. Each kind reads only its own words, so a stale side
// (typed for another kind) never reaches the collector: it is left out instead.
export function compareQueries(state) {
  const side = (v) => {
    v = String(v || '').trim();
    if (state.compare === 'variant') return { variant: v };
    if (state.compare === 'device') {
      const touch = String(DEVICE_TOUCH), mouse = String(DEVICE_MOUSE);
      return { device: { mobile: touch, touch, phone: touch, desktop: mouse, mouse, pen: String(DEVICE_PEN) }[v.toLowerCase()] ?? (/^[123]$/.test(v) ? v : '') };
    }
    if (state.compare === 'loggedIn') return { loggedIn: /^(in|1|yes|signed in)$/i.test(v) ? '1' : /^(out|0|no|signed out)$/i.test(v) ? '0' : '' };
    const [from = '', to = ''] = v.split('..').map((s) => s.trim());
    const day = (d) => (/^\d{4}-\d{2}-\d{2}$/.test(d) ? d : '');
    return { from: day(from), to: day(to) };
  };
  return [{ ...state, ...side(state.a) }, { ...state, ...side(state.b) }];
}

// Where a near-miss cluster lies relative to its target: "just left of", "just below"...
function direction(m, el) {
  const r = el && viewBox(el);
  if (!r) return 'next to';
  const x = r.left + scrollX, y = r.top + scrollY;
  const dx = m.cx < x ? x - m.cx : m.cx > x + r.width ? m.cx - x - r.width : 0;
  const dy = m.cy < y ? y - m.cy : m.cy > y + r.height ? m.cy - y - r.height : 0;
  if (dx >= dy) return m.cx < x ? 'just left of' : m.cx > x + r.width ? 'just right of' : 'on the edge of';
  return m.cy < y ? 'just above' : 'just below';
}

// The findings, ranked: frustration first, then missed content, near misses, engagement, scroll.
// Each: { rank, html }. `name(key)` gives an element's display name.
export function findings(ins, stats, name, pageViews) {
  const out = [];
  const n = pageViews;
  // Frustration, one line per element: "Rage and dead clicks on 'X' button (25 % of visits)".
  for (const [key, s] of stats) {
    const kinds = [['rage', s.pv_rage, s.rage], ['dead', s.pv_dead, s.dead], ['error', s.pv_error, s.error]]
      .filter(([, pv, count]) => count >= 3 && n && pv / n >= 0.02);
    if (!kinds.length) continue;
    const share = Math.max(...kinds.map(([, pv]) => pv)) / n;
    const words = kinds.map(([k]) => k).join(' and ').replace(/^./, (c) => c.toUpperCase());
    out.push({ rank: 100 + 100 * share, key, html: `<b>${words} clicks</b> on ${esc(name(key))} (${pct(share)} of visits) ${badge(n)}` +
      more(kinds.map(([k, pv, count]) => `${k}: ${count} clicks in ${pv} of ${n} visits`).join('; ')) });
  }
  const reach = ins.scroll.bands > 0;  // no reach layer (filters, old data): no depth claims
  const seenBy = new Map((reach ? ins.scroll.elements : []).map((e) => [e.key, e]));
  const missed = [...seenBy.values()].filter((e) => e.seen != null && e.seen < 0.5 && (stats.get(e.key)?.flags & INTERACTIVE))
    .sort((a, b) => a.depthPx - b.depthPx).slice(0, 2);
  for (const e of missed) {
    out.push({ rank: 60 + 40 * (1 - e.seen), key: e.key, html: `<b>${pct(1 - e.seen)} of visits never reach</b> ` +
      `${esc(name(e.key))} (${px(e.depthPx)} down) ${badge(n)}` });
  }
  for (const m of ins.nearMisses.slice(0, 3)) {
    out.push({ rank: 50 + Math.min(40, m.clicks), key: m.target, html: `<b>${m.clicks} clicks land ${direction(m, name.el(m.target))}</b> ` +
      `${esc(name(m.target))}: make it bigger? ${badge(m.clicks, 'clicks')}` + more(`nearest gap ${Math.round(m.gap)} px`) });
  }
  const top = ins.elements.filter((e) => e.clicks > 0).sort((a, b) => b.rate - a.rate).slice(0, 3);
  top.forEach((e, i) => {
    const hot = e.hot ? ' <b>hot</b>: clicked well above this page\'s average' : '';
    out.push({ rank: 40 - i, key: e.key, html: `${i ? '' : '<b>Most clicked:</b> '}${esc(name(e.key))}, clicked in ` +
      `${pct(e.rate)} of visits${hot} ${badge(n)}` + more(`${e.clicks} clicks; 95 % interval ${pct(e.lo)} to ${pct(e.hi)}; priority score ${Math.round(e.score)}`) });
  });
  for (const h of ins.hotspots.filter((h) => !h.key).slice(0, 2)) {
    out.push({ rank: 30, html: `<b>Hotspot</b>: ${h.clicks} clicks (${pct(h.share)} of all) around ${px(h.x)} across, ${px(h.y)} down ${badge(h.clicks, 'clicks')}` +
      more(`95 % interval of the share ${pct(h.lo)} to ${pct(h.hi)}`) });
  }
  // Behaviour signals (core find_signals: sample floor and Wilson bound already passed).
  for (const g of ins.signals || []) {
    const why = more(`${g.k} of ${g.n}; 95 % interval ${pct(g.lo)} to ${pct(g.hi)}`);
    if (g.kind === 'ignored') {
      out.push({ rank: 45 + 30 * g.seen, key: g.key, html: `<b>Often seen, rarely clicked:</b> ${esc(name(g.key))}, seen in ` +
        `${pct(g.seen)} of visits, clicked by ${pct(g.share)} of those ${badge(g.n)}` + why });
    } else if (g.kind === 'abandoned') {
      out.push({ rank: 70 + 100 * g.visits, key: g.key, html: `<b>Form field abandoned:</b> ${esc(name(g.key))}, changed, then ` +
        `left without submitting in ${pct(g.share)} of the visits that changed it ${badge(g.n)}` + why });
    } else if (g.kind === 'hesitant') {
      out.push({ rank: 45 + 100 * g.visits, key: g.key, html: `<b>Visitors hesitate before clicking</b> ${esc(name(g.key))}: ` +
        `${pct(g.share)} of first clicks came ${HESITATION_MS[1] / 1000} s or more after the pointer arrived ${badge(g.n)}` + why });
    }
  }
  const sc = ins.scroll;
  for (const f of sc.falseBottoms) {
    out.push({ rank: 70 + 100 * f.drop, html: `<b>The page seems to end at ${px(f.depthPx)}</b>: ${pct(f.drop)} of visits stop there ` +
      `(a false bottom) ${badge(n)}` });
  }
  if (reach && sc.halfDepthPx != null && n) out.push({ rank: 20, html: `Half of visits scroll no further than ${px(sc.halfDepthPx)} ${badge(n)}` });
  return out.sort((a, b) => b.rank - a.rank);
}

export function insightsHtml(ins, stats, name, pageViews) {
  if (!pageViews) return '';
  const all = findings(ins, stats, name, pageViews);
  const li = (f) => `<li${f.key != null ? ` data-key="${hex(f.key)}" tabindex="0" title="Show this element's details"` : ''}>${f.html}</li>`;
  return `<h3>Insights</h3><ol class="findings">${all.slice(0, 6).map(li).join('') || '<li>Nothing stands out yet.</li>'}</ol>` +
    (all.length > 6 ? `<details class="more"><summary>${all.length - 6} more</summary><ol start="7">${all.slice(6).map(li).join('')}</ol></details>` : '');
}

// Compare mode in words: per element, which side wins and whether that is more than chance.
export function compareHtml(c, name, labels) {
  const [la, lb] = labels;
  const rows = c.rows.filter((r) => r.rateA != null && r.rateB != null)
    .sort((x, y) => (y.significant - x.significant) || x.pAdjusted - y.pAdjusted).slice(0, 8);
  const verdict = (r) => {
    const winner = r.rateB > r.rateA ? lb : la;
    if (r.rateA === r.rateB) return 'no difference';
    if (!r.significant) return `${esc(winner)} ahead, but it could be chance`;
    return `<span class="win">${esc(winner)} wins</span>${r.ready ? '' : ' (early: keep it running)'}`;
  };
  const li = (r) => `<li class="${r.significant ? 'sig' : ''}" data-key="${hex(r.key)}">${esc(name(r.key))}: clicked in ` +
    `${pct(r.rateA)} of ${esc(la)} visits vs ${pct(r.rateB)} of ${esc(lb)}: ${verdict(r)}` +
    more(`${r.test} test, p = ${r.p?.toPrecision(2)}, Benjamini-Hochberg adjusted p = ${r.pAdjusted?.toPrecision(2)} (q = ${PARAMS.q})`) + '</li>';
  return `<h3>${esc(la)} vs ${esc(lb)}</h3><p class="hint">${c.pageViewsA} vs ${c.pageViewsB} visits. ` +
    `${c.significant ? `${c.significant} element${c.significant > 1 ? 's differ' : ' differs'} beyond chance (outlined).` : 'No difference beyond chance yet.'} ` +
    `Red: ${esc(la)} clicks more per visit; blue: ${esc(lb)}.</p><ol class="cmprows">${rows.map(li).join('')}</ol>`;
}

// The element table as CSV (names from this browser; downloaded, never sent).
export function elementsCsv(ins, stats, name, pageViews) {
  const q = (s) => `"${String(s).replace(/"/g, '""')}"`;
  const lines = ['name,on_page,clicks,visits_clicked,click_rate,ci_low,ci_high,hot,rage,dead,error,priority'];
  for (const e of ins.elements) {
    const s = stats.get(e.key) || {};
    lines.push([q(name(e.key)), name.el(e.key) ? 1 : 0, e.clicks, s.pv_clicked ?? '', e.rate?.toFixed(4), e.lo?.toFixed(4), e.hi?.toFixed(4),
      e.hot ? 1 : 0, s.rage ?? 0, s.dead ?? 0, s.error ?? 0, Math.round(e.score ?? 0)].join(','));
  }
  return lines.join('\n') + '\n';
}

// Outlines on the page around significant elements, in a layer that never takes a click.
export function createMarks(zIndex) {
  const layer = document.createElement('div');
  layer.setAttribute('data-thermograph-ui', '');
  layer.style.cssText = `position:absolute;left:0;top:0;width:0;height:0;pointer-events:none;z-index:${zIndex}`;
  document.documentElement.appendChild(layer);
  return {
    draw(keys, byKey) {
      layer.textContent = '';
      for (const key of keys) {
        const el = byKey.get(key);
        if (!el) continue;
        const r = viewBox(el);
        const m = document.createElement('div');
        m.setAttribute('data-thermograph-mark', hex(key));
        m.style.cssText = `position:absolute;left:${r.left + scrollX - 3}px;top:${r.top + scrollY - 3}px;` +
          `width:${r.width}px;height:${r.height}px;border:3px dashed #111;border-radius:4px`;
        layer.appendChild(m);
      }
    },
    remove() { layer.remove(); },
  };
}

// The open page's micro-survey answers: one line per survey, then the elements on this page that
// were asked about, by name ("'Apply coupon' button: 12 yes, 30 no"). Elements no longer on the
// page are summed into one line; the dashboard and GET /api/surveys have them all.
export function surveysHtml(surveys, onPage, name) {
  if (!surveys.length) return '';
  const items = surveys.map((s) => {
    const here = s.elements.filter((e) => e.element && onPage(parseInt(e.element, 16)));
    const gone = s.elements.filter((e) => e.element && !onPage(parseInt(e.element, 16))).reduce((n, e) => n + e.total, 0);
    const sub = here.map((e) => `<li>${esc(name(parseInt(e.element, 16)))}: ${esc(answersText(e.answers))}</li>`);
    if (gone) sub.push(`<li>${gone} answer${gone === 1 ? '' : 's'} about elements not on this page now</li>`);
    return `<li>${esc(surveyText(s))}${sub.length ? `<ul>${sub.join('')}</ul>` : ''}</li>`;
  });
  return `<h3>Micro-surveys</h3><ul>${items.join('')}</ul>`;
}
