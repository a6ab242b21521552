// npm entry, built twice: dist/thermograph.mjs (ES module) and dist/thermograph.cjs (CommonJS).
// import { createTracker } from 'thermograph'
//
// The four `new URL('./…', import.meta.url)` literals below are how bundlers find the files this
// module needs: Vite, webpack 5 and Rollup (with @web/rollup-plugin-import-meta-assets) emit
// thermograph.wasm, thermograph-overlay.mjs, thermograph-survey.mjs and thermograph-signals.mjs as assets and rewrite the
// URLs. Keep them literal.
// Where import.meta is empty (esbuild's IIFE or CommonJS output) the files are looked for next to
// the script this code was bundled into, else next to the page.
//
// Never throws into the host page: in Node (server-side rendering) or anything without a DOM,
// createTracker returns a tracker that does nothing; any failure while creating one is logged once
// and gives that same inert tracker; every method is guarded.
import { createTracker as create } from './tracker.js';
import { setThresholds } from './thresholds.js';
import { log } from './events.js';

let here;  // the bundle's own URL: document.currentScript is only set while it is evaluated
try { here = document.currentScript.src; } catch (e) { /* an ES module, or no DOM */ }

const near = (file, url) => {
  try { return url().href; } catch (e) { return new URL(file, here || location.href).href; }
};

const METHODS = ['tag', 'variant', 'loggedIn', 'consent', 'goal', 'flush', 'start', 'stop'];

function inert() {
  const t = { ready: Promise.resolve(), running: false, overlay: () => Promise.resolve(null) };
  for (const m of METHODS) t[m] = () => {};
  return t;
}

export function createTracker(options = {}) {
  if (typeof window === 'undefined' || typeof document === 'undefined') return inert();
  let t;
  try {
    t = create({
      wasmUrl: near('thermograph.wasm', () => new URL('./thermograph.wasm', import.meta.url)),
      overlayUrl: near('thermograph-overlay.mjs', () => new URL('./thermograph-overlay.mjs', import.meta.url)),
      surveyUrl: near('thermograph-survey.mjs', () => new URL('./thermograph-survey.mjs', import.meta.url)),
      surveyWidgetUrl: near('thermograph-survey-widget.mjs', () => new URL('./thermograph-survey-widget.mjs', import.meta.url)),
      signalsUrl: near('thermograph-signals.mjs', () => new URL('./thermograph-signals.mjs', import.meta.url)),
      ...options,
    }, setThresholds);
  } catch (e) {
    log('off (' + (e && e.message) + ')');
    return inert();
  }
  const api = {
    ready: t.ready,
    get running() { return t.running; },
    overlay: (opts) => {
      try { return t.overlay(opts); } catch (e) { return Promise.reject(e); }
    },
  };
  for (const m of METHODS) {
    api[m] = (...args) => {
      try { t[m](...args); } catch (e) { log(m + ' failed (' + (e && e.message) + ')'); }
    };
  }
  return api;
}
