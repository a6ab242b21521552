// Script-tag entry: <script async src=".../thermograph.min.js" data-endpoint=... data-site=...>.
// Replays commands queued by the stub `thermograph(...)` before this file loaded.
import { createTracker } from './tracker.js';
import { log } from './events.js';

(() => {
  try {
    const w = window, prev = w.thermograph;
    if (prev && prev.loaded) return log('a second tag on this page was ignored');
    const script = document.currentScript;
    const d = (script && script.dataset) || {};
    const base = script && script.src ? script.src.replace(/[^/?#]*([?#].*)?$/, '') : '';
    const list = (s) => (s ? s.split(',') : []);
    const tracker = createTracker({
      endpoint: d.endpoint, site: d.site, variant: d.variant, loggedIn: d.loggedIn === 'true',
      consent: d.consent, respectDnt: d.respectDnt !== 'false', wasmUrl: d.wasm || base + 'thermograph.wasm',
      overlayUrl: d.overlay || base + 'thermograph-overlay.mjs',
      goals: { clicks: list(d.goalClicks), pages: list(d.goalPages) },
    });
    const run = (cmd, ...args) => {
      try {
        if (typeof tracker[cmd] === 'function') return tracker[cmd](...args);
        log('unknown command "' + cmd + '"');
      } catch (e) { /* never throw into the page */ }
    };
    run.loaded = true;
    w.thermograph = run;
    for (const args of (prev && prev.q) || []) run(...args);
  } catch (e) { /* never throw into the page */ }
})();
