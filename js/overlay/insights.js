// Insights in the overlay: the panel's hotspot / priority / near-miss lists, compare mode's
// segment queries, and the outlines that mark elements whose difference is significant.
// The numbers come from the core (compute_insights / compare_segments via the wasm module).
import { DEVICE_MOUSE, DEVICE_TOUCH, EL_INTERACTIVE, INSIGHT_OPTIONS } from 'thermograph-constants';

// The options the overlay passes (InsightParams in src/bindings/overlay.cpp), at the core's defaults.
const { q, hotMinClicks, nearMissPx, nearMissMinClicks, minDetectableEffect, noiseVariance } = INSIGHT_OPTIONS;
export const PARAMS = { q, hotMinClicks, nearMissPx, nearMissMinClicks, minDetectableEffect, noiseVariance };
export const COMPARE_KINDS = { '': 'off', variant: 'variant A vs B', dates: 'dates before / after', device: 'mobile vs desktop' };

const hex = (k) => (k >>> 0).toString(16).padStart(8, '0');
const pct = (v) => (v == null ? '?' : (100 * v).toFixed(1) + ' %');
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

// Live boxes as the core wants them: [key, x, y, w, h, interactive] per element, page px.
export function insightBoxes(byKey, stats) {
  const out = [];
  for (const [key, el] of byKey) {
    const r = el.getBoundingClientRect();
    if (!r.width && !r.height) continue;
    out.push(key, r.left + scrollX, r.top + scrollY, r.width, r.height, (stats.get(key)?.flags ?? 0) & EL_INTERACTIVE ? 1 : 0);
  }
  return new Float64Array(out);
}

// The two segment queries of compare mode. dates: "YYYY-MM-DD..YYYY-MM-DD" per side;
// device: the words mobile/desktop (touch/mouse) or device numbers.
export function compareQueries(state) {
  const side = (v) => {
    if (state.compare === 'variant') return { variant: v };
    if (state.compare === 'device') {
      const touch = String(DEVICE_TOUCH), mouse = String(DEVICE_MOUSE);
      return { device: { mobile: touch, touch, desktop: mouse, mouse }[v] ?? v };
    }
    const [from = '', to = ''] = String(v).split('..');
    return { from, to };
  };
  return [{ ...state, ...side(state.a) }, { ...state, ...side(state.b) }];
}

// Element name for a list: the live element's id/class when found, else its key.
function name(key, byKey) {
  const el = byKey.get(key);
  if (!el) return 'key ' + hex(key);
  const cls = typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\s+/).join('.') : '';
  return el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + cls;
}

export function insightsHtml(ins, byKey) {
  const els = ins.elements.slice(0, 10).map((e) =>
    `<li data-key="${hex(e.key)}">${esc(name(e.key, byKey))}: score ${e.score.toFixed(0)}, ${pct(e.rate)} ` +
    `[${pct(e.lo)}, ${pct(e.hi)}]${e.hot ? ' <b>hot</b>' : ''}</li>`).join('');
  const hot = ins.hotspots.slice(0, 5).map((h) =>
    `<li>(${Math.round(h.x)}, ${Math.round(h.y)}): ${h.clicks} clicks, ${pct(h.share)}</li>`).join('');
  const near = ins.nearMisses.map((m) =>
    `<li class="near" data-key="${hex(m.target)}">${m.clicks} clicks ${m.gap.toFixed(0)} px next to ${esc(name(m.target, byKey))}</li>`).join('');
  const fb = ins.scroll.falseBottoms.map((f) => `${Math.round(f.depthPx)} px (-${pct(f.drop)})`).join(', ');
  return `<p>Elements by priority</p><ol class="prio">${els || '<li>none</li>'}</ol>` +
    `<p>Hotspots</p><ol class="hot">${hot || '<li>none</li>'}</ol>` +
    `<p>Near misses</p><ul>${near || '<li>none</li>'}</ul>` +
    `<p class="scroll">Half of page views stop at ${ins.scroll.halfDepthPx == null ? '?' : Math.round(ins.scroll.halfDepthPx) + ' px'}` +
    `${fb ? '; false bottom at ' + fb : ''}</p>`;
}

export function compareHtml(c, byKey) {
  const rows = c.rows.filter((r) => r.significant).map((r) =>
    `<li class="sig" data-key="${hex(r.key)}">${esc(name(r.key, byKey))}: ${pct(r.rateA)} vs ${pct(r.rateB)}, ` +
    `p<sub>BH</sub> = ${r.pAdjusted.toPrecision(2)}${r.ready ? '' : ' (not enough page views yet)'}</li>`).join('');
  return `<p>A: ${c.pageViewsA} page views, B: ${c.pageViewsB}. Red: A clicks more per page view; blue: B.</p>` +
    `<p>${c.significant} significant after Benjamini-Hochberg (q = ${PARAMS.q})</p><ol>${rows}</ol>`;
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
        const r = el.getBoundingClientRect();
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
