// `thermograph-collector serve`: the HTTP server around the store and the group-commit writer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "cardinality.h"

namespace thermograph {

struct ServerOptions {
  std::string db;
  std::string host = "127.0.0.1";
  int port = 8080;              // 0 picks a free port (printed on stderr)
  size_t max_body = 64 * 1024;  // bytes; larger bodies get 413 before being read
  double rate = 20;             // reports per second per client address; 0 disables
  double burst = 0;             // bucket size; 0 means 2 x rate (at least 10)
  size_t threads = 64;          // HTTP worker threads = concurrent connections served
  size_t queue = 8192;          // reports waiting for the writer before 503
  uint32_t min_page_views = 1;  // release policy for the read API
  double epsilon = 0;           // central DP per released aggregate; 0 = off
  // Storage and cardinality bounds (docs/collector.md, "Limits").
  SegmentLimits segment_limits;               // pages per site-day, variants, tag values
  uint64_t max_cells_per_page_day = 1000000;  // cells one page and day may hold
  uint32_t compact_after_seconds = 10;        // pending deltas fold into rows after this
};

// Runs until SIGINT/SIGTERM. Returns the process exit status; errors are printed as one line.
int serve(const ServerOptions& options);

}  // namespace thermograph
