// The ClickHouse store (docs/scale-out.md) against a real two-shard cluster this file starts
// itself (tests/collector/clickhouse.mjs): every server is killed by pid in t.after.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { startCluster } from './clickhouse.mjs';

test('the test cluster: two shards, a Distributed table keeps each page on one shard', async (t) => {
  const c = await startCluster(2);
  t.after(() => c.stop());
  for (let i = 0; i < 2; i++) {
    assert.equal((await c.query(i, 'CREATE DATABASE probe')).status, 200);
    assert.equal((await c.query(i, 'CREATE TABLE probe.t (site String, page String, v UInt64) ENGINE = MergeTree ORDER BY (site, page)')).status, 200);
    assert.equal((await c.query(i, 'CREATE TABLE probe.d AS probe.t ENGINE = Distributed(thermograph, probe, t, sipHash64(site, page))')).status, 200);
  }
  let rows = '';
  for (let p = 0; p < 20; p++) rows += `s\tpage${p}\t1\ns\tpage${p}\t2\n`;
  const ins = await c.query(0, `INSERT INTO probe.d FORMAT TabSeparated\n${rows}`, { settings: 'insert_distributed_sync=1' });
  assert.equal(ins.status, 200, ins.text);
  const local = [];
  for (let i = 0; i < 2; i++) local.push((await c.query(i, 'SELECT page, count() FROM probe.t GROUP BY page ORDER BY page FORMAT TabSeparated')).text.trim().split('\n'));
  assert.ok(local[0].length > 0 && local[1].length > 0, 'both shards hold pages');
  assert.equal(local[0].length + local[1].length, 20, 'each page on exactly one shard');
  for (const line of [...local[0], ...local[1]]) assert.match(line, /\t2$/);
  const all = await c.query(1, 'SELECT sum(v) FROM probe.d FORMAT TabSeparated');
  assert.equal(all.text, '60\n');
});
