// Scroll reach and attention on the page's actual scroller: the window, or an inner container
// that fills most of the viewport (app shells with `body { overflow: hidden }`), found by watching
// which element scrolls. Other inner scrollers (carousels, code blocks) count as reactions only.
import { listen, EV_SCROLL, REACT_SCROLL } from './events.js';

export function start(ctx) {
  const root = document.scrollingElement || document.documentElement;
  let main = null;  // null: the window
  let pending = false;
  ctx.scroller = () => main;
  ctx.toPage = (x, y) => {
    if (!main) return { x: x + scrollX, y: y + scrollY };
    const r = main.getBoundingClientRect();
    return { x: x - r.left + main.scrollLeft, y: y - r.top + main.scrollTop };
  };
  const state = () => {
    // Reach is cumulative: reading the window of an app shell whose container has not
    // scrolled yet would record 100 % for good. Look for the container at the centre first.
    if (!main && root.scrollHeight <= innerHeight + 1) {
      for (let el = document.elementFromPoint(innerWidth / 2, innerHeight / 2); el && el !== root; el = el.parentElement)
        if (el.clientHeight >= innerHeight / 2 && el.scrollHeight > el.clientHeight + 1) { main = el; break; }
    }
    return main
    ? [main.scrollTop, main.clientHeight, main.scrollHeight]
    : [scrollY, innerHeight, Math.max(root.scrollHeight, innerHeight)];
  };
  ctx.sendScroll = () => ctx.push(EV_SCROLL, ...state());
  const sample = () => {
    pending = false;
    ctx.sendScroll();
  };
  const onScroll = (e) => {
    const el = e.target;
    if (el && el.nodeType === 1 && el !== root && el !== document.body) {
      const windowScrolls = root.scrollHeight > innerHeight + 1;
      if (el !== main && !windowScrolls && el.clientHeight >= innerHeight / 2 && el.scrollHeight > el.clientHeight) {
        main = el;
      }
      if (el !== main) return ctx.react(REACT_SCROLL);
    }
    ctx.react(REACT_SCROLL);
    if (!pending) {
      pending = true;
      requestAnimationFrame(ctx.guard(sample));
    }
  };
  const stops = [listen(ctx, document, 'scroll', onScroll), listen(ctx, window, 'resize', () => ctx.sendScroll())];
  return () => stops.forEach((s) => s());
}
