// Spatial insights: click hotspots, near-miss clicks around interactive elements, scroll reach.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>

#include "insights.h"

namespace thermograph {
namespace {

struct Sum {
  uint32_t index;
  uint64_t value;
};

// 3 x 3 box sums of a page-cell layer over every cell next to a non-empty one. A box (not a
// Gaussian) keeps window sums integer click counts, so the ">= 100 clicks" rule applies as is.
std::vector<Sum> window_sums(const SparseVec& layer) {
  std::vector<Sum> raw;
  raw.reserve(layer.size() * 9);
  for (const auto& c : layer.cells()) {
    const int64_t row = c.index / kGridCols, col = c.index % kGridCols;
    for (int dr = -1; dr <= 1; ++dr)
      for (int dc = -1; dc <= 1; ++dc) {
        int64_t r = row + dr, k = col + dc;
        if (r < 0 || k < 0 || r >= int64_t(kGridRows) || k >= int64_t(kGridCols)) continue;
        raw.push_back({uint32_t(r * kGridCols + k), c.value});
      }
  }
  std::sort(raw.begin(), raw.end(), [](const Sum& x, const Sum& y) { return x.index < y.index; });
  std::vector<Sum> out;
  for (const Sum& s : raw) {
    if (!out.empty() && out.back().index == s.index)
      out.back().value += s.value;
    else
      out.push_back(s);
  }
  return out;
}

uint64_t sum_at(const std::vector<Sum>& sums, int64_t row, int64_t col) {
  if (row < 0 || col < 0 || row >= int64_t(kGridRows) || col >= int64_t(kGridCols)) return 0;
  uint32_t idx = uint32_t(row * kGridCols + col);
  auto it = std::lower_bound(sums.begin(), sums.end(), idx,
                             [](const Sum& s, uint32_t i) { return s.index < i; });
  return it != sums.end() && it->index == idx ? it->value : 0;
}

// Smallest gap between two axis-aligned rectangles (0 when they touch or overlap).
double rect_gap(double ax, double ay, double aw, double ah, const ElementBox& b) {
  double dx = std::max({0.0, b.x - (ax + aw), ax - (b.x + b.w)});
  double dy = std::max({0.0, b.y - (ay + ah), ay - (b.y + b.h)});
  return std::hypot(dx, dy);
}

bool inside(double x, double y, const ElementBox& b) {
  return x >= b.x && x < b.x + b.w && y >= b.y && y < b.y + b.h;
}

size_t find_root(std::vector<size_t>& parent, size_t i) {
  while (parent[i] != i) i = parent[i] = parent[parent[i]];
  return i;
}

}  // namespace

std::vector<Hotspot> find_hotspots(const Aggregate& a, const InsightOptions& o) {
  std::vector<Hotspot> out;
  const SparseVec& clicks = a.layers[kLayerClicks];
  const double total = double(clicks.sum());
  if (!(total > 0)) return out;
  std::vector<Sum> sums = window_sums(clicks);
  // Baseline: the mean window over every window that holds any click. A hotspot's share must
  // beat it with its whole Wilson interval (the "hot" rule applied to cells).
  double mean = 0;
  for (const Sum& s : sums) mean += double(s.value);
  mean /= double(sums.size());
  for (const Sum& s : sums) {
    if (s.value < o.hot_min_clicks) continue;
    const int64_t row = s.index / kGridCols, col = s.index % kGridCols;
    bool is_max = true;
    for (int dr = -1; dr <= 1 && is_max; ++dr)
      for (int dc = -1; dc <= 1 && is_max; ++dc) {
        if (!dr && !dc) continue;
        uint64_t v = sum_at(sums, row + dr, col + dc);
        // Plateaus: the first cell in index order wins, so a flat top yields one hotspot.
        bool earlier = dr < 0 || (dr == 0 && dc < 0);
        if (v > s.value || (v == s.value && earlier)) is_max = false;
      }
    if (!is_max) continue;
    Hotspot h;
    h.cell = s.index;
    h.x_px = double(col * kCellPx) + kCellPx / 2.0;
    h.y_px = double(row * kCellPx) + kCellPx / 2.0;
    h.window_clicks = s.value;
    h.share = double(s.value) / total;
    h.ci = wilson_interval(double(s.value), total, o.z);
    if (h.ci.lo > mean / total) out.push_back(h);
  }
  std::sort(out.begin(), out.end(), [](const Hotspot& x, const Hotspot& y) {
    return x.window_clicks != y.window_clicks ? x.window_clicks > y.window_clicks : x.cell < y.cell;
  });
  if (out.size() > o.max_hotspots) out.resize(o.max_hotspots);
  return out;
}

std::vector<NearMiss> find_near_misses(const Aggregate& a, const InsightOptions& o) {
  struct Cand {
    uint32_t index, value;
    size_t box;
    double gap;
  };
  std::vector<Cand> cands;
  for (const auto& c : a.layers[kLayerClicks].cells()) {
    const double x = double(c.index % kGridCols) * kCellPx,
                 y = double(c.index / kGridCols) * kCellPx;
    const double cx = x + kCellPx / 2.0, cy = y + kCellPx / 2.0;
    bool on_target = false;
    size_t best = o.boxes.size();
    double best_gap = o.near_miss_px;
    for (size_t b = 0; b < o.boxes.size() && !on_target; ++b) {
      const ElementBox& box = o.boxes[b];
      if (!box.interactive) continue;
      if (inside(cx, cy, box)) on_target = true;  // a hit, at 16 px cell resolution
      double g = rect_gap(x, y, kCellPx, kCellPx, box);
      if (g <= best_gap && (best == o.boxes.size() || g < best_gap)) best = b, best_gap = g;
    }
    if (!on_target && best < o.boxes.size()) cands.push_back({c.index, c.value, best, best_gap});
  }
  // Clusters: 8-connected candidate cells that point at the same element.
  std::vector<size_t> parent(cands.size());
  std::iota(parent.begin(), parent.end(), 0);
  for (size_t i = 0; i < cands.size(); ++i)
    for (size_t j = i + 1; j < cands.size(); ++j) {
      const int64_t ri = cands[i].index / kGridCols, ci = cands[i].index % kGridCols;
      const int64_t rj = cands[j].index / kGridCols, cj = cands[j].index % kGridCols;
      if (rj - ri > 1) break;  // sorted by index, so by row
      if (cands[i].box == cands[j].box && std::abs(ci - cj) <= 1)
        parent[find_root(parent, j)] = find_root(parent, i);
    }
  std::vector<NearMiss> out;
  std::vector<size_t> slot(cands.size(), SIZE_MAX);
  for (size_t i = 0; i < cands.size(); ++i) {
    size_t r = find_root(parent, i);
    const double x = double(cands[i].index % kGridCols) * kCellPx;
    const double y = double(cands[i].index / kGridCols) * kCellPx;
    if (slot[r] == SIZE_MAX) {
      slot[r] = out.size();
      NearMiss m;
      m.target_key = o.boxes[cands[i].box].key;
      m.x = x, m.y = y, m.w = m.h = kCellPx;
      m.gap_px = cands[i].gap;
      out.push_back(m);
    }
    NearMiss& m = out[slot[r]];
    const double x1 = std::max(m.x + m.w, x + kCellPx), y1 = std::max(m.y + m.h, y + kCellPx);
    m.x = std::min(m.x, x);
    m.y = std::min(m.y, y);
    m.w = x1 - m.x;
    m.h = y1 - m.y;
    m.cx += (x + kCellPx / 2.0) * cands[i].value;
    m.cy += (y + kCellPx / 2.0) * cands[i].value;
    m.clicks += cands[i].value;
    m.gap_px = std::min(m.gap_px, cands[i].gap);
  }
  std::erase_if(out, [&](const NearMiss& m) { return m.clicks < o.near_miss_min_clicks; });
  for (NearMiss& m : out) m.cx /= double(m.clicks), m.cy /= double(m.clicks);
  std::stable_sort(out.begin(), out.end(),
                   [](const NearMiss& x, const NearMiss& y) { return x.clicks > y.clicks; });
  return out;
}

ScrollInsight scroll_insight(const Aggregate& a, const InsightOptions& o) {
  ScrollInsight s;
  const double pv = a.counters[kPageViews];
  if (!(pv > 0)) return s;
  s.fold_px = a.counters[kFoldSum] / pv;
  const SparseVec& px = a.layers[kLayerReachPx];
  uint32_t last = px.empty() ? 0 : px.cells().back().index;
  // Running minimum: the true curve never rises; DP noise can make it, and a rise would show up
  // as a negative drop that hides a real one.
  double prev = 1;
  for (uint32_t i = 0; i <= last && !px.empty(); ++i) {
    prev = std::min(prev, std::clamp(px.get(i) / pv, 0.0, 1.0));
    s.reach.push_back(prev);
  }
  const size_t n = s.reach.size();
  for (size_t i = 0; i < n; ++i)
    if (s.reach[i] < 0.5) {
      // Linear between band i-1 (share r0 >= 0.5) and band i (share < 0.5).
      s.half_depth_px =
          i ? (double(i) - 1 + (s.reach[i - 1] - 0.5) / (s.reach[i - 1] - s.reach[i])) * kBandPx
            : 0;
      break;
    } else if (i + 1 == n) {
      s.half_depth_px = double(n) * kBandPx;  // more than half reach the last band
    }
  const SparseVec& pct = a.layers[kLayerReachPct];
  for (uint32_t i = 0; i < kPctBuckets && !pct.empty(); ++i)
    if (pct.get(i) / pv < 0.5) {
      s.half_pct = int(i);
      break;
    }
  // False bottoms: places where far more page views stop than elsewhere. Stops spread over a
  // few bands (people stop with the suspicious band anywhere on their screen), so drops are
  // summed over windows of kFalseBottomWindow bands. Tested windows exclude the first screen
  // (everyone sees it; the drop right below it is "never scrolled") and the page's last band
  // (where the document really ends: every reader stops there), so nothing is reported at or
  // below the end of the page.
  const size_t fold_band = size_t(std::floor(s.fold_px / kBandPx));
  const double doc = a.counters[kDocHeightSum] > 0 ? a.counters[kDocHeightSum] / pv : 0;
  size_t end = n ? n - 1 : 0;  // bands [.., end) may hold a false bottom
  if (doc > 0) end = std::min(end, size_t(std::floor(doc / kBandPx)));
  const size_t w = kFalseBottomWindow, first = fold_band + 2;
  std::vector<double> drops;  // drops[j]: lost across boundaries first+j .. first+j+w-1
  for (size_t i = first; i + w <= end; ++i) drops.push_back(s.reach[i - 1] - s.reach[i + w - 1]);
  if (!drops.empty()) {
    std::vector<double> sorted = drops;
    std::nth_element(sorted.begin(), sorted.begin() + sorted.size() / 2, sorted.end());
    const double median = sorted[sorted.size() / 2];
    // Consecutive windows above the bar are one stop zone (people stop anywhere over a few
    // hundred px): one false bottom per zone, at its strongest window's steepest boundary.
    auto passes = [&](size_t j) {
      return drops[j] > o.false_bottom_k * median && drops[j] > o.false_bottom_min_drop;
    };
    for (size_t j = 0; j < drops.size(); ++j) {
      if (!passes(j)) continue;
      size_t best = j;
      for (; j + 1 < drops.size() && passes(j + 1); ++j)
        if (drops[j + 1] > drops[best]) best = j + 1;
      size_t band = first + best;
      for (size_t b = band + 1; b < first + best + w; ++b)
        if (s.reach[b - 1] - s.reach[b] > s.reach[band - 1] - s.reach[band]) band = b;
      s.false_bottoms.push_back({uint32_t(band), double(band) * kBandPx, drops[best], median});
    }
  }
  for (const ElementBox& b : o.boxes) {
    double band = std::floor(std::max(0.0, b.y) / kBandPx);
    double seen = band < double(n) ? s.reach[size_t(band)] : 0;
    s.elements.push_back({b.key, b.y, seen});
  }
  std::stable_sort(s.elements.begin(), s.elements.end(),
                   [](const SeenElement& x, const SeenElement& y) { return x.seen < y.seen; });
  return s;
}

}  // namespace thermograph
