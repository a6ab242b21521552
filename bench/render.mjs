// Renders docs/BENCHMARKS.md from bench/results/*.json. Only numbers from those files appear in
// the document; the prose explains the method and the choices behind each configuration.
//   node bench/render.mjs
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, readResult, isMain } from './lib/common.mjs';

const kb = (b) => (b == null ? '-' : b >= 1024 ? `${(b / 1024).toFixed(1)} KB` : `${Math.round(b)} B`);
const ms = (v) => (v == null ? '-' : v >= 100 ? v.toFixed(0) : v.toFixed(1));
const x = (v) => (v == null || !Number.isFinite(v) ? '-' : `${v >= 10 ? v.toFixed(0) : v.toFixed(1)}x`);
const spread = (s, f = ms) => (s && s.n ? `${f(s.median)} (${f(s.min)}-${f(s.max)})` : '-');
const table = (head, rows) => [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
const NAMES = { none: 'no tracker (baseline)', thermograph: 'Thermograph', thermographSignals: 'Thermograph, every opt-in signal on', clarity: 'clarity-js', posthog: 'posthog-js', posthogArray: 'posthog-js array.js', rrweb: '@rrweb/record' };
const name = (k) => NAMES[k] || k;

function machineSection(m) {
  if (!m) return '';
  return `## Machine\n\n${table(['CPU', 'cores', 'RAM', 'OS', 'Node', 'Chromium'],
    [[m.cpu, m.cores, `${m.ramGiB} GiB`, m.os, m.node, m.chromium]])}\n\n`
    + 'The machine is shared (2 cores, other developers build and test on it): CPU figures are thread time, runs are interleaved, '
    + 'and medians are quoted with (min-max) across runs.\n';
}

function summary({ size, mainthread, wire, overlay, collector }) {
  const rows = [];
  if (size) {
    const t = size.tools.thermograph;
    rows.push(['visitor download (JS + wasm, gzip)', '<= 12 KB', kb(t.gzip), t.gzip <= 12288 ? 'yes' : '**no**',
      `clarity-js ${kb(size.tools.clarity.gzip)} (${x(size.ratios.clarity.gzip)}), posthog-js ${kb(size.tools.posthog.gzip)} (${x(size.ratios.posthog.gzip)})`]);
  }
  if (wire) {
    const t = wire.tools.thermograph;
    rows.push([`bytes sent per page view (${wire.plan.seconds} s session)`, '<= 1 KB', kb(t.sent.median), wire.target.met ? 'yes' : '**no**',
      Object.entries(wire.ratios).filter(([k]) => k !== 'thermographSignals').map(([k, r]) => `${name(k)} ${kb(wire.tools[k].sent.median)} (${x(r.sent)})`).join(', ')]);
    const s = wire.tools.thermographSignals;
    if (s) rows.push([`bytes sent per page view, every opt-in signal on (data-signals)`, '<= 1 KB', kb(s.sent.median), s.sent.median <= 1024 ? 'yes' : '**no**', '']);
  }
  if (mainthread) {
    const tg = mainthread.target;
    rows.push([`main-thread script time of the tracker (${mainthread.plan.seconds} s session)`, '< half of the lightest peer', `${ms(tg.thermographMs)} ms`,
      tg.met ? 'yes' : '**no**', Object.entries(mainthread.ratios).map(([k, r]) => `${name(k)} ${ms(mainthread.tools[k].overheadScriptMs.median)} ms (${x(r.scriptOverhead)})`).join(', ')]);
    if (tg.signalsMs != null)
      rows.push([`main-thread script time, every opt-in signal on`, '< a third of the lightest peer', `${ms(tg.signalsMs)} ms`, tg.signalsMet ? 'yes' : '**no**',
        `${name(tg.lightestPeer)} ${ms(tg.lightestPeerMs)} ms (${x(tg.lightestPeerMs / tg.signalsMs)})`]);
  }
  // Our renderer's worst frame over every click count (its cost follows pixels, not clicks).
  const frames = overlay?.renderer?.map((r) => r.viewport_frame_ms) || [];
  const worst = frames.length ? Math.round(Math.max(...frames) * 10) / 10 : null;
  rows.push(['overlay frame on scroll, 1280x720', '<= 4 ms', worst == null ? 'not measured yet' : `${worst} ms (1k-1M clicks)`,
    worst == null ? '' : worst <= 4 ? 'yes' : '**no**', peerFrameNote()]);
  const full = overlay?.renderer?.map((r) => r.full_page_frame_ms) || [];
  const floor = overlay?.floor?.full_page_ms;
  if (full.length && floor) {
    const ratio = Math.max(...full) / floor;
    rows.push(['full-page overlay 1280x8000, up to 1M clicks', 'within 2x of the pixel floor', `${Math.max(...full)} ms (${ratio.toFixed(2)}x floor ${floor} ms)`,
      ratio <= 2 ? 'yes' : '**no**', '']);
  }
  const rps = collector?.thermograph?.rps;
  rows.push(['collector ingest, 2 cores, durable ack', '>= 10,000 reports/s', rps ? `${rps} reports/s, p99 ${collector.thermograph.p99_ms} ms` : 'not measured yet',
    rps ? (rps >= 10000 ? 'yes' : '**no**') : '', rps && collector.nginx ? `nginx returning 204: ${collector.nginx.rps}/s (Thermograph at ${(rps / collector.nginx.rps).toFixed(2)}x of that ceiling)` : '']);
  const hot = collectorHotRow;
  rows.push(['ingest while one page grows to 1M cells', 'other pages keep >= 80 % of their rate', hot ? `${Math.round(hot.ratio * 100)} % (${hot.other_pages_rps.during_growth} vs ${Math.round((hot.other_pages_rps.baseline_before + hot.other_pages_rps.baseline_after) / 2)} reports/s)` : 'not measured yet',
    hot ? (hot.ratio >= 0.8 ? 'yes' : '**no**') : '', hot ? `${hot.hot_page.cells_stored} cells in ${hot.hot_page.seconds} s at ${hot.setup.hot_rate} reports/s` : '']);
  return `## Summary against DESIGN.md budgets\n\n${table(['what', 'budget', 'Thermograph (median)', 'met', 'peers (ratio to Thermograph)'], rows)}\n`;
}

let peerFrameNote = () => '';
let collectorHotRow = null;

function sizeSection(s) {
  if (!s) return '';
  const rows = Object.entries(s.tools).map(([k, t]) => [t.label, kb(t.raw), kb(t.gzip), kb(t.brotli),
    k === 'thermograph' ? '1x' : x(s.ratios[k].gzip), k === 'thermograph' ? '1x' : x(s.ratios[k].brotli)]);
  return `## 1. Visitor download\n\n${s.method} Versions: ${Object.entries(s.versions).map(([k, v]) => `${k} ${v}`).join(', ')}.\n\n`
    + `${table(['what a visitor loads', 'raw', 'gzip', 'brotli', 'gzip vs Thermograph', 'brotli vs Thermograph'], rows)}\n\n`
    + '- **Thermograph**: the script-tag build and the wasm it fetches (the overlay is never loaded by visitors). Read from `dist/` at run time.\n'
    + '- **posthog-js**: the smallest build that still produces heatmaps is `posthog-js/slim` plus `AnalyticsExtensions` '
    + '(autocapture, heatmaps, dead clicks, web vitals, history; PostHog ships heatmaps only inside that group), bundled and minified by esbuild '
    + 'with the same settings as our own build (`bench/peers/posthog-heatmaps.mjs`). The script-tag default, `dist/array.js` from PostHog\'s CDN, is listed for reference. '
    + 'Replay, surveys and flags are left out, which favours PostHog.\n'
    + '- **clarity-js**: `build/clarity.min.js`, the file Clarity\'s tag loads. **@rrweb/record**: the minified UMD build, the recorder alone '
    + '(rrweb-based tools add their own transport on top).\n';
}

function mainSection(m) {
  if (!m) return '';
  const rows = Object.entries(m.tools).map(([k, t]) => [name(k), spread(t.scriptMs), k === 'none' ? '-' : spread(t.overheadScriptMs),
    k === 'none' ? '-' : spread(t.overheadTaskMs), spread(t.loadScriptMs), spread(t.longTasks, (v) => String(v)), spread(t.tbtMs),
    !m.ratios[k] ? '-' : x(m.ratios[k].scriptOverhead)]);
  const p = m.plan;
  return `## 2. Main-thread cost (scripted ${p.seconds} s session)\n\n`
    + `One scripted session on \`bench/pages/session.html\` (an 8,000 px landing page: sticky navigation, hero, 19 sections with text, images, `
    + `buttons that change the DOM and div "buttons" that do nothing) in headless Chromium at 1280x720: pointer moves at ${p.hz} Hz `
    + `(${p.steps} steps), ${p.clicks} clicks including a rage burst of 5 on one spot, ${p.wheelTicks} wheel ticks of 100 px reading down to the bottom `
    + `and back up 2,000 px; seed ${p.seed} (\`bench/lib/session.mjs\`). ${m.runs} runs per tool, interleaved.\n\n`
    + '**Time compression**: Playwright\'s `page.clock` fakes `Date`, `performance.now`, timers and `requestAnimationFrame`; the page\'s time advances '
    + 'only by `clock.runFor(16.67 ms)` after each step, so every tool sees the same 60 s of timestamps, flush and upload timers, whatever the wall clock does. '
    + 'Input is real (CDP `Input.dispatch*`, trusted events) and identical in every run.\n\n'
    + `**Measure**: ${m.method}\n\n`
    + '**Configurations** (each as a site owner who wants heatmaps would run it, loaded async from the same local server, sending to a local sink on the same origin):\n'
    + '- Thermograph: the script tag with `data-endpoint` on the sink and nothing else (the core\'s signals and journeys are always on).\n'
    + '- Thermograph, every opt-in signal on: the same tag with `data-signals` (exposure, form fields and dead swipes: the signals chunk is fetched too).\n'
    + "- clarity-js: Clarity's own queue stub, `clarity('start', {projectId, upload: sink})` (defaults otherwise: Clarity always records the session).\n"
    + "- posthog-js: the slim bundle above, `posthog.init('phc_test', {api_host: sink, autocapture: true, capture_pageview: true, enable_heatmaps: true, "
    + 'disable_session_recording: true, advanced_disable_feature_flags: true, opt_out_useragent_filter: true})`. Recording is off because PostHog heatmaps '
    + 'do not need it and it is the lightest PostHog setup a heatmap user can run (it favours PostHog). `opt_out_useragent_filter` is needed '
    + 'because PostHog drops every event from an automated browser.\n\n'
    + `${table(['tool', 'script ms, load + session', 'overhead script ms', 'overhead task ms', 'script ms at load', 'long tasks', 'TBT ms', 'peer overhead / Thermograph'], rows)}\n\n`
    + `Target (DESIGN.md): ${m.target.rule}: Thermograph ${ms(m.target.thermographMs)} ms vs ${name(m.target.lightestPeer)} ${ms(m.target.lightestPeerMs)} ms: `
    + `**${m.target.met ? 'met' : 'not met'}**.\n\n`
    + 'Script time is the figure to compare: TaskDuration also counts input handling, style, layout and paint, which other load on the shared machine '
    + 'moves by hundreds of ms between runs (hence negative minima for "overhead task ms").\n\n'
    + `All main-thread work (TaskDuration) relative to the page without a tracker: ${Object.entries(m.taskToBaseline).filter(([k]) => k !== 'none').map(([k, v]) => `${name(k)} ${v.toFixed(2)}x`).join(', ')}.\n`;
}

function wireSection(w) {
  if (!w) return '';
  const rows = Object.entries(w.tools).map(([k, t]) => [name(k), spread(t.requests, String), spread(t.sent, kb), spread(t.raw, kb), spread(t.gzip, kb),
    k === 'thermograph' ? '1x' : x(w.ratios[k].sent), k === 'thermograph' ? '1x' : x(w.ratios[k].gzip)]);
  const ex = (k) => (w.tools[k]?.example || []).map((r) => `${r.method} ${r.path} ${r.sent} B${r.compressed ? ' (compressed)' : ''}`).join('; ');
  return `## 3. Bytes on the wire per page view (same ${w.plan.seconds} s session)\n\n${w.method} `
    + '"sent" is each body as transmitted; "raw" is the payload uncompressed (Clarity gzips its uploads itself except the last beacon; '
    + 'PostHog gzips batches or sends base64 in its unload beacon); "gzip" gzips the bodies a tool sent uncompressed, so the compressed '
    + `figure is what each would cost at best. ${w.runs} runs per tool.\n\n`
    + `${table(['tool', 'requests', 'sent', 'raw', 'gzip', 'sent vs Thermograph', 'gzip vs Thermograph'], rows)}\n\n`
    + `Target: ${w.target.rule}: ${kb(w.target.bytes)}, **${w.target.met ? 'met' : 'not met'}**.\n\n`
    + `Requests in one run: Thermograph: ${ex('thermograph')}. clarity-js: ${ex('clarity')}. posthog-js: ${ex('posthog')}.\n`;
}

function genericSection(title, data, note) {
  if (!data) return `## ${title}\n\n${note}\n`;
  const lines = [`## ${title}\n`];
  const scalars = Object.entries(data).filter(([, v]) => v !== null && typeof v !== 'object');
  if (scalars.length) lines.push(scalars.map(([k, v]) => `- ${k}: ${v}`).join('\n') + '\n');
  for (const [k, v] of Object.entries(data)) {
    if (Array.isArray(v) && v.length && typeof v[0] === 'object') {
      const flat = v.map((row) => Object.fromEntries(Object.entries(row).map(([kk, vv]) => [kk, vv && typeof vv === 'object' ? (vv.median ?? JSON.stringify(vv)) : vv])));
      const head = [...new Set(flat.flatMap(Object.keys))];
      lines.push(`${k}:\n\n${table(head, flat.map((r) => head.map((h) => (typeof r[h] === 'number' ? +r[h].toFixed(2) : r[h] ?? ''))))}\n`);
    } else if (v && typeof v === 'object' && !Array.isArray(v)) {
      lines.push(`${k}: \`${JSON.stringify(v).slice(0, 600)}\`\n`);
    }
  }
  return lines.join('\n');
}

function overlaySection(peers, ours) {
  let s = '## 4. Overlay render\n\n';
  if (peers) {
    const counts = [...new Set(peers.results.map((r) => r.clicks))];
    const cell = (n, kind, tool) => {
      const r = peers.results.find((q) => q.clicks === n && q.kind === kind && q.tool === tool);
      return r ? spread(r.ms) : '-';
    };
    const pts = (n, kind) => peers.results.find((q) => q.clicks === n && q.kind === kind)?.points ?? '-';
    const rows = counts.flatMap((n) => ['frame', 'page'].map((kind) => [n.toLocaleString('en'), kind === 'frame' ? `viewport ${peers.frame.width}x${peers.frame.height}` : `full page ${peers.page.width}x${peers.page.height}`,
      pts(n, kind), cell(n, kind, 'simpleheat'), cell(n, kind, 'heatmapjs')]));
    const f1m = peers.results.filter((q) => q.kind === 'frame').map((q) => q.ms.median);
    peerFrameNote = () => `simpleheat/heatmap.js viewport frame ${ms(Math.min(...f1m))}-${ms(Math.max(...f1m))} ms (1k-1M clicks)`;
    s += `Peers keep points, so their cost is drawing points: a viewport frame after a scroll redraws the points inside the viewport (scrollY ${peers.frame.scrollY}), `
      + `a full-page render draws every point. Seeded clicks (seed ${peers.seed}: 70 % clustered around 120 targets, 30 % spread), radius ${peers.radius} px for both, `
      + `one untimed warm-up draw, then min/median/max of the timed redraws. ${peers.method}\n\n`
      + `${table(['clicks on the page', 'render', 'points drawn', 'simpleheat ms', 'heatmap.js ms'], rows)}\n\n`;
  }
  s += ours ? genericSection('4b. Thermograph overlay (bench/overlay.mjs)', ours, '').replace(/^## /, '### ')
    : 'Thermograph\'s renderer: `bench/overlay.mjs` (another branch) writes `bench/results/overlay.json`; not in this tree yet, so not measured here.\n';
  return s;
}

function scalingSection(sc, collector) {
  if (!sc) return '';
  const rows = sc.rows.map((r) => [r.label, `${r.steps} steps at ${r.hz} Hz, ${r.clicks} clicks`, r.runs, spread(r.reports, String), spread(r.bytes, kb),
    spread(r.overheadScriptMs), ms(r.overheadScriptMs.median / (r.seconds / 60))]);
  let s = '## 6. Scaling with session length (Thermograph)\n\n'
    + 'The same session generator at three lengths; pointer moves at 60 Hz for 10 s and 60 s. The 10-minute session drives moves at 10 Hz '
    + '(100 ms apart, 6,000 steps) so a run takes minutes: the tracker samples the pointer at most once per 16 ms, so it sees fewer samples, '
    + `but all 10 minutes of timestamps, flush intervals, ~25 clicks + a rage burst and a page read-through per minute. ${sc.method}\n\n`
    + `${table(['session', 'input', 'runs', 'reports', 'bytes sent', 'script overhead ms', 'overhead ms per minute'], rows)}\n`;
  const merge = collector && Object.entries(collector).find(([k]) => /merge/i.test(k));
  s += merge ? `\nCollector merge cost vs distinct cells (from collector.json \`${merge[0]}\`): \`${JSON.stringify(merge[1]).slice(0, 800)}\`\n`
    : '\nCollector merge cost vs distinct cells: not in collector.json (yet).\n';
  return s;
}

// Before/after runs of one change (bench/collector/ab.sh), alternating on the same machine.
export function collectorAbSection(ab) {
  if (!ab) return '';
  const rows = ab.runs.map((r) => [r.run, r.side === 'a' ? 'before (A)' : 'after (B)', r.ratio, r.rps, r.nginx_rps,
    r.cpu_us_per_report, r.writer_cpu_us_per_report]);
  return '### 5a. Collector ingest before and after a change (`bench/collector/ab.sh`)\n\n'
    + `${ab.runs.length / 2} runs of \`bench/collector/run.sh --duration ${ab.duration_s}\` per build, alternating A B A B, so load from `
    + 'neighbours on the shared machine falls on both alike. Ratio: collector reports/s over nginx `return 204` in the same run. '
    + 'CPU: user + system time of the collector (and of its writer thread) per stored report, which other load disturbs less.'
    + `${ab.note ? ` ${ab.note}` : ''}\n\n`
    + `${table(['run', 'build', 'ratio to nginx', 'reports/s', 'nginx/s', 'CPU us/report', 'writer CPU us/report'], rows)}\n\n`
    + `Medians: ratio ${ab.a.ratio} -> ${ab.b.ratio} (${ab.b_vs_a.ratio}x); reports/s ${ab.a.rps} -> ${ab.b.rps}; CPU per report ${ab.a.cpu_us_per_report} -> ${ab.b.cpu_us_per_report} us `
    + `(${ab.b_vs_a.cpu_per_report}x); writer CPU per report ${ab.a.writer_cpu_us_per_report} -> ${ab.b.writer_cpu_us_per_report} us (${ab.b_vs_a.writer_cpu_per_report}x).\n`;
}

// Scale-out (bench/collector/clickhouse.mjs): ratios between stores measured in one run.
export function clickhouseSection(c) {
  const title = '## 7. Collector on ClickHouse (scale-out)\n\n';
  if (!c) return `${title}\`node bench/collector/clickhouse.mjs\` has not run here: not measured.\n`;
  const ing = c.ingest;
  const rows = [
    ['ingest, 1 collector on SQLite', `${ing.sqlite_1_collector.reports_per_s} reports/s`, '1.00x'],
    ['ingest, 1 collector on 2 ClickHouse shards', `${ing.clickhouse_1_collector.reports_per_s} reports/s`, `${c.ratios.ingest_clickhouse_1_vs_sqlite}x`],
    ['ingest, 2 collectors on 2 ClickHouse shards', `${ing.clickhouse_2_collectors.reports_per_s} reports/s`, `${c.ratios.ingest_clickhouse_2_vs_sqlite}x`],
    ['30-day heatmap read, SQLite (median)', `${c.read_30_days.sqlite.median_ms} ms`, '1.00x'],
    ['30-day heatmap read, ClickHouse (median)', `${c.read_30_days.clickhouse.median_ms} ms`, `${c.ratios.read_30_days_clickhouse_vs_sqlite}x`],
    ['bytes on disk per page view, SQLite', `${c.bytes_per_page_view.sqlite} B`, '1.00x'],
    ['bytes on disk per page view, ClickHouse', `${c.bytes_per_page_view.clickhouse} B`, `${c.ratios.bytes_per_page_view_clickhouse_vs_sqlite}x`],
  ];
  return `${title}\`node bench/collector/clickhouse.mjs --seconds ${c.seconds} --connections ${c.connections}\`: the same reports (200 distinct, `
    + '20 pages) into each store in one run, every 204 confirmed by its store (SQLite: fsynced; ClickHouse: written, '
    + 'not fsynced); Node posts from the same 2 cores, and both ClickHouse shards run on them too, so only the ratios mean '
    + 'anything, and they favour SQLite, which needs no second machine (docs/scale-out.md). The corpus repeats 200 reports, '
    + 'so rows merge and bytes per page view are a floor, not a forecast.\n\n'
    + `${table(['what', 'measured', 'vs SQLite'], rows)}\n`;
}

// Read latency and storage at 1M and 10M page views (bench/collector/read_scale.mjs).
export function readScaleSection(c) {
  const title = '### 7b. 30-day reads and storage at 1M and 10M page views\n\n';
  if (!c) return `${title}\`node bench/collector/read_scale.mjs\` has not run here: not measured.\n`;
  const name = (n) => (n >= 1e6 ? `${n / 1e6}M` : String(n));
  const ms = (t) => `${t.median_ms} ms (p95 ${t.p95_ms})`;
  const rows = [];
  for (const s of c.scales) {
    const r = c.ratios[name(s.page_views)];
    const st = s.storage;
    rows.push([`${name(s.page_views)}: SQLite`, ms(s.read.sqlite), '1.00x', `${st.sqlite.bytes_per_page_view} B`, '1.00x', '']);
    rows.push([`${name(s.page_views)}: ClickHouse, as loaded`, ms(s.read.clickhouse_as_loaded), `${r.read_clickhouse_as_loaded_vs_sqlite}x`,
      `${st.clickhouse_as_loaded.bytes_per_page_view} B`, `${r.bytes_clickhouse_as_loaded_vs_sqlite}x`, `${st.clickhouse_as_loaded.parts} parts, ${st.clickhouse_as_loaded.rows} rows`]);
    rows.push([`${name(s.page_views)}: ClickHouse, after OPTIMIZE FINAL`, ms(s.read.clickhouse_optimized), `${r.read_clickhouse_optimized_vs_sqlite}x`,
      `${st.clickhouse_optimized.bytes_per_page_view} B`, `${r.bytes_clickhouse_optimized_vs_sqlite}x`, `${st.clickhouse_optimized.parts} parts, ${st.clickhouse_optimized.rows} rows`]);
  }
  let growth = '';
  const g = Object.entries(c.ratios).find(([k]) => k.endsWith('x_page_views'));
  if (g) {
    const [k, v] = g;
    growth = `\n${k.replace('x_page_views', 'x')} the page views costs: SQLite read ${v.read_sqlite}x, ClickHouse read ${v.read_clickhouse_as_loaded}x as loaded and `
      + `${v.read_clickhouse_optimized}x merged; bytes ${v.bytes_sqlite}x (SQLite) and ${v.bytes_clickhouse_optimized}x (ClickHouse, merged).\n`;
  }
  const busy = c.scales.map((s) => `${name(s.page_views)}: ${s.read.page_views} page views, ${s.read.layer_cells} cells, ${s.read.elements} elements, `
    + `${Math.round(s.read.response_bytes / 1024)} KB of JSON; loaded in ${s.load_seconds} s`).join('; ');
  return `${title}\`node bench/collector/read_scale.mjs\`: a seeded site (${c.scales[0].generated.pages} pages, Zipf traffic, width/device/login/A-B segments, `
    + `clicks, dwell, reach, attention and elements per page view as the tracker sends them) over ${c.days} days, written into both stores by `
    + `\`collector_read_scale_gen\` through the stores' own \`commit_batch\` (page views summed per row key and `
    + `${c.slices_per_day === 1 ? 'day' : `${c.slices_per_day}th of a day`}, commits of at most 1000 reports and 250,000 cells; generation explained in `
    + 'the script headers and docs/scale-out.md). Read: the 30-day `/api/heatmap` of the busiest page through a real collector on each store, '
    + `median and p95 of ${c.reads} reads after one warm-up; both stores answer byte for byte the same. Bytes: SQLite file + WAL; ClickHouse `
    + '`system.parts` of both shards, right after loading (background merges still running) and after `OPTIMIZE TABLE ... FINAL`. '
    + `Busiest page: ${busy}. Whole run ${Math.round(c.seconds / 60)} min. Both shards, the collectors and the loader share 2 cores `
    + '(with other work), so only ratios mean anything; "as loaded" is already mostly merged because a day\'s page views arrive summed.\n\n'
    + `${table(['store', '30-day read, median', 'vs SQLite', 'bytes per page view', 'vs SQLite', 'ClickHouse rows'], rows)}\n${growth}`;
}

export function render() {
  const r = {
    machine: readResult('machine'), size: readResult('size'), mainthread: readResult('mainthread'), wire: readResult('wire'),
    overlayPeers: readResult('overlay-peers'), overlay: readResult('overlay'), collector: readResult('collector'), scaling: readResult('scaling'),
    hotRow: readResult('collector-hot-row'),
    collectorAb: readResult('collector-ab'),
    clickhouse: readResult('collector-clickhouse'),
    readScale: readResult('collector-read-scale'),
  };
  collectorHotRow = r.hotRow;
  const overlay = overlaySection(r.overlayPeers, r.overlay);  // sets the summary's peer note
  const doc = [
    '# Benchmarks\n',
    `Generated by \`npm run bench\` (\`bench/run.mjs\`) on ${new Date().toISOString().slice(0, 10)} from \`bench/results/*.json\`; `
    + 'do not edit by hand. Each benchmark also runs alone (`node bench/size.mjs`, `bench/mainthread.mjs`, `bench/wire.mjs`, '
    + '`bench/scaling.mjs`, `bench/overlay-peers.mjs`). Inputs are seeded, so runs compare; figures are medians with (min-max).\n',
    machineSection(r.machine),
    summary({ ...r }),
    sizeSection(r.size), mainSection(r.mainthread), wireSection(r.wire), overlay,
    genericSection('5. Collector ingest', r.collector, '`bench/collector/run.sh` (wrk against the collector and an nginx 204 floor) is not in this tree yet: not measured.'),
    collectorAbSection(r.collectorAb),
    genericSection('5b. Collector ingest while one page grows to 1M cells', r.hotRow, '`bench/collector/hot_row.mjs` has not run yet: not measured.'),
    scalingSection(r.scaling, r.collector),
    clickhouseSection(r.clickhouse),
    readScaleSection(r.readScale),
  ].filter(Boolean).join('\n');
  const file = path.join(ROOT, 'docs/BENCHMARKS.md');
  writeFileSync(file, doc);
  console.log(`wrote ${path.relative(ROOT, file)}`);
}

if (isMain(import.meta)) render();
