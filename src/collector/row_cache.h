// The store writer's cache of decoded small rows (SqliteStore::commit_batch).
//
// Under load the same few rows are merged in place batch after batch; decoding each from its
// blob every time was the largest part of the writer's work. The writer keeps the decoded rows
// it wrote here, so the next batch merges into memory, encodes, and writes.
//
// The cache holds only what the writer itself committed. SqliteStore drops an entry whenever
// anything else rewrites its row (compaction, quarantine, prune, site deletion, a failed
// transaction, another connection's commit); see "Durability" in docs/collector.md.
// Memory is bounded: entries are counted by their approximate heap size and the least recently
// used go first once `max_bytes` is passed. Not thread-safe: the writer uses it under its lock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>

#include "store.h"

namespace thermograph {

class RowCache {
 public:
  struct Entry {
    Report row;
    int64_t cells = 0;    // cell_count(row.data), as the `cells` column says
    int64_t dropped = 0;  // the row's `dropped` column
    size_t bytes = 0;     // approx_bytes() when last measured
    uint64_t used = 0;    // recency stamp
  };

  explicit RowCache(size_t max_bytes) : max_bytes_(max_bytes) {}

  // The entry for `key` (marked used), or nullptr. Valid until the next put() or erase().
  Entry* find(const RowKey& key);
  // Stores the row as just written, replacing any entry, then evicts down to the bound. A row
  // larger than the whole bound is not kept.
  void put(const RowKey& key, Report&& row, int64_t cells, int64_t dropped);
  // After the caller changed `e` in place (merged into it) and wrote it: new sizes, then evicts.
  void update(const RowKey& key, Entry& e, int64_t cells, int64_t dropped);
  void erase(const RowKey& key);
  void clear();

  size_t bytes() const { return bytes_; }
  size_t size() const { return rows_.size(); }
  size_t max_bytes() const { return max_bytes_; }

  // Heap bytes a cached row holds (vectors by capacity, strings, the map node): an estimate
  // that errs high, so the bound holds.
  static size_t approx_bytes(const RowKey& key, const Report& row);

 private:
  void evict();

  size_t max_bytes_;
  size_t bytes_ = 0;
  uint64_t clock_ = 0;
  std::map<RowKey, Entry> rows_;
};

}  // namespace thermograph
