// The designer's toolbar, in a shadow root so page styles neither leak in nor out. It floats as a
// small pill that expands into a panel docked at the bottom (the default: the page's top and its
// whole width stay in sight), left or right (remembered in localStorage: only designers load this
// file); on narrow screens it is a bottom sheet that opens at 28 % of the viewport and whose
// handle raises it to 62 % (a tap, or a swipe up; down lowers it or folds it into the pill). Only the pill and the sheet take pointer events: the page around them
// stays usable.
// While a sheet sits at the bottom, the page gets as much room again at its end, so every part of
// it can be scrolled out from under the sheet; docked at the bottom of a wide screen, the sections
// stand side by side in columns.
import { DEVICES, WIDTHS, missingShare } from './data.js';
import { COMPARE_KINDS, COMPARE_HINTS } from './insights.js';

const UI_KEY = 'thermograph-overlay-ui';
const PHONE = 600;  // below this width the panel is a bottom sheet whatever the dock
const LAYER_NAMES = ['Clicks', 'Movement', 'Rage clicks', 'Dead clicks', 'Error clicks', 'Clicks on fixed elements',
  'Scroll reach', 'Scroll reach (% of page)', 'Attention', 'Visits that clicked'];
const SCALE_NAMES = ['linear (raw counts)', 'log, outliers capped', 'percentile rank'];

const CSS = `:host{all:initial}
*{box-sizing:border-box}
.pill,.p{position:fixed;font:13px/1.4 system-ui,sans-serif;color:#111;background:#fffffff5;
box-shadow:0 2px 14px #0006;pointer-events:auto}
.p{background:#fff}
.pill{display:flex;align-items:center;gap:6px;padding:4px 6px 4px 12px;border-radius:999px;bottom:12px;right:12px}
:host([data-dock=left]) .pill{right:auto;left:12px}
.pill .dot{width:10px;height:10px;border-radius:50%;background:linear-gradient(135deg,#fde725,#f0602c,#b00)}
.p{display:flex;flex-direction:column;border-radius:10px;overflow:hidden;top:12px;bottom:12px;right:12px;width:320px}
:host([data-dock=left]) .p{right:auto;left:12px}
:host([data-dock=bottom]) .p,:host([data-phone]) .p{top:auto;left:0;right:0;bottom:0;width:auto;
max-height:40vh;border-radius:12px 12px 0 0}
:host([data-dock=bottom]:not([data-phone])) .p{max-height:34vh;left:12px;right:12px}
:host([data-dock=bottom]:not([data-phone])) .body{columns:260px;column-gap:28px;column-rule:1px solid #0001}
:host([data-dock=bottom]:not([data-phone])) .body>*{break-inside:avoid}
:host([data-dock=bottom]:not([data-phone])) fieldset{margin:0 0 8px}
:host([data-collapsed]) .p,:host(:not([data-collapsed])) .pill{display:none}
.head{display:flex;align-items:center;gap:4px;padding:6px 8px;border-bottom:1px solid #0002;flex:none}
.head b{flex:1}
button.handle{display:none;width:64px;min-height:20px;padding:8px 14px;margin:0 auto;border:0;background:none;flex:none;touch-action:none}
.handle::before{content:"";display:block;height:4px;border-radius:2px;background:#0004}
:host([data-phone]) .handle{display:block}:host([data-phone]) .dock{display:none}
:host([data-phone]) .p{max-height:28vh}:host([data-phone][data-tall]) .p{max-height:62vh}
.body{overflow:auto;padding:6px 10px 10px;overscroll-behavior:contain}
button,select,input,summary{font:inherit;color:inherit}
button{background:#f1f1f4;border:1px solid #0002;border-radius:6px;padding:3px 8px;cursor:pointer;min-height:28px}
button.icon{min-width:28px;padding:0 6px}
button[aria-pressed=true]{background:#222;color:#fff}
:focus-visible{outline:3px solid #2563eb;outline-offset:1px}
label{display:flex;justify-content:space-between;align-items:center;gap:6px;margin:3px 0}
select,input:not([type=checkbox]){max-width:170px;width:60%;min-height:26px}
fieldset{border:0;border-top:1px solid #0002;margin:8px 0 0;padding:4px 0 0}
legend{font-weight:600;padding:0}
.hint{font-size:11px;color:#555;margin:0 0 2px}
.warn{color:#a40;font-weight:600}.err{color:#b00}
.empty{padding:8px;border-radius:6px;background:#f4f4f6}
.lg{height:10px;border-radius:3px;margin-top:6px}
.lv{display:flex;justify-content:space-between;font-size:11px;color:#444}
.tip{position:fixed;pointer-events:none;padding:6px 8px;background:#111e;color:#fff;border-radius:4px;
font:12px/1.4 system-ui,sans-serif;white-space:pre-line;display:none;max-width:280px}
.jbox{margin-top:6px}.jbox:has(.journeys:empty){display:none}.jbox:not(:has(.steps)) .jtoggle{display:none}.journeys p{margin:2px 0 0}
.journeys .steps{margin:0}.journeys li[data-missing]{color:#555}
.signals .line,.signals .exits{margin:4px 0 0}.signals span[title]{text-decoration:underline dotted #0006}
.findings li[data-key]{cursor:pointer}.findings li[data-key]:hover{background:#f4f4f6}
.detail:not(:empty){margin-top:6px;padding:6px 8px;border-radius:6px;background:#f4f4f6}
.detail ul{padding-left:16px}.detail h3{margin-top:0}
ol,ul{margin:2px 0;padding-left:18px}li{margin:3px 0}
.badge{display:inline-block;font-size:10px;padding:0 5px;border-radius:8px;background:#e6e6ea;color:#333;margin-left:4px;vertical-align:1px}
.badge.low{background:#fde2c4;color:#7a3b00}
details.more{font-size:11px;color:#444}details.more summary{cursor:pointer;color:#555}
.sig{color:#a00}.win{font-weight:600}
.actions{display:flex;gap:6px;flex-wrap:wrap;margin-top:8px}
h3{font-size:13px;margin:8px 0 2px}`;

const options = (o) => Object.entries(o).map(([v, t]) => `<option value="${v}">${t}</option>`).join('');
const list = (a) => options(Object.fromEntries(a.map((n, i) => [i, n])));

function loadUi() {
  try { return { dock: 'bottom', collapsed: false, ...JSON.parse(localStorage.getItem(UI_KEY) || '{}') }; } catch (e) {
    return { dock: 'bottom', collapsed: false };
  }
}

export function createPanel(state, zIndex, onChange, onClose, onAction) {
  const ui = loadUi();
  const host = document.createElement('div');
  host.setAttribute('data-thermograph-ui', '');
  // A zero-size fixed host: only the pill and the sheet inside it take space and clicks.
  host.style.cssText = `position:fixed;left:0;top:0;width:0;height:0;z-index:${zIndex + 1}`;
  const root = host.attachShadow({ mode: 'open' });
  root.innerHTML = `<style>${CSS}</style>
  <div class="pill" part="pill"><span class="dot"></span><button name="expand" aria-expanded="false"
  title="Open the heatmap toolbar">Thermograph <span class="pv"></span></button>
  <button class="icon" name="close2" aria-label="Close the overlay">&times;</button></div>
  <div class="p" part="panel" role="dialog" aria-label="Thermograph heatmap">
  <button class="handle" name="tall" aria-expanded="false" aria-label="Show more of the toolbar"></button>
  <div class="head"><b>Thermograph</b>
  <span class="dock" role="group" aria-label="Dock">
  <button class="icon" name="dock" value="left" aria-label="Dock left" title="Dock left">&#x25E7;</button>
  <button class="icon" name="dock" value="bottom" aria-label="Dock bottom" title="Dock bottom">&#x2B13;</button>
  <button class="icon" name="dock" value="right" aria-label="Dock right" title="Dock right">&#x25E8;</button></span>
  <button class="icon" name="collapse" aria-label="Collapse (Escape)" title="Collapse (Escape)">&#x2013;</button>
  <button class="icon" name="close" aria-label="Close the overlay" title="Close">&times;</button></div>
  <div class="body">
  <div class="status" role="status"></div><div class="warn"></div>
  <div class="layer"><label>Show <select name="layer">${list(LAYER_NAMES)}</select></label>
  <div class="lg" part="legend"></div><div class="lv"></div><div class="unit hint"></div></div>
  <section class="signals" aria-label="Behaviour signals"></section>
  <section class="jbox" aria-label="Journeys"><label class="jtoggle">Show journeys
  <input name="journeys" type="checkbox"></label><div class="journeys"></div></section>
  <section class="insights" aria-label="Insights"></section>
  <section class="detail" aria-live="polite"></section>
  <section class="cmp"></section>
  <section class="surveys" aria-label="Micro-surveys"></section>
  <fieldset><legend>Filter</legend>
  <label>Screen width <select name="width">${options(WIDTHS)}<option value="">any</option></select></label>
  <label>Device <select name="device">${options(DEVICES)}</select></label>
  <label>Signed in <select name="loggedIn"><option value="">any</option><option value="1">signed in</option>
  <option value="0">signed out</option></select></label>
  <label>Tag <input name="tag" placeholder="plan:pro"></label>
  <label>Variant <input name="variant" placeholder="any"></label>
  <label>From <input name="from" type="date"></label><label>To <input name="to" type="date"></label></fieldset>
  <fieldset><legend>Compare</legend>
  <label>Compare <select name="compare">${options(COMPARE_KINDS)}</select></label>
  <p class="hint cmphint"></p>
  <label>A <input name="a"></label><label>B <input name="b"></label></fieldset>
  <fieldset><legend>Display</legend>
  <label>Scale <select name="scale">${list(SCALE_NAMES)}</select></label>
  <label>Radius <input name="radius" type="range" min="8" max="120"></label>
  <label>Opacity <input name="opacity" type="range" min="10" max="100"></label>
  <label>Follow elements <input name="anchored" type="checkbox"></label></fieldset>
  <div class="actions"><button name="png">Export heatmap PNG</button><button name="csv">Export elements CSV</button></div>
  <div class="anchor hint"></div>
  <details class="more"><summary>Elements not on this page</summary><ol class="missing"></ol></details>
  </div></div><div class="tip" role="tooltip"></div>`;
  document.documentElement.appendChild(host);
  const $ = (s) => root.querySelector(s);
  const fields = ['layer', 'width', 'device', 'loggedIn', 'tag', 'variant', 'from', 'to', 'scale', 'radius',
    'opacity', 'anchored', 'compare', 'a', 'b', 'journeys'];
  const refetch = ['width', 'device', 'loggedIn', 'tag', 'variant', 'from', 'to', 'compare', 'a', 'b'];
  const numeric = ['layer', 'scale', 'radius', 'opacity'];
  const sync = (name) => {
    const input = $(`[name=${name}]`);
    if (input.type === 'checkbox') input.checked = !!state[name];
    else input.value = state[name] ?? '';
  };
  const hint = () => {
    const h = COMPARE_HINTS[state.compare] || { a: '', b: '', text: '' };
    $('[name=a]').placeholder = h.a;
    $('[name=b]').placeholder = h.b;
    $('.cmphint').textContent = h.text;
    for (const n of ['a', 'b']) $(`[name=${n}]`).disabled = !state.compare;
  };
  for (const name of fields) {
    const input = $(`[name=${name}]`);
    sync(name);
    input.addEventListener('change', () => {
      state[name] = input.type === 'checkbox' ? input.checked : numeric.includes(name) ? +input.value : input.value;
      // A new compare kind makes the old sides meaningless ("A" is no device): clear them.
      if (name === 'compare') {
        state.a = state.b = '';
        sync('a');
        sync('b');
        hint();
      }
      onChange(refetch.includes(name) ? 'fetch' : 'render');
    });
    if (input.type === 'range') input.addEventListener('input', () => input.dispatchEvent(new Event('change')));
  }
  hint();

  // Room at the page's end as tall as a bottom sheet: an empty block after the body's content
  // (no layout of the page's own changes), there only while the sheet is.
  const room = document.createElement('div');
  room.setAttribute('data-thermograph-room', '');
  room.setAttribute('aria-hidden', 'true');
  const makeRoom = () => {
    if (ui.collapsed || (ui.dock !== 'bottom' && innerWidth >= PHONE)) return room.remove();
    room.style.cssText = `display:block;height:${$('.p').offsetHeight + 12}px;margin:0;padding:0;border:0`;
    if (room.parentNode !== document.body || room.nextElementSibling) document.body.appendChild(room);
  };
  const apply = () => {
    host.dataset.dock = ui.dock;
    if (ui.collapsed) host.dataset.collapsed = ''; else delete host.dataset.collapsed;
    if (innerWidth < PHONE) host.dataset.phone = ''; else delete host.dataset.phone;
    if (ui.tall) host.dataset.tall = ''; else delete host.dataset.tall;
    $('[name=tall]').setAttribute('aria-expanded', String(!!ui.tall));
    $('[name=tall]').setAttribute('aria-label', ui.tall ? 'Show more of the page' : 'Show more of the toolbar');
    $('[name=expand]').setAttribute('aria-expanded', String(!ui.collapsed));
    for (const b of root.querySelectorAll('[name=dock]')) b.setAttribute('aria-pressed', String(b.value === ui.dock));
    try { localStorage.setItem(UI_KEY, JSON.stringify({ dock: ui.dock, collapsed: ui.collapsed })); } catch (e) { /* blocked */ }
    makeRoom();
  };
  const setCollapsed = (c) => {
    ui.collapsed = c;
    apply();
    $(c ? '[name=expand]' : '[name=collapse]').focus();
    onChange('layout');
  };
  $('[name=expand]').addEventListener('click', () => setCollapsed(false));
  // On a phone the sheet opens low (the layer and its legend, most of the page in sight); its
  // handle raises it for reading insights and filters, and lowers it again. Not remembered. A tap
  // toggles; a swipe on the handle goes its way: up raises, down lowers, and down from the low
  // sheet collapses it to the pill (touch-action: none keeps the page from scrolling instead).
  const handle = $('[name=tall]');
  // A mouse swipe is followed by a click on the handle, a finger's is not: a click just after a
  // swipe is the swipe's, any later one a tap or a key.
  let swipeFrom = null, swipedAt = -1e9;
  const setTall = (t) => { ui.tall = t; apply(); onChange('layout'); };
  handle.addEventListener('pointerdown', (e) => { swipeFrom = e.clientY; handle.setPointerCapture?.(e.pointerId); });
  handle.addEventListener('pointerup', (e) => {
    const dy = swipeFrom === null ? 0 : e.clientY - swipeFrom;
    swipeFrom = null;
    if (Math.abs(dy) < 24) return;  // a tap: the click below
    swipedAt = e.timeStamp;
    if (dy < 0) setTall(true); else if (ui.tall) setTall(false); else setCollapsed(true);
  });
  handle.addEventListener('pointercancel', () => { swipeFrom = null; });
  handle.addEventListener('click', (e) => { if (e.timeStamp - swipedAt > 300) setTall(!ui.tall); });
  $('[name=collapse]').addEventListener('click', () => setCollapsed(true));
  for (const b of root.querySelectorAll('[name=dock]')) {
    b.addEventListener('click', () => { ui.dock = b.value; apply(); onChange('layout'); });
  }
  $('[name=close]').addEventListener('click', onClose);
  $('[name=close2]').addEventListener('click', onClose);
  $('[name=png]').addEventListener('click', () => onAction('png'));
  $('[name=csv]').addEventListener('click', () => onAction('csv'));
  // A finding names an element: tapping it (or Enter on it) opens that element's detail, the
  // way to read it where there is no hover (phones).
  const pick = (e) => {
    const li = e.target.closest?.('.insights li[data-key]');
    if (!li || e.target.closest('summary,details')) return;
    if (e.type === 'keydown' && e.key !== 'Enter') return;
    onAction('detail', parseInt(li.dataset.key, 16));
    $('.detail').scrollIntoView({ block: 'nearest' });  // in view in a small bottom sheet too
  };
  $('.insights').addEventListener('click', pick);
  $('.insights').addEventListener('keydown', pick);
  root.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && !ui.collapsed) { e.stopPropagation(); setCollapsed(true); }
  });
  const onResize = () => apply();
  addEventListener('resize', onResize);
  apply();
  // The sheet grows as its sections fill in: the room at the page's end follows.
  const sized = new ResizeObserver(makeRoom);
  sized.observe($('.p'));

  return {
    host,
    ui,
    // The viewport rectangle the toolbar covers (for labels that must stay visible), or null.
    rect() {
      const el = ui.collapsed ? $('.pill') : $('.p');
      const r = el.getBoundingClientRect();
      return r.width ? r : null;
    },
    collapse: setCollapsed,
    status(text, isError = false) {
      $('.status').textContent = text;
      $('.status').className = 'status' + (isError ? ' err' : '');
    },
    pageViews(text) { $('.pv').textContent = text; },
    warn(text) { $('.warn').textContent = text; },
    // Shows a field's value after the overlay changed it (e.g. the layer a privacy release serves).
    sync,
    // Trusted HTML built by insights.js (names escaped there).
    section(cls, html) { $('.' + cls).innerHTML = html; },
    // The colour ramp with three values under it and the unit in words.
    legend(stops, unit) {
      const css = (c) => `rgba(${c & 255},${(c >>> 8) & 255},${(c >>> 16) & 255},${((c >>> 24) / 255).toFixed(2)})`;
      $('.lg').style.background = `linear-gradient(to right,${stops.map((s) => `${css(s.rgba)} ${s.t * 100}%`).join(',')})`;
      const fmt = (v) => (Math.abs(v) >= 100 ? Math.round(v) : v.toFixed(Math.abs(v) >= 10 ? 0 : 1));
      $('.lv').innerHTML = stops.filter((s, i) => i % 2 === 0).map((s) => `<span>${fmt(s.value)}</span>`).join('');
      $('.lg').setAttribute('role', 'img');
      $('.lg').setAttribute('aria-label', 'Legend: ' + unit);
      $('.unit').textContent = unit;
    },
    anchors(stats, missing, nameOf) {
      const lost = missingShare(stats);
      $('.anchor').textContent = stats.elements
        ? `${stats.found}/${stats.elements} elements found; ${(lost * 100).toFixed(1)} % of element heat not on this page`
        : '';
      $('.missing').textContent = '';
      for (const e of missing.slice(0, 50)) {
        const li = document.createElement('li');
        li.textContent = `${nameOf(e.key)}: ${e.clicks} clicks`;
        $('.missing').appendChild(li);
      }
    },
    tip(text, x, y) {
      const tip = $('.tip');
      tip.style.display = text ? 'block' : 'none';
      if (!text) return;
      tip.textContent = text;
      tip.style.left = Math.max(4, Math.min(x + 14, innerWidth - tip.offsetWidth - 4)) + 'px';
      tip.style.top = Math.max(4, Math.min(y + 14, innerHeight - tip.offsetHeight - 4)) + 'px';
    },
    remove() { removeEventListener('resize', onResize); sized.disconnect(); host.remove(); room.remove(); },
  };
}
