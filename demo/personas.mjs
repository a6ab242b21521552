// Who visits the demo site, and what each kind of visitor does there. Behaviour is scripted
// against the real pages; randomness (seeded) varies the details so the heatmaps look lived-in.

// The first PERSONAS.length visits of every run take each persona once, each completing its
// journey (tests rely on that); `weight` shapes the mix after that.
export const PERSONAS = [
  { name: 'desktop-goal', width: 1440, height: 900, intent: 'goal', weight: 3 },
  { name: 'desktop-skim', width: 1280, height: 800, intent: 'skim', weight: 4 },
  { name: 'desktop-frustrated', width: 1280, height: 800, intent: 'frustrated', weight: 2 },
  { name: 'desktop-app', width: 1440, height: 900, intent: 'app', weight: 1, loggedIn: true },
  { name: 'tablet-goal', width: 768, height: 1024, touch: true, intent: 'goal', weight: 1 },
  { name: 'mobile-goal', width: 375, height: 740, touch: true, intent: 'goal', weight: 2 },
  { name: 'mobile-skim', width: 375, height: 740, touch: true, intent: 'skim', weight: 4 },
  { name: 'mobile-frustrated', width: 375, height: 740, touch: true, intent: 'frustrated', weight: 1 },
];

const NAMES = ['Ana Sousa', 'Ben Okafor', 'Chen Wei', 'Dana Levi', 'Eva Novak', 'Farid Haddad'];

// Lands on the home page with the visit's variant and login state in the query (the site keeps
// them for the rest of the visit; the tracker drops the query from page keys).
async function land(v, visit, path = '/') {
  await v.goto(`${path}?variant=${visit.variant}&user=${visit.loggedIn ? 1 : 0}`);
}

async function skim(v, visit) {
  await land(v, visit);
  await v.wander(2);
  await v.hover('h1');
  if (v.chance(0.2)) await v.click('.video');  // the few who press play
  if (v.chance(0.25)) await v.click('#cta');
  // Many stop at the footer-looking band (false bottom); some read on a little.
  await v.scroll(v.between(300, 900));
  await v.wander(2);
  await v.dismissPopup();
  if (v.chance(0.4)) {
    await v.scroll(v.between(400, 1200));
    await v.wander(1);
  }
  await v.pause(100, 300);
}

async function goal(v, visit) {
  await land(v, visit);
  await v.wander(2);
  await v.hover('#cta');
  // Variant B's call to action is the stronger one: more visitors use it to jump to pricing.
  if (v.chance(visit.variant === 'B' ? 0.7 : 0.35)) {
    await v.click('#cta');
    await v.pause(300, 600);
  } else {
    for (const s of ['#features', '.testimonials', '.slider']) {
      await v.reveal(s);
      await v.wander(1);
      await v.dismissPopup();
    }
    if (v.chance(0.5)) await v.click(v.pick(['.slider .next', '.slider .prev']));
  }
  await v.expectPopup();
  const plan = v.rng() < 0.6 ? 1 : v.rng() < 0.5 ? 0 : 2;
  for (let i = 0; i < 3; i++) await v.hover('.plan', i);
  // Some leave at the prices; fewer of those who came through variant B's stronger promise.
  if (visit.index >= PERSONAS.length && v.chance(visit.variant === 'B' ? 0.1 : 0.35)) return;
  await v.clickTo('.buy', '/checkout', { nth: plan });
  await v.type('#name', v.pick(NAMES));
  await v.type('#email', 'buyer' + Math.floor(v.between(1, 999)) + '@example.com');
  await v.type('#card', '4242 4242 4242 4242');  // cc-number: no pointer data is recorded here
  await v.type('#exp', '12 / 29');
  await v.type('#cvc', '123');
  await v.clickTo('#place-order', '/thanks');
  if (v.chance(0.4)) {
    await v.clickTo('main .btn-primary', '/app');
    await v.wander(2);
  }
}

async function frustrated(v, visit) {
  await land(v, visit);
  await v.wander(2);
  await v.scroll(v.between(500, 900));  // past the false bottom
  await v.expectPopup();
  // The screenshot looks like a link: a click, a wait, another click (dead clicks).
  await v.click('.fake-link .shot');
  await v.pause(400, 700);
  await v.click('.fake-link .label');
  await v.pause(300, 700);
  // The button that does nothing: rage clicks.
  await v.click('#compare');
  await v.pause(400, 800);
  await v.rage('#compare', Math.round(v.between(4, 7)));
  if (v.chance(0.5)) {
    await v.reveal('#pricing');
    await v.wander(2);
  }
  await v.pause(100, 300);
}

// A signed-in customer working in the single-page app (history.pushState routes).
async function app(v, visit) {
  await land(v, visit, '/app/');
  const routes = ['Reports', 'Alerts', 'Settings', 'Overview'];
  for (let i = 0, n = Math.round(v.between(2, 4)); i < n; i++) {
    await v.wander(1);
    await v.click(`aside a:text-is("${v.pick(routes)}")`, { reveal: false });
    await v.pause(250, 500);
    if (v.chance(0.6)) await v.click('.tile .open', { nth: Math.floor(v.between(0, 3)) });
  }
}

export const BEHAVIOURS = { skim, goal, frustrated, app };
