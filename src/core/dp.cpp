#include "dp.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace thermograph {
namespace {

// Bernoulli(exp(-num/den)) for 0 <= num <= den: K counts how long a run of Bernoulli(gamma/k)
// successes lasts; P(K odd) = exp(-gamma). Integers only, so no rounding leaks into the noise.
bool bernoulli_exp_le1(uint64_t num, uint64_t den, RandomSource& rng) {
  uint64_t k = 1;
  while (rng.below(den * k) < num) ++k;
  return k % 2 == 1;
}

bool bernoulli_exp(uint64_t num, uint64_t den, RandomSource& rng) {
  while (num > den) {
    if (!bernoulli_exp_le1(1, 1, rng)) return false;
    num -= den;
  }
  return bernoulli_exp_le1(num, den, rng);
}

int64_t noisy(uint64_t value, double scale, RandomSource& rng) {
  return int64_t(value) + sample_discrete_laplace(scale, rng);
}

uint32_t clamp_u32(int64_t v) {
  return uint32_t(std::clamp<int64_t>(v, 0, int64_t(kU32Max)));
}

uint32_t div_up(uint32_t a, uint32_t b) {
  return (a + b - 1) / b;
}

// Sensitivity of each page counter other than kPageViews. Fold and document height are clamped
// by the tracker (fold in PageView::begin; document height to the reach domain).
double counter_sensitivity(const Bounds& b, PageCounter c) {
  switch (c) {
    case kFoldSum:
      return 1u << 16;
    case kDocHeightSum:
      return double(kMaxBands) * kBandPx;
    case kEngagedSeconds:
      return b.engaged_seconds_max;
    default:
      return 1;  // 0/1 per page view
  }
}

struct Domain {
  uint32_t cols, rows;  // rows x cols cells; band layers use cols = 1
};

Domain layer_domain(const DpParams& p, Layer l) {
  switch (l) {
    case kLayerReachPx:
    case kLayerAttention:
      return {1, std::clamp(div_up(p.domain_height_px, kBandPx), 1u, kMaxBands)};
    case kLayerReachPct:
      return {1, kPctBuckets};
    case kLayerFixedClicks:
      return {std::clamp(div_up(p.domain_width_px, kCellPx), 1u, kGridCols),
              std::clamp(div_up(p.viewport_height_px, kCellPx), 1u, kGridRows)};
    default:
      return {std::clamp(div_up(p.domain_width_px, kCellPx), 1u, kGridCols),
              std::clamp(div_up(p.domain_height_px, kCellPx), 1u, kGridRows)};
  }
}

// Every cell of the domain gets noise (empty ones too: which cells are empty is private), then
// cells below `hide` are dropped. Cells outside the domain were never going to be released.
SparseVec release_dense(const SparseVec& in, Domain d, uint32_t stride, double scale, double hide,
                        RandomSource& rng) {
  SparseVec out;
  auto it = in.cells().begin(), end = in.cells().end();
  for (uint32_t r = 0; r < d.rows; ++r)
    for (uint32_t c = 0; c < d.cols; ++c) {
      uint32_t idx = r * stride + c;
      while (it != end && it->index < idx) ++it;
      uint32_t v = it != end && it->index == idx ? it->value : 0;
      int64_t x = noisy(v, scale, rng);
      if (x > 0 && double(x) >= hide) out.push_back_unchecked(idx, clamp_u32(x));
    }
  return out;
}

// Coarse-to-fine: cells are summed into b x b blocks before noise (one page view still adds at
// most its L1 sensitivity: blocks only sum its cells), every block of the domain is noised, and
// a released block's value is written to each of its cells (post-processing), so readers draw
// it at the page grid's resolution. Fewer, larger counts: the same noise ranks them better.
SparseVec release_blocks(const SparseVec& in, Domain d, uint32_t b, double scale, double hide,
                         RandomSource& rng) {
  const uint32_t bcols = div_up(d.cols, b), brows = div_up(d.rows, b);
  std::vector<uint64_t> sum(size_t(bcols) * brows, 0);
  for (const auto& c : in.cells()) {
    const uint32_t r = c.index / kGridCols, col = c.index % kGridCols;
    if (r < d.rows && col < d.cols) sum[size_t(r / b) * bcols + col / b] += c.value;
  }
  SparseVec out;
  for (uint32_t r = 0; r < d.rows; ++r) {
    for (uint32_t c = 0; c < d.cols; ++c) {
      // Noise is drawn once per block, at its first cell; the block's other cells reuse it.
      const size_t bi = size_t(r / b) * bcols + c / b;
      if (r % b == 0 && c % b == 0) {
        const int64_t x = noisy(sum[bi], scale, rng);
        sum[bi] = x > 0 && double(x) >= hide ? uint64_t(x) : 0;
      }
      if (sum[bi]) out.push_back_unchecked(r * kGridCols + c, clamp_u32(int64_t(sum[bi])));
    }
  }
  return out;
}

// Reach curves are cumulative, so one page view moves up to every band by 1. Its stopping band
// histogram h[i] = r[i] - r[i+1] moves by 1 in one bin: noise h (sensitivity 1), rebuild r.
SparseVec release_reach(const SparseVec& in, uint32_t bins, double scale, double hide,
                        RandomSource& rng) {
  std::vector<int64_t> h(bins, 0);
  for (uint32_t i = 0; i < bins; ++i) {
    int64_t here = in.get(i), below = i + 1 < bins ? in.get(i + 1) : 0;
    h[i] = std::max<int64_t>(0, here - below);  // the last bin collects everyone deeper too
  }
  for (auto& x : h) {
    x = x + sample_discrete_laplace(scale, rng);
    if (x <= 0 || double(x) < hide) x = 0;
  }
  std::vector<uint32_t> r(bins);
  int64_t run = 0;
  for (uint32_t i = bins; i-- > 0;) r[i] = clamp_u32(run += h[i]);
  SparseVec out;
  for (uint32_t i = 0; i < bins; ++i)
    if (r[i]) out.push_back_unchecked(i, r[i]);
  return out;
}

}  // namespace

int64_t sample_discrete_laplace_rational(uint64_t t, uint64_t s, RandomSource& rng) {
  if (t == 0 || s == 0) return 0;
  for (;;) {
    uint64_t u = rng.below(t);
    if (!bernoulli_exp(u, t, rng)) continue;
    uint64_t v = 0;
    while (bernoulli_exp_le1(1, 1, rng)) ++v;
    uint64_t x = u + t * v;  // geometric with parameter 1 - exp(-1/t)
    uint64_t y = x / s;      // geometric with parameter 1 - exp(-s/t)
    bool negative = rng.below(2) == 1;
    if (negative && y == 0) continue;  // otherwise 0 would be counted twice
    return negative ? -int64_t(y) : int64_t(y);
  }
}

int64_t sample_discrete_laplace(double scale, RandomSource& rng) {
  if (!(scale > 0)) return 0;
  double t = std::ceil(std::min(scale, 1e12) * double(kDpScaleDenominator));
  return sample_discrete_laplace_rational(uint64_t(t), kDpScaleDenominator, rng);
}

double discrete_laplace_sd(double scale) {
  if (!(scale > 0)) return 0;
  double a = std::exp(-1 / scale);
  return std::sqrt(2 * a) / -std::expm1(-1 / scale);
}

// Partition selection for counts whose keys have no public domain (elements, route hashes,
// transitions): one page view adds 1 to at most `parts` keys, and a key is released only when its
// noisy count reaches tau, so a key only one page view has passes with probability <= delta.
struct Selection {
  double scale;
  int64_t tau;
  double delta;
};
Selection selection(double parts, double eps, double delta) {
  const double scale = parts / eps, a = std::exp(-1 / scale);
  const double m = std::max(1.0, std::ceil(std::log(delta * (1 + a) / parts) / std::log(a)));
  return {scale, 1 + int64_t(m), parts * std::pow(a, m) / (1 + a)};
}

SparseVec release_selected(const SparseVec& in, const Selection& s, RandomSource& rng) {
  SparseVec out;
  for (const auto& c : in.cells())
    if (const int64_t v = noisy(c.value, s.scale, rng); v >= s.tau)
      out.push_back_unchecked(c.index, clamp_u32(v));
  return out;
}

double dp_layer_sensitivity(const DpParams& p, Layer layer) {
  if (layer == kLayerReachPx || layer == kLayerReachPct || layer == kLayerRouteFrom) return 1;
  Caps caps = layer_caps(p.bounds, layer);
  Domain d = layer_domain(p, layer);
  return double(std::min<uint64_t>(caps.cells, uint64_t(d.cols) * d.rows)) * caps.value;
}

DpResult dp_release(Aggregate& a, const DpParams& p, uint64_t seed) {
  Rng rng(seed);
  return dp_release(a, p, rng);
}

DpResult dp_release(Aggregate& a, const DpParams& p, RandomSource& rng) {
  DpResult res;
  double wsum = 0;
  for (double w : p.weights) wsum += std::max(0.0, w);
  if (!(p.epsilon > 0) || !(wsum > 0) || !(p.weights[kDpPageViews] > 0)) {
    a.clear();
    res.reason = "invalid DP parameters: epsilon and the page-view weight must be positive";
    return res;
  }
  for (size_t i = 0; i < kDpPartCount; ++i)
    res.epsilon[i] = p.epsilon * std::max(0.0, p.weights[i]) / wsum;
  Aggregate out;

  // Page views first: the gate uses the noisy count, so refusing is itself differentially
  // private (an exact-count gate would reveal whether one page view crossed the line).
  res.scale[kDpPageViews] = 1 / res.epsilon[kDpPageViews];
  int64_t pv = std::max<int64_t>(0, noisy(a.counters[kPageViews], res.scale[kDpPageViews], rng));
  res.page_views = double(pv);
  if (pv < int64_t(p.min_page_views)) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "segment has %lld page views, minimum %u", (long long)pv,
                  p.min_page_views);
    res.reason = buf;
    a.clear();
    return res;
  }
  out.counters[kPageViews] = clamp_u32(pv);

  if (res.epsilon[kDpPageCounters] > 0) {
    const double eps_each = res.epsilon[kDpPageCounters] / double(kPageCounterCount - 1);
    res.scale[kDpPageCounters] = 1 / eps_each;
    for (uint8_t c = 1; c < kPageCounterCount; ++c) {
      double scale = counter_sensitivity(p.bounds, PageCounter(c)) / eps_each;
      out.counters[c] = clamp_u32(noisy(a.counters[c], scale, rng));
    }
  }

  for (uint8_t l = 0; l < kLayerCount; ++l) {
    const double eps = res.epsilon[kDpLayerFirst + l];
    if (!(eps > 0)) continue;
    const Layer layer = Layer(l);
    const double scale = dp_layer_sensitivity(p, layer) / eps;
    const double hide = p.threshold_sigmas * discrete_laplace_sd(scale);
    res.scale[kDpLayerFirst + l] = scale;
    const Domain d = layer_domain(p, layer);
    if (layer == kLayerRouteFrom) {
      const Selection sel = selection(1, eps, p.delta);
      out.layers[l] = release_selected(a.layers[l], sel, rng);
      res.scale[kDpLayerFirst + l] = sel.scale;
      res.delta += sel.delta;
    } else if (layer == kLayerReachPx || layer == kLayerReachPct)
      out.layers[l] = release_reach(a.layers[l], d.rows, scale, hide, rng);
    else if (layer == kLayerClickPv && p.click_pv_block > 1) {
      out.layers[l] = release_blocks(a.layers[l], d, p.click_pv_block, scale, hide, rng);
      res.click_pv_block = p.click_pv_block;
    } else
      out.layers[l] = release_dense(a.layers[l], d, d.cols == 1 ? 1 : kGridCols, scale, hide, rng);
  }

  const double eps_clicked = res.epsilon[kDpElementClicked];
  if (eps_clicked > 0) {
    // Partition selection on pv_clicked: one page view adds 1 to at most clicked_elements
    // elements, so an element only it clicked passes tau with probability <= a^(tau-1) / (1 + a).
    const double elems = std::max(1u, p.bounds.clicked_elements);
    const Selection sel = selection(elems, eps_clicked, p.delta);
    const double pv_scale = sel.scale;
    res.scale[kDpElementClicked] = pv_scale;
    const int64_t tau = sel.tau;
    res.element_threshold = tau;
    res.delta += sel.delta;
    const double next_eps = res.epsilon[kDpElementNext];
    Selection next_sel{};
    if (next_eps > 0) {
      next_sel =
          selection(std::max(1u, min_of(p.bounds.transitions, kMaxTransitions)), next_eps, p.delta);
      res.scale[kDpElementNext] = next_sel.scale;
      res.delta += next_sel.delta;
    }
    const double eps_rest = res.epsilon[kDpElementCounters];
    const double eps_each = eps_rest / double(kElementCounterCount - 1);
    res.scale[kDpElementCounters] = eps_each > 0 ? 1 / eps_each : 0;
    const double cell_eps = res.epsilon[kDpElementCells];
    const double cell_scale = cell_eps > 0 ? double(p.bounds.elements) * p.bounds.element_cells *
                                                 p.bounds.element_event_max / cell_eps
                                           : 0;
    res.scale[kDpElementCells] = cell_scale;
    const double cell_hide = p.threshold_sigmas * discrete_laplace_sd(cell_scale);
    for (const auto& [key, el] : a.elements()) {
      const int64_t pv_clicked = noisy(el.counters[kElPvClicked], pv_scale, rng);
      if (pv_clicked < tau) continue;
      std::array<uint32_t, kElementCounterCount> c{};
      c[kElPvClicked] = clamp_u32(pv_clicked);
      for (uint8_t i = 0; i < kElementCounterCount && eps_each > 0; ++i) {
        if (i == kElPvClicked) continue;
        const double sens =
            i == kElPvConverted
                ? elems
                : double(p.bounds.elements) * element_counter_cap(p.bounds, ElementCounter(i));
        c[i] = clamp_u32(noisy(el.counters[i], sens / eps_each, rng));
      }
      ElementStats& e = out.push_element_unchecked(key);
      e.flags = el.flags;
      e.stable = el.stable;
      e.counters = c;
      if (cell_eps > 0)
        e.cells =
            release_dense(el.cells, {kSubGrid, kSubGrid}, kSubGrid, cell_scale, cell_hide, rng);
      if (next_eps > 0) e.next = release_selected(el.next, next_sel, rng);
    }
  }
  a = std::move(out);
  res.released = true;
  return res;
}

}  // namespace thermograph
