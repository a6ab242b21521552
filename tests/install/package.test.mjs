// The package is complete and its docs are true: what `npm pack` ships, every `exports` target,
// the license, a prepack that builds, and the CDN snippet (version and SRI hash equal to the build,
// and the snippet's attributes accepted by Chromium from another origin, a tampered file refused).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { launch } from '../browser/harness.mjs';
import { stale } from '../../scripts/cdn-snippet.mjs';
import { PKG, ROOT, cleanup, pack, serveDir, watch } from './helpers.mjs';

let packed;
before(() => { packed = pack(); });
after(cleanup);

test('the tarball ships the built files, the types, the license and the docs', () => {
  const want = ['LICENSE', 'README.md', 'package.json', 'docs/install.md', 'dist/thermograph.mjs', 'dist/thermograph.cjs',
    'dist/thermograph.min.js', 'dist/thermograph.wasm', 'dist/thermograph-overlay.mjs', 'dist/thermograph-survey.mjs', 'dist/thermograph-survey-widget.mjs', 'dist/thermograph-signals.mjs', 'dist/thermograph.d.ts',
    'dist/thermograph.d.cts', 'dist/sri.json'];
  assert.deepEqual([...packed.files].sort(), [...want].sort());
});

test('every exports target is in the tarball; import, require and types for the root', () => {
  const targets = [];
  const walk = (v) => (typeof v === 'string' ? targets.push(v) : Object.values(v).forEach(walk));
  walk(PKG.exports);
  for (const t of targets) assert.ok(packed.files.includes(t.replace(/^\.\//, '')), t);
  const root = PKG.exports['.'];
  assert.equal(root.import.types, './dist/thermograph.d.ts');
  assert.equal(root.import.default, './dist/thermograph.mjs');
  assert.equal(root.require.types, './dist/thermograph.d.cts');
  assert.equal(root.require.default, './dist/thermograph.cjs');
  assert.ok(PKG.exports['./thermograph.wasm'] && PKG.exports['./thermograph-overlay.mjs'] && PKG.exports['./thermograph-survey.mjs'] && PKG.exports['./thermograph-survey-widget.mjs'] && PKG.exports['./thermograph-signals.mjs']);
});

test('LICENSE is MIT, as package.json says', () => {
  assert.equal(PKG.license, 'MIT');
  const text = readFileSync(path.join(ROOT, 'LICENSE'), 'utf8');
  assert.match(text, /^MIT License\n\nCopyright \(c\) 2026 Thermograph contributors\n/);
  assert.match(text, /THE SOFTWARE IS PROVIDED "AS IS"/);
});

test('prepack builds what the package ships', () => {
  assert.equal(PKG.scripts.prepack, 'bash scripts/bootstrap.sh');
  assert.match(readFileSync(path.join(ROOT, 'scripts/bootstrap.sh'), 'utf8'), /node scripts\/build-js\.mjs/);
});

test('the npm entry keeps the literal new URL(..., import.meta.url) bundlers look for', () => {
  const mjs = readFileSync(path.join(ROOT, 'dist/thermograph.mjs'), 'utf8');
  assert.match(mjs, /new URL\("\.\/thermograph\.wasm",import\.meta\.url\)/);
  assert.match(mjs, /new URL\("\.\/thermograph-overlay\.mjs",import\.meta\.url\)/);
  assert.match(mjs, /import\(\/\* webpackIgnore: true \*\/ \/\* @vite-ignore \*\/ /);
});

test('README and docs/install.md: CDN snippet with this version and the built file\'s SRI hash', () => {
  assert.deepEqual(stale(), []);
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const sri = JSON.parse(readFileSync(path.join(ROOT, 'dist/sri.json'), 'utf8'));
  assert.ok(readme.includes(`https://cdn.jsdelivr.net/npm/thermograph@${PKG.version}/dist/thermograph.min.js"`));
  assert.ok(readme.includes(`integrity="${sri['thermograph.min.js']}" crossorigin="anonymous"`));
  assert.ok(!readme.includes('cdn.example.com'));
});

// The README's tag, its src pointed at a local stand-in for the CDN (another origin, CORS like
// jsDelivr): the browser checks the hash and the tracker finds the wasm next to the script.
test('the snippet runs from another origin with its integrity and crossorigin; a changed file is refused', async () => {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const tag = readme.match(/<script async src="https:\/\/cdn\.jsdelivr\.net[^>]*><\/script>/)[0];
  const minjs = readFileSync(path.join(ROOT, 'dist/thermograph.min.js'));
  let tampered = false;
  const cdn = await serveDir(path.join(ROOT, 'dist'), {
    headers: { 'access-control-allow-origin': '*' },
    override: (p) => (tampered && p === '/thermograph.min.js' ? { type: 'text/javascript', body: Buffer.concat([minjs, Buffer.from(';')]) } : undefined),
  });
  const local = tag.replace(/https:\/\/cdn\.jsdelivr\.net\/npm\/thermograph@[^/]+\/dist\//, cdn.origin + '/')
    .replace('https://collect.example.com', '/');
  const site = await serveDir(ROOT, { override: (p) => (p === '/' ? { body: `<!doctype html><body>${local}</body>` } : undefined) });
  const browser = await launch();
  try {
    for (const t of [false, true]) {
      tampered = t;
      const page = await browser.newPage();
      const seen = watch(page);
      await page.goto(site.origin + '/');
      if (!t) {
        await page.waitForFunction(() => window.thermograph && window.thermograph.loaded);
        await page.waitForFunction(() => performance.getEntriesByType('resource').some((e) => e.name.endsWith('/thermograph.wasm') && e.responseEnd > 0));
        await page.waitForTimeout(300);
        assert.deepEqual([seen.errors, seen.thermograph()], [[], []]);
      } else {
        await page.waitForTimeout(1000);
        assert.equal(await page.evaluate(() => !!window.thermograph), false, 'a file that fails its integrity check never runs');
        assert.ok(seen.lines.some((l) => /integrity/i.test(l)), seen.lines.join('\n'));
      }
      await page.close();
    }
  } finally {
    await browser.close();
    await cdn.close();
    await site.close();
  }
});
