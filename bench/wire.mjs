// Bytes on the wire per page view for the standard session: every request a tool made to its
// backend (the sink), from page load to the pagehide beacons. "Sent" is the body as transmitted;
// "raw" is the payload uncompressed (gunzip / base64-decode what the tool compressed or encoded);
// "gzip" is what each body would be if gzipped where the tool did not compress it itself.
//   node bench/wire.mjs [--runs N]
import { gzipSync, gunzipSync } from 'node:zlib';
import { stats, writeResult, runsArg, isMain } from './lib/common.mjs';
import { collectRuns, TOOLS } from './lib/runs.mjs';

const isGzip = (b) => b.length > 2 && b[0] === 0x1f && b[1] === 0x8b;

// One request's three sizes. Request headers are not counted (every tool pays ~similar ones per
// request; the request count is reported instead).
export function bodySizes(req) {
  const sent = req.body.length;
  let raw = req.body, compressed = isGzip(req.body) || /gzip|br|deflate/.test(req.contentEncoding);
  if (isGzip(req.body)) raw = gunzipSync(req.body);
  else if (/compression=base64/.test(req.url)) {
    // PostHog's beacon fallback: data=<urlencoded base64 of the JSON batch>.
    const data = new URLSearchParams(req.body.toString()).get('data') || '';
    raw = Buffer.from(data, 'base64');
  }
  const gzip = compressed ? sent : Math.min(sent, sent ? gzipSync(req.body, { level: 6 }).length : 0);
  return { sent, raw: raw.length, gzip, compressed };
}

const toolRequests = (reqs) => reqs.filter((r) => !r.url.startsWith('/favicon.ico'));

export function wireFrom(collected) {
  const tools = {};
  for (const [tool, runs] of Object.entries(collected.byTool)) {
    if (tool === 'none') continue;
    const per = runs.map((run) => {
      const reqs = toolRequests(run.requests).map((r) => ({ method: r.method, path: r.url.split('?')[0], ...bodySizes(r) }));
      const sum = (k) => reqs.reduce((s, r) => s + r[k], 0);
      return { requests: reqs.length, posts: reqs.filter((r) => r.method === 'POST').length,
        sent: sum('sent'), raw: sum('raw'), gzip: sum('gzip'), detail: reqs };
    });
    tools[tool] = {
      requests: stats(per.map((p) => p.requests)), posts: stats(per.map((p) => p.posts)),
      sent: stats(per.map((p) => p.sent)), raw: stats(per.map((p) => p.raw)), gzip: stats(per.map((p) => p.gzip)),
      example: per[0].detail,
    };
  }
  const ratios = {};
  const tg = tools.thermograph;
  for (const [t, v] of Object.entries(tools)) {
    if (t === 'thermograph') continue;
    ratios[t] = { sent: v.sent.median / tg.sent.median, gzip: v.gzip.median / tg.gzip.median, raw: v.raw.median / tg.raw.median };
  }
  return {
    method: 'Request bodies received by the local sink per page view (load to pagehide), request headers excluded.',
    plan: collected.plan, runs: collected.byTool.thermograph.length, tools, ratios,
    target: { rule: 'Thermograph <= 1 KB per page view (as sent)', bytes: tg.sent.median, met: tg.sent.median <= 1024,
      signalsBytes: tools.thermographSignals?.sent.median },
  };
}

if (isMain(import.meta)) {
  const collected = await collectRuns(runsArg(2), { tools: TOOLS.filter((t) => t !== 'none') });
  const r = wireFrom(collected);
  for (const [t, v] of Object.entries(r.tools)) {
    console.log(`${t.padEnd(12)} ${v.requests.median} requests  sent ${v.sent.median} B  raw ${v.raw.median} B  gzip ${v.gzip.median} B`);
  }
  writeResult('wire', r);
}
