import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, serve, decode, sum, until, cellOf, fnv1a, trackerReady } from './harness.mjs';
let browser, server;
before(async () => { browser = await launch(); server = await serve(); });
after(async () => { await browser?.close(); await server?.close(); });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
test('same-origin frames: present at load and added later', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(server.base + '/pages/frames.html');
  await trackerReady(page);
  await page.waitForFunction(() => document.getElementById('late')?.contentDocument?.getElementById('more'));
  await sleep(300);
  await page.mouse.move(40 + 5 + 20 + 25, 100 + 5 + 30 + 10);
  await page.mouse.click(40 + 5 + 20 + 25, 100 + 5 + 30 + 10);  // Pay at (25,10) of 100x40
  await sleep(150);
  await page.mouse.click(40 + 5 + 50 + 60, 400 + 5 + 60 + 15);  // More at its centre
  await sleep(150);
  await page.close({ runBeforeUnload: true });
  await until(() => server.received.length > 0, 'the final report');
  await sleep(100);
  const total = sum(server.received.map((r) => decode(r.body)));
  console.log(JSON.stringify(total.layers.clicks), Object.keys(total.elements).length);
  assert.deepEqual(total.layers.clicks, { [cellOf(90, 145)]: 1, [cellOf(155, 480)]: 1 });
  const pay = total.elements[fnv1a('iframe#static>button#pay')];
  assert.ok(pay, 'keyed with the frame path');
  assert.equal(pay.counters.clicks, 1);
  assert.ok(total.elements[fnv1a('iframe#late>a#more')], 'the late frame');
});
