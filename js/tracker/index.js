// ES module entry (npm): import { createTracker } from 'thermograph'.
import { createTracker as create } from './tracker.js';

export function createTracker(options = {}) {
  const url = (f) => new URL(f, import.meta.url).href;
  return create({ wasmUrl: url('./thermograph.wasm'), overlayUrl: url('./thermograph-overlay.mjs'), ...options });
}
