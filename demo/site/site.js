// Host-page code of the demo site: the parts a real site would have anyway (A/B assignment,
// login state, pop-up, slider, video) and the few lines that tell Thermograph about them.
// The tracker itself stores nothing; the *site* keeps its own visit state in sessionStorage.
(() => {
  const q = new URLSearchParams(location.search);
  const store = (k, v) => { try { if (v != null) sessionStorage.setItem(k, v); return sessionStorage.getItem(k); } catch (e) { return v; } };

  // A/B test of the main call to action: ?variant=A|B forces it, else a coin flip per visit.
  const forced = (q.get('variant') || '').toUpperCase();
  const variant = store('lumen-variant', /^[AB]$/.test(forced) ? forced : null) ||
    store('lumen-variant', Math.random() < 0.5 ? 'A' : 'B');
  // Logged-in visitors: ?user=1 signs in for this visit, ?user=0 signs out.
  if (q.has('user')) store('lumen-user', q.get('user') === '1' ? '1' : '0');
  const loggedIn = store('lumen-user') === '1';

  thermograph('variant', variant);
  thermograph('loggedIn', loggedIn);
  document.documentElement.dataset.variant = variant;
  window.lumen = { variant, loggedIn };

  const ready = (fn) => document.readyState === 'loading' ? document.addEventListener('DOMContentLoaded', fn) : fn();
  ready(() => {
    for (const el of document.querySelectorAll('[data-variant-text]')) {
      const [a, b] = el.dataset.variantText.split('|');
      el.textContent = variant === 'B' ? b : a;
    }
    const cta = document.getElementById('cta');
    if (cta && variant === 'B') cta.classList.replace('btn-primary', 'btn-accent');
    const account = document.querySelector('.account');
    if (account) account.textContent = loggedIn ? 'Signed in as Dana' : 'Sign in';

    // The hero video is only a poster: clicking plays a fake 'video' (a DOM change, so not dead).
    const video = document.querySelector('.video');
    if (video) video.addEventListener('click', () => {
      video.classList.add('playing');
      video.querySelector('.caption').textContent = 'Playing: Lumen in 90 seconds';
    });

    // Newsletter pop-up: once per visit, after a short delay on the landing page.
    const modal = document.getElementById('popup');
    if (modal && !store('lumen-popup')) {
      setTimeout(() => { modal.hidden = false; store('lumen-popup', '1'); }, 1500);
      const close = () => { modal.hidden = true; };
      modal.querySelector('.close').addEventListener('click', close);
      modal.addEventListener('click', (e) => { if (e.target === modal) close(); });
      modal.querySelector('form').addEventListener('submit', (e) => {
        e.preventDefault();
        modal.querySelector('.box').innerHTML = '<p>Thanks! Check your inbox.</p>';
        setTimeout(close, 600);
      });
    }

    // Slider: auto-advances, with arrows and dots (dynamic content under the pointer).
    const slider = document.querySelector('.slider');
    if (slider) {
      const track = slider.querySelector('.slides');
      const n = track.children.length;
      const dots = slider.querySelectorAll('.dots button');
      let i = 0;
      const show = (k) => {
        i = (k + n) % n;
        track.style.transform = `translateX(${-100 * i}%)`;
        dots.forEach((d, j) => d.classList.toggle('active', j === i));
      };
      slider.querySelector('.prev').addEventListener('click', () => show(i - 1));
      slider.querySelector('.next').addEventListener('click', () => show(i + 1));
      dots.forEach((d, j) => d.addEventListener('click', () => show(j)));
      // Auto-advance only while the slider is on screen: changing slides is a DOM mutation, and
      // off-screen mutations would make unrelated dead clicks look alive.
      let onScreen = false;
      if (window.IntersectionObserver) {
        new IntersectionObserver(([e]) => { onScreen = e.isIntersecting; }, { threshold: 0.6 }).observe(slider);
      }
      setInterval(() => { if (onScreen) show(i + 1); }, 4000);
      show(0);
    }
  });
})();
