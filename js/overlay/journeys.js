// Journeys (wire version 5) as designers read them: the page's most common element -> element
// steps in words and, on request ("Show journeys"), as thin arrows on the live page from the
// element used first to the one used next, labelled with the share of visits; and the pages an
// SPA visitor came from, named by hashing the site's listed pages (module.routeHash, the core's
// route_hash) because the data holds only that hash.
import { viewBox } from './anchors.js';
import { esc } from './insights.js';
import { CAME_HINT, STEPS_HINT, UNNAMED_ROUTE, share as pct, topRoutes, topSteps as top } from '../dashboard/journeys.js';

const NS = 'http://www.w3.org/2000/svg';
const INK = '#111';  // near-black with a white halo: apart from every heat palette's colours

// The steps worth showing (dashboard/journeys.js topSteps: at most 5, each in at least 2 % of visits).
export const topSteps = (journeys) => top(journeys?.steps);

// Route hash -> the page's path, from GET /api/pages' page keys (same-origin pages by path,
// others with their host).
export function routeNames(module, pages) {
  const out = new Map();
  for (const p of pages || []) {
    let label = p.page;
    try {
      const u = new URL(p.page);
      label = (u.origin === location.origin ? '' : u.host) + u.pathname + u.search;
    } catch (e) { /* "(other)" and the like: shown as stored */ }
    if (!out.has(module.routeHash(p.page) >>> 0)) out.set(module.routeHash(p.page) >>> 0, label);
  }
  return out;
}

// The panel's words: "Most common next steps: 'Search' button → 'Buy now' button (38 % of
// visits), ..." (an element not on the page now is named so, and its step gets no arrow), then
// "Came from: /pricing (12 % of visits), another page (3 %)". '' when there is nothing to say.
export function journeysHtml(journeys, name, onPage, routes) {
  const steps = topSteps(journeys);
  const parts = [];
  if (steps.length) {
    const item = (s) => {
      const gone = !onPage(s.from) || !onPage(s.to);
      return `<li data-step="${hex(s.from)}-${hex(s.to)}"${gone ? ' data-missing title="Not on this page now: no arrow"' : ''}>` +
        `<b>${esc(name(s.from))}</b> → <b>${esc(name(s.to))}</b> (${pct(s.share)} of visits)</li>`;
    };
    parts.push(`<p class="jhead" title="${STEPS_HINT}">` +
      `Most common next steps:</p><ol class="steps">${steps.map(item).join('')}</ol>`);
  }
  const from = topRoutes(journeys?.cameFrom);
  if (from.length) {
    parts.push(`<p class="came" data-came-from title="${CAME_HINT}">` +
      `Came from: ${from.map((r) => `<b>${esc(routes.get(r.route >>> 0) || UNNAMED_ROUTE)}</b> (${pct(r.share)} of visits)`).join(', ')}</p>`);
  }
  return parts.join('');
}

const hex = (k) => (k >>> 0).toString(16).padStart(8, '0');

// Where the segment from a box's centre towards (tx, ty) leaves the box.
function edge(r, tx, ty) {
  const cx = r.left + r.width / 2, cy = r.top + r.height / 2, dx = tx - cx, dy = ty - cy;
  const t = Math.min(dx ? r.width / 2 / Math.abs(dx) : Infinity, dy ? r.height / 2 / Math.abs(dy) : Infinity, 1);
  return [cx + dx * t, cy + dy * t];
}

// From the edge of `a` to the edge of `b` along the line between their centres (centre to centre
// when one box holds the other's centre): [x1, y1, x2, y2], viewport px.
export function arrowEnds(a, b) {
  const ca = [a.left + a.width / 2, a.top + a.height / 2], cb = [b.left + b.width / 2, b.top + b.height / 2];
  const inside = (r, [x, y]) => x >= r.left && x <= r.right && y >= r.top && y <= r.bottom;
  if (inside(a, cb) || inside(b, ca)) return [...ca, ...cb];
  return [...edge(a, ...cb), ...edge(b, ...ca)];
}

// The arrow layer: one viewport-sized SVG that never takes a click (vector: sharp at any pixel
// ratio), redrawn with the heat on every frame so arrows follow scrolling and reflows.
export function createArrows(zIndex) {
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('data-thermograph-ui', '');
  svg.setAttribute('data-journeys', '');
  svg.setAttribute('aria-hidden', 'true');
  svg.style.cssText = `position:fixed;left:0;top:0;width:100vw;height:100vh;pointer-events:none;overflow:visible;z-index:${zIndex}`;
  svg.innerHTML = `<defs><marker id="tg-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" markerHeight="9"
    orient="auto-start-reverse" markerUnits="userSpaceOnUse"><path d="M0 1 L9 5 L0 9 z" fill="${INK}"/></marker></defs><g></g>`;
  document.documentElement.appendChild(svg);
  const g = svg.querySelector('g');
  return {
    // Draws `steps` whose both elements are on the page and have a box; nothing when !show.
    draw(steps, byKey, show) {
      g.textContent = '';
      if (!show) return;
      for (const s of steps) {
        const ea = byKey.get(s.from), eb = byKey.get(s.to);
        if (!ea || !eb || !ea.isConnected || !eb.isConnected) continue;
        const a = viewBox(ea), b = viewBox(eb);
        if ((!a.width && !a.height) || (!b.width && !b.height)) continue;  // display: none now
        const [x1, y1, x2, y2] = arrowEnds(a, b);
        const len = Math.hypot(x2 - x1, y2 - y1);
        if (len < 4) continue;
        // A gentle bend to the right of travel, so A -> B and B -> A stay apart.
        const bend = Math.min(40, len * 0.15), mx = (x1 + x2) / 2 + ((y2 - y1) / len) * -bend, my = (y1 + y2) / 2 + ((x2 - x1) / len) * bend;
        const lx = 0.25 * x1 + 0.5 * mx + 0.25 * x2, ly = 0.25 * y1 + 0.5 * my + 0.25 * y2;  // the curve's midpoint
        const arrow = document.createElementNS(NS, 'g');
        arrow.setAttribute('data-step', `${hex(s.from)}-${hex(s.to)}`);
        arrow.dataset.ends = [x1, y1, x2, y2].map((v) => v.toFixed(1)).join(' ');
        const d = `M${x1.toFixed(1)} ${y1.toFixed(1)} Q${mx.toFixed(1)} ${my.toFixed(1)} ${x2.toFixed(1)} ${y2.toFixed(1)}`;
        arrow.innerHTML = `<path d="${d}" fill="none" stroke="#fff" stroke-width="5" stroke-linecap="round" opacity="0.85"/>` +
          `<path d="${d}" fill="none" stroke="${INK}" stroke-width="2" stroke-linecap="round" marker-end="url(#tg-arrow)"/>` +
          `<text x="${lx.toFixed(1)}" y="${ly.toFixed(1)}" text-anchor="middle" dominant-baseline="central" ` +
          `font-family="system-ui,sans-serif" font-size="12" font-weight="600" fill="${INK}" ` +
          `stroke="#fff" stroke-width="4" stroke-linejoin="round" paint-order="stroke">${pct(s.share)}</text>`;
        g.appendChild(arrow);
      }
    },
    remove() { svg.remove(); },
  };
}
