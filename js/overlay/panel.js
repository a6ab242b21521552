// The designer's control panel, in a shadow root so page styles neither leak in nor out.
import { LAYERS, SCALES, DEVICES, WIDTHS } from './data.js';
import { COMPARE_KINDS } from './insights.js';

const CSS = `:host{all:initial}
.p{position:fixed;right:12px;bottom:12px;width:270px;max-height:80vh;overflow:auto;padding:10px;
font:12px/1.4 system-ui,sans-serif;color:#111;background:#fffffff2;border-radius:8px;
box-shadow:0 2px 12px #0005}
label{display:flex;justify-content:space-between;align-items:center;gap:6px;margin:3px 0}
select,input{font:inherit;max-width:140px}.row{display:flex;gap:4px}
.warn{color:#a40;font-weight:600}.err{color:#b00}.lg{height:10px;border-radius:3px;margin-top:6px}
.lv{display:flex;justify-content:space-between;font-size:11px;color:#444}
.tip{position:fixed;pointer-events:none;padding:6px 8px;background:#111e;color:#fff;
border-radius:4px;font:12px/1.4 system-ui,sans-serif;white-space:pre;display:none}
ol,ul{margin:2px 0;padding-left:18px}p{margin:4px 0 0;font-weight:600}.sig{color:#a00}`;

const options = (o) => Object.entries(o).map(([v, t]) => `<option value="${v}">${t}</option>`).join('');
const list = (a) => options(Object.fromEntries(a.map((n, i) => [i, n.replace('_', ' ')])));

export function createPanel(state, zIndex, onChange, onClose) {
  const host = document.createElement('div');
  host.setAttribute('data-thermograph-ui', '');
  host.style.cssText = `position:fixed;z-index:${zIndex + 1}`;
  const root = host.attachShadow({ mode: 'open' });
  root.innerHTML = `<style>${CSS}</style><div class="p" part="panel">
  <div class="row" style="justify-content:space-between"><b>Thermograph</b>
  <button name="close" title="Close (Alt+Shift+H)">&times;</button></div>
  <label>Layer <select name="layer">${list(LAYERS)}</select></label>
  <label>Width <select name="width">${options(WIDTHS)}<option value="">any</option></select></label>
  <label>Device <select name="device">${options(DEVICES)}</select></label>
  <label>Variant <input name="variant" placeholder="any"></label>
  <label>From <input name="from" type="date"></label><label>To <input name="to" type="date"></label>
  <label>Scale <select name="scale">${list(SCALES)}</select></label>
  <label>Radius <input name="radius" type="range" min="8" max="120"></label>
  <label>Opacity <input name="opacity" type="range" min="10" max="100"></label>
  <label>Follow elements <input name="anchored" type="checkbox"></label>
  <label>Compare <select name="compare">${options(COMPARE_KINDS)}</select></label>
  <label>A <input name="a" placeholder="A | 2024-01-01..2024-01-31 | mobile"></label>
  <label>B <input name="b" placeholder="B | 2024-02-01..2024-02-29 | desktop"></label>
  <div class="cmp"></div>
  <div class="lg" part="legend"></div><div class="lv"></div>
  <div class="status"></div><div class="warn"></div><div class="anchor"></div>
  <details class="ins" open><summary>Insights</summary><div class="insights"></div></details>
  <details><summary>Elements not on this page</summary><ol class="missing"></ol></details>
  </div><div class="tip"></div>`;
  document.documentElement.appendChild(host);
  const $ = (s) => root.querySelector(s);
  const fields = ['layer', 'width', 'device', 'variant', 'from', 'to', 'scale', 'radius', 'opacity', 'anchored',
    'compare', 'a', 'b'];
  const refetch = ['width', 'device', 'variant', 'from', 'to', 'compare', 'a', 'b'];
  for (const name of fields) {
    const input = $(`[name=${name}]`);
    if (input.type === 'checkbox') input.checked = !!state[name];
    else input.value = state[name] ?? '';
    input.addEventListener('change', () => {
      state[name] = input.type === 'checkbox' ? input.checked
        : ['layer', 'scale', 'radius', 'opacity'].includes(name) ? +input.value : input.value;
      onChange(refetch.includes(name) ? 'fetch' : 'render');
    });
    if (input.type === 'range') input.addEventListener('input', () => input.dispatchEvent(new Event('change')));
  }
  $('[name=close]').addEventListener('click', onClose);

  return {
    host,
    status(text, isError = false) {
      $('.status').textContent = text;
      $('.status').className = 'status' + (isError ? ' err' : '');
    },
    warn(text) { $('.warn').textContent = text; },
    // Trusted HTML built by insights.js (names escaped there).
    section(cls, html) { $('.' + cls).innerHTML = html; },
    legend(stops, unit) {
      const css = (c) => `rgba(${c & 255},${(c >>> 8) & 255},${(c >>> 16) & 255},${((c >>> 24) / 255).toFixed(2)})`;
      $('.lg').style.background = `linear-gradient(to right,${stops.map((s) => `${css(s.rgba)} ${s.t * 100}%`).join(',')})`;
      const fmt = (v) => (v >= 100 ? Math.round(v) : v.toFixed(v >= 10 ? 0 : 1));
      $('.lv').innerHTML = stops.map((s) => `<span>${fmt(s.value)}</span>`).join('') + `<span>${unit}</span>`;
    },
    anchors(stats, missing) {
      const lost = stats.total ? 1 - stats.anchored / stats.total : 0;
      $('.anchor').textContent = stats.elements
        ? `${stats.found}/${stats.elements} elements found; ${(lost * 100).toFixed(1)} % of element heat not on this page`
        : '';
      $('.missing').innerHTML = missing.slice(0, 50)
        .map((e) => `<li>key ${e.key.toString(16).padStart(8, '0')}: ${e.clicks} clicks</li>`).join('');
    },
    tip(text, x, y) {
      const tip = $('.tip');
      tip.style.display = text ? 'block' : 'none';
      if (!text) return;
      tip.textContent = text;
      tip.style.left = Math.min(x + 14, innerWidth - 240) + 'px';
      tip.style.top = Math.min(y + 14, innerHeight - 90) + 'px';
    },
    remove() { host.remove(); },
  };
}
