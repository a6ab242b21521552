// What makes a click "alive": DOM mutations, selection and focus changes (scroll is in scroll.js),
// uncaught errors (error clicks) and layout shifts (accidental clicks right after one).
import { listen, EV_ERROR, EV_INPUT, REACT_FOCUS, REACT_MUTATION, REACT_SELECTION } from './events.js';

const WATCH_MS = 3000;  // mutations matter only shortly after a click

export function start(ctx) {
  const stops = [];
  const on = (target, type, fn) => stops.push(listen(ctx, target, type, fn));
  if (window.MutationObserver) {
    const mo = new MutationObserver(ctx.guard(() => {
      if (ctx.now() - ctx.lastClick < WATCH_MS) ctx.react(REACT_MUTATION);
    }));
    mo.observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
    ctx.observesMutations = true;
    stops.push(() => mo.disconnect());
  }
  // A click's own mousedown collapses the selection (selectionchange right after the click):
  // only a real selection is a reaction, or no click on plain content could ever be dead.
  on(document, 'selectionchange', () => getSelection().isCollapsed || ctx.react(REACT_SELECTION));
  on(document, 'focusin', () => ctx.react(REACT_FOCUS));
  on(document, 'keydown', () => ctx.push(EV_INPUT));
  on(window, 'error', (e) => { if (e instanceof ErrorEvent) ctx.push(EV_ERROR); });
  on(window, 'unhandledrejection', () => ctx.push(EV_ERROR));
  try {
    const po = new PerformanceObserver(ctx.guard((list) => {
      for (const s of list.getEntries()) if (!s.hadRecentInput && s.value > 0.01) ctx.lastShift = ctx.now();
    }));
    po.observe({ type: 'layout-shift', buffered: false });
    stops.push(() => po.disconnect());
  } catch (e) { /* no layout-shift support: nothing to filter */ }
  return () => stops.forEach((s) => s());
}
