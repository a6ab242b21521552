#!/usr/bin/env bash
# Collector ingest benchmark: wrk on loopback against thermograph-collector (durable acks:
# WAL + synchronous=FULL, group commit) and against nginx answering `return 204;` (the ceiling
# for an HTTP server doing no work), plus the writer's merge cost by row size.
# Writes bench/results/collector.json. Usage: bench/collector/run.sh [--duration S] [--connections N]
#   [--no-merge-cost] (skip the merge cost by row size: bench/collector/ab.sh needs only the ingest)
# THERMOGRAPH_BENCH_ARGS: extra `serve` flags for the collector (e.g. "--in-place-cells 0").
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD="${THERMOGRAPH_BUILD:-$ROOT/build}"
DURATION=10       # seconds per wrk run
CONNECTIONS=64    # concurrent keep-alive connections
THREADS=2         # wrk threads: the machine has 2 cores
MERGE_COST=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --duration) DURATION="$2"; shift 2 ;;
    --connections) CONNECTIONS="$2"; shift 2 ;;
    --no-merge-cost) MERGE_COST=0; shift ;;
    *) echo "run.sh: unknown flag $1" >&2; exit 64 ;;
  esac
done

COLLECTOR="$BUILD/src/collector/thermograph-collector"
ENCODE="$BUILD/thermograph-encode"
MERGE_BENCH="$BUILD/src/collector/collector_merge_bench"
for bin in "$COLLECTOR" "$ENCODE" "$MERGE_BENCH"; do
  [[ -x "$bin" ]] || { echo "run.sh: missing $bin (build first: cmake --build build -j2)" >&2; exit 1; }
done
command -v wrk >/dev/null || { echo "run.sh: wrk not installed" >&2; exit 1; }
command -v nginx >/dev/null || { echo "run.sh: nginx not installed (nginx-light)" >&2; exit 1; }

TMP="$(mktemp -d)"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$TMP"
}
trap cleanup EXIT

echo "== reports"
DB="$TMP/bench.sqlite"
SITE_JSON="$("$COLLECTOR" site create --db "$DB" --origin https://shop.example --name bench --json)"
SITE_KEY="$(node -e 'console.log(JSON.parse(process.argv[1]).site_key)' "$SITE_JSON")"
# 16 realistic reports: 4 pages x width/device/variant segments, ~15 click cells, ~40 dwell
# cells, reach and attention bands, a few elements. Seeded so every run sends the same bytes.
node - "$SITE_KEY" "$TMP" <<'JS'
const [site, dir] = process.argv.slice(2);
let s = 12345;
const rnd = (n) => { s = (s * 1103515245 + 12345) >>> 0; return (s >>> 8) % n; };
const pages = ['/', '/pricing', '/docs/start', '/blog/:slug'].map((p) => 'https://shop.example' + p);
for (let i = 0; i < 16; i++) {
  const cells = (n, max) => {
    const m = new Map();
    while (m.size < n) m.set(`${rnd(80) * 16},${rnd(200) * 16}`, rnd(max) + 1);
    return [...m].map(([k, v]) => [...k.split(',').map(Number), v]);
  };
  const bands = (n) => Array.from({ length: n }, (_, b) => [b, 1]);
  const report = {
    kind: 'delta',
    segment: { site, page: pages[i % 4], width_class: i % 3, device: 1 + (i % 2), variant: i % 4 < 2 ? 'A' : 'B', tracker_version: 1, tags: { plan: i % 2 ? 'pro' : 'free' } },
    counters: { page_views: 1, pv_clicked: 1, fold_sum: 800, doc_height_sum: 3200, engaged_seconds: 40 },
    layers: { clicks: cells(12, 3), move: cells(40, 20), reach_px: bands(20), reach_pct: bands(60), attention: bands(8).map(([b]) => [b, rnd(50) + 1]) },
    elements: Array.from({ length: 4 }, (_, k) => ({ key: (0x1000 + k * 977 + i).toString(16), interactive: true, counters: { clicks: 1, pv_clicked: 1, hover: rnd(30) + 1 }, cells: [[rnd(16), rnd(16), 1]] })),
  };
  require('fs').writeFileSync(`${dir}/report${i}.json`, JSON.stringify(report));
}
JS
for i in $(seq 0 15); do "$ENCODE" < "$TMP/report$i.json" > "$TMP/report$i.bin"; done
AVG_BYTES=$(( $(cat "$TMP"/report*.bin | wc -c) / 16 ))
echo "16 reports, average $AVG_BYTES bytes"

# Runs wrk and prints "rps p50_ms p99_ms requests non2xx".
run_wrk() {
  local url="$1" out
  out="$(BENCH_REPORTS="$TMP" wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency \
         -s "$ROOT/bench/collector/report.lua" "$url")"
  echo "$out" >&2
  node -e '
    const out = process.argv[1];
    const ms = (re) => { const m = re.exec(out); if (!m) return null;
      const v = parseFloat(m[1]); return m[2] === "us" ? v / 1000 : m[2] === "s" ? v * 1000 : v; };
    const rps = parseFloat(/Requests\/sec:\s+([\d.]+)/.exec(out)[1]);
    const total = parseInt(/(\d+) requests in/.exec(out)[1]);
    const non2xx = parseInt((/Non-2xx or 3xx responses: (\d+)/.exec(out) || [0, 0])[1]);
    console.log(rps, ms(/50%\s+([\d.]+)(us|ms|s)/), ms(/99%\s+([\d.]+)(us|ms|s)/), total, non2xx);
  ' "$out"
}

# CPU ticks (user + system) of process $1, or of its threads named $2 (tg-writer: the store
# writer). Less sensitive to other load on the machine than reports/s.
cpu_ticks() {
  local pid="$1" name="${2:-}" total=0 task stat
  if [[ -z "$name" ]]; then
    stat="$(cat "/proc/$pid/stat")"; stat="${stat##*) }"
    read -r -a f <<< "$stat"
    echo $(( f[11] + f[12] ))
    return
  fi
  for task in /proc/"$pid"/task/*; do
    [[ "$(cat "$task/comm" 2>/dev/null)" == "$name" ]] || continue
    stat="$(cat "$task/stat")"; stat="${stat##*) }"
    read -r -a f <<< "$stat"
    total=$(( total + f[11] + f[12] ))
  done
  echo "$total"
}

echo "== thermograph-collector ($CONNECTIONS connections, ${DURATION}s)"
# wrk is one client address: lift the per-address connection cap above its connection count.
"$COLLECTOR" serve --db "$DB" --port 0 --rate 0 \
  --max-connections-per-address $(( CONNECTIONS + 64 )) ${THERMOGRAPH_BENCH_ARGS:-} 2> "$TMP/collector.log" &
COLLECTOR_PID=$!
PIDS+=($COLLECTOR_PID)
for _ in $(seq 100); do grep -q "listening on" "$TMP/collector.log" && break; sleep 0.1; done
PORT="$(grep -o '127.0.0.1:[0-9]*' "$TMP/collector.log" | cut -d: -f2)"
CPU0="$(cpu_ticks "$COLLECTOR_PID") $(cpu_ticks "$COLLECTOR_PID" tg-writer)"
STORED0="$("$COLLECTOR" stats --db "$DB" | node -e '
  let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => console.log(JSON.parse(s).accepted || 0));')"
read -r T_RPS T_P50 T_P99 T_TOTAL T_NON2XX < <(run_wrk "http://127.0.0.1:$PORT")
CPU1="$(cpu_ticks "$COLLECTOR_PID") $(cpu_ticks "$COLLECTOR_PID" tg-writer)"
# Collector-wide counters are the operator's (CLI stats); /api/stats shows one site's figures.
ACCEPTED="$("$COLLECTOR" stats --db "$DB" | node -e '
  let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => console.log(JSON.parse(s).accepted));')"
echo "acknowledged and stored: $ACCEPTED of $T_TOTAL requests ($T_NON2XX non-2xx)"
# Microseconds of CPU per stored report: the whole collector, and its writer thread alone.
CPU_US="$(node -e '
  const [a, b, n, hz] = process.argv.slice(1); const [p0, w0] = a.split(" ").map(Number);
  const [p1, w1] = b.split(" ").map(Number); const us = (t) => Math.round((t * 1e6 / hz / n) * 10) / 10;
  console.log(us(p1 - p0), us(w1 - w0));' "$CPU0" "$CPU1" "$(( ACCEPTED - STORED0 ))" "$(getconf CLK_TCK)")"
echo "collector CPU per stored report (us): process, writer thread: $CPU_US"

echo "== nginx return 204 (ceiling)"
NGINX_PORT=$(( PORT + 1 ))
mkdir -p "$TMP/nginx"
cat > "$TMP/nginx/nginx.conf" <<CONF
daemon off;
worker_processes 2;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $TMP/nginx/body;
  proxy_temp_path $TMP/nginx/proxy;
  fastcgi_temp_path $TMP/nginx/fastcgi;
  uwsgi_temp_path $TMP/nginx/uwsgi;
  scgi_temp_path $TMP/nginx/scgi;
  keepalive_requests 1000000;
  server { listen 127.0.0.1:$NGINX_PORT; location / { return 204; } }
}
CONF
nginx -c "$TMP/nginx/nginx.conf" -p "$TMP/nginx" -e "$TMP/nginx/error.log" &
PIDS+=($!)
for _ in $(seq 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$NGINX_PORT") 2>/dev/null && break
  sleep 0.1
done
read -r N_RPS N_P50 N_P99 N_TOTAL N_NON2XX < <(run_wrk "http://127.0.0.1:$NGINX_PORT")

echo "== merge cost by row size"
MERGE_JSON="[]"
[[ "$MERGE_COST" == 1 ]] && MERGE_JSON="$("$MERGE_BENCH")"
echo "$MERGE_JSON"

mkdir -p "$ROOT/bench/results"
node -e '
  const [t, n, merge, bytes, accepted, dur, conns, , cpu] = process.argv.slice(1);
  const [trps, tp50, tp99, ttotal, tnon] = t.split(" ").map(Number);
  const [cpuProcess, cpuWriter] = cpu.split(" ").map(Number);
  const [nrps, np50, np99] = n.split(" ").map(Number);
  const out = {
    thermograph: { rps: Math.round(trps), p50_ms: tp50, p99_ms: tp99, requests: ttotal, non_2xx: tnon, stored: Number(accepted),
                   cpu_us_per_report: { process: cpuProcess, writer_thread: cpuWriter } },
    nginx: { rps: Math.round(nrps), p50_ms: np50, p99_ms: np99 },
    ratio: Math.round((trps / nrps) * 1000) / 1000,
    report_bytes_avg: Number(bytes),
    setup: { duration_s: Number(dur), connections: Number(conns), wrk_threads: 2, loopback: true, durable_acks: "WAL + synchronous=FULL, group commit" },
    merge_cost_by_row_cells: JSON.parse(merge),
  };
  require("fs").writeFileSync(process.argv[8], JSON.stringify(out, null, 2) + "\n");
  console.log(JSON.stringify(out, null, 2));
' "$T_RPS $T_P50 $T_P99 $T_TOTAL $T_NON2XX" "$N_RPS $N_P50 $N_P99" "$MERGE_JSON" "$AVG_BYTES" \
  "$ACCEPTED" "$DURATION" "$CONNECTIONS" "$ROOT/bench/results/collector.json" "$CPU_US"
