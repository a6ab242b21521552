// Scroll reach and attention on the page's actual scroller: the window, or an inner container
// that fills most of the viewport (app shells with `body { overflow: hidden }`), found by watching
// which element scrolls. Other inner scrollers (carousels, code blocks) count as reactions only.
import { EV_SCROLL, REACT_SCROLL } from 'thermograph-constants';
import { listen } from './events.js';
import { frameAt } from './element.js';

export function start(ctx) {
  const root = document.scrollingElement || document.documentElement;
  let main = null;  // null: the window
  // Could el be the main scroller? It scrolls and is at least half the viewport high.
  const fills = (el, slack) => el.clientHeight >= innerHeight / 2 && el.scrollHeight > el.clientHeight + slack;
  const windowScrolls = () => root.scrollHeight > innerHeight + 1;
  // A viewport position of the event's window `w` on the page (in the viewport when `fixed`).
  // `page`: the event's own pageX/pageY when it has them (the window scroller's page
  // coordinates, computed by the browser: reading scrollX/scrollY here could force a layout).
  ctx.toPage = (x, y, w, page, fixed) => {
    // A same-origin frame's event: where its viewport sits in this one (nested frames add up).
    if (w !== window) [x, y] = frameAt(w, x, y);  // no array per sample of the page's own
    if (fixed) return { x, y };
    if (!main) return (w === window && page) || { x: x + scrollX, y: y + scrollY };
    const r = main.getBoundingClientRect();
    return { x: x - r.left + main.scrollLeft, y: y - r.top + main.scrollTop };
  };
  ctx.sendScroll = () => {
    // Reach is cumulative: reading the window of an app shell whose container has not
    // scrolled yet would record 100 % for good. Look for the container at the centre first.
    if (!main && !windowScrolls()) {
      for (let el = document.elementFromPoint(innerWidth / 2, innerHeight / 2); el && el !== root; el = el.parentElement)
        if (fills(el, 1)) { main = el; break; }
    }
    // The document height as the page reports it: the wasm takes the larger of it and the
    // viewport height itself (Tracker::on_scroll).
    ctx.record(EV_SCROLL, ...(main
      ? [main.scrollTop, main.clientHeight, main.scrollHeight]
      : [scrollY, innerHeight, root.scrollHeight]));
  };
  listen(ctx, 'scroll', (e) => {
    const el = e.target;
    ctx.still = 0;  // any scroller: a swipe now moved something (swipe.js)
    if (el.ownerDocument === document && el !== root && el !== document.body) {
      if (el !== main && !windowScrolls() && fills(el, 0)) main = el;
      if (el !== main) return ctx.react(REACT_SCROLL);
      ctx.resample();  // the window's own scroll changes pageY instead
    }
    ctx.react(REACT_SCROLL);
    // A sample per event: browsers fire `scroll` at most once per frame and target (the HTML
    // event loop's scroll steps), so no throttle of ours is needed (a 16 ms timer per burst was).
    ctx.sendScroll();
  });
  listen(ctx, 'resize', () => ctx.sendScroll(), window);
}
