// Hand-written SVG charts, one idea each: a sparkline of page views per day, a rate bar with its
// interval, and a scatter for the hotspot matrix. Vector output stays sharp at any pixel ratio.
const NS = 'http://www.w3.org/2000/svg';

export function svg(tag, attrs = {}, children = []) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  for (const c of children) el.append(c);
  return el;
}

// Page views per day; null (withheld) days are drawn as gaps. `label` names it for screen readers.
export function sparkline(values, label, w = 120, h = 28) {
  const max = Math.max(1, ...values.map((v) => v ?? 0));
  const step = values.length > 1 ? (w - 4) / (values.length - 1) : 0;
  const root = svg('svg', { viewBox: `0 0 ${w} ${h}`, width: w, height: h, role: 'img', 'aria-label': label, class: 'spark' });
  let d = '';
  values.forEach((v, i) => {
    if (v == null) return;
    const x = 2 + i * step, y = h - 2 - (v / max) * (h - 4);
    d += `${d && values[i - 1] != null ? 'L' : 'M'}${x.toFixed(1)} ${y.toFixed(1)}`;
  });
  if (values.length === 1 && values[0] != null) d += `h${w - 4}`;
  root.append(svg('path', { d, fill: 'none', stroke: 'currentColor', 'stroke-width': 1.5, 'vector-effect': 'non-scaling-stroke' }));
  const last = values.length - 1;
  if (last >= 0 && values[last] != null) {
    root.append(svg('circle', { cx: 2 + last * step, cy: h - 2 - (values[last] / max) * (h - 4), r: 2, fill: 'currentColor' }));
  }
  return root;
}

// A rate in [0, scale] with its interval as a whisker.
export function rateBar({ rate, lo, hi }, scale, label, w = 140, h = 14) {
  const x = (v) => 1 + Math.min(1, v / scale) * (w - 2);
  return svg('svg', { viewBox: `0 0 ${w} ${h}`, width: w, height: h, role: 'img', 'aria-label': label, class: 'bar' }, [
    svg('rect', { x: 1, y: 3, width: w - 2, height: h - 6, class: 'track', rx: 2 }),
    svg('rect', { x: 1, y: 3, width: Math.max(0, x(rate) - 1), height: h - 6, class: 'fill', rx: 2 }),
    svg('line', { x1: x(lo), x2: x(hi), y1: h / 2, y2: h / 2, class: 'whisker' }),
    svg('line', { x1: x(lo), x2: x(lo), y1: 2, y2: h - 2, class: 'whisker' }),
    svg('line', { x1: x(hi), x2: x(hi), y1: 2, y2: h - 2, class: 'whisker' }),
  ]);
}

// Engagement (x) against frustration (y), 0..1 each; dot area grows with the score.
export function matrix(points, w = 320, h = 220) {
  const pad = 30;
  const X = (v) => pad + v * (w - pad - 16), Y = (v) => h - pad - v * (h - pad - 16);
  const root = svg('svg', { viewBox: `0 0 ${w} ${h}`, class: 'matrix', role: 'img', 'aria-label': 'Elements by engagement (across) and frustration (up); the table below lists them' });
  root.append(svg('rect', { x: X(0.5), y: Y(1), width: X(1) - X(0.5), height: Y(0.2) - Y(1), class: 'zone' }));
  root.append(svg('line', { x1: X(0), x2: X(1), y1: Y(0), y2: Y(0), class: 'axis' }));
  root.append(svg('line', { x1: X(0), x2: X(0), y1: Y(0), y2: Y(1), class: 'axis' }));
  const text = (x, y, s, a = {}) => { const t = svg('text', { x, y, ...a }); t.textContent = s; return t; };
  root.append(text(X(1), h - 8, 'engagement →', { 'text-anchor': 'end' }));
  root.append(text(12, Y(1), 'frustration →', { transform: `rotate(-90 12 ${Y(1)})`, 'text-anchor': 'end' }));
  root.append(text(X(0.98), Y(0.95), 'fix first', { 'text-anchor': 'end', class: 'zone-label' }));
  // Points on the same spot share one label ("1, 3").
  const labels = new Map();
  points.forEach((p, i) => {
    const cx = X(p.engagement), cy = Y(p.frustration), r = 3 + p.score / 20;
    const c = svg('circle', { cx, cy, r, class: 'dot' });
    const t = svg('title');
    t.textContent = `${i + 1}. ${p.label}: score ${p.score.toFixed(0)}`;
    c.append(t);
    root.append(c);
    const at = `${Math.round(cx / 6)},${Math.round(cy / 6)}`;
    if (labels.has(at)) labels.get(at).t.textContent += `, ${i + 1}`;
    else labels.set(at, { t: text(cx - r - 3, cy - r, String(i + 1), { 'text-anchor': 'end', class: 'dot-label' }) });
  });
  for (const { t } of labels.values()) root.append(t);
  return root;
}
