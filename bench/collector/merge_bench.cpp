// How a row's read-merge-write cost grows with the row's size: decode the stored row, merge a
// delta, re-encode (plus the bare in-memory merge), for rows of 100 to 1M distinct cells. Ingest
// pays it only for rows under --in-place-cells (4096 cells: ~0.3 ms); larger rows get pending
// deltas and the compactor pays it once per pass (bench/collector/hot_row.mjs measures ingest
// while a row grows). Seeded, so runs compare. Output: JSON on stdout.
#include <chrono>
#include <cstdio>
#include <string>

#include "collector/store.h"
#include "core/codec.h"
#include "core/splitmix.h"

using namespace thermograph;

namespace {

struct Rng {  // splitmix64
  uint64_t s;
  uint32_t below(uint32_t n) { return static_cast<uint32_t>(splitmix64(s) % n); }
};

Report row_with_cells(uint32_t cells, Rng& rng) {
  Report r;
  r.kind = kKindAggregate;
  r.segment.site = "tg_bench";
  r.segment.page = "https://shop.example/pricing";
  r.data.counters[kPageViews] = 1000;
  // Spread over clicks and move the way a busy page fills up: random cells of a 1280 px wide page.
  for (uint32_t i = 0;
       r.data.layers[kLayerClicks].size() + r.data.layers[kLayerMove].size() < cells; ++i) {
    const Layer l = i % 2 ? kLayerMove : kLayerClicks;
    r.data.layers[l].add(rng.below(kGridRows) * kGridCols + rng.below(80), rng.below(50) + 1);
  }
  return r;
}

Report delta(Rng& rng) {
  Report d;
  d.data.counters[kPageViews] = 1;
  for (int i = 0; i < 10; ++i)
    d.data.layers[kLayerClicks].add(rng.below(4000) * kGridCols + rng.below(80), 1);
  for (int i = 0; i < 40; ++i)
    d.data.layers[kLayerMove].add(rng.below(4000) * kGridCols + rng.below(80), 3);
  return d;
}

double now_us() {
  return std::chrono::duration<double, std::micro>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

int main() {
  Rng rng{42};
  std::printf("[");
  const uint32_t sizes[] = {100, 1000, 10000, 100000, 1000000};
  for (size_t k = 0; k < std::size(sizes); ++k) {
    const uint32_t cells = sizes[k];
    const Report row = row_with_cells(cells, rng);
    const std::vector<uint8_t> stored = encode(row);
    const Report d = delta(rng);
    // Enough iterations for ~0.2 s per size on this machine kind, at least 3.
    const int iters = cells >= 1000000 ? 3 : cells >= 100000 ? 10 : cells >= 10000 ? 100 : 1000;

    double t0 = now_us();
    size_t bytes = 0;
    for (int i = 0; i < iters; ++i) {
      Report r;
      decode(stored.data(), stored.size(), r, stored_limits());
      r.data.merge(d.data);
      bytes = encode(r).size();
    }
    const double row_us = (now_us() - t0) / iters;

    Aggregate a = row.data;
    t0 = now_us();
    for (int i = 0; i < iters; ++i) a.merge(d.data);
    const double merge_us = (now_us() - t0) / iters;

    std::printf(
        "%s\n  {\"cells\": %u, \"blob_bytes\": %zu, \"row_update_us\": %.1f, \"merge_us\": %.1f}",
        k ? "," : "", cells, bytes, row_us, merge_us);
  }
  std::printf("\n]\n");
  return 0;
}
