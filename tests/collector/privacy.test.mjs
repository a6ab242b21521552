// Defense in depth at ingest: a report written by some other client (not our tracker) with
// personal data in its segment is stored without it: the page key is canonicalized again and tags
// or a variant flagged by the full PII detectors are removed (counted as pii_removed).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { createSite, encode, getJson, postReport, sampleReport, startServer, tempDir, waitForStats } from './helpers.mjs';

const ORIGIN = 'https://shop.example';
let tmp, server, site;

before(async () => {
  tmp = tempDir();
  site = createSite(tmp.db, [ORIGIN]);
  server = await startServer(tmp.db, ['--rate', '0']);
});
after(async () => {
  await server?.stop();
  tmp?.cleanup();
});

test('personal data in a forged segment is removed before anything is stored', async () => {
  const bytes = encode(sampleReport(site.site_key, {
    segment: {
      page: 'https://shop.example/user/jane.doe@example.com/orders/4111111111111111?email=jane.doe%40example.com&utm_source=news',
      variant: '+1 415 555 0132',
      tags: { email: 'jane.doe@example.com', ip: '2001:db8::8a2e:370:7334', plan: 'pro' },
    },
  }));
  const r = await postReport(server.base, bytes, { Origin: ORIGIN });
  assert.equal(r.status, 204, r.text);

  const q = (path, params) => `${server.base}${path}?${new URLSearchParams({ site: site.site_key, ...params })}`;
  const { body: pages } = await getJson(q('/api/pages', {}), site.read_token);
  assert.deepEqual(pages.pages.map((p) => p.page), ['https://shop.example/user/:id/orders/:id?utm_source=news']);
  const { body: seg } = await getJson(q('/api/segments', { page: pages.pages[0].page }), site.read_token);
  const text = JSON.stringify(seg);
  for (const value of ['jane.doe', '4111', '415', '2001:db8']) assert.ok(!text.includes(value), `${value} was stored`);
  assert.ok(text.includes('plan') && text.includes('pro'), 'the harmless tag is kept');
  const stats = await waitForStats(tmp.db, (s) => s.adjusted.pii_removed >= 1);
  assert.equal(stats.adjusted.pii_removed, 1, 'the removal is counted (the report itself was kept)');
});
