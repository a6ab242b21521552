// PII torture test (issue 5): a page full of personal data in text, inputs (typed into), the URL
// (path, query, fragment), ids, classes, data-* attributes, tags and the variant. Every byte the
// page sends is captured, and no PII value may appear in any encoding.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { launch, decode, sum, until, ROOT } from './harness.mjs';

const PII = ['jane.doe@example.com', '4111111111111111', '4111 1111 1111 1111', 'DE89370400440532013000',
  'DE89 3704 0044 0532 0130 00', 'GB82WEST12345698765432', '123-45-6789', '+1 (415) 555-0132',
  '+1 415 555 0132', '192.168.1.20', 'eyJhbGciOiJIUzI1NiJ9', 'jane', 'doe', 'First Last', 'Baker Street',
  'call me tomorrow'];
const encodings = (v) => {
  const forms = new Set([v, encodeURIComponent(v), v.toLowerCase(), encodeURIComponent(v).toLowerCase()]);
  const digits = v.replace(/\D/g, '');
  if (digits.length >= 7) forms.add(digits);
  return [...forms];
};

let browser, server, base;
const bodies = [];
before(async () => {
  browser = await launch();
  // Any path under /account/ is the torture page, so personal data sits in the URL itself.
  server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      bodies.push({ url: req.url, body: Buffer.concat(chunks) });  // every request, GETs included
      if (req.method === 'POST') return res.writeHead(204).end();
      const url = new URL(req.url, 'http://x');
      if (url.pathname.startsWith('/account/')) {
        return res.writeHead(200, { 'content-type': 'text/html' }).end(readFileSync(path.join(ROOT, 'tests/browser/pages/pii.html')));
      }
      const file = path.join(ROOT, url.pathname);
      if (!url.pathname.startsWith('/dist/')) return res.writeHead(404).end();
      res.writeHead(200, { 'content-type': file.endsWith('.wasm') ? 'application/wasm' : 'text/javascript' }).end(readFileSync(file));
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${server.address().port}`;
});
after(async () => { await browser?.close(); server?.close(); });

test('no PII leaves the page in any encoding', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const warnings = [];
  page.on('console', (m) => warnings.push(m.text()));
  const url = `${base}/account/jane.doe@example.com/cards/4111111111111111/ssn/123-45-6789` +
    '?email=jane.doe%40example.com&utm_source=jane.doe@example.com&utm_medium=+1%20415%20555%200132' +
    '&utm_campaign=spring&ref=192.168.1.20#token=eyJhbGciOiJIUzI1NiJ9';
  await page.goto(url);
  await page.waitForFunction(() => window.thermograph && window.thermograph.loaded);
  await until(() => bodies.some((b) => b.url.endsWith('.wasm')), 'the wasm');
  await page.waitForTimeout(400);
  for (const sel of ['p', 'button', '#free', '#email', '#card', 'div.box']) await page.click(sel);
  await page.fill('#email', 'jane.doe@example.com');
  await page.fill('#card', '4111 1111 1111 1111');
  await page.fill('#free', 'SSN 123-45-6789, call +1 415 555 0132');
  await page.mouse.move(300, 60);
  await page.mouse.wheel(0, 800);
  await page.waitForTimeout(300);
  const before = bodies.filter((b) => b.url === '/r').length;
  await page.close({ runBeforeUnload: true });
  await until(() => bodies.filter((b) => b.url === '/r').length > before, 'the final report');

  // The reports are real and carry the interactions (the test cannot pass by sending nothing).
  const reports = bodies.filter((b) => b.url === '/r').map((b) => decode(b.body));
  const total = sum(reports);
  assert.equal(total.counters.page_views, 1);
  assert.ok(Object.values(total.layers.clicks || {}).reduce((a, b) => a + b, 0) >= 5, 'the clicks are recorded');
  assert.deepEqual(reports[0].segment.tags, { plan: 'pro' }, 'PII and free-text tags are refused, the label kept');
  assert.equal(reports[0].segment.variant, '', 'neither a card number nor a name is a variant');
  assert.match(reports[0].segment.page, /\/account\/:id\/cards\/:id\/ssn\/:id\?utm_campaign=spring$/);
  assert.ok(warnings.some((w) => /tag refused \(not a label\)/.test(w)), 'the refusal names the rule');
  assert.ok(warnings.some((w) => /variant refused \(not a label\)/.test(w)), 'a refused variant is reported too');
  assert.ok(!warnings.some((w) => /First|Baker|Jane|tomorrow/i.test(w)), 'warnings never print the value');
  assert.ok(!warnings.some((w) => w.includes('jane.doe@example.com')), 'warnings never print the value');

  // Every byte sent to the server after the page loaded: report bodies and request URLs.
  const sent = bodies.filter((b) => b.url === '/r' || b.body.length)
    .map((b) => Buffer.concat([Buffer.from(b.url), b.body]).toString('latin1'));
  for (const value of PII) {
    for (const form of encodings(value)) {
      for (const s of sent) assert.ok(!s.toLowerCase().includes(form.toLowerCase()), `"${form}" was sent`);
    }
  }
});
