// Script-tag entry: <script async src=".../thermograph.min.js" data-endpoint=... data-site=...>.
// Replays commands queued by the stub `thermograph(...)` before this file loaded.
import { createTracker } from './tracker.js';

(() => {
  try {
    const w = window, prev = w.thermograph;
    if (prev && prev.loaded) {
      console.warn('thermograph: a second tag on this page was ignored');
      return;
    }
    const script = document.currentScript;
    const d = (script && script.dataset) || {};
    const base = script && script.src ? script.src.replace(/[^/?#]*([?#].*)?$/, '') : '';
    const tracker = createTracker({
      endpoint: d.endpoint, site: d.site, variant: d.variant, loggedIn: d.loggedIn === 'true',
      consent: d.consent, respectDnt: d.respectDnt !== 'false', wasmUrl: d.wasm || base + 'thermograph.wasm',
      overlayUrl: d.overlay || base + 'thermograph-overlay.mjs',
      goals: { clicks: d.goalClicks ? d.goalClicks.split(',') : [], pages: d.goalPages ? d.goalPages.split(',') : [] },
    });
    const run = (cmd, ...args) => {
      try {
        if (typeof tracker[cmd] === 'function') return tracker[cmd](...args);
        console.warn('thermograph: unknown command "' + cmd + '"');
      } catch (e) { /* never throw into the page */ }
    };
    const api = (...args) => run(...args);
    api.loaded = true;
    w.thermograph = api;
    for (const args of (prev && prev.q) || []) run(...args);
  } catch (e) { /* never throw into the page */ }
})();
