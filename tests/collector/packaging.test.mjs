// Packaging, as far as this machine allows: `cmake --install` puts the collector on PATH with its
// systemd unit (checked by systemd-analyze and by running the unit's command line); the
// Dockerfile's runtime image holds every shared library the binary links, and its command line
// is valid. Not tested here: building or running the image (no Docker daemon), starting the unit
// under systemd (no systemd as PID 1).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';

import { collectorBin, request } from './helpers.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const build = path.dirname(path.dirname(path.dirname(collectorBin)));
let prefix;
before(() => { prefix = mkdtempSync(path.join(tmpdir(), 'tg-install-')); });
after(() => rmSync(prefix, { recursive: true, force: true }));

// Runs `argv` until it listens, checks /healthz, stops it with SIGTERM; returns the exit code.
async function serveOnce(argv) {
  const proc = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  const exited = new Promise((r) => proc.on('exit', (code) => r(code)));
  try {
    const port = await new Promise((resolve, reject) => {
      proc.stderr.on('data', (d) => {
        stderr += d;
        const m = /listening on http:\/\/[^:]+:(\d+)/.exec(stderr);
        if (m) resolve(Number(m[1]));
      });
      proc.on('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
    });
    assert.equal((await request(`http://127.0.0.1:${port}/healthz`)).status, 200);
  } finally {
    proc.kill('SIGTERM');
  }
  return exited;
}

// The serve command with its --db moved into `dir` and a free port.
function localized(args, dir) {
  return args.map((a) => (a.endsWith('.sqlite') ? path.join(dir, path.basename(a)) : a))
    .map((a, i, all) => (all[i - 1] === '--port' ? '0' : a));
}

test('cmake --install: the collector on PATH and a valid systemd unit', async (t) => {
  const r = spawnSync('cmake', ['--install', build, '--prefix', prefix], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const bin = path.join(prefix, 'bin/thermograph-collector');
  assert.ok(existsSync(bin));
  const onPath = spawnSync('thermograph-collector', ['--version'], { encoding: 'utf8', env: { PATH: `${path.join(prefix, 'bin')}:/usr/bin:/bin` } });
  assert.equal(onPath.status, 0, onPath.stderr);
  assert.match(onPath.stdout, /^thermograph-collector \d+\.\d+\.\d+\n$/);

  const unitPath = path.join(prefix, 'lib/systemd/system/thermograph-collector.service');
  const unit = readFileSync(unitPath, 'utf8');
  const exec = /^ExecStart=(.*)$/m.exec(unit)[1].split(' ');
  assert.equal(exec[0], bin, 'the unit runs the installed binary');
  assert.equal(/^KillSignal=(.*)$/m.exec(unit)[1], 'SIGTERM');
  // The unit's own command line works and stops cleanly on its KillSignal.
  assert.equal(await serveOnce(localized(exec, prefix)), 0);
  // The unit's --db lives in its StateDirectory.
  const state = /^StateDirectory=(.*)$/m.exec(unit)[1];
  assert.ok(exec.includes(`/var/lib/${state}/thermograph.sqlite`));

  const analyze = spawnSync('systemd-analyze', ['verify', unitPath], { encoding: 'utf8' });
  if (analyze.error) return t.skip('systemd-analyze is not installed');
  assert.equal(analyze.status, 0, analyze.stderr);
  assert.equal(analyze.stderr.trim(), '', 'systemd-analyze warnings');
});

test('Dockerfile: the runtime image has every library the binary links; its command is valid', async () => {
  const docker = readFileSync(path.join(root, 'packaging/Dockerfile'), 'utf8');
  const stages = docker.split(/^FROM /m).slice(1);
  assert.equal(stages.length, 2);
  const installs = (stage) => [...stage.matchAll(/apt-get install -y --no-install-recommends([^&]*)/g)]
    .flatMap((m) => m[1].replace(/\\\n/g, ' ').trim().split(/\s+/));
  const runtime = new Set(installs(stages[1]));
  assert.match(stages[1], /^debian:12-slim/);
  // In debian:12-slim already (apt itself needs them).
  for (const p of ['libc6', 'libgcc-s1', 'libstdc++6']) runtime.add(p);
  const ldd = spawnSync('ldd', [collectorBin], { encoding: 'utf8' });
  assert.equal(ldd.status, 0);
  const libs = [...ldd.stdout.matchAll(/=> (\S+)/g)].map((m) => m[1]);
  assert.ok(libs.length >= 4, ldd.stdout);
  for (const lib of libs) {
    const owner = [lib, path.join('/usr', lib)].map((f) => spawnSync('dpkg', ['-S', f], { encoding: 'utf8' })).find((x) => x.status === 0);
    assert.ok(owner, `no package owns ${lib}`);
    const pkg = owner.stdout.split(':')[0];
    assert.ok(runtime.has(pkg), `${lib} comes from ${pkg}, which the runtime image does not install`);
  }
  // The build stage installs a subset of what this repository builds with (scripts/bootstrap.sh).
  const bootstrap = readFileSync(path.join(root, 'scripts/bootstrap.sh'), 'utf8');
  const known = new Set(/PACKAGES=\(([^)]*)\)/.exec(bootstrap)[1].split(/\s+/).filter(Boolean));
  for (const p of installs(stages[0])) assert.ok(known.has(p), `build stage installs ${p}, which bootstrap does not`);
  // ENTRYPOINT + CMD is a valid serve command (the container listens on every address).
  const entry = JSON.parse(/^ENTRYPOINT (.*)$/m.exec(docker)[1]);
  const cmd = JSON.parse(/^CMD (.*)$/m.exec(docker)[1]);
  assert.deepEqual(entry, ['thermograph-collector']);
  assert.ok(cmd.includes('0.0.0.0'));
  const dir = mkdtempSync(path.join(tmpdir(), 'tg-docker-cmd-'));
  try {
    assert.equal(await serveOnce([collectorBin, ...localized(cmd, dir)]), 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // The build context leaves build output and dependencies out.
  const ignore = readFileSync(path.join(root, '.dockerignore'), 'utf8').split('\n');
  for (const p of ['.git', 'node_modules', 'build', 'build-*', 'dist']) assert.ok(ignore.includes(p), p);
});
