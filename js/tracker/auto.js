// Script-tag entry: <script async src=".../thermograph.min.js" data-endpoint=... data-site=...>.
// Replays commands queued by the stub `thermograph(...)` before this file loaded.
import { createTracker } from './tracker.js';
import { log } from './events.js';

(() => {
  try {
    const w = window, prev = w.thermograph;
    // A second tag is ignored; the first one reports that there was one (data-health audit).
    if (prev && prev.loaded) return prev('secondTag'), log('second tag ignored');
    const script = document.currentScript || {};  // none when run as a module
    const d = script.dataset || {};
    // A file next to this script, thermograph<f>: its last path segment (and query, fragment) replaced.
    const near = (f) => (script.src || '').replace(/[^/?#]*([?#].*)?$/, 'thermograph' + f);
    const list = (s) => (s ? s.split(',') : []);
    const tracker = createTracker({
      endpoint: d.endpoint, site: d.site, variant: d.variant, loggedIn: d.loggedIn === 'true',
      consent: d.consent, respectDnt: d.respectDnt !== 'false', wasmUrl: d.wasm || near('.wasm'),
      overlayUrl: d.overlay || near('-overlay.mjs'), surveyUrl: near('-survey.mjs'),
      signals: d.signals != null, signalsUrl: d.signals || near('-signals.mjs'),
      goals: { clicks: list(d.goalClicks), pages: list(d.goalPages) }, tags: d.tags && JSON.parse(d.tags),
      surveys: d.surveys && JSON.parse(d.surveys),
    });
    const run = (cmd, ...args) => {
      try {
        if (typeof tracker[cmd] === 'function') return tracker[cmd](...args);
        log('unknown command ' + cmd);
      } catch (e) { /* never throw into the page */ }
    };
    run.loaded = true;
    w.thermograph = run;
    for (const args of (prev && prev.q) || []) run(...args);
  } catch (e) { /* never throw into the page */ }
})();
