#include "render.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>

namespace thermograph {
namespace {

// Densities below this are treated as empty: a Gaussian cut at 3 sigma ends near 0.011 of a
// single click's peak, so the floor keeps every real tail and drops float dust.
constexpr float kFloor = 1e-3f;
// A page's low-res grid never exceeds this many samples (16 MB of floats); taller or wider data
// gets a coarser step instead of an allocation a hostile aggregate could choose.
constexpr uint64_t kMaxSamples = 4u << 20;
constexpr uint8_t kBandAlpha = 90;  // reach/attention cover the page: keep content readable

uint32_t rgba(uint32_t r, uint32_t g, uint32_t b, uint32_t a) {
  return r | (g << 8) | (b << 16) | (a << 24);  // little-endian: bytes R, G, B, A in memory
}

uint8_t level_of(const ScaleMap& s, double v) {
  if (!(v >= kFloor)) return 0;
  return static_cast<uint8_t>(1 + std::lround(s.t(v) * 254));
}

// Per-frame column lookup: low-res index (into the padded level row) and weight in 1/256.
struct Columns {
  std::vector<uint32_t> idx;
  std::vector<uint32_t> w;
};

}  // namespace

const Palette& heat_palette() {
  static const Palette palette = [] {
    // The classic heatmap ramp (simpleheat/heatmap.js): blue, cyan, lime, yellow, red.
    struct Stop {
      double t, r, g, b;
    };
    const Stop stops[] = {{0, 0, 0, 255},   {0.4, 0, 0, 255},   {0.6, 0, 255, 255},
                          {0.7, 0, 255, 0}, {0.8, 255, 255, 0}, {1.0, 255, 0, 0}};
    Palette p{};
    for (int i = 1; i < 256; ++i) {
      const double t = i / 255.0;
      int s = 1;
      while (s < 5 && stops[s].t < t) ++s;
      const Stop &a = stops[s - 1], &b = stops[s];
      const double f = b.t > a.t ? (t - a.t) / (b.t - a.t) : 0;
      auto mix = [f](double x, double y) {
        return static_cast<uint32_t>(std::lround(x + (y - x) * f));
      };
      // Alpha ramps in over the lowest quarter so kernel tails fade out instead of ending in a rim.
      const auto alpha = static_cast<uint32_t>(std::lround(217 * std::min(1.0, i / 64.0)));
      p[i] = rgba(mix(a.r, b.r), mix(a.g, b.g), mix(a.b, b.b), alpha);
    }
    return p;
  }();
  return palette;
}

const Palette& diverging_palette() {
  static const Palette palette = [] {
    // Red for "A has more", blue for "B has more" (ColorBrewer RdBu ends); colour-blind readers
    // still tell them apart by lightness. Small differences fade out instead of tinting the page.
    Palette p{};
    for (int i = 0; i < 256; ++i) {
      const double d = (i - double(kDiffNeutral)) / (i >= kDiffNeutral ? 127.0 : 128.0);
      const double m = std::abs(d);
      const auto alpha = static_cast<uint32_t>(std::lround(220 * std::min(1.0, m / 0.25)));
      const auto mix = [m](double lo, double hi) {
        return static_cast<uint32_t>(std::lround(lo + (hi - lo) * m));
      };
      p[i] = d >= 0 ? rgba(mix(244, 178), mix(165, 24), mix(130, 43), alpha)
                    : rgba(mix(146, 33), mix(197, 102), mix(222, 172), alpha);
    }
    p[kDiffNeutral] = 0;
    return p;
  }();
  return palette;
}

void ScaleMap::build(Scale kind, std::vector<float>& samples, double cap) {
  kind_ = kind;
  max_ = 0;
  for (float v : samples) max_ = std::max<double>(max_, v);
  quantiles_.clear();
  if (kind == Scale::kLog && cap > 0) max_ = std::min(max_, cap);
  if (kind != Scale::kPercentile || samples.empty()) return;
  // Quantiles of a strided subsample: a million samples sort in milliseconds, more is waste.
  const size_t stride = samples.size() / (1u << 20) + 1;
  if (stride > 1) {
    size_t n = 0;
    for (size_t i = 0; i < samples.size(); i += stride) samples[n++] = samples[i];
    samples.resize(n);
  }
  std::sort(samples.begin(), samples.end());
  quantiles_.resize(257);
  for (size_t i = 0; i <= 256; ++i) quantiles_[i] = samples[(samples.size() - 1) * i / 256];
  quantiles_[256] = static_cast<float>(max_);
}

double ScaleMap::t(double v) const {
  if (!(v > 0) || max_ <= 0) return 0;
  if (v >= max_) return 1;
  switch (kind_) {
    case Scale::kLinear:
      return v / max_;
    case Scale::kLog:
      return std::log1p(v) / std::log1p(max_);
    case Scale::kPercentile: {
      const auto& q = quantiles_;
      if (v < q[0]) return 0;
      const size_t i = std::upper_bound(q.begin(), q.end(), static_cast<float>(v)) - q.begin();
      if (i >= q.size()) return 1;
      return (double(i - 1) + (v - q[i - 1]) / (double(q[i]) - q[i - 1])) / 256;
    }
  }
  return 0;
}

double ScaleMap::value(double t) const {
  t = std::clamp(t, 0.0, 1.0);
  switch (kind_) {
    case Scale::kLinear:
      return t * max_;
    case Scale::kLog:
      return std::expm1(t * std::log1p(max_));
    case Scale::kPercentile: {
      if (quantiles_.empty()) return 0;
      const double pos = t * 256;
      const size_t i = std::min<size_t>(255, static_cast<size_t>(pos));
      return quantiles_[i] + (quantiles_[i + 1] - quantiles_[i]) * (pos - i);
    }
  }
  return 0;
}

void Renderer::Field::reset(double max_x, double max_y, double margin) {
  step = 8;
  auto n = [&](double extent) { return static_cast<uint64_t>((extent + margin) / step) + 2; };
  while (n(max_x) * n(max_y) > kMaxSamples) step *= 2;
  cols = static_cast<uint32_t>(n(max_x));
  rows = static_cast<uint32_t>(n(max_y));
  density.assign(size_t(cols) * rows, 0.f);
  level.clear();
}

void Renderer::Field::splat(double x, double y, double v) {
  // Bilinear splat: the point's mass lands on its four neighbouring samples, so a cell drawn on
  // a moved element shifts smoothly instead of snapping to the grid.
  const double fx = std::max(0.0, x / step), fy = std::max(0.0, y / step);
  const auto c = static_cast<uint32_t>(fx), r = static_cast<uint32_t>(fy);
  if (c + 1 >= cols || r + 1 >= rows) return;
  const float wx = static_cast<float>(fx - c), wy = static_cast<float>(fy - r);
  float* p = &density[size_t(r) * cols + c];
  const float fv = static_cast<float>(v);
  p[0] += fv * (1 - wx) * (1 - wy);
  p[1] += fv * wx * (1 - wy);
  p[cols] += fv * (1 - wx) * wy;
  p[cols + 1] += fv * wx * wy;
}

void Renderer::Field::blur(double sigma_px) {
  const double sigma = sigma_px / step;
  if (sigma < 0.25 || density.empty()) return;
  const int k = static_cast<int>(std::ceil(3 * sigma));
  // Peak-normalized kernel: a lone cell of n clicks stays near n, so the legend reads in counts.
  std::vector<float> w(k + 1);
  for (int i = 0; i <= k; ++i) w[i] = static_cast<float>(std::exp(-0.5 * i * i / (sigma * sigma)));
  std::vector<float> tmp(density.size(), 0.f);
  std::vector<uint8_t> live(rows, 0);
  for (uint32_t r = 0; r < rows; ++r) {
    const float* in = &density[size_t(r) * cols];
    float* out = &tmp[size_t(r) * cols];
    for (uint32_t c = 0; c < cols; ++c) {
      if (in[c] == 0) continue;
      live[r] = 1;
      const int lo = std::max(0, int(c) - k), hi = std::min(int(cols) - 1, int(c) + k);
      for (int j = lo; j <= hi; ++j) out[j] += in[c] * w[std::abs(j - int(c))];
    }
  }
  std::fill(density.begin(), density.end(), 0.f);
  for (uint32_t s = 0; s < rows; ++s) {
    if (!live[s]) continue;  // sparse pages: empty rows cost nothing
    const float* in = &tmp[size_t(s) * cols];
    const int lo = std::max(0, int(s) - k), hi = std::min(int(rows) - 1, int(s) + k);
    for (int r = lo; r <= hi; ++r) {
      const float wr = w[std::abs(r - int(s))];
      float* out = &density[size_t(r) * cols];
      for (uint32_t c = 0; c < cols; ++c) out[c] += wr * in[c];
    }
  }
}

void Renderer::set_data(const Aggregate* data) {
  data_ = data;
  dirty_ = true;
}

void Renderer::set_options(const RenderOptions& o) {
  RenderOptions n = o;
  n.radius_px = std::clamp(std::isfinite(o.radius_px) ? o.radius_px : 40.f, 4.f, 200.f);
  if (n.layer >= kLayerCount) n.layer = kLayerClicks;
  if (n == opt_) return;
  opt_ = n;
  dirty_ = true;
}

void Renderer::set_compare(const Aggregate* b) {
  compare_ = b;
  dirty_ = true;
}

bool Renderer::is_band() const {
  return opt_.layer == kLayerReachPx || opt_.layer == kLayerReachPct ||
         opt_.layer == kLayerAttention;
}

void Renderer::set_anchors(std::vector<Anchor> anchors) {
  std::stable_sort(anchors.begin(), anchors.end(),
                   [](const Anchor& a, const Anchor& b) { return a.key < b.key; });
  anchors_ = std::move(anchors);
  if (opt_.anchored && opt_.layer == kLayerClicks) dirty_ = true;
}

namespace {

bool is_band_layer(Layer l) {
  return l == kLayerReachPx || l == kLayerReachPct || l == kLayerAttention;
}

double page_views(const Aggregate& a) {
  const double pv = a.counters[kPageViews];
  return pv > 0 ? pv : std::max<double>(1, a.layers[kLayerReachPx].get(0));
}

// Average document height: reach in percent of the document is drawn at this scale.
double doc_height(const Aggregate& a) {
  const double pv = a.counters[kPageViews];
  return pv > 0 && a.counters[kDocHeightSum] > 0 ? a.counters[kDocHeightSum] / pv : 0;
}

// `ratio` device pixels per CSS px: output column x samples the page at scroll_x + (x + .5) /
// ratio.
Columns columns(uint32_t step, uint32_t cols, double scroll_x, uint32_t width, double ratio) {
  Columns c;
  c.idx.resize(width);
  c.w.resize(width);
  for (uint32_t x = 0; x < width; ++x) {
    const double fx = (scroll_x + (x + 0.5) / ratio) / step;
    const double f = std::floor(fx);
    const bool in = f >= -1 && f < cols;
    c.idx[x] = in ? static_cast<uint32_t>(f + 1) : cols + 1;  // padding columns read as zero
    c.w[x] = static_cast<uint32_t>((fx - f) * 256);
  }
  return c;
}

}  // namespace

void Renderer::build_points(const Aggregate& a, double weight, std::vector<Splat>& page,
                            std::vector<Splat>& fixed) const {
  if (opt_.anchored && opt_.layer == kLayerClicks) {
    // Element-relative cells go on each element's live box: the heat follows the layout.
    auto anchor = anchors_.begin();
    for (const auto& [key, el] : a.elements()) {
      while (anchor != anchors_.end() && anchor->key < key) ++anchor;
      if (anchor == anchors_.end() || anchor->key != key) continue;
      auto& dst = (el.flags & kElFixed) ? fixed : page;
      for (const auto& c : el.cells.cells()) {
        const double sx = (c.index % kSubGrid + 0.5) / kSubGrid,
                     sy = (c.index / kSubGrid + 0.5) / kSubGrid;
        dst.push_back(
            {anchor->x + sx * anchor->w, anchor->y + sy * anchor->h, weight * double(c.value)});
      }
    }
    return;
  }
  auto cells = [weight](const SparseVec& v, std::vector<Splat>& dst) {
    for (const auto& c : v.cells())
      dst.push_back({(c.index % kGridCols) * kCellPx + kCellPx / 2.0,
                     (c.index / kGridCols) * kCellPx + kCellPx / 2.0, weight * double(c.value)});
  };
  if (opt_.layer == kLayerFixedClicks) {
    cells(a.layers[kLayerFixedClicks], fixed);
    return;
  }
  cells(a.layers[opt_.layer], page);
  if (opt_.layer == kLayerClicks) cells(a.layers[kLayerFixedClicks], fixed);
}

void Renderer::prepare() {
  if (!dirty_) return;
  dirty_ = false;
  page_ = Field{};
  fixed_ = Field{};
  band_level_.clear();
  std::vector<float> samples;
  if (!data_) return;
  const Aggregate& a = *data_;
  if (is_band_layer(opt_.layer)) {
    const SparseVec& v = a.layers[opt_.layer];
    const uint32_t n = opt_.layer == kLayerReachPct ? kPctBuckets : kMaxBands;
    band_level_.assign(n, 0);
    if (opt_.layer == kLayerAttention) {
      for (const auto& c : v.cells()) samples.push_back(static_cast<float>(c.value));
      scale_.build(opt_.scale, samples);
      for (const auto& c : v.cells())
        if (c.index < n) band_level_[c.index] = level_of(scale_, c.value);
    } else {  // reach: the share of page views, a fixed 0..100 % scale whatever the data
      const double pv = page_views(a);
      for (uint32_t i = 0; i < n; ++i)
        band_level_[i] = static_cast<uint8_t>(1 + std::lround(std::min(1.0, v.get(i) / pv) * 254));
    }
    return;
  }
  std::vector<Splat> page, fixed;
  const bool diff = comparing();
  if (diff) {
    // Splat and blur are linear, so splatting A with +1/pv_A and B with -1/pv_B yields the
    // difference of the normalized densities in one field.
    build_points(a, 1 / page_views(a), page, fixed);
    build_points(*compare_, -1 / page_views(*compare_), page, fixed);
  } else {
    build_points(a, 1, page, fixed);
  }
  const double margin = opt_.radius_px + 16;
  auto fill = [&](Field& f, const std::vector<Splat>& pts) {
    if (pts.empty()) return;
    double mx = 0, my = 0;
    for (const auto& p : pts) mx = std::max(mx, p.x), my = std::max(my, p.y);
    f.reset(mx, my, margin);
    for (const auto& p : pts) f.splat(p.x, p.y, p.v);
    f.blur(opt_.radius_px / 3);
  };
  fill(page_, page);
  fill(fixed_, fixed);
  // Counts have an absolute floor; per-page-view differences are small numbers, so their floor
  // is relative to the largest difference (float dust where A and B cancel stays neutral).
  float floor = kFloor;
  if (diff) {
    float peak = 0;
    for (const Field* f : {&page_, &fixed_})
      for (float d : f->density) peak = std::max(peak, std::abs(d));
    floor = peak * kFloor;
  }
  for (const Field* f : {&page_, &fixed_})
    for (float d : f->density)
      if (std::abs(d) >= floor && (diff || d > 0)) samples.push_back(std::abs(d));
  scale_.build(opt_.scale, samples, opt_.scale == Scale::kLog ? log_cap(floor) : 0);
  const uint8_t neutral = diff ? kDiffNeutral : 0;
  for (Field* f : {&page_, &fixed_}) {
    if (f->rows == 0) continue;
    // Levels are padded: one neutral column left, two right, one row below (see columns()).
    const uint32_t stride = f->cols + 3;
    f->level.assign(size_t(stride) * (f->rows + 1), neutral);
    for (uint32_t r = 0; r < f->rows; ++r)
      for (uint32_t c = 0; c < f->cols; ++c) {
        const float d = f->density[size_t(r) * f->cols + c];
        uint8_t l = 0;
        if (!diff) {
          l = level_of(scale_, d);
        } else if (std::abs(d) >= floor && floor > 0) {
          const long step = std::lround(scale_.t(std::abs(d)) * 127);
          l = static_cast<uint8_t>(d > 0 ? kDiffNeutral + std::max(1L, step)
                                         : kDiffNeutral - std::max(1L, step));
        } else {
          l = kDiffNeutral;
        }
        f->level[size_t(r) * stride + c + 1] = l;
      }
    f->density = {};  // only levels are needed per frame
  }
}

// Capped log: the top of the scale is the k-th highest local peak of the density (k = 2, or 1 % of
// the peaks when there are more than 200), so one or two outliers (a pop-up's close button that
// every visitor clicks) saturate instead of setting the scale and turning the rest of the page
// cold. Fewer than kCapMinPeaks peaks: no cap (nothing to compare an outlier with).
double Renderer::log_cap(float floor) const {
  std::vector<float> peaks;
  for (const Field* f : {&page_, &fixed_}) {
    if (!f->rows) continue;
    auto at = [&](int64_t r, int64_t c) {
      return r < 0 || c < 0 || r >= f->rows || c >= f->cols
                 ? 0.f
                 : std::abs(f->density[size_t(r) * f->cols + size_t(c)]);
    };
    for (int64_t r = 0; r < f->rows; ++r)
      for (int64_t c = 0; c < f->cols; ++c) {
        const float d = at(r, c);
        // Strict against earlier neighbours, so a flat top counts once.
        if (d >= floor && d > at(r - 1, c) && d > at(r, c - 1) && d >= at(r + 1, c) &&
            d >= at(r, c + 1))
          peaks.push_back(d);
      }
  }
  if (peaks.size() < kCapMinPeaks) return 0;
  const size_t k = std::max<size_t>(2, peaks.size() / 100);
  std::nth_element(peaks.begin(), peaks.begin() + (k - 1), peaks.end(), std::greater<float>());
  return peaks[k - 1];
}

void Renderer::render(const Viewport& v, uint8_t* out) {
  prepare();
  if (is_band_layer(opt_.layer))
    render_bands(v, out);
  else
    render_heat(v, out);
}

void Renderer::render_heat(const Viewport& v, uint8_t* out) const {
  const bool diff = comparing();
  const Palette& pal = diff ? diverging_palette() : heat_palette();
  const int neutral = diff ? kDiffNeutral : 0;
  const double ratio = v.ratio > 0 ? v.ratio : 1;
  std::vector<uint8_t> row(v.width);
  struct Source {
    const Field* f;
    Columns cols;
    double y0;
  };
  Source sources[2];
  int n = 0;
  if (page_.rows)
    sources[n++] = {&page_, columns(page_.step, page_.cols, v.scroll_x, v.width, ratio),
                    v.scroll_y};
  if (fixed_.rows)
    sources[n++] = {&fixed_, columns(fixed_.step, fixed_.cols, 0, v.width, ratio), 0};
  for (uint32_t y = 0; y < v.height; ++y) {
    std::fill(row.begin(), row.end(), neutral);
    for (int s = 0; s < n; ++s) {
      const Field& f = *sources[s].f;
      const uint32_t stride = f.cols + 3;
      const double fy = (sources[s].y0 + (y + 0.5) / ratio) / f.step;
      const double fl = std::floor(fy);
      if (fl < -1 || fl >= f.rows) continue;
      const auto wy = static_cast<uint32_t>((fy - fl) * 256);
      const uint8_t* zero = &f.level[size_t(f.rows) * stride];
      const uint8_t* a = fl >= 0 ? &f.level[size_t(fl) * stride] : zero;
      const uint8_t* b = fl + 1 < f.rows ? &f.level[size_t(fl + 1) * stride] : zero;
      const uint32_t* idx = sources[s].cols.idx.data();
      const uint32_t* wx = sources[s].cols.w.data();
      for (uint32_t x = 0; x < v.width; ++x) {
        const uint32_t i = idx[x], w = wx[x];
        const uint32_t top = a[i] * (256 - w) + a[i + 1] * w;
        const uint32_t bottom = b[i] * (256 - w) + b[i + 1] * w;
        const uint32_t l = (top * (256 - wy) + bottom * wy + 32768) >> 16;
        // Page and fixed fields overlap: keep the stronger signal (farther from neutral).
        if (std::abs(int(l) - neutral) > std::abs(int(row[x]) - neutral))
          row[x] = static_cast<uint8_t>(l);
      }
    }
    uint8_t* o = out + size_t(y) * v.width * 4;
    for (uint32_t x = 0; x < v.width; ++x) std::memcpy(o + 4 * x, &pal[row[x]], 4);
  }
}

void Renderer::render_bands(const Viewport& v, uint8_t* out) const {
  const Palette& pal = heat_palette();
  const bool reach = opt_.layer != kLayerAttention;
  const double dh = doc_height(*data_);
  const ReachMarkers m = reach ? reach_markers() : ReachMarkers{};
  const uint32_t line = rgba(20, 20, 20, 230), fold = rgba(255, 255, 255, 240);
  const double ratio = v.ratio > 0 ? v.ratio : 1;
  for (uint32_t y = 0; y < v.height; ++y) {
    const double py = v.scroll_y + (y + 0.5) / ratio;
    size_t band = static_cast<size_t>(py / kBandPx);
    if (opt_.layer == kLayerReachPct) band = dh > 0 ? static_cast<size_t>(py / dh * 100) : 0;
    uint8_t l = band < band_level_.size() ? band_level_[band] : (reach ? 1 : 0);
    uint32_t c = pal[l];
    if (l) c = (c & 0x00ffffffu) | (uint32_t(kBandAlpha) << 24);
    auto near = [py](double my) { return my >= 0 && std::abs(py - my) < 1.5; };
    if (near(m.p25) || near(m.p50) || near(m.p75)) c = line;
    if (near(m.fold)) c = fold;
    uint32_t* o = reinterpret_cast<uint32_t*>(out + size_t(y) * v.width * 4);
    std::fill(o, o + v.width, c);
  }
}

std::vector<LegendStop> Renderer::legend() {
  prepare();
  std::vector<LegendStop> stops;
  if (comparing()) {  // t 0: B has the most more, 0.5: equal, 1: A has the most more
    for (double t : {0.0, 0.25, 0.5, 0.75, 1.0}) {
      const double u = 2 * t - 1;
      const auto level = static_cast<uint8_t>(kDiffNeutral + std::lround(u * (u < 0 ? 128 : 127)));
      stops.push_back({t, (u < 0 ? -1 : 1) * scale_.value(std::abs(u)),
                       diverging_palette()[std::min<int>(255, level)]});
    }
    return stops;
  }
  const bool reach = opt_.layer == kLayerReachPx || opt_.layer == kLayerReachPct;
  for (double t : {0.0, 0.25, 0.5, 0.75, 1.0}) {
    LegendStop s;
    s.t = t;
    s.value = reach ? t * 100 : scale_.value(t);
    s.rgba = heat_palette()[1 + std::lround(t * 254)];
    stops.push_back(s);
  }
  return stops;
}

ReachMarkers Renderer::reach_markers() const {
  ReachMarkers m;
  if (!data_) return m;
  const Aggregate& a = *data_;
  const double pv = page_views(a);
  if (a.counters[kPageViews] > 0 && a.counters[kFoldSum] > 0) m.fold = a.counters[kFoldSum] / pv;
  const bool pct = opt_.layer == kLayerReachPct;
  const SparseVec& v = a.layers[pct ? kLayerReachPct : kLayerReachPx];
  if (v.empty()) return m;
  const uint32_t n = pct ? kPctBuckets : kMaxBands;
  const double dh = doc_height(a);
  // The line sits where the share first drops below the threshold: the top of that band.
  auto depth = [&](double share) {
    uint32_t i = 0;
    while (i < n && v.get(i) >= share * pv) ++i;
    return pct ? (dh > 0 ? i / 100.0 * dh : -1) : double(i) * kBandPx;
  };
  m.p75 = depth(0.75);
  m.p50 = depth(0.5);
  m.p25 = depth(0.25);
  return m;
}

AnchorStats Renderer::anchor_stats() const {
  AnchorStats s;
  if (!data_) return s;
  auto anchor = anchors_.begin();
  for (const auto& [key, el] : data_->elements()) {
    const double heat = static_cast<double>(el.cells.sum());
    ++s.elements;
    s.total += heat;
    while (anchor != anchors_.end() && anchor->key < key) ++anchor;
    if (anchor != anchors_.end() && anchor->key == key) {
      ++s.found;
      s.anchored += heat;
    }
  }
  return s;
}

}  // namespace thermograph
