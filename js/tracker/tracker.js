// createTracker: wires the event sources to the wasm core and the transport.
// Every handler runs through guard(): an exception or wasm trap stops the tracker for this page
// view and never reaches the host page.
import {
  CLICK_FIXED, CLICK_INTERACTIVE, DEVICE_MOUSE, DEVICE_TOUCH, EV_CLICK, EV_GOAL, EV_REACTION, EVENT_CAPACITY, EVENT_SLOTS, FIELD_PAGE,
  FIELD_SITE, FIELD_TAG, FIELD_VARIANT, NUM_DEVICE, NUM_LOGGED_IN, NUM_SECOND_TAG, NUM_VERSION, REFUSED_PII,
} from 'thermograph-constants';
import { isLabel, listen, log, now, VERSION } from './events.js';
import { loadModule } from './wasm.js';
import { target, selector, isInteractive, isExcluded, isFixed } from './element.js';
import { createTransport, endpointUrl } from './transport.js';
import * as pointer from './pointer.js';
import * as click from './click.js';
import * as scroll from './scroll.js';
import * as reactions from './reactions.js';
import * as lifecycle from './lifecycle.js';

const MAX_QUEUED = 4096;
const REACTION_WINDOW_MS = 3000;

// thresholds(options, setNumber): sets the detection thresholds (thresholds.js; npm entry only).
export function createTracker(options = {}, thresholds) {
  const o = options;
  let mod = null, running = false, failed = false, stops = [], queue = [], cache = new WeakMap();
  let device = 0, consent = o.consent !== 'required';
  let variant = o.variant || '', loggedIn = !!o.loggedIn, secondTag = 0;
  // `tags: {plan: 'pro'}` sets a tag; `tags: {plan: ['free', 'pro']}` allows only those values.
  const declared = o.tags || {}, tags = Object.entries(declared);
  const send = o.transport || createTransport(endpointUrl(o.endpoint || '/'));
  const goals = o.goals || {};

  const ctx = {
    // Also pageStart (set by beginPageView before any event is handled), observesMutations
    // (reactions.js), toPage and sendScroll (scroll.js), pointerDown (click.js), docs and watchDoc (start),
    // expose (exposure.js), still (swipe.js, scroll.js).
    lastShift: -1e9, lastClick: -1e9,
    // Every guarded fn is an arrow function: no `this` to pass on.
    // One argument: every guarded function is an event handler or a callback of one (no rest
    // array per pointer event on the hot path).
    guard: (fn) => (arg) => {
      if (!running) return;
      try { return fn(arg); } catch (e) { fail(e); }
    },
    // Registers what stop() must undo (listeners, observers, patches); undone last first.
    undo: (fn) => stops.push(fn),
    sig() {},  // js/survey/trigger.js replaces it on sites with surveys
    resample() {},  // pointer.js replaces it
    drain: () => mod && drain(),
    record(type, a = 0, b = 0, c = 0, d = 0, e = 0, f = 0) {
      if (queue.length >= MAX_QUEUED) return;
      queue.push([type, now(), a, b, c, d, e, f]);
      if (mod && queue.length >= 128) drain();
    },
    react(kind) {
      if (now() - ctx.lastClick < REACTION_WINDOW_MS) ctx.record(EV_REACTION, kind);
    },
    device(d) {
      if (d !== device && mod) mod.setNumber(NUM_DEVICE, d);
      device = d;
    },
    // The element a pointer event is about, once per element and page view; null when there is
    // none or it is in an exclusion zone (no pointer data there).
    describe(node) {
      // Cached by the raw event target too: a pointer resting on one node costs one lookup per
      // frame, not a closest() selector match up the ancestors.
      let info = node && cache.get(node);
      if (!info) {
        const el = target(node);
        if (!el) return null;
        info = cache.get(el) || (isExcluded(el) ? { excluded: true }
          : { el, sel: selector(el), flags: (isFixed(el) ? CLICK_FIXED : 0) | (isInteractive(el) ? CLICK_INTERACTIVE : 0) });
        cache.set(el, info);
        cache.set(node, info);
      }
      return info.excluded ? null : info;
    },
    isGoal: (el) => (goals.clicks || []).some((s) => el.closest(s)),
    sendDeltas(final) {
      if (!mod) return;
      ctx.sendScroll();  // the first reach is read here, not at begin (see beginPageView)
      ctx.expose(final);
      drain();
      const bytes = mod.takeReport(now(), final);
      if (bytes) send(bytes);
    },
    beginPageView() {
      cache = new WeakMap();
      ctx.resample();
      ctx.pageStart = now();
      // No reach yet: an async script can run before the document is parsed, and a document
      // shorter than the viewport would record 100 % reach for good.
      queue.push([0, ctx.pageStart, location.origin + '\0' + location.pathname + location.search]);
      if ((goals.pages || []).some((p) => location.pathname.startsWith(p))) ctx.record(EV_GOAL);
      if (mod) drain();
    },
  };

  function fail(e) {
    if (failed) return;
    failed = true;
    log('stopped (' + (e && e.message) + ')');
    stop(false);
  }

  function applySegment() {
    mod.setString(FIELD_SITE, o.site || '');
    setVariant();
    mod.setNumber(NUM_LOGGED_IN, loggedIn);  // a boolean: 1 or 0 as the wasm's double
    mod.setNumber(NUM_SECOND_TAG, secondTag);
    mod.setNumber(NUM_VERSION, VERSION);
    mod.setNumber(NUM_DEVICE, device);
    for (const [k, v] of tags) Array.isArray(v) || setTag(k, v);
    if (thresholds) thresholds(o, mod.setNumber);
  }

  // Tag parts and variants must be labels; a declared tag's value one of its allowed values.
  // Refusals name the rule, never the value: it may be the personal data.
  function setTag(k, v) {
    const only = declared[k];
    const why = !(isLabel(k) && isLabel(v)) ? 'not a label' : Array.isArray(only) && !only.includes(v) ? 'not allowed' : setField(FIELD_TAG, k + '\0' + v);
    why && log('tag refused (' + why + ')');
  }
  function setVariant() {
    const why = variant && !isLabel(variant) ? 'not a label' : setField(FIELD_VARIANT, variant);
    why && (setField(FIELD_VARIANT, ''), log('variant refused (' + why + ')'));
  }
  // The wasm's answer (src/wasm/visitor.h): 0, or why it refused: a size limit or the PII rule,
  // by its number (PiiRule, src/core/pii.h; docs/configuration.md lists them): no name table in
  // what every visitor downloads.
  function setField(field, value) {
    const r = mod ? mod.setString(field, String(value)) : 0;
    return r && (r < REFUSED_PII ? 'size limit' : 'PII ' + (r - REFUSED_PII));
  }

  // Moves queued events into the wasm buffer in batches: one boundary crossing per batch.
  function drain() {
    let buf, n = 0, signals = 0;  // survey triggers the wasm raised (Signal in src/core/tracker.h)
    const batch = () => {
      if (n) signals |= mod.applyEvents(n);
      buf = mod.eventView();
      n = 0;
    };
    batch();
    for (const ev of queue) {
      if (!ev[0]) {  // type 0: a page view begins (event types start at 1)
        batch();
        signals = 0;  // a new page view: its own prompt, nothing of the last one's
        ctx.sig();
        mod.setString(FIELD_PAGE, ev[2]);
        // Tracker::begin takes the larger of document and viewport height itself.
        mod.begin(ev[1], innerWidth, innerHeight, document.documentElement.scrollHeight);
        continue;
      }
      const info = ev[4];  // an element: its key is computed once, and only once wasm is here
      if (typeof info === 'object') ev[4] = info.k || (info.k = info.sel ? mod.elementKey(info.sel) : 0);
      buf.set(ev, n * EVENT_SLOTS);
      if (++n === EVENT_CAPACITY) batch();
    }
    batch();
    queue = [];
    // The first configured survey whose trigger was raised (bit i: `on` starts with the i-th letter
    // of "rdeg"), at most one prompt per page view; the widget is fetched only then. The element is
    // read now: later clicks would replace it.
    // Micro-surveys (js/survey/trigger.js): what this drain raised.
    ctx.sig(signals, mod.signalKey());
  }

  function start() {
    if (running || failed || !consent) return;
    running = true;
    try {
      device = matchMedia('(pointer: coarse)').matches ? DEVICE_TOUCH : DEVICE_MOUSE;
      ctx.docs = [];  // this run's registrations only: a restart must not add the last run's again
      scroll.start(ctx);
      click.start(ctx);
      pointer.start(ctx);
      reactions.start(ctx);
      // Exposure, form fields and dead swipes: a chunk of their own, only when the site asks.
      ctx.expose = () => {};
      o.signals && import(o.signalsUrl).then(ctx.guard((m) => m.start(ctx, o)), log);
      // Micro-surveys' triggers: a chunk that fetches the widget itself only when one fires.
      o.surveys && import(o.surveyUrl).then(ctx.guard((m) => m.start(ctx, o)), log);
      lifecycle.start(ctx, o.flushIntervalMs || 30000);
      // The page's document and every same-origin frame's, present now or loaded later (nested
      // too; cross-origin frames have no document here: a site installs the tracker inside them).
      // A document seen twice (its frame's load after this walk) adds nothing: the browser ignores
      // a repeated addEventListener and MutationObserver.observe. Loads of elements without a
      // contentDocument (images, scripts) find nothing to observe.
      const observe = ctx.watchDoc = (d) => {
        if (!d) return;
        for (const on of ctx.docs) on(d);
        for (const f of d.querySelectorAll('iframe')) observe(f.contentDocument);
      };
      listen(ctx, 'load', (e) => observe(e.target.contentDocument));
      observe(document);
      ctx.beginPageView();
    } catch (e) { fail(e); }
  }

  function stop(flushFirst) {
    if (!running) return;
    if (flushFirst) try { ctx.sendDeltas(true); } catch (e) { /* already stopping */ }
    running = false;
    for (const s of stops.reverse()) try { s(); } catch (e) { /* keep stopping the rest */ }
    stops = [];
    queue = [];
  }

  const ready = (async () => {
    try {
      mod = await loadModule(o.wasmUrl);
    } catch (e) {
      running = false;
      return log('off (' + e.message + ')');  // the cause, named by loadModule
    }
    try {
      applySegment();
      if (running) drain();
    } catch (e) { fail(e); }
  })();

  // window.doNotTrack was IE's and old Edge's: no browser that runs the visitor module has it.
  const optedOut = navigator.globalPrivacyControl === true || navigator.doNotTrack === '1';
  if (o.respectDnt === false || !optedOut) start();

  // The designer's overlay is a separate chunk, fetched only here: never imported statically.
  // Opening it ends this page view unsent: a designer reading heat is not a visitor.
  const overlay = (opts) => (stop(false), import(o.overlayUrl))
    .then((m) => m.toggle({ endpoint: o.endpoint, site: o.site, ...opts }));
  // Designer triggers work even when tracking is off (a designer may send Do Not Track). No
  // keyboard shortcut: a listener on every visitor's keys for a designer's convenience cost 30 B
  // gzip; #thermograph, a bookmarklet and thermograph('overlay') need none.
  const hash = () => location.hash === '#thermograph' && overlay().catch(log);
  addEventListener('hashchange', hash);
  hash();
  return {
    ready,
    tag(k, v) { tags.push([k, v]); setTag(k, v); },
    variant(v) { variant = v; setVariant(); },
    loggedIn(v) { loggedIn = !!v; if (mod) mod.setNumber(NUM_LOGGED_IN, loggedIn); },
    // Sent by a second script tag on this page (auto.js): reported with every page view after.
    secondTag() { secondTag = 1; if (mod) mod.setNumber(NUM_SECOND_TAG, 1); },
    consent(v) { consent = !!v; v ? start() : stop(false); },
    goal() { ctx.record(EV_GOAL); },
    flush: ctx.guard(() => ctx.sendDeltas(false)),
    start() { consent = true; start(); },
    stop() { stop(true); },
    get running() { return running; },
    overlay,
  };
}
