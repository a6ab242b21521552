// Group commit. The HTTP layer submits decoded reports with a completion callback and moves on;
// one writer thread takes everything queued, merges it into rows in one transaction, commits
// (fsync), then completes all of those reports at once. One fsync is shared by every report that
// arrived while the previous one ran, so throughput grows with concurrency instead of being capped
// at fsyncs per second. No I/O thread ever waits for the disk.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "cardinality.h"
#include "metrics.h"
#include "store.h"

namespace thermograph {

class Ingest {
 public:
  // kStoreFull: the disk is full or a file hit its size limit; retry once space returns.
  // kStoreUnavailable: a database server (ClickHouse shard) is down; retry once it is back.
  enum class Result { kStored, kQueueFull, kStoreFailed, kStoreFull, kStoreUnavailable, kStopped };

  // `max_queue` bounds memory: reports waiting for the writer beyond it are refused (503).
  // `limits` bound the pages, variants and tag values each site and day may hold.
  Ingest(Store& store, size_t max_queue, SegmentLimits limits = {});
  ~Ingest();
  Ingest(const Ingest&) = delete;
  Ingest& operator=(const Ingest&) = delete;

  // Called exactly once per submitted report with its outcome.
  using Done = std::function<void(Result)>;

  // Queues `report` (`day` is its UTC day bucket) and returns at once. `done` runs on the writer
  // thread after the transaction holding the report has committed (kStored: durable, it may be
  // acknowledged) or failed (kStoreFailed: nothing of it was stored); or right here, on the
  // calling thread, when the report is refused (kQueueFull, kStopped). Reports are completed in
  // the order they were queued. `done` must be quick and must not block: it runs on the writer
  // thread between two commits (post the real work elsewhere).
  void submit(Report&& report, int32_t day, Done done);
  // The same, waiting for the outcome (tools and tests; never on an I/O thread).
  Result submit(Report&& report, int32_t day);

  // Counts a refused report. Rejections are persisted with the next commit (within ~1 s).
  void count(const std::string& reason, uint64_t n = 1);

  // Durable counters plus rejections not yet written.
  StatsMap stats();
  size_t queue_depth();
  size_t queue_capacity() const { return max_queue_; }
  // Batch sizes and commit latencies, for /metrics.
  const IngestMetrics& metrics() const { return metrics_; }

  // "" while the last commit succeeded, else why it failed ("storage_full", "store_unavailable",
  // "store_error").
  std::string health();

  // Drains the queue, writes pending counters, and joins the writer. Idempotent.
  void stop();

 private:
  struct Pending {
    Report report;
    int32_t day = 0;
    Done done;
  };

  void run();
  void write_batch(std::vector<Pending*>& batch);
  void complete(std::vector<Pending*>& batch, Result result);  // runs and frees the callbacks
  void log_failure(const std::string& what);

  Store& store_;
  const size_t max_queue_;

  std::mutex mu_;  // guards queue_ and stopping_
  std::condition_variable work_cv_;
  std::deque<Pending*> queue_;  // owned: freed by complete()
  bool stopping_ = false;

  std::mutex pending_mu_;  // guards pending_stats_ (rejections not yet committed)
  StatsMap pending_stats_;
  std::mutex flush_mu_;  // held while pending stats move into the store (stats() waits)

  IngestMetrics metrics_;
  SegmentGuard guard_;  // used by the writer thread only
  std::mutex health_mu_;
  std::string health_;
  std::chrono::steady_clock::time_point last_error_log_{};
  uint64_t errors_not_logged_ = 0;

  std::thread writer_;
};

}  // namespace thermograph
