// `thermograph-collector serve`: the HTTP server around the store and the group-commit writer.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <thread>

#include "cardinality.h"
#include "http_server.h"

namespace thermograph {

struct ServerOptions {
  std::string db;
  std::string host = "127.0.0.1";
  int port = 8080;   // 0 picks a free port (printed on stderr)
  double rate = 20;  // reports per second per client address; 0 disables
  double burst = 0;  // bucket size; 0 means 2 x rate (at least 10)
  // I/O threads (connections are asynchronous: no thread per connection).
  size_t threads = std::max(1u, std::thread::hardware_concurrency());
  size_t read_threads = 4;      // worker pool for the read API (SQLite reads)
  size_t queue = 8192;          // reports waiting for the writer before 503
  http::Limits limits;          // header, body, time and connection limits (--max-body, ...)
  uint32_t min_page_views = 1;  // release policy for the read API
  double epsilon = 0;           // central DP per released aggregate; 0 = off
  // Storage and cardinality bounds (docs/collector.md, "Limits").
  SegmentLimits segment_limits;               // pages per site-day, variants, tag values
  uint64_t max_cells_per_page_day = 1000000;  // cells one page and day may hold
  uint32_t compact_after_seconds = 10;        // pending deltas fold into rows after this
  uint32_t in_place_max_cells = 4096;         // smaller rows are merged in place at ingest
  uint64_t row_cache_bytes = StoreOptions{}.row_cache_bytes;  // the writer's decoded rows
  // /metrics: "" = loopback clients only; else every client must present this bearer token
  // (read from --metrics-token-file, never from the command line, which `ps` shows).
  std::string metrics_token;
};

// Runs until SIGINT/SIGTERM. Returns the process exit status; errors are printed as one line.
int serve(const ServerOptions& options);

}  // namespace thermograph
