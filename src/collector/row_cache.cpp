#include "row_cache.h"

#include <algorithm>
#include <vector>

namespace thermograph {

namespace {

size_t string_bytes(const std::string& s) {
  return s.capacity() > 15 ? s.capacity() + 1 : 0;  // short strings live inside the object
}

}  // namespace

size_t RowCache::approx_bytes(const RowKey& key, const Report& row) {
  size_t n = sizeof(RowKey) + sizeof(Entry) + 64;  // key, entry, map node and allocator overhead
  for (const std::string* s : {&key.site, &key.page, &key.variant, &key.tags, &row.segment.site,
                               &row.segment.page, &row.segment.variant})
    n += string_bytes(*s);
  n += row.segment.tags.capacity() * sizeof(Tag);
  for (const Tag& t : row.segment.tags) n += string_bytes(t.key) + string_bytes(t.value);
  for (const SparseVec& l : row.data.layers) n += l.cells().capacity() * sizeof(SparseVec::Cell);
  const auto& elements = row.data.elements();
  n += elements.capacity() * sizeof(elements[0]);
  for (const auto& [key_, el] : elements)
    n += (el.cells.cells().capacity() + el.next.cells().capacity()) * sizeof(SparseVec::Cell);
  return n;
}

RowCache::Entry* RowCache::find(const RowKey& key) {
  const auto it = rows_.find(key);
  if (it == rows_.end()) return nullptr;
  it->second.used = ++clock_;
  return &it->second;
}

void RowCache::put(const RowKey& key, Report&& row, int64_t cells, int64_t dropped) {
  erase(key);
  const size_t bytes = approx_bytes(key, row);
  if (bytes > max_bytes_) return;
  Entry& e = rows_[key];
  e.row = std::move(row);
  e.cells = cells;
  e.dropped = dropped;
  e.bytes = bytes;
  e.used = ++clock_;
  bytes_ += bytes;
  evict();
}

void RowCache::update(const RowKey& key, Entry& e, int64_t cells, int64_t dropped) {
  const size_t bytes = approx_bytes(key, e.row);
  bytes_ = bytes_ - e.bytes + bytes;
  e.bytes = bytes;
  e.cells = cells;
  e.dropped = dropped;
  e.used = ++clock_;
  if (bytes > max_bytes_) {
    erase(key);
    return;
  }
  evict();
}

void RowCache::erase(const RowKey& key) {
  const auto it = rows_.find(key);
  if (it == rows_.end()) return;
  bytes_ -= it->second.bytes;
  rows_.erase(it);
}

void RowCache::clear() {
  rows_.clear();
  bytes_ = 0;
}

// Past the bound, the least recently used entries go until a quarter of the bound is free, so
// the scan runs once per many insertions, not on each.
void RowCache::evict() {
  if (bytes_ <= max_bytes_) return;
  std::vector<std::pair<uint64_t, std::map<RowKey, Entry>::iterator>> order;
  order.reserve(rows_.size());
  for (auto it = rows_.begin(); it != rows_.end(); ++it) order.push_back({it->second.used, it});
  std::sort(order.begin(), order.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  const size_t target = max_bytes_ - max_bytes_ / 4;
  for (const auto& [used, it] : order) {
    if (bytes_ <= target) break;
    bytes_ -= it->second.bytes;
    rows_.erase(it);
  }
}

}  // namespace thermograph
