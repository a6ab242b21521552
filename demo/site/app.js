// The SPA section: client-side routes with history.pushState. The tracker notices the path change
// and starts a new page view per route; the views themselves are rebuilt (dynamic content).
(() => {
  const views = {
    '/app/': ['Overview', ['Signups', 'Active teams', 'Churn', 'Revenue']],
    '/app/reports': ['Reports', ['Weekly digest', 'Board pack', 'Funnel', 'Cohorts', 'Retention']],
    '/app/alerts': ['Alerts', ['Signups dropped', 'Refunds rising', 'Trial conversions up']],
    '/app/settings': ['Settings', ['Sources', 'Members', 'Billing']],
  };
  const view = document.getElementById('view');
  const render = () => {
    const [title, tiles] = views[location.pathname] || views['/app/'];
    view.innerHTML = `<h1>${title}</h1><div class="tiles">` +
      tiles.map((t) => `<div class="tile"><h3>${t}</h3><button class="btn btn-ghost open" type="button">Open</button></div>`).join('') +
      '</div>';
    for (const a of document.querySelectorAll('[data-route]')) a.classList.toggle('current', a.pathname === location.pathname);
    for (const b of view.querySelectorAll('.open')) b.addEventListener('click', () => b.closest('.tile').classList.toggle('expanded'));
  };
  document.addEventListener('click', (e) => {
    const a = e.target.closest && e.target.closest('a[data-route]');
    if (!a || e.metaKey || e.ctrlKey) return;
    e.preventDefault();
    if (a.pathname !== location.pathname) history.pushState(null, '', a.pathname);
    render();
  });
  addEventListener('popstate', render);
  render();
})();
