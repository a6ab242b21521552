// The overlay's renderer: aggregated grids -> RGBA pixels of one viewport.
//
// Heat is a kernel density built once per (data, layer, radius, scale, anchors) on a low-res
// grid covering the whole page: cells are splatted, blurred with a separable Gaussian and mapped
// to palette levels. A frame then only upsamples levels bilinearly and looks up the palette, so
// scrolling costs the same whether the page holds a thousand clicks or a million. Scales are
// computed over the whole page's density, never per viewport, so colours hold still on scroll.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "aggregate.h"

namespace thermograph {

// Constants marked `// @js` are also JavaScript's: scripts/gen-constants.mjs generates
// build/gen/constants.mjs from them at build time (js/overlay imports it).
// @js names
enum class Scale : uint8_t { kLinear = 0, kLog = 1, kPercentile = 2 };

// Defaults: the overlay's initial settings too (RENDER_OPTIONS in the generated JS).
// @js
struct RenderOptions {
  Layer layer = kLayerClicks;
  Scale scale = Scale::kLog;
  float radius_px = 40;  // the Gaussian is cut at this radius (sigma = radius / 3)
  bool anchored = true;  // clicks: draw element sub-grids on the elements' live boxes
  bool operator==(const RenderOptions&) const = default;
};

struct Viewport {
  double scroll_x = 0, scroll_y = 0;  // CSS px of the page at the viewport's top-left
  uint32_t width = 0, height = 0;     // output pixels (device pixels)
  double ratio = 1;                   // device pixels per CSS px (devicePixelRatio)
};

// An element found on the live page: its current box in page px (viewport px when kElFixed).
struct Anchor {
  uint32_t key = 0;
  float x = 0, y = 0, w = 0, h = 0;
};

// Maps density to [0, 1] and back; built once per dataset.
inline constexpr size_t kCapMinPeaks = 3;  // fewer density peaks: the log scale keeps the true max

class ScaleMap {
 public:
  // `samples` are the non-zero densities of the whole page (any order; reordered here).
  // `cap` > 0 (kLog only): densities at or above it take the top colour (see Renderer::log_cap).
  void build(Scale kind, std::vector<float>& samples, double cap = 0);
  double t(double v) const;      // monotone non-decreasing, 0 for v <= 0, 1 at the maximum
  double value(double t) const;  // inverse, for the legend
  double max() const { return max_; }

 private:
  Scale kind_ = Scale::kLog;
  double max_ = 0;
  std::vector<float> quantiles_;  // kPercentile: value at rank i / 256
};

struct LegendStop {
  double t = 0;      // position along the palette
  double value = 0;  // counts (kernel-weighted: a lone cell of n clicks peaks near n)
  uint32_t rgba = 0;
};

// Page y (px) of the reach lines; -1 when no data.
struct ReachMarkers {
  double p75 = -1, p50 = -1, p25 = -1, fold = -1;
};

struct AnchorStats {
  double total = 0;     // element clicks in the data
  double anchored = 0;  // of which on an element found on the live page
  uint32_t elements = 0, found = 0;
};

using Palette = std::array<uint32_t, 256>;  // RGBA bytes in memory order, as ImageData wants
const Palette& heat_palette();
// Compare mode: level 128 is "no difference" (transparent), above it warm (A has more), below it
// cool (B has more); alpha grows with the distance from 128.
const Palette& diverging_palette();
inline constexpr uint8_t kDiffNeutral = 128;

class Renderer {
 public:
  // `data` is not owned and must outlive the renderer's use of it.
  void set_data(const Aggregate* data);
  void set_options(const RenderOptions& o);
  void set_anchors(std::vector<Anchor> anchors);
  // Compare mode (nullptr = off): heat layers draw density(A) / page views(A) minus
  // density(B) / page views(B) with the diverging palette, so arms of different sizes compare.
  // Not owned, like set_data. Band layers (reach, attention) ignore it.
  void set_compare(const Aggregate* b);
  bool comparing() const { return compare_ && !is_band(); }
  const RenderOptions& options() const { return opt_; }

  // Writes width * height * 4 bytes (RGBA, not premultiplied) of the viewport into `out`.
  void render(const Viewport& v, uint8_t* out);

  std::vector<LegendStop> legend();
  ReachMarkers reach_markers() const;
  AnchorStats anchor_stats() const;
  const ScaleMap& scale() {
    prepare();
    return scale_;
  }

 private:
  // Low-res density for one coordinate system; sample (c, r) sits at px (c * step, r * step).
  struct Field {
    uint32_t step = 8, cols = 0, rows = 0;
    std::vector<float> density;
    std::vector<uint8_t> level;
    void reset(double max_x, double max_y, double margin);
    void splat(double x, double y, double v);
    void blur(double sigma_px);
  };
  struct Splat {
    double x, y, v;
  };

  void prepare();
  double log_cap(float floor) const;
  bool is_band() const;
  void build_points(const Aggregate& a, double weight, std::vector<Splat>& page,
                    std::vector<Splat>& fixed) const;
  void render_heat(const Viewport& v, uint8_t* out) const;
  void render_bands(const Viewport& v, uint8_t* out) const;

  const Aggregate* data_ = nullptr;
  const Aggregate* compare_ = nullptr;
  RenderOptions opt_;
  std::vector<Anchor> anchors_;
  bool dirty_ = true;
  Field page_, fixed_;
  ScaleMap scale_;
  std::vector<uint8_t> band_level_;  // reach/attention: level per 100 px band
};

}  // namespace thermograph
