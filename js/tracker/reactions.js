// What makes a click "alive": DOM mutations, selection and focus changes (scroll is in scroll.js),
// uncaught errors (error clicks) and layout shifts (accidental clicks right
// after one).
import { EV_ERROR, EV_INPUT, REACT_FOCUS, REACT_MUTATION, REACT_SELECTION } from 'thermograph-constants';
import { listen, now } from './events.js';

export function start(ctx) {
  if (window.MutationObserver) {
    // Mutations matter only shortly after a click: react() records nothing otherwise.
    const mo = new MutationObserver(ctx.guard(() => ctx.react(REACT_MUTATION)));
    ctx.docs.push((d) => mo.observe(d, { subtree: true, childList: true, attributes: true, characterData: true }));
    ctx.observesMutations = true;
    ctx.undo(() => mo.disconnect());
  }
  // A click's own mousedown collapses the selection (selectionchange right after the click):
  // only a real selection is a reaction, or no click on plain content could ever be dead.
  listen(ctx, 'selectionchange', () => getSelection().isCollapsed || ctx.react(REACT_SELECTION));
  listen(ctx, 'focusin', () => ctx.react(REACT_FOCUS));
  listen(ctx, 'keydown', () => ctx.record(EV_INPUT));
  listen(ctx, 'error', (e) => { if (e instanceof ErrorEvent) ctx.record(EV_ERROR); }, window);
  listen(ctx, 'unhandledrejection', () => ctx.record(EV_ERROR), window);
  try {
    const po = new PerformanceObserver(ctx.guard((list) => {
      for (const s of list.getEntries()) if (!s.hadRecentInput && s.value > 0.01) ctx.lastShift = now();
    }));
    po.observe({ type: 'layout-shift', buffered: false });
    ctx.undo(() => po.disconnect());
  } catch (e) { /* no layout-shift support: nothing to filter */ }
}
