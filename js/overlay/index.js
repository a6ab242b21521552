// The designer's overlay: open() fetches the merged aggregate for this page and segment, draws
// heat on a fixed canvas over the live page and keeps it in step with scrolling and reflows.
// Loaded lazily by the tracker (thermograph('overlay'), #thermograph): visitors
// never download this chunk.
import createOverlayModule from 'overlay-wasm';
import * as C from 'thermograph-constants';
import { readToken, forgetStoredToken, fetchHeatmap, widthClass, currentDevice, contributeNames, reportAnchoring, privacyNote, fetchSurveys, fetchPages } from './data.js';
import { createCanvas, drawFrame, frameScheduler, exportPng, download } from './canvas.js';
import { createPanel } from './panel.js';
import { findElements, anchorBoxes, viewBox } from './anchors.js';
import { frameAt } from '../tracker/element.js';
import { createNamer, sharedName } from './names.js';
import { PARAMS, insightBoxes, compareQueries, insightsHtml, compareHtml, elementsCsv, createMarks, esc, surveysHtml } from './insights.js';
import { elementSignals, exitsHtml, hasSignals, pageSignalsHtml } from './signals.js';
import { createArrows, journeysHtml, routeNames, topSteps } from './journeys.js';

const Z = 2147483000;
const OBSERVED = { childList: true, subtree: true, attributes: true, attributeFilter: ['class', 'style'] };
const MIN_PAGE_VIEWS = 30;
const UNITS = {
  [C.LAYER_CLICKS]: 'clicks per spot', [C.LAYER_MOVE]: `pointer rest time (x ${C.DWELL_UNIT_MS} ms)`,
  [C.LAYER_RAGE]: 'rage clicks', [C.LAYER_DEAD]: 'dead clicks', [C.LAYER_ERROR]: 'error clicks',
  [C.LAYER_FIXED_CLICKS]: 'clicks per spot', [C.LAYER_REACH_PX]: '% of visits that scroll this far',
  [C.LAYER_REACH_PCT]: '% of visits that scroll this far', [C.LAYER_ATTENTION]: `time in view (x ${C.ATTENTION_UNIT_MS} ms)`,
  [C.LAYER_CLICK_PV]: 'visits that clicked this spot',
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
    layer: C.RENDER_OPTIONS.layer, width: String(widthClass()), device: String(currentDevice()), loggedIn: '', tag: '',
    variant: '', from: '', to: '', scale: C.RENDER_OPTIONS.scale, radius: C.RENDER_OPTIONS.radiusPx, opacity: 85,
    anchored: C.RENDER_OPTIONS.anchored, compare: '', a: '', b: '', journeys: false, ...opts.state,
  };
  const overlay = new module.Overlay();
  const canvas = createCanvas(Z);
  const arrows = createArrows(Z);
  const panel = createPanel(state, Z, (what) => (what === 'fetch' ? load() : what === 'layout' ? schedule() : applyOptions()),
    () => close(), (what, key) => (what === 'detail' ? showDetail(key) : exportAs(what)));
  const marks = createMarks(Z);
  const namer = createNamer(module);
  let stats = new Map(), found = { byKey: new Map(), keyOf: new WeakMap() }, abort = null, closed = false;
  let cmp = null;  // compare mode: compare_segments' rows for A (load) vs B (loadCompare)
  let routes = null;  // route hash -> page path (GET /api/pages), fetched once journeys need it
  let hovered = null;  // { el, key } under the pointer, for the tip
  let detailKey = null;  // the element whose detail the panel shows (a tapped finding)
  const name = (key) => namer(found.byKey.get(key));
  name.el = (key) => found.byKey.get(key);
  const ctl = { state, module, frameMs: 0, pageViews: 0, insights: null, comparison: null, steps: [], close: shut, redraw: () => draw(), name };
  const draw = () => {
    ctl.frameMs = drawFrame(canvas, overlay, state.layer, ctl.insights?.scroll, panel.rect());
    arrows.draw(ctl.steps, found.byKey, state.journeys);
    placeTip();
  };
  const schedule = frameScheduler(draw);
  const relayout = frameScheduler(() => { reanchor(); draw(); });

  function applyOptions() {
    const { layer, scale, radius, anchored } = state;
    overlay.setOptions({ layer, scale, radius, anchored: anchored && stats.size > 0 });
    canvas.style.opacity = String(state.opacity / 100);
    panel.legend(overlay.legend(), (cmp && layer < 6 ? 'difference in clicks per visit, A minus B' : UNITS[layer] || '') +
      (scale === 1 && layer < 6 ? '; log scale, the few hottest spots share the top colour' : ''));
    schedule();
  }

  function reanchor() {
    found = findElements(module, [...stats.values()], cmp ? cmp.rows.map((r) => r.key) : [], panel.host);
    overlay.setAnchors(anchorBoxes(found.byKey, stats));
    // Near misses and reach need today's boxes, so insights follow every re-anchor.
    ctl.insights = overlay.insights(insightBoxes(found.byKey, stats), PARAMS);
    panel.section('insights', insightsHtml(ctl.insights, stats, name, ctl.pageViews));
    showJourneys();
    showDetail(detailKey);
    panel.section('cmp', cmp ? compareHtml(cmp, name, sideLabels()) : '');
    marks.draw(cmp ? cmp.rows.filter((r) => r.significant).map((r) => r.key) : [], found.byKey);
    const missing = [...stats.values()].filter((e) => !found.byKey.has(e.key)).sort((a, b) => b.clicks - a.clicks);
    panel.anchors(overlay.anchorStats(), missing, () => 'an element not on this page now');
  }

  const sideLabels = () => [state.a || 'A', state.b || 'B'];

  // The top steps (arrows, when shown) and where visitors came from; not in compare mode, whose
  // data is one side only.
  function showJourneys() {
    const j = cmp ? null : ctl.insights?.journeys;
    ctl.steps = topSteps(j);
    panel.section('journeys', j ? journeysHtml(j, name, (k) => found.byKey.has(k), routes || new Map()) : '');
  }

  // Once per element and overlay session: the names of the anchored interactive elements.
  const shared = new Set();
  function shareNames(page) {
    const names = [];
    for (const [key, el] of found.byKey) {
      if (!stats.has(key)) continue;  // compare rows may add stable keys the data does not use
      const hex = (key >>> 0).toString(16).padStart(8, '0');
      const n = !shared.has(hex) && sharedName(module, el);
      if (n) names.push({ key: hex, ...n });
      shared.add(hex);
    }
    ctl.namesShared = contributeNames(opts.endpoint, token, opts.site, page, names);
  }

  // Once per overlay session, after the first load that anchored the page's element heat
  // (without compare mode, whose data is one side only): how much of it is not on this page.
  let anchoringReported = false;
  function shareAnchoring(page) {
    const stats = overlay.anchorStats();
    if (anchoringReported || cmp || !stats.elements) return;
    anchoringReported = true;
    ctl.anchoringShared = reportAnchoring(opts.endpoint, token, opts.site, page, stats);
  }

  async function load() {
    if (abort) abort.abort();
    abort = new AbortController();
    panel.status('loading…');
    try {
      // The key this page's reports are stored under: the visitor module's C++ canonicalization,
      // with index documents folded as the collector stores them (fold_index_document).
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
      const visits = (n) => `${Number(n).toLocaleString('en')} visit${n === 1 ? '' : 's'}`;
      panel.status(cmp ? `${sideLabels()[0]}: ${visits(cmp.pageViewsA)}, ${sideLabels()[1]}: ${visits(cmp.pageViewsB)}`
        : `${visits(info.page_views)} with these filters`);
      panel.pageViews(`· ${visits(info.page_views)}`);
      // A DP release withholds raw clicks: show the map it does serve, and say it is noised.
      if (state.layer === C.LAYER_CLICKS && bytes.privacy?.withheld?.includes(C.LAYER_NAMES[state.layer])) {
        state.layer = C.LAYER_CLICK_PV;
        panel.sync('layer');
      }
      panel.warn([info.page_views < MIN_PAGE_VIEWS ? 'Few visits so far: patterns may change.' : '', privacyNote(bytes.privacy)]
        .filter(Boolean).join(' '));
      reanchor();
      // The page's signal rates and where visits ended (names need the anchored elements).
      panel.section('signals', cmp ? '' : pageSignalsHtml(info) +
        exitsHtml([...stats.values()], info.page_views, (key) => found.byKey.has(key) && name(key)));
      applyOptions();
      shareNames(page);
      shareAnchoring(page);
      // Routes are named from the site's page list: fetched once, when some visit came from one.
      if (!routes && !cmp && ctl.insights.journeys.cameFrom.length) {
        routes = routeNames(module, await fetchPages(opts.endpoint, token, opts.site));
        if (closed) return;
        showJourneys();
      }
      // Micro-survey answers on this page and dates (the other filters aside: answers are counted
      // per page and day only).
      const surveys = await fetchSurveys(opts.endpoint, token, opts.site, page, state);
      if (!closed) panel.section('surveys', surveysHtml(surveys, (key) => found.byKey.has(key), name));
    } catch (e) {
      if (e.name === 'AbortError') return;
      if (e.status === 401 || (e.status === 403 && e.code !== 'below_min_page_views')) forgetStoredToken();
      // A friendly empty state: nothing drawn, the reason in words.
      overlay.clear();
      stats = new Map();
      cmp = ctl.comparison = null;
      ctl.pageViews = 0;
      ctl.insights = null;
      panel.section('insights', `<p class="empty">${e.status ? e.message : 'Could not load the heatmap: ' + e.message}` +
        `${e.status === 404 ? ' Heat appears here once visitors have been on this page; try widening the filters (screen width, device, dates).' : ''}</p>`);
      panel.section('cmp', '');
      panel.section('signals', '');
      panel.section('journeys', '');
      ctl.steps = [];
      showDetail(null);
      panel.section('surveys', '');
      panel.status('');
      panel.pageViews('');
      marks.draw([], found.byKey);
      overlay.clearCompare();
      schedule();
    }
  }

  async function exportAs(what) {
    if (!ctl.insights) return;
    const page = location.pathname.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '') || 'home';
    if (what === 'csv') {
      download(new Blob([elementsCsv(ctl.insights, stats, name, ctl.pageViews)], { type: 'text/csv' }), `thermograph-${page}-elements.csv`);
      return;
    }
    const boxes = [...found.byKey].map(([key, el]) => {
      const r = viewBox(el);
      return { x: r.left + scrollX, y: r.top + scrollY, w: r.width, h: r.height, name: name(key) };
    });
    const layers = ['Clicks', 'Movement', 'Rage clicks', 'Dead clicks', 'Error clicks', 'Clicks on fixed elements', 'Scroll reach', 'Scroll reach', 'Attention'];
    const blob = await exportPng(overlay, {
      layer: state.layer, boxes, legend: overlay.legend(), unit: UNITS[state.layer] || '', scroll: ctl.insights.scroll,
      caption: `${layers[state.layer]} on ${location.host}${location.pathname}: ${ctl.pageViews} visits (${new Date().toISOString().slice(0, 10)})`,
    });
    ctl.lastExport = blob;
    download(blob, `thermograph-${page}.png`);
    schedule();  // the export rendered the full page: the viewport frame is redrawn
  }

  // One element in words (a tapped finding): its clicks, then what the behaviour signals say.
  function showDetail(key) {
    const s = key != null && stats.get(key);
    detailKey = s ? key : null;
    if (!s) return panel.section('detail', '');
    const lines = [clickLine(s), ...elementSignals(s, ctl.pageViews)];
    panel.section('detail', `<h3>${esc(name(key))}</h3><ul>${lines.map((l) => `<li>${esc(l)}</li>`).join('')}</ul>`);
  }
  const clickLine = (s) => `${s.clicks} clicks; clicked in ${ctl.pageViews ? ((100 * s.pv_clicked) / ctl.pageViews).toFixed(1) : '?'} % of visits`;

  // The tip follows its element: on scroll it moves with it and hides once the element has left.
  function placeTip() {
    if (!hovered) return panel.tip('', 0, 0);
    const r = viewBox(hovered.el);
    if (!hovered.el.isConnected || (!r.width && !r.height) || r.bottom < 0 || r.top > innerHeight || r.right < 0 || r.left > innerWidth) {
      hovered = null;
      return panel.tip('', 0, 0);
    }
    const s = stats.get(hovered.key);
    const share = ctl.pageViews ? ((100 * s.pv_clicked) / ctl.pageViews).toFixed(1) : '?';
    panel.tip([name(hovered.key), `${s.clicks} clicks`, `${share} % of page views clicked`, `rage ${s.rage}  dead ${s.dead}  error ${s.error}`,
      ...elementSignals(s, ctl.pageViews)].join('\n'),
      Math.min(r.right, Math.max(r.left, hovered.x)), Math.min(r.bottom, r.top + 8));
  }

  function hover(e) {
    let n = e.composedPath()[0];  // inside open shadow roots too
    while (n && !found.keyOf.has(n)) n = n.parentElement || n.parentNode?.host;
    const key = n && found.keyOf.get(n);
    const s = key != null && stats.get(key);
    hovered = s && (s.clicks || hasSignals(s)) ? { el: n, key, x: e.clientX + frameAt(e.view)[0] } : null;
    placeTip();
  }

  // Layout changes (not scrolling) move elements: re-anchor at most once per frame.
  const observer = new MutationObserver((records) => {
    if (records.some((r) => !panel.host.contains(r.target))) relayout();
  });
  const listeners = [[window, 'scroll', schedule], [window, 'resize', relayout], [document, 'mousemove', hover]];
  // Same-origin frames' documents (nested too) are watched like this one: the pointer over a
  // frame moves in its document (hover tips), scrolling inside a frame and its DOM changes move
  // its elements (re-anchor).
  const frameDocs = new Set(), frameListeners = [['mousemove', hover], ['scroll', relayout]];
  function watchFrames(doc) {
    for (const f of doc.querySelectorAll('iframe')) {
      const d = f.contentDocument;
      if (!d || frameDocs.has(d)) continue;
      frameDocs.add(d);
      for (const [type, fn] of frameListeners) d.addEventListener(type, fn, { passive: true });
      observer.observe(d, OBSERVED);
      watchFrames(d);
    }
  }
  // A same-origin frame that loads later brings its elements (anchors.js looks inside frames).
  // `load` does not bubble: captured.
  const frameLoaded = (e) => {
    if (e.target.localName !== 'iframe') return;
    watchFrames(document);
    relayout();
  };

  function shut() {
    if (closed) return;
    closed = true;
    if (abort) abort.abort();
    for (const [t, type, fn] of listeners) t.removeEventListener(type, fn, { passive: true });
    document.removeEventListener('load', frameLoaded, true);
    for (const d of frameDocs) for (const [type, fn] of frameListeners) d.removeEventListener(type, fn, { passive: true });
    observer.disconnect();
    schedule.cancel();
    relayout.cancel();
    overlay.delete();
    marks.remove();
    arrows.remove();
    canvas.remove();
    panel.remove();
    forgetStoredToken();
    current = null;
  }

  for (const [t, type, fn] of listeners) t.addEventListener(type, fn, { passive: true });
  document.addEventListener('load', frameLoaded, true);
  observer.observe(document.body, OBSERVED);
  watchFrames(document);
  current = ctl;
  await load();
  return ctl;
}
