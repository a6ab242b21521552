// Utility of the default DP release (issue 22): 10,000 page views recorded by the default
// tracker (the Tracker class the visitor's wasm runs, default TrackerConfig and Bounds), released
// with the collector's default DpParams at epsilon 1, delta 1e-6.
//
// The page: a layout per width (375 and 1280 px) of 24 elements (a menu, a hero call to action,
// product cards with buttons, a search field, footer links, a paragraph people click for
// nothing), each with a popularity; a visit clicks 0 times (35 %) or 1 + Geometric(1/2) times,
// picks each click's element by popularity, and lands near the element's centre (normal, sd a
// fifth of the box, kept inside it); 5 % of visits end one click with a rage burst (3-5 more
// clicks on the same spot), 10 % click the same element again. Ground truth is exact by
// construction: the un-noised aggregate of the same page views. Each data set shifts the layout
// by up to 47 px so no result hangs on how one layout falls on the grid.
//
// Claims (docs/privacy-dp.md, "Measured utility"):
// - precision@10 of the released click map (click_pv, page views per 32 px block) against the
//   exact map at the same resolution, of raw clicks (what an un-noised overlay shows) and of page
//   views per cell without the 4-cell bound, is >= 0.95;
// - element click rates (pv_clicked / page views) of elements clicked by >= 5 % of page views
//   are within 2 percentage points of the truth at the 95th percentile.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <vector>

#include "core/dp.h"
#include "core/tracker.h"
#include "test_util.h"

using namespace thermograph;

namespace {

struct Box {
  double x, y, w, h, weight;
  uint32_t flags;
};

std::vector<Box> layout(int width, double dx, double dy) {
  std::vector<Box> b;
  const uint32_t kI = kClickInteractive;
  if (width >= 1024) {
    for (int i = 0; i < 6; ++i) b.push_back({600.0 + i * 100, 20, 80, 24, 3.0 / (i + 1), kI});
    b.push_back({520, 380, 240, 56, 30, kI});  // hero call to action
    b.push_back({800, 380, 160, 56, 8, kI});   // secondary
    b.push_back({340, 520, 600, 40, 12, kI});  // search
    for (int i = 0; i < 6; ++i)                // product cards: button per card
      b.push_back({160.0 + (i % 3) * 340, 700.0 + (i / 3) * 420, 140, 36, 10.0 / (i + 1), kI});
    for (int i = 0; i < 8; ++i) b.push_back({100.0 + i * 130, 3700, 90, 18, 0.6, kI});
    b.push_back({160, 1600, 960, 200, 4, 0});  // a paragraph
  } else {
    b.push_back({16, 12, 44, 44, 9, kI});     // menu button
    b.push_back({315, 12, 44, 44, 3, kI});    // cart
    b.push_back({20, 420, 335, 48, 30, kI});  // hero call to action
    b.push_back({20, 480, 335, 48, 8, kI});   // secondary
    b.push_back({20, 560, 335, 40, 12, kI});  // search
    for (int i = 0; i < 6; ++i) b.push_back({20, 900.0 + i * 520, 335, 44, 10.0 / (i + 1), kI});
    for (int i = 0; i < 8; ++i) b.push_back({20, 4300.0 + i * 40, 200, 24, 0.6, kI});
    b.push_back({20, 3800, 335, 300, 4, 0});  // a paragraph
  }
  for (Box& box : b) {
    box.x += dx;
    box.y += dy;
  }
  return b;
}

double uniform(Rng& r) {
  return double(r.next() >> 11) * 0x1.0p-53;
}

double normal(Rng& r) {  // Box-Muller
  const double u = std::max(uniform(r), 1e-12), v = uniform(r);
  return std::sqrt(-2 * std::log(u)) * std::cos(6.283185307179586 * v);
}

// One dataset: n page views at this width through the default tracker; returns the exact sum.
Aggregate record(int width, int n, uint64_t seed, SparseVec& pv_cells, uint64_t visitors = 0) {
  // Each data set shifts the layout by up to 47 px, so results do not hang on how one layout
  // falls on the grid.
  Rng shift(seed * 31 + 7);
  const double dx = double(shift.below(48)), dy = double(shift.below(48));
  const std::vector<Box> boxes = layout(width, dx, dy);
  double total = 0;
  for (const Box& b : boxes) total += b.weight;
  Rng rng(seed + visitors * 1000003);
  Aggregate sum;
  Tracker tr;
  tr.segment().site = "site";
  tr.segment().page = "https://shop.example/";
  std::vector<uint8_t> buf(PageView::kMaxDeltaBytes);
  std::map<uint32_t, uint32_t> cell_views;
  for (int v = 0; v < n; ++v) {
    tr.begin(0, width, 800, 5000);
    double t = 500;
    int clicks = 0;
    if (rng.below(100) >= 35) {
      clicks = 1;
      while (clicks < 15 && rng.below(2)) ++clicks;
    }
    const bool rage = rng.below(100) < 5, again = rng.below(100) < 10;
    for (int c = 0; c < clicks; ++c) {
      double u = uniform(rng) * total;
      size_t i = 0;
      while (i + 1 < boxes.size() && u >= boxes[i].weight) u -= boxes[i++].weight;
      const Box& b = boxes[i];
      const double rx = std::clamp(0.5 + normal(rng) / 5, 0.02, 0.98);
      const double ry = std::clamp(0.5 + normal(rng) / 5, 0.02, 0.98);
      const int repeats = 1 + (again && c == 0) + (rage && c == clicks - 1 ? 3 + rng.below(3) : 0);
      for (int k = 0; k < repeats; ++k) {
        const double ev[kEventSlots] = {
            kEvClick, t, b.x + rx * b.w, b.y + ry * b.h, double(i + 1), double(b.flags), rx, ry};
        tr.apply(ev);
        t += k + 1 < repeats && rage ? 200 : 1500 + double(rng.below(4000));
      }
    }
    tr.flush(t + 1000, true, buf.data());
    const Aggregate one = tr.page_view().totals();
    for (const auto& c : one.layers[kLayerClicks].cells()) cell_views[c.index] += 1;
    sum.merge(one);
  }
  for (const auto& [i, v] : cell_views) pv_cells.push_back_unchecked(i, v);
  return sum;
}

// The map in b x b blocks of page cells, each at its first cell's index: summed (`sum`), or
// read from the first cell (a released map already holds each block's value in every cell).
SparseVec blocks(const SparseVec& v, uint32_t b, bool sum) {
  std::map<uint32_t, uint32_t> m;
  for (const auto& c : v.cells()) {
    const uint32_t r = c.index / kGridCols, col = c.index % kGridCols;
    const uint32_t first = (r - r % b) * kGridCols + (col - col % b);
    if (sum)
      m[first] += c.value;
    else if (c.index == first)
      m[first] = c.value;
  }
  SparseVec out;
  for (const auto& [i, x] : m) out.push_back_unchecked(i, x);
  return out;
}

// Share of the released top 10 that belong to a true top 10. Ties count: a cell whose true
// value equals the true 10th value is in some top 10 (16 px cells of one button often tie).
double precision(const SparseVec& truth, const std::vector<uint32_t>& got) {
  const std::vector<uint32_t> t = test::top10(truth);
  const uint32_t tenth = truth.get(t.back());
  int hit = 0;
  for (uint32_t i : got) hit += truth.get(i) >= tenth;
  return hit / 10.0;
}

}  // namespace

constexpr uint64_t kDataSets = 16;

TEST_CASE("default tracker + default release at epsilon 1: useful click map and element rates") {
  for (int width : {1280, 375}) {
    CAPTURE(width);
    double prec_clicks = 0, prec_click_pv = 0, prec_sampling = 0;
    std::vector<double> rate_err;
    int releases = 0;
    for (uint64_t data_seed = 1; data_seed <= kDataSets; ++data_seed) {
      SparseVec cell_views;
      const Aggregate exact = record(width, 10000, data_seed * 7919 + uint64_t(width), cell_views);
      const double pv = exact.counters[kPageViews];
      // Baseline: how well one exact sample of 10,000 page views predicts another's top 10 (the
      // same layout, another visitor seed), with no noise at all.
      const uint32_t b = DpParams{}.click_pv_block;
      SparseVec other_views;
      record(width, 10000, data_seed * 7919 + uint64_t(width), other_views, 99);
      prec_sampling +=
          precision(blocks(cell_views, b, true), test::top10(blocks(other_views, b, true)));
      for (uint64_t noise_seed = 1; noise_seed <= 5; ++noise_seed) {
        Aggregate rel = exact;
        DpParams p;  // the collector's defaults: epsilon 1, delta 1e-6, default bounds and weights
        const DpResult r = dp_release(rel, p, data_seed * 1000 + noise_seed);
        REQUIRE(r.released);
        CHECK(r.delta <= p.delta);
        CHECK(rel.layers[kLayerClicks].empty());  // withheld: its sensitivity is 1,280
        const std::vector<uint32_t> got = test::top10(blocks(rel.layers[kLayerClickPv], b, false));
        prec_clicks += precision(blocks(exact.layers[kLayerClicks], b, true), got);
        prec_click_pv += precision(blocks(cell_views, b, true), got);
        ++releases;
        for (const auto& [key, el] : exact.elements()) {
          const double true_rate = el.counters[kElPvClicked] / pv;
          if (true_rate < 0.05) continue;
          const ElementStats* e = rel.find_element(key);
          REQUIRE(e != nullptr);  // clicked by >= 500 page views: released
          rate_err.push_back(std::fabs(e->counters[kElPvClicked] / r.page_views - true_rate));
        }
      }
    }
    prec_clicks /= releases;
    prec_click_pv /= releases;
    prec_sampling /= releases / 5;
    std::sort(rate_err.begin(), rate_err.end());
    const double p95 = rate_err[size_t(0.95 * double(rate_err.size() - 1))];
    MESSAGE("width " << width << ": precision@10 vs exact clicks " << prec_clicks
                     << ", vs exact page views per cell " << prec_click_pv
                     << " (an exact sample vs another: " << prec_sampling
                     << "); element rate error p95 " << p95 * 100 << " pp over " << rate_err.size()
                     << " element releases");
    CHECK(prec_clicks >= 0.95);
    CHECK(prec_click_pv >= 0.95);
    CHECK(p95 <= 0.02);
  }
}
