// The behaviour signals (wire version 4) in words: what one element's counters say (the element
// detail: the hover tip and the detail a tapped finding opens) and the page's four signal rates.
// Counters arrive by name from the wasm module (Overlay.info() and .elements(): the core's
// page_counter_name / element_counter_name); the thresholds quoted are the tracker's defaults.
import { HESITATION_MS, TRACKER_CONFIG as T } from 'thermograph-constants';
import { esc, pct } from './insights.js';

const s = (ms) => `${ms / 1000} s`;
// Bucket labels from the core's bounds: "under 1 s", "1-3 s", "3-10 s", "10 s or more".
const BOUNDS = HESITATION_MS.map((ms) => ms / 1000);
export const HESITATION_LABELS = [`under ${BOUNDS[0]} s`, ...BOUNDS.slice(1).map((b, i) => `${BOUNDS[i]}-${b} s`),
  `${BOUNDS.at(-1)} s or more`];
const BUCKETS = ['hesitation_lt_1s', 'hesitation_1_3s', 'hesitation_3_10s', 'hesitation_ge_10s'];

// Page signals: counter, words in the line, one-line explanation.
export const PAGE_SIGNALS = [
  ['pv_quick_exit', 'Quick exits', `the visit ended within ${s(T.quickExitMs)} without a click or tap`],
  ['pv_scroll_thrash', 'excessive scrolling', `reversed scrolling direction ${T.scrollReversals} times in quick succession ` +
    `(legs of ${T.scrollLegPx} px or more, at most ${s(T.scrollGapMs)} apart): looking for something`],
  ['pv_cursor_thrash', 'thrashed cursor', `the pointer reversed direction ${T.cursorReversals} times in quick ` +
    `succession (legs of ${T.cursorLegPx} px or more, at most ${s(T.cursorGapMs)} apart): often confusion`],
  ['pv_dead_swipe', 'dead swipes', 'a touch swipe that moved nothing and that nothing answered', ' (touch)'],
];

// "Quick exits 8 %, excessive scrolling 3 %, ..." with only the non-zero signals, each with its
// explanation on hover and all of them in a disclosure; '' when the page has none.
export function pageSignalsHtml(info) {
  const n = info?.page_views;
  if (!n) return '';
  const shown = PAGE_SIGNALS.filter(([c]) => info[c] > 0);
  if (!shown.length) return '';
  const items = shown.map(([c, words, why, suffix = ''], i) =>
    `<span data-signal="${c}" title="${esc(why)}">${i ? words : words.replace(/^./, (x) => x.toUpperCase())} ` +
    `${pct(Math.min(1, info[c] / n))}${suffix}</span>`);
  return `<p class="line">${items.join(', ')} <span class="hint">of visits</span></p>` +
    `<details class="more"><summary>what these mean</summary><ul>${shown.map(([, words, why]) =>
      `<li><b>${words.replace(/^./, (x) => x.toUpperCase())}</b>: ${esc(why)}</li>`).join('')}</ul>` +
    '<p class="hint">Thresholds are the tracker\'s defaults; a site may set its own.</p></details>';
}

// True when an element has anything the detail can say beyond clicks.
export const hasSignals = (e) => !!(e && (e.pv_exposed || e.pv_hovered || e.pv_changed || e.pv_exit || BUCKETS.some((b) => e[b])));

// Mean seconds from an element's last use to the end of the visit, in words: "left 4 s later on
// average", or "left right after it" under half a second.
const exitTime = (e) => {
  const s = Math.round(e.exit_seconds / e.pv_exit);
  return s ? `left ${s} s later on average` : 'left right after it';
};

// "Where visits ended: Checkout 12 % (4 s later on average), ..." for the 3 elements most often
// used last, of those found on this page (`name` gives their names); '' when none.
export function exitsHtml(elements, pageViews, name) {
  const top = elements.filter((e) => e.pv_exit > 0 && name(e.key)).sort((a, b) => b.pv_exit - a.pv_exit).slice(0, 3);
  if (!top.length || !pageViews) return '';
  return `<p class="exits" data-exits title="The element of the last click, tap or form field before the visit ended">` +
    `Where visits ended: ${top.map((e) => `<b>${esc(name(e.key))}</b> ${pct(Math.min(1, e.pv_exit / pageViews))} ` +
    `(${exitTime(e)})`).join(', ')}</p>`;
}

// The element detail's sentences, in plain words; only what the data supports.
export function elementSignals(e, pageViews) {
  const out = [];
  const n = pageViews;
  if (!e || !n) return out;
  if (e.pv_exposed > 0) {
    out.push(`Seen by ${pct(Math.min(1, e.pv_exposed / n))} of visits; clicked by ` +
      `${pct(Math.min(e.pv_clicked, e.pv_exposed) / e.pv_exposed)} of those who saw it`);
  }
  const idle = e.pv_hovered - Math.min(e.pv_hover_clicked, e.pv_hovered);
  if (idle > 0) out.push(`Hovered without clicking: ${pct(Math.min(1, idle / n))} of visits`);
  const counts = BUCKETS.map((b) => e[b] || 0), timed = counts.reduce((a, b) => a + b, 0);
  if (timed > 0) {
    const parts = counts.map((c, i) => [c, HESITATION_LABELS[i]]).filter(([c]) => c > 0)
      .map(([c, label]) => `${pct(c / timed)} ${label}`);
    out.push(`Time to click: ${parts.join(', ')} (${timed.toLocaleString('en')} visit${timed === 1 ? '' : 's'})`);
  }
  if (e.pv_exit > 0) {
    out.push(`Last thing used before leaving: ${pct(Math.min(1, e.pv_exit / n))} of visits, who ${exitTime(e)}`);
  }
  if (e.pv_changed > 0) {
    const left = e.pv_changed - Math.min(e.pv_submitted, e.pv_changed);
    out.push(`Changed by ${pct(Math.min(1, e.pv_changed / n))} of visits, then left without submitting by ${pct(Math.min(1, left / n))}`);
  }
  return out;
}
