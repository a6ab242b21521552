// Journeys in words, for the dashboard and the overlay's panel (one wording and one cut for
// both): the most common element -> element steps of a page and the pages visitors came from.
// Steps are { from, to, share } (share of the page's visits); routes { share } and a name.
export const MAX_STEPS = 5;  // steps listed (and drawn as arrows in the overlay)
export const MIN_SHARE = 0.02;  // steps taken in fewer visits are left out: noise and clutter

export const topSteps = (steps) => (steps || []).filter((s) => s.share >= MIN_SHARE).slice(0, MAX_STEPS);
export const topRoutes = (routes) => (routes || []).filter((r) => r.share > 0).slice(0, MAX_STEPS);

// "38 %", "4.5 %": whole percent from 10 % up, one decimal below.
export const share = (v) => (v == null || !isFinite(v) ? '?' : (100 * v >= 10 ? Math.round(100 * v) : (100 * v).toFixed(1)) + ' %');

export const STEPS_HINT = 'Successive clicks, taps or form fields on different elements within one visit';
export const CAME_HINT = 'Visits that arrived here from another page of this site without a reload (SPA navigation)';
// A route whose page is not among the site's listed pages (too few visits, or past the busiest).
export const UNNAMED_ROUTE = 'another page';
