// A real two-shard ClickHouse cluster for tests and benchmarks: two clickhouse-server processes
// on loopback, free ports, every file in a temporary folder. Nothing here asserts on time; the
// waits are bounded loops. Always `await cluster.stop()` in a finally / t.after.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const clickhouseBin = '/usr/sbin/clickhouse-server';

export function clickhouseAvailable() {
  return spawnSync(clickhouseBin, ['--version'], { encoding: 'utf8' }).status === 0;
}

// A port nobody listens on right now (the kernel picks it; closed again at once).
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// Plain HTTP to one ClickHouse instance: POST `sql`, returns { status, text }.
export function chQuery(httpPort, sql, { settings = '' } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: httpPort, method: 'POST', path: `/?${settings}`, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(sql);
  });
}

function configXml(dir, p, shards) {
  const replicas = shards
    .map((s) => `<shard><replica><host>127.0.0.1</host><port>${s.tcp}</port></replica></shard>`)
    .join('');
  return `<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>${dir}/server.log</log><errorlog>${dir}/error.log</errorlog><console>0</console></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>${p.http}</http_port>
  <tcp_port>${p.tcp}</tcp_port>
  <interserver_http_port>${p.inter}</interserver_http_port>
  <interserver_http_host>127.0.0.1</interserver_http_host>
  <max_connections>256</max_connections>
  <keep_alive_timeout>3</keep_alive_timeout>
  <max_concurrent_queries>64</max_concurrent_queries>
  <mark_cache_size>67108864</mark_cache_size>
  <uncompressed_cache_size>67108864</uncompressed_cache_size>
  <path>${dir}/data/</path>
  <tmp_path>${dir}/tmp/</tmp_path>
  <user_files_path>${dir}/user_files/</user_files_path>
  <format_schema_path>${dir}/format_schemas/</format_schema_path>
  <users_config>${dir}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <remote_servers><thermograph>${replicas}</thermograph></remote_servers>
</yandex>
`;
}

const usersXml = `<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>1000000000</max_memory_usage></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
`;

async function waitPing(httpPort, proc, log) {
  for (let i = 0; i < 400; i++) {
    if (proc.exitCode !== null) throw new Error(`clickhouse-server exited ${proc.exitCode}: ${log()}`);
    try {
      const r = await new Promise((resolve, reject) => {
        const req = http.get({ host: '127.0.0.1', port: httpPort, path: '/ping', agent: false }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode));
        });
        req.on('error', reject);
      });
      if (r === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`clickhouse-server on ${httpPort} did not answer /ping: ${log()}`);
}

// Starts `shardCount` servers that all know the cluster `thermograph` (one shard each).
// Returns { shards: [{ http, tcp, proc, kill(), start() }], url(db), stop() }. A free port can be
// taken by someone else before the server binds it (it then exits 70): up to 3 tries, new ports.
export async function startCluster(shardCount = 2) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startClusterOnce(shardCount);
    } catch (e) {
      if (attempt >= 3) throw e;
    }
  }
}

async function startClusterOnce(shardCount) {
  const root = mkdtempSync(path.join(tmpdir(), 'tg-clickhouse-'));
  const shards = [];
  for (let i = 0; i < shardCount; i++) shards.push({ http: await freePort(), tcp: await freePort(), inter: await freePort(), dir: path.join(root, `shard${i}`) });
  for (const s of shards) {
    for (const d of ['data', 'tmp', 'user_files', 'format_schemas']) mkdirSync(path.join(s.dir, d), { recursive: true });
    writeFileSync(path.join(s.dir, 'config.xml'), configXml(s.dir, s, shards));
    writeFileSync(path.join(s.dir, 'users.xml'), usersXml);
  }
  const start = async (s) => {
    let out = '';
    s.proc = spawn(clickhouseBin, [`--config-file=${path.join(s.dir, 'config.xml')}`], { stdio: ['ignore', 'pipe', 'pipe'], cwd: s.dir });
    s.proc.stdout.on('data', (d) => { out = (out + d).slice(-4000); });
    s.proc.stderr.on('data', (d) => { out = (out + d).slice(-4000); });
    s.exited = new Promise((resolve) => s.proc.on('exit', resolve));
    await waitPing(s.http, s.proc, () => out);
  };
  const kill = async (s) => {
    if (!s.proc || s.proc.exitCode !== null || s.proc.signalCode !== null) return;
    s.proc.kill('SIGKILL');
    await s.exited;
  };
  const cluster = {
    root,
    shards,
    url: (db = 'thermograph') => `clickhouse://${shards.map((s) => `127.0.0.1:${s.http}`).join(',')}/${db}`,
    query: (i, sql, opts) => chQuery(shards[i].http, sql, opts),
    kill: (i) => kill(shards[i]),
    start: (i) => start(shards[i]),
    stop: async () => {
      for (const s of shards) await kill(s);
      rmSync(root, { recursive: true, force: true });
    },
  };
  try {
    for (const s of shards) await start(s);
  } catch (e) {
    await cluster.stop();
    throw e;
  }
  return cluster;
}
