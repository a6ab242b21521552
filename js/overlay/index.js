// The designer's overlay: open() fetches the merged aggregate for this page and segment, draws
// heat on a fixed canvas over the live page and keeps it in step with scrolling and reflows.
// Loaded lazily by the tracker (thermograph('overlay'), Alt+Shift+H, #thermograph): visitors
// never download this chunk.
import createOverlayModule from 'overlay-wasm';
import * as C from 'thermograph-constants';
import { readToken, forgetStoredToken, fetchHeatmap, widthClass, currentDevice } from './data.js';
import { createCanvas, drawFrame, frameScheduler } from './canvas.js';
import { createPanel } from './panel.js';
import { findElements, anchorBoxes } from './anchors.js';
import { PARAMS, insightBoxes, compareQueries, insightsHtml, compareHtml, createMarks } from './insights.js';

const Z = 2147483000;
const MIN_PAGE_VIEWS = 30;
const UNITS = {
  [C.LAYER_CLICKS]: 'clicks', [C.LAYER_MOVE]: `x ${C.DWELL_UNIT_MS} ms dwell`, [C.LAYER_RAGE]: 'rage clicks',
  [C.LAYER_DEAD]: 'dead clicks', [C.LAYER_ERROR]: 'error clicks', [C.LAYER_FIXED_CLICKS]: 'clicks',
  [C.LAYER_REACH_PX]: '% of views', [C.LAYER_REACH_PCT]: '% of views', [C.LAYER_ATTENTION]: `x ${C.ATTENTION_UNIT_MS} ms in view`,
};
let modulePromise = null, current = null, opening = null;

// One wasm instance per tab; each open() creates one Overlay object and close() deletes it.
export const loadModule = () => (modulePromise ||= createOverlayModule());
export const isOpen = () => !!current;

export function open(opts = {}) {
  if (current) return Promise.resolve(current);
  return (opening ||= start(opts).finally(() => { opening = null; }));
}

export function close() {
  if (current) current.close();
}

export async function toggle(opts) {
  if (current || opening) return (await (opening || current), close(), null);
  return open(opts);
}

async function start(opts) {
  const module = await loadModule();
  const token = readToken(opts.token);
  if (!token) {
    console.warn('thermograph: the overlay needs a read token');
    return null;
  }
  const state = {
    layer: C.RENDER_OPTIONS.layer, width: String(widthClass()), device: String(currentDevice()), variant: '', from: '',
    to: '', scale: C.RENDER_OPTIONS.scale, radius: C.RENDER_OPTIONS.radiusPx, opacity: 85, anchored: C.RENDER_OPTIONS.anchored,
    compare: '', a: '', b: '', ...opts.state,
  };
  const overlay = new module.Overlay();
  const canvas = createCanvas(Z);
  const panel = createPanel(state, Z, (what) => (what === 'fetch' ? load() : applyOptions()), () => close());
  const marks = createMarks(Z);
  let stats = new Map(), found = { byKey: new Map(), keyOf: new WeakMap() }, abort = null, closed = false;
  let cmp = null;  // compare mode: compare_segments' rows for A (load) vs B (loadCompare)
  const ctl = { state, module, frameMs: 0, pageViews: 0, insights: null, comparison: null, close: shut, redraw: () => draw() };
  const draw = () => { ctl.frameMs = drawFrame(canvas, overlay, state.layer, ctl.insights?.scroll); };
  const schedule = frameScheduler(draw);
  const relayout = frameScheduler(() => { reanchor(); draw(); });

  function applyOptions() {
    const { layer, scale, radius, anchored } = state;
    overlay.setOptions({ layer, scale, radius, anchored: anchored && stats.size > 0 });
    canvas.style.opacity = String(state.opacity / 100);
    panel.legend(overlay.legend(), UNITS[layer] || '');
    schedule();
  }

  function reanchor() {
    found = findElements(module, [...stats.values()], cmp ? cmp.rows.map((r) => r.key) : [], panel.host);
    overlay.setAnchors(anchorBoxes(found.byKey, stats));
    // Near misses and reach need today's boxes, so insights follow every re-anchor.
    ctl.insights = overlay.insights(insightBoxes(found.byKey, stats), PARAMS);
    panel.section('insights', insightsHtml(ctl.insights, found.byKey));
    panel.section('cmp', cmp ? compareHtml(cmp, found.byKey) : '');
    marks.draw(cmp ? cmp.rows.filter((r) => r.significant).map((r) => r.key) : [], found.byKey);
    const missing = [...stats.values()].filter((e) => !found.byKey.has(e.key)).sort((a, b) => b.clicks - a.clicks);
    panel.anchors(overlay.anchorStats(), missing);
  }

  async function load() {
    if (abort) abort.abort();
    abort = new AbortController();
    panel.status('loading…');
    try {
      // The key this page's reports carry: the same C++ canonicalization the visitor module runs.
      const page = opts.page || module.pageKey(location.origin, location.pathname + location.search);
      const base = { ...state, site: opts.site, page };
      const comparing = state.compare && state.a && state.b;
      const queries = comparing ? compareQueries(base) : [base];
      const [bytes, other] = await Promise.all(queries.map((q) => fetchHeatmap(opts.endpoint, token, q, abort.signal)));
      if (closed) return;
      const error = overlay.load(bytes) || (other ? overlay.loadCompare(other) : (overlay.clearCompare(), ''));
      if (error) throw new Error('unreadable heatmap: ' + error);
      cmp = ctl.comparison = other ? overlay.compare(PARAMS) : null;
      const info = overlay.info();
      stats = new Map(overlay.elements().map((e) => [e.key, e]));
      ctl.pageViews = info.page_views;
      panel.status(cmp ? `A ${cmp.pageViewsA} vs B ${cmp.pageViewsB} page views`
        : `${info.page_views} page views, ${stats.size} elements`);
      panel.warn(info.page_views < MIN_PAGE_VIEWS ? 'Not enough page views to trust the pattern.' : '');
      reanchor();
      applyOptions();
    } catch (e) {
      if (e.name === 'AbortError') return;
      if (e.status === 401 || e.status === 403) forgetStoredToken();
      panel.status(e.message, true);
    }
  }

  function hover(e) {
    let n = e.composedPath()[0];  // inside open shadow roots too
    while (n && !found.keyOf.has(n)) n = n.parentElement || n.parentNode?.host;
    const s = n && stats.get(found.keyOf.get(n));
    if (!s || !s.clicks) return panel.tip('', 0, 0);
    const share = ctl.pageViews ? ((100 * s.pv_clicked) / ctl.pageViews).toFixed(1) : '?';
    panel.tip(`${s.clicks} clicks\n${share} % of page views clicked\nrage ${s.rage}  dead ${s.dead}  error ${s.error}`,
      e.clientX, e.clientY);
  }

  // Layout changes (not scrolling) move elements: re-anchor at most once per frame.
  const observer = new MutationObserver((records) => {
    if (records.some((r) => !panel.host.contains(r.target))) relayout();
  });
  const listeners = [[window, 'scroll', schedule], [window, 'resize', relayout], [document, 'mousemove', hover]];

  function shut() {
    if (closed) return;
    closed = true;
    if (abort) abort.abort();
    for (const [t, type, fn] of listeners) t.removeEventListener(type, fn, { passive: true });
    observer.disconnect();
    schedule.cancel();
    relayout.cancel();
    overlay.delete();
    marks.remove();
    canvas.remove();
    panel.remove();
    forgetStoredToken();
    current = null;
  }

  for (const [t, type, fn] of listeners) t.addEventListener(type, fn, { passive: true });
  observer.observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ['class', 'style'] });
  current = ctl;
  await load();
  return ctl;
}
