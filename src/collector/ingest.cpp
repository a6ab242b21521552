#include "ingest.h"

#include <pthread.h>

#include <chrono>
#include <cstdio>
#include <future>
#include <map>

namespace thermograph {

Ingest::Ingest(Store& store, size_t max_queue, SegmentLimits limits)
    : store_(store), max_queue_(max_queue), guard_(store, limits), writer_([this] { run(); }) {}

Ingest::~Ingest() {
  stop();
}

void Ingest::submit(Report&& report, int32_t day, Done done) {
  Result refused = Result::kStopped;
  {
    std::lock_guard lock(mu_);
    if (stopping_) {
      refused = Result::kStopped;
    } else if (queue_.size() >= max_queue_) {
      refused = Result::kQueueFull;
    } else {
      queue_.push_back(new Pending{std::move(report), day, std::move(done)});
      work_cv_.notify_one();
      return;
    }
  }
  done(refused);  // outside the lock: `done` may take its own locks
}

Ingest::Result Ingest::submit(Report&& report, int32_t day) {
  std::promise<Result> outcome;
  submit(std::move(report), day, [&outcome](Result r) { outcome.set_value(r); });
  return outcome.get_future().get();
}

void Ingest::complete(std::vector<Pending*>& batch, Result result) {
  for (Pending* p : batch) {
    try {
      p->done(result);
    } catch (const std::exception& e) {  // a callback must not take the writer down
      std::fprintf(stderr, "thermograph-collector: ingest completion failed: %s\n", e.what());
    }
    delete p;
  }
  batch.clear();
}

void Ingest::count(const std::string& reason, uint64_t n) {
  std::lock_guard lock(pending_mu_);
  pending_stats_[reason] += n;
}

StatsMap Ingest::stats() {
  std::lock_guard flush(flush_mu_);
  StatsMap out = store_.stats();
  std::lock_guard lock(pending_mu_);
  for (const auto& [k, v] : pending_stats_) out[k] += v;
  return out;
}

size_t Ingest::queue_depth() {
  std::lock_guard lock(mu_);
  return queue_.size();
}

std::string Ingest::health() {
  std::lock_guard lock(health_mu_);
  return health_;
}

void Ingest::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  work_cv_.notify_all();
  if (writer_.joinable()) writer_.join();
}

void Ingest::run() {
  // Named so `top -H` and the ingest benchmark can tell the writer's CPU time from the I/O
  // threads'.
  pthread_setname_np(pthread_self(), "tg-writer");
  std::vector<Pending*> batch;
  for (;;) {
    bool last = false;
    {
      std::unique_lock lock(mu_);
      // Wake at least once a second so rejection counters reach the store without traffic.
      work_cv_.wait_for(lock, std::chrono::seconds(1),
                        [&] { return !queue_.empty() || stopping_; });
      batch.assign(queue_.begin(), queue_.end());
      queue_.clear();
      last = stopping_;
    }
    write_batch(batch);
    if (last) {
      std::lock_guard lock(mu_);
      if (queue_.empty()) return;  // submit() refuses new work once stopping_ is set
    }
  }
}

void Ingest::write_batch(std::vector<Pending*>& batch) {
  // Bounds on pages, variants and tags per site and day, in arrival order; then reports for the
  // same row are merged in memory, so the store touches each row once.
  StatsMap folded;
  for (Pending* p : batch) guard_.apply(p->report, p->day, folded);
  std::map<RowKey, Report> rows;
  for (Pending* p : batch) {
    RowKey key = row_key(p->report.segment, p->day);
    auto [it, fresh] = rows.try_emplace(std::move(key));
    if (fresh) {
      it->second = std::move(p->report);
    } else {
      it->second.data.merge(p->report.data);
      if (p->report.segment.tracker_version > it->second.segment.tracker_version)
        it->second.segment.tracker_version = p->report.segment.tracker_version;
    }
  }
  std::vector<std::pair<RowKey, const Report*>> items;
  items.reserve(rows.size());
  for (const auto& [key, report] : rows) items.push_back({key, &report});

  Result result = Result::kStored;
  {
    std::lock_guard flush(flush_mu_);
    StatsMap carried;  // counters from pending_stats_, taken out once committed
    {
      std::lock_guard lock(pending_mu_);
      carried = pending_stats_;
    }
    StatsMap stats = carried;
    for (const auto& [k, v] : folded) stats[k] += v;
    if (!batch.empty()) stats["accepted"] += batch.size();
    bool any = !items.empty();
    for (const auto& [k, v] : stats) any = any || v != 0;
    if (any) {
      std::string failure;
      try {
        const auto start = std::chrono::steady_clock::now();
        store_.commit_batch(items, stats);
        if (!batch.empty()) {
          metrics_.commit_seconds.observe(
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
          metrics_.batch_reports.observe(static_cast<double>(batch.size()));
        }
        std::lock_guard lock(pending_mu_);
        for (const auto& [k, v] : carried) pending_stats_[k] -= v;
        std::erase_if(pending_stats_, [](const auto& e) { return e.second == 0; });
      } catch (const StoreError& e) {
        // Nothing was committed: the requests get 503 (full) or 500 and the tracker may retry.
        result = e.full()          ? Result::kStoreFull
                 : e.unavailable() ? Result::kStoreUnavailable
                                   : Result::kStoreFailed;
        failure = e.what();
      } catch (const std::exception& e) {
        result = Result::kStoreFailed;
        failure = e.what();
      }
      if (!failure.empty()) {
        guard_.forget();  // what it admitted in this batch was not stored
        log_failure(failure);
      }
      std::lock_guard lock(health_mu_);
      health_ = result == Result::kStored             ? ""
                : result == Result::kStoreFull        ? "storage_full"
                : result == Result::kStoreUnavailable ? "store_unavailable"
                                                      : "store_error";
    }
  }
  if (result != Result::kStored && !batch.empty())
    count(result == Result::kStoreFull          ? "storage_full"
          : result == Result::kStoreUnavailable ? "store_unavailable"
                                                : "store_error",
          batch.size());
  complete(batch, result);
}

// One line per failure, at most one every 5 s (a full disk fails every batch), with a count of
// the ones not printed.
void Ingest::log_failure(const std::string& what) {
  const auto now = std::chrono::steady_clock::now();
  if (now - last_error_log_ < std::chrono::seconds(5)) {
    ++errors_not_logged_;
    return;
  }
  last_error_log_ = now;
  if (errors_not_logged_ > 0) {
    std::fprintf(stderr, "thermograph-collector: store commit failed: %s (and %llu more since)\n",
                 what.c_str(), static_cast<unsigned long long>(errors_not_logged_));
  } else {
    std::fprintf(stderr, "thermograph-collector: store commit failed: %s\n", what.c_str());
  }
  errors_not_logged_ = 0;
}

}  // namespace thermograph
