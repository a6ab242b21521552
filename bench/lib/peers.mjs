// Where each peer's visitor script lives, and the one we have to build (PostHog's slim bundle).
import { build } from 'esbuild';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { ROOT, CACHE } from './common.mjs';

const nm = (p) => path.join(ROOT, 'node_modules', p);

export const PEER_FILES = {
  clarity: nm('clarity-js/build/clarity.min.js'),
  posthogArray: nm('posthog-js/dist/array.js'),
  rrweb: nm('@rrweb/record/dist/record.umd.min.cjs'),
  simpleheat: nm('simpleheat/simpleheat.js'),
  heatmapjs: nm('heatmap.js/build/heatmap.min.js'),
};

// Bundles bench/peers/posthog-heatmaps.mjs once per posthog-js install (same esbuild settings as
// our own dist build, so minification is not what differs).
export async function posthogBundle() {
  const out = path.join(CACHE, 'posthog-heatmaps.js');
  const pkg = nm('posthog-js/package.json');
  if (existsSync(out) && statSync(out).mtimeMs > statSync(pkg).mtimeMs) return out;
  mkdirSync(CACHE, { recursive: true });
  await build({
    entryPoints: [path.join(ROOT, 'bench/peers/posthog-heatmaps.mjs')], bundle: true, minify: true,
    format: 'iife', target: 'es2020', legalComments: 'none', logLevel: 'warning', outfile: out,
  });
  return out;
}
