// Operational metrics for /metrics (Prometheus text exposition format 0.0.4): reports by result
// and reason, queue depth, reports per commit batch, commit latency, database size.
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "store.h"

namespace thermograph {

// A cumulative histogram with fixed upper bounds (Prometheus `le` buckets), safe from any thread.
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds)
      : bounds_(std::move(bounds)), counts_(bounds_.size() + 1, 0) {}
  void observe(double v);
  // Appends the `_bucket`, `_sum` and `_count` lines of metric `name`.
  void write(std::string& out, const std::string& name, const std::string& help) const;

 private:
  const std::vector<double> bounds_;
  mutable std::mutex mu_;
  std::vector<uint64_t> counts_;  // per bucket, not cumulative; the last one is +Inf
  double sum_ = 0;
  uint64_t count_ = 0;
};

// Measured by the ingest writer, once per commit.
struct IngestMetrics {
  Histogram batch_reports{{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192}};
  Histogram commit_seconds{
      {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}};
};

struct MetricsInput {
  const StatsMap& stats;  // durable counters plus those not yet written (Ingest::stats())
  size_t queue_depth = 0;
  size_t queue_capacity = 0;
  uint64_t store_bytes = 0;
  const IngestMetrics& ingest;
  bool healthy = true;
};

// The whole /metrics body.
std::string prometheus_text(const MetricsInput& in);

// Whether a peer address (as the server formats it) is the loopback interface.
bool is_loopback(const std::string& addr);

}  // namespace thermograph
