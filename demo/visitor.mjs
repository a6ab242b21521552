// One simulated visitor's hands: mouse or finger, scrolling and typing with human-ish timing,
// all through real input events (isTrusted), because the tracker ignores script-dispatched clicks.
import { chromium } from 'playwright-core';

// Flags from TOOLCHAIN.md: without the background-networking ones Chromium keeps dialing out.
export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export class Visitor {
  constructor(page, persona, rng, base, pace = 1) {
    Object.assign(this, { page, persona, rng, base, pace, touch: !!persona.touch, mouse: { x: 0, y: 0 } });
  }

  between(a, b) { return a + (b - a) * this.rng(); }
  chance(p) { return this.rng() < p; }
  pick(list) { return list[Math.floor(this.rng() * list.length)]; }
  // Think time; `pace` < 1 compresses it (seeding wants many visits in little wall time).
  pause(a = 100, b = 300) { return sleep(this.between(a, b) * this.pace); }

  // Loads a page and waits until the tracker runs and its 200 ms settle time is over.
  async goto(pathAndQuery) {
    await this.page.goto(this.base + pathAndQuery, { waitUntil: 'load' });
    await this.page.waitForFunction(() => window.thermograph && window.thermograph.loaded, null, { timeout: 10000 });
    await sleep(260);
  }

  async waitForPage(pathPrefix, timeout = 10000) {
    await this.page.waitForURL((u) => u.pathname.startsWith(pathPrefix), { timeout });
    await this.page.waitForFunction(() => window.thermograph && window.thermograph.loaded, null, { timeout: 10000 });
    await sleep(260);
  }

  // A point inside the element's visible box, biased to its centre like real aiming.
  async pointIn(selector, nth = 0) {
    const box = await this.page.locator(selector).nth(nth).boundingBox();
    if (!box) throw new Error('not on the page: ' + selector);
    const aim = () => (this.rng() + this.rng() + this.rng()) / 3;
    return { x: box.x + box.width * (0.15 + 0.7 * aim()), y: box.y + box.height * (0.2 + 0.6 * aim()), box };
  }

  async moveTo(x, y) {
    if (this.touch) return;  // a finger has no hover
    await this.page.mouse.move(x, y, { steps: Math.round(this.between(4, 8)) });
    this.mouse = { x, y };
  }

  async hover(selector, nth = 0) {
    if (this.touch) return;
    await this.reveal(selector, nth);
    const p = await this.pointIn(selector, nth);
    await this.moveTo(p.x, p.y);
    await this.pause(200, 700);
  }

  // Wanders the pointer over the visible page (reading: movement dwell).
  async wander(n = 3) {
    if (this.touch) return;
    const { width, height } = this.page.viewportSize();
    for (let i = 0; i < n; i++) {
      await this.moveTo(this.between(0.1, 0.8) * width, this.between(0.15, 0.85) * height);
      await this.pause(60, 180);
    }
  }

  async scroll(dy) {
    // A swipe vs a few wheel notches at once (a fast flick when going far).
    const step = this.touch ? 360 : Math.abs(dy) > 800 ? 360 : 180;
    for (let left = Math.abs(dy); left > 0; left -= step) {
      const d = Math.sign(dy) * Math.min(step, left);
      if (this.touch) await this.page.evaluate((v) => window.scrollBy(0, v), d);
      else await this.page.mouse.wheel(0, d);
      await sleep(this.between(15, 40));
    }
    await sleep(80);
  }

  // Scrolls until the element is comfortably inside the viewport.
  async reveal(selector, nth = 0) {
    const { height } = this.page.viewportSize();
    for (let i = 0; i < 40; i++) {
      const box = await this.page.locator(selector).nth(nth).boundingBox();
      if (!box) throw new Error('not on the page: ' + selector);
      if (box.y >= 70 && box.y + Math.min(box.height, height / 2) <= height - 20) return;
      const atBottom = await this.page.evaluate(() => innerHeight + scrollY >= document.documentElement.scrollHeight - 2);
      if (box.y > 70 && atBottom) return;
      await this.scroll(Math.max(-900, Math.min(900, box.y - height * 0.35)));
    }
  }

  async click(selector, { nth = 0, reveal = true } = {}) {
    await this.dismissPopup();
    if (reveal) await this.reveal(selector, nth);
    const p = await this.pointIn(selector, nth);
    await this.tapAt(p.x, p.y);
  }

  // Clicks a link or submit button and waits for the next page. The pop-up can open between
  // aiming and clicking and swallow the click; people then close it and click again.
  async clickTo(selector, pathPrefix, opts) {
    for (let attempt = 0; ; attempt++) {
      await this.click(selector, opts);
      try {
        return await this.waitForPage(pathPrefix, attempt ? 10000 : 2500);
      } catch (e) {
        if (attempt) throw e;
      }
    }
  }

  async tapAt(x, y) {
    if (this.touch) return this.page.touchscreen.tap(x, y);
    await this.moveTo(x, y);
    await this.page.mouse.click(x, y);
  }

  // Rage: several quick clicks within a few pixels.
  async rage(selector, times) {
    await this.dismissPopup();
    await this.reveal(selector);
    const p = await this.pointIn(selector);
    await this.moveTo(p.x, p.y);
    for (let i = 0; i < times; i++) {
      await this.tapAt(p.x + this.between(-4, 4), p.y + this.between(-4, 4));
      await sleep(this.between(70, 160));
    }
  }

  async type(selector, text) {
    await this.click(selector);
    await this.page.keyboard.type(text, { delay: this.between(2, 8) });
    await this.pause(80, 200);
  }

  // Waits for the pop-up (it opens 1.5 s into the first page of a visit) and closes it.
  async expectPopup() {
    await this.page.locator('#popup').waitFor({ state: 'visible', timeout: 2500 }).catch(() => {});
    await this.dismissPopup();
  }

  // The newsletter pop-up covers the page: close it (or, rarely, subscribe) before clicking on.
  async dismissPopup() {
    if (this.dismissing) return;  // clicks inside the pop-up itself
    if (!(await this.page.locator('#popup').isVisible().catch(() => false))) return;
    await this.pause(200, 600);
    this.dismissing = true;
    try { await this.answerPopup(); } finally { this.dismissing = false; }
  }

  async answerPopup() {
    if (this.chance(0.15)) {
      await this.type('#popup input[type=email]', 'reader@example.org');
      await this.click('#popup button[type=submit]', { reveal: false });
      await this.page.locator('#popup').waitFor({ state: 'hidden', timeout: 3000 }).catch(() => {});
    } else {
      await this.click('#popup .close', { reveal: false });
    }
  }
}
