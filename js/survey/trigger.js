// Micro-survey triggers (dist/thermograph-survey.mjs): the tracker imports this small chunk when it
// starts on a site that configures `surveys`; the widget itself (dist/thermograph-survey-widget.mjs,
// js/survey/index.js) is fetched only when a prompt is shown, so visitors who are never asked never
// download it. Built with the tracker's property-name map (scripts/build-js.mjs): `ctx` reads the
// same here.
import { EV_CLICK, EV_GOAL, EV_REACTION } from 'thermograph-constants';
import { log } from '../tracker/events.js';

// The widget next to this chunk, unless the options name it (npm builds: js/tracker/index.js).
const widgetUrl = (o) => o.surveyWidgetUrl || new URL('./thermograph-survey-widget.mjs', import.meta.url).href;

export function start(ctx, o) {
  let asked = 0, widget, on = 1;  // this page view's prompt (a promise), 0 before it; the widget module
  // A survey's trigger is decided in the wasm: drain once a click's dead verdict is due (an
  // EV_REACTION of kind 0 only moves the wasm's clock), so a prompt need not wait for a flush.
  // A goal (a goal click, goal(), a goal page) drains as soon: the visitor has just finished.
  const record = ctx.record;
  // Stopped (consent withdrawn, stop(), the overlay opened): a prompt on screen goes, none comes
  // later, and a restart wraps the tracker's own record again, not this one.
  ctx.undo(() => { ctx.record = record; on = 0; widget?.close(); });
  ctx.record = (type, ...rest) => {
    record(type, ...rest);
    if (type === EV_CLICK || type === EV_GOAL) setTimeout(ctx.guard(() => (ctx.record(EV_REACTION), ctx.drain())), 2600);
  };
  // After every drain: the Signal bits the wasm raised (src/core/tracker.h) and the element of
  // the frustration click behind them; no arguments when a page view begins (its own prompt).
  ctx.sig = (signals, key) => {
    if (signals === undefined) return widget?.close(), (asked = 0);  // a page view begins
    // The first configured survey whose trigger was raised (bit i: `on` starts with the i-th
    // letter of "rdeg"), at most one prompt per page view.
    const q = !asked && signals && o.surveys.find((q) => signals >> 'rdeg'.indexOf(q.on?.[0]) & 1);
    if (q) asked = import(widgetUrl(o)).then((m) => on && (widget = m).ask(o, q, key)).then(() => on || widget?.close()).catch(log);
  };
}
