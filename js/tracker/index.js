// ES module entry (npm): import { createTracker } from 'thermograph'.
import { createTracker as create } from './tracker.js';

export function createTracker(options = {}) {
  return create({ wasmUrl: new URL('./thermograph.wasm', import.meta.url).href, ...options });
}
