// Heat on the right element everywhere (issue 18): labelled, trusted clicks in real Chromium at
// three widths, whose elements, keys and sub-cells are known by construction.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { launch, serve, decode, sum, until, fnv1a, trackerReady } from './harness.mjs';

let browser, server;
before(async () => { browser = await launch(); server = await serve(); });
after(async () => { await browser?.close(); await server?.close(); });
beforeEach(() => { server.received.length = 0; });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function visit(width, path, clicks) {
  const page = await browser.newPage({ viewport: { width, height: 800 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(server.base + path);
  await trackerReady(page);
  for (const c of clicks) {
    const p = await c(page);
    await page.mouse.click(p.x, p.y);
    await sleep(120);
  }
  await page.close({ runBeforeUnload: true });
  await until(() => server.received.length > 0, 'the final report');
  await sleep(100);
  assert.deepEqual(errors, []);
  const total = sum(server.received.map((r) => decode(r.body)));
  server.received.length = 0;
  return total;
}

// The viewport point of a locator's centre, or of a point given in the element's own box
// (fractions of its untransformed size), mapped through its transform around the box's centre.
const at = (selector, fx = 0.5, fy = 0.5) => (page) => page.locator(selector).evaluate((el, [fx, fy]) => {
  const r = el.getBoundingClientRect(), t = getComputedStyle(el).transform;
  const m = t === 'none' ? new DOMMatrix() : new DOMMatrix(t);
  m.e = m.f = 0;
  const w = el.offsetWidth || r.width, h = el.offsetHeight || r.height;
  const q = m.transformPoint({ x: (fx - 0.5) * w, y: (fy - 0.5) * h });
  return { x: r.left + r.width / 2 + q.x, y: r.top + r.height / 2 + q.y };
}, [fx, fy]);

const element = (total, selector) => total.elements[fnv1a(selector)];

for (const width of [375, 768, 1280]) {
  test(`open shadow roots, nested too, and a closed one (viewport ${width})`, async () => {
    const total = await visit(width, '/pages/identity.html', [
      at('pay-card >> css=button.buy'), at('pay-inner >> css=a'), at('#vault')]);
    const buy = element(total, 'pay-card#card.at>button.buy');
    assert.ok(buy, 'the button inside the shadow root, keyed through its host');
    assert.equal(buy.counters.clicks, 1);
    assert.equal(buy.stable, fnv1a('pay-card#card>button'));
    assert.deepEqual(buy.cells, { '8,8': 1 });
    const inner = element(total, 'pay-card#card.at>pay-inner>a');
    assert.ok(inner, 'a link two shadow roots deep');
    assert.equal(inner.counters.clicks, 1);
    assert.equal(element(total, 'pay-closed#vault.at').counters.clicks, 1, 'a closed root: its host');
    assert.equal(element(total, 'pay-card#card.at')?.counters.clicks, undefined, 'no click credited to the open host');
  });

  test(`scaled elements: sub-cells in the element's own box (viewport ${width})`, async () => {
    const total = await visit(width, '/pages/identity.html', [at('#big', 0.3, 0.6)]);
    assert.deepEqual(element(total, 'div#big.at').cells, { '4,9': 1 }, 'scaled 1.5x');
  });

  // Issue 18, point 3: a click on the element itself is placed by its offsetX/Y, which the
  // browser maps through the transform; the bounding box of this rotated one gives '12,7'.
  test(`rotated elements: sub-cells in the element's own box (viewport ${width})`, async () => {
    const total = await visit(width, '/pages/identity.html', [at('#rot', 0.78, 0.28)]);
    assert.deepEqual(element(total, 'div#rot.at').cells, { '12,4': 1 }, 'rotated 20 degrees');
  });

  test(`A/B variants and a deploy keep one identity (viewport ${width})`, async () => {
    const a = await visit(width, '/pages/identity.html?v=A', [at('#cta'), at('#wrap', 0.9, 0.9)]);
    const b = await visit(width, '/pages/identity.html?v=B&deploy=2', [at('#cta'), at('#wrap', 0.9, 0.9)]);
    const ctaA = element(a, 'a#cta.btn.btn-primary'), ctaB = element(b, 'a#cta.btn.btn-accent');
    assert.ok(ctaA && ctaB, 'each variant keys its own styling');
    assert.equal(ctaA.stable, fnv1a('a#cta'));
    assert.equal(ctaB.stable, ctaA.stable, 'one stable key across variants');
    // Hashed CSS-in-JS classes are in no key: the renamed wrapper keeps its specific key.
    assert.equal(element(a, 'div#wrap.at.promo').counters.clicks, 1);
    assert.equal(element(b, 'div#wrap.at.promo').counters.clicks, 1);
  });
}

// Position among same-tag siblings (1-based) is part of a key; an only element of its tag has none.
for (const width of [375, 1280]) {
  test(`keys carry the position among same-tag siblings (viewport ${width})`, async () => {
    const total = await visit(width, '/pages/siblings.html', [
      at('li:nth-child(2) button'), at('li:nth-child(3) button'), at('.row p:nth-of-type(2)'),
      at('section p')]);
    for (const s of ['ul#plans>li:2>button', 'ul#plans>li:3>button', 'body>div.row>p:2', 'body>section>p'])
      assert.equal(element(total, s)?.counters.clicks, 1, s);
    assert.equal(element(total, 'ul#plans>li:1>button'), undefined);
  });
}
