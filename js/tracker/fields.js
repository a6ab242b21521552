// Form fields: focus, change and submit, per field (its element key; values are never read).
// A submit credits the form's fields changed in this page view (the core counts a submit only on
// a changed field: changed, never submitted is an abandoned field). Fields in privacy zones
// (passwords, cc-*, excluded) are not described: nothing is recorded for them.
import { EV_FIELD, FIELD_CHANGE, FIELD_FOCUS, FIELD_SUBMIT } from 'thermograph-constants';
import { listen } from './events.js';
import { origin } from './element.js';

export function start(ctx) {
  // Only inputs, selects and textareas have `change` events, so only they are ever `changed`.
  const field = (kind, el, info = ctx.describe(el)) => {
    if (info && (kind < FIELD_SUBMIT || info.changed)) {
      info.changed ||= kind === FIELD_CHANGE;
      ctx.record(EV_FIELD, kind, 0, info, info.flags);
    }
  };
  listen(ctx, 'focusin', (e) => {
    // A page may dispatch its own events anywhere (on the document too): never assume a form or
    // an element, or the tracker would stop for the page view.
    (e = origin(e)).matches?.('input,select,textarea') && field(FIELD_FOCUS, e);
  });
  listen(ctx, 'change', (e) => field(FIELD_CHANGE, origin(e)));
  listen(ctx, 'submit', (e) => { for (const el of e.target.elements || []) field(FIELD_SUBMIT, el); });
}
