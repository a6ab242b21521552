// The package imported where there is no DOM (server-side rendering: Next.js, SvelteKit, Nuxt
// render pages in Node), through `import` and through CommonJS `require`: importing never throws,
// and createTracker gives an inert tracker whose methods do nothing, silently.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cleanup, pack, scratchApp } from './helpers.mjs';

let app;
before(() => {
  app = scratchApp(pack().tarball, {
    'ssr.mjs': `import { createTracker } from 'thermograph';
const t = createTracker({ endpoint: 'https://collect.example.com', site: 'k' });
for (const m of ['tag', 'variant', 'loggedIn', 'consent', 'goal', 'flush', 'start', 'stop']) t[m]('a', 'b');
await t.ready;
console.log(JSON.stringify({ running: t.running, overlay: await t.overlay(), type: typeof createTracker }));
`,
    'ssr.cjs': `const { createTracker } = require('thermograph');
const t = createTracker();
t.tag('plan', 'pro'); t.flush(); t.stop();
t.ready.then(async () => console.log(JSON.stringify({ running: t.running, overlay: await t.overlay(), type: typeof createTracker })));
`,
    // A CommonJS module importing the package dynamically (what a CJS server bundle does).
    'dynamic.cjs': `import('thermograph').then(async ({ createTracker }) => {
  const t = createTracker();
  await t.ready;
  console.log(JSON.stringify({ running: t.running, overlay: await t.overlay(), type: typeof createTracker }));
});
`,
  });
});
after(cleanup);

const run = (file) => execFileSync(process.execPath, [file], { cwd: app, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const INERT = JSON.stringify({ running: false, overlay: null, type: 'function' }) + '\n';

test('import in Node without a DOM: an inert tracker, no output', () => {
  assert.equal(run('ssr.mjs'), INERT);
});

test('require() (CommonJS) in Node: the same', () => {
  assert.equal(run('ssr.cjs'), INERT);
});

test('import() from a CommonJS module: the same', () => {
  assert.equal(run('dynamic.cjs'), INERT);
});
