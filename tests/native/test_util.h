// Shared helpers for native tests: a seeded PRNG and random reports.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "core/aggregate.h"
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

}  // namespace thermograph::test
