// The published types, as TypeScript users resolve them: the packed tarball installed into a
// scratch app, type-checked by `tsc` under moduleResolution bundler, node16 and nodenext, in ES
// module and CommonJS apps. Each app also misuses the API once under @ts-expect-error, so a
// package whose types failed to resolve (an implicit `any`) fails too.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { NODE_MODULES, cleanup, pack, scratchApp } from './helpers.mjs';

const USE = `import { createTracker, type Tracker, type TrackerOptions } from 'thermograph';
const options: TrackerOptions = { endpoint: 'https://collect.example.com', site: 'SITE_KEY', tags: { plan: 'pro' } };
const tracker: Tracker = createTracker(options);
tracker.tag('plan', 'pro');
const ready: Promise<void> = tracker.ready;
const running: boolean = tracker.running;
// @ts-expect-error endpoint is a string
createTracker({ endpoint: 42 });
export { ready, running };
`;

const APPS = {
  'bundler (ESM)': { type: 'module', compilerOptions: { module: 'esnext', moduleResolution: 'bundler' } },
  'node16 (ESM)': { type: 'module', compilerOptions: { module: 'node16', moduleResolution: 'node16' } },
  'node16 (CommonJS)': { type: 'commonjs', compilerOptions: { module: 'node16', moduleResolution: 'node16' } },
  'nodenext (ESM)': { type: 'module', compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext' } },
  'nodenext (CommonJS)': { type: 'commonjs', compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext' } },
};
const folder = (name) => name.replace(/\W+/g, '-');

let app;
before(() => {
  const files = {};
  for (const [name, { type, compilerOptions }] of Object.entries(APPS)) {
    const dir = folder(name);
    files[`${dir}/package.json`] = JSON.stringify({ name: dir, private: true, type });
    files[`${dir}/tsconfig.json`] = JSON.stringify({
      compilerOptions: { target: 'es2022', strict: true, noEmit: true, skipLibCheck: false, types: [], ...compilerOptions },
      files: ['app.ts'],
    });
    files[`${dir}/app.ts`] = USE;
  }
  app = scratchApp(pack().tarball, files);
});
after(cleanup);

for (const name of Object.keys(APPS)) {
  test(`tsc, ${name}`, () => {
    const r = spawnSync(path.join(NODE_MODULES, '.bin/tsc'), ['-p', path.join(app, folder(name))], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });
}
