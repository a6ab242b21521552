// The visitor module's exports under their source names: the build renames tg_* exports to
// letters (scripts/wasm-exports.cjs writes the map beside the wasm); tests call them by name.
import { readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(new URL('../..', import.meta.url).pathname);
const MAP = JSON.parse(readFileSync(path.join(ROOT, process.env.THERMOGRAPH_WASM_DIR || 'build-wasm', 'thermograph.exports.json'), 'utf8'));

export const named = (exports) => new Proxy(exports, { get: (x, name) => x[MAP[name] ?? name] });
