// Shared helpers for native tests: a seeded PRNG and random reports.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "core/aggregate.h"
#include "core/codec.h"
#include "core/splitmix.h"

namespace thermograph::test {

// splitmix64: seeded, portable, so failures reproduce from the printed seed.
struct Rng {
  uint64_t s;
  uint64_t next() { return splitmix64(s); }
  uint32_t below(uint32_t n) { return static_cast<uint32_t>(next() % n); }
};

// The indexes of the 10 largest cells, largest first (ties: lower index first).
inline std::vector<uint32_t> top10(const SparseVec& v) {
  std::vector<SparseVec::Cell> c = v.cells();
  std::sort(c.begin(), c.end(), [](const auto& x, const auto& y) {
    return x.value != y.value ? x.value > y.value : x.index < y.index;
  });
  std::vector<uint32_t> out;
  for (size_t i = 0; i < c.size() && i < 10; ++i) out.push_back(c[i].index);
  return out;
}

inline Aggregate random_aggregate(Rng& rng, bool huge_values = false) {
  Aggregate a;
  for (auto& c : a.counters) c = rng.below(3) ? 0 : rng.below(huge_values ? 0xffffffffu : 50) + 1;
  for (uint8_t l = 0; l < kLayerCount; ++l) {
    const uint32_t limit = layer_index_limit(static_cast<Layer>(l));
    const uint32_t n = rng.below(20);
    for (uint32_t i = 0; i < n; ++i)
      a.layers[l].add(rng.below(limit < 4000 ? limit : 4000),
                      huge_values ? 0xfffffff0u : rng.below(9) + 1);
  }
  const uint32_t ne = rng.below(6);
  for (uint32_t i = 0; i < ne; ++i) {
    const uint32_t key = rng.below(10) * 0x1000193u;
    ElementStats* el = a.element(key);
    el->flags |= rng.below(4);
    el->counters[rng.below(kElementCounterCount)] += rng.below(5) + 1;
    el->cells.add(rng.below(kSubGrid * kSubGrid), rng.below(4) + 1);
    const uint32_t to = (rng.below(9) + 1) * 0x9e3779b1u;
    if (key && to != key && rng.below(2)) el->next.add(to, rng.below(3) + 1);  // a journey step
  }
  return a;
}

// `r` as a report of an older wire version (1-5): version 5's layout with that version in the
// header; versions before 5 end before the journey step count (r must have no steps then).
inline std::vector<uint8_t> encode_version(const Report& r, uint8_t version) {
  std::vector<uint8_t> b = encode_v5(r);
  b[2] = version;
  if (version < 5) b.pop_back();
  return b;
}

// What one page view's delta can hold: its 0/1 counters and journey steps at most 1.
inline Aggregate& as_delta(Aggregate& a) {
  for (uint32_t i = 0; i < kPageCounterCount; ++i)
    if (kPageFlagCounters >> i & 1) a.counters[i] = std::min(a.counters[i], 1u);
  std::vector<uint32_t> keys;
  for (const auto& [key, el] : a.elements()) keys.push_back(key);
  for (const uint32_t key : keys) {
    ElementStats& el = *a.element(key);
    for (uint32_t i = 0; i < kElementCounterCount; ++i)
      if (kElementFlagCounters >> i & 1) el.counters[i] = std::min(el.counters[i], 1u);
    SparseVec next;
    for (const auto& c : el.next.cells()) next.add(c.index, 1);
    el.next = next;
  }
  return a;
}

}  // namespace thermograph::test
