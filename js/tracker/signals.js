// The behaviour-signal sources that cost the visitor most bytes, in a chunk of their own
// (dist/thermograph-signals.mjs) that the tracker imports only when the site turns them on
// (`signals: true`, `data-signals`): exposure (IntersectionObserver), form fields and dead swipes.
// The core's other signals (hesitation, hovered without clicking, quick exits, excessive
// scrolling, thrashed cursor, exit elements) need no JS of their own and are always on.
// Built with the tracker's property-name map (scripts/build-js.mjs), so `ctx` reads the same here.
import * as exposure from './exposure.js';
import * as fields from './fields.js';
import * as swipe from './swipe.js';
import { EXPOSURE_MS } from 'thermograph-constants';

// `o`: the tracker's options (exposureMs).
export function start(ctx, o) {
  fields.start(ctx);
  swipe.start(ctx);
  exposure.start(ctx, o.exposureMs ?? EXPOSURE_MS);
  // The tracker registered its listeners on the documents it observes before this chunk came:
  // add this chunk's (the browser ignores the ones already there).
  ctx.watchDoc(document);
}
