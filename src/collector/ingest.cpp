#include "ingest.h"

#include <chrono>
#include <cstdio>
#include <future>
#include <map>

namespace thermograph {

Ingest::Ingest(Store& store, size_t max_queue)
    : store_(store), max_queue_(max_queue), writer_([this] { run(); }) {}

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

void Ingest::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  work_cv_.notify_all();
  if (writer_.joinable()) writer_.join();
}

void Ingest::run() {
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
  // Reports for the same row are merged in memory first, so the store touches each row once.
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
    StatsMap stats;
    {
      std::lock_guard lock(pending_mu_);
      stats = pending_stats_;
    }
    if (!batch.empty()) stats["accepted"] += batch.size();
    bool any = !items.empty();
    for (const auto& [k, v] : stats) any = any || v != 0;
    if (any) {
      try {
        store_.commit_batch(items, stats);
        std::lock_guard lock(pending_mu_);
        for (const auto& [k, v] : stats)
          if (k != "accepted") pending_stats_[k] -= v;
        std::erase_if(pending_stats_, [](const auto& e) { return e.second == 0; });
      } catch (const std::exception& e) {
        // Nothing was committed: the requests get 500 and the tracker may retry.
        std::fprintf(stderr, "thermograph-collector: store commit failed: %s\n", e.what());
        result = Result::kStoreFailed;
      }
    }
  }
  if (result == Result::kStoreFailed && !batch.empty()) count("store_error", batch.size());
  complete(batch, result);
}

}  // namespace thermograph
