#!/usr/bin/env bash
# Before/after comparison of collector ingest: runs bench/collector/run.sh against two builds,
# alternating (A B A B ...), so neighbours' load on a shared machine falls on both alike.
# Reports each run's ratio to nginx `return 204` (measured in the same run) and the collector's
# CPU per stored report, which other load disturbs less than reports/s.
# Usage: bench/collector/ab.sh BUILD_A BUILD_B [--runs N] [--duration S]
# Writes bench/results/collector-ab.json (bench/render.mjs shows it in docs/BENCHMARKS.md).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
RUNS=3
DURATION=10
[[ $# -ge 2 ]] || { echo "usage: ab.sh BUILD_A BUILD_B [--runs N] [--duration S]" >&2; exit 64; }
A="$(cd "$1" && pwd)"
B="$(cd "$2" && pwd)"
shift 2
while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) RUNS="$2"; shift 2 ;;
    --duration) DURATION="$2"; shift 2 ;;
    *) echo "ab.sh: unknown flag $1" >&2; exit 64 ;;
  esac
done

RUNS_JSON="$(mktemp)"
trap 'rm -f "$RUNS_JSON"' EXIT
for i in $(seq "$RUNS"); do
  for side in a b; do
    build="$A"; [[ "$side" == b ]] && build="$B"
    echo "== run $i, $side ($build)"
    THERMOGRAPH_BUILD="$build" bash "$ROOT/bench/collector/run.sh" --duration "$DURATION" --no-merge-cost \
      >/dev/null 2>&1
    node -e '
      const r = require(process.argv[1]);
      const row = { run: +process.argv[2], side: process.argv[3], ratio: r.ratio, rps: r.thermograph.rps,
        nginx_rps: r.nginx.rps, p99_ms: r.thermograph.p99_ms, non_2xx: r.thermograph.non_2xx,
        cpu_us_per_report: r.thermograph.cpu_us_per_report.process,
        writer_cpu_us_per_report: r.thermograph.cpu_us_per_report.writer_thread };
      console.log(JSON.stringify(row));' "$ROOT/bench/results/collector.json" "$i" "$side" | tee -a "$RUNS_JSON"
  done
done
node -e '
  const fs = require("fs");
  const [runsFile, a, b, duration, out] = process.argv.slice(1);
  const runs = fs.readFileSync(runsFile, "utf8").trim().split("\n").map((l) => JSON.parse(l));
  const median = (xs) => { const s = [...xs].sort((x, y) => x - y); const m = s.length >> 1;
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
  const side = (k) => { const rs = runs.filter((r) => r.side === k);
    return { ratio: median(rs.map((r) => r.ratio)), rps: median(rs.map((r) => r.rps)), cpu_us_per_report: median(rs.map((r) => r.cpu_us_per_report)),
      writer_cpu_us_per_report: median(rs.map((r) => r.writer_cpu_us_per_report)) }; };
  const res = { a: { build: a, ...side("a") }, b: { build: b, ...side("b") }, duration_s: +duration, runs };
  res.b_vs_a = { ratio: +(res.b.ratio / res.a.ratio).toFixed(3),
    cpu_per_report: +(res.b.cpu_us_per_report / res.a.cpu_us_per_report).toFixed(3),
    writer_cpu_per_report: +(res.b.writer_cpu_us_per_report / res.a.writer_cpu_us_per_report).toFixed(3) };
  fs.writeFileSync(out, JSON.stringify(res, null, 2) + "\n");
  console.log(JSON.stringify({ a: res.a, b: res.b, b_vs_a: res.b_vs_a }, null, 2));
' "$RUNS_JSON" "$A" "$B" "$DURATION" "$ROOT/bench/results/collector-ab.json"
