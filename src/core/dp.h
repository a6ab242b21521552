// Central differential privacy at release (issue 5 item 6).
//
// The collector merges bounded page views (pageview.h Bounds) into an Aggregate and calls
// dp_release on a copy before anyone reads it. Noise is discrete Laplace from an exact integer
// sampler; the epsilon of one released window is split across parts (page-view count, other page
// counters, each layer, element counters, element cells) by weights. Formulas, sensitivities
// and the split: docs/privacy-dp.md.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "aggregate.h"
#include "pageview.h"
#include "splitmix.h"

namespace thermograph {

// Where the noise comes from: uniform 64-bit words. The core takes it as a parameter and never
// picks one: the collector passes a cryptographically secure source (OpenSSL RAND_bytes, see
// src/collector/crypto.h), tests and reproducible runs pass a seeded Rng.
class RandomSource {
 public:
  virtual ~RandomSource() = default;
  virtual uint64_t next() = 0;
  // Uniform in [0, n), n >= 1, without modulo bias (rejects the short last block).
  uint64_t below(uint64_t n) {
    const uint64_t limit = (0 - n) % n;  // 2^64 mod n
    for (;;) {
      uint64_t r = next();
      if (r >= limit) return r % n;
    }
  }
};

// splitmix64: small, seedable, identical on every platform (native, wasm), so a release is
// reproducible from its seed. Not a CSPRNG: for tests and reproducible experiments only.
class Rng final : public RandomSource {
 public:
  explicit Rng(uint64_t seed) : s_(seed) {}
  uint64_t next() override { return splitmix64(s_); }

 private:
  uint64_t s_;
};

// Exact discrete Laplace: P(x) proportional to exp(-|x| / (t / s)) for integers s, t >= 1
// (Canonne, Kamath, Steinke 2020, Algorithm 2). Integer arithmetic only.
int64_t sample_discrete_laplace_rational(uint64_t t, uint64_t s, RandomSource& rng);
// Scale as a double: rounded *up* to a multiple of 1 / kDpScaleDenominator, so the noise used is
// never smaller than asked for; then sampled exactly.
int64_t sample_discrete_laplace(double scale, RandomSource& rng);
inline constexpr uint64_t kDpScaleDenominator = 1024;
// Standard deviation of discrete Laplace with this scale: sqrt(2a) / (1 - a), a = exp(-1/scale).
double discrete_laplace_sd(double scale);

// Parts of a release that share the epsilon budget.
enum DpPart : uint8_t {
  kDpPageViews = 0,     // the page-view count (gates min_page_views, denominators of all rates)
  kDpPageCounters = 1,  // the other page counters, split equally among them
  kDpLayerFirst = 2,    // + Layer
  // Elements' pv_clicked (sensitivity Bounds::clicked_elements); also partition selection: an
  // element is released only when its noisy pv_clicked clears a threshold. Weight 0: no elements.
  kDpElementClicked = kDpLayerFirst + kLayerCount,
  kDpElementCounters,  // the other element counters, split equally among them
  kDpElementCells,
  // Journeys: elements' next-element transitions (sensitivity Bounds::transitions), released by
  // partition selection like the route_from layer (whose keys have no public domain either).
  kDpElementNext,
  kDpPartCount,
};

// Default split: what stays useful at epsilon 1 under the tracker's default bounds (measured in
// tests/native/dp_test.cpp, docs/privacy-dp.md). The click map is released from click_pv (page
// views per cell, L1 4) and elements by pv_clicked (L1 8); parts whose sensitivity would drown
// them in noise (raw clicks 1,280, move, frustration cells, element hover) are withheld.
inline constexpr std::array<double, kDpPartCount> kDpDefaultWeights = {
    /*page views*/ 2,
    /*page counters*/ 0,
    /*clicks*/ 0,
    /*move*/ 0,
    /*rage*/ 0,
    /*dead*/ 0,
    /*error*/ 0,
    /*fixed clicks*/ 0,
    /*reach px*/ 1,
    /*reach pct*/ 0,
    /*attention*/ 0,
    /*click_pv*/ 12,
    /*route_from*/ 0,
    /*element pv_clicked*/ 6,
    /*element counters*/ 0,
    /*element cells*/ 0,
    /*element next*/ 0};

struct DpParams {
  double epsilon = 1.0;  // per released window, over every part (basic composition)
  uint32_t min_page_views = 20;
  Bounds bounds{};  // must be the bounds the trackers enforced
  // Released cells whose noisy value is below threshold_sigmas noise standard deviations are
  // hidden. Pure post-processing: it removes noise-only cells, it costs no privacy.
  double threshold_sigmas = 4.0;
  // Elements have no enumerable domain, so an element is released only if its noisy page-view
  // counter clears a threshold set for this delta (partition selection, (epsilon, delta)-DP).
  double delta = 1e-6;
  std::array<double, kDpPartCount> weights = kDpDefaultWeights;  // weight 0 withholds a part
  // Public, data-independent domains: page cells outside them are dropped before noise.
  uint32_t domain_width_px = kGridCols * kCellPx;
  uint32_t domain_height_px = 8192;
  uint32_t viewport_height_px = 2048;  // for the fixed-position (viewport) click layer
  // The click_pv map is released in blocks of this many page cells a side (1: 16 px cells,
  // 2: 32 px). Post-processing spreads each block's noisy value over its cells. 32 px: at 16 px,
  // neighbouring cells of one button nearly tie and the top cells are not stable even without
  // noise (measured in tests/native/dp_utility_test.cpp, docs/privacy-dp.md).
  uint32_t click_pv_block = 2;
};

struct DpResult {
  bool released = false;
  std::string reason;     // when refused, e.g. "segment has 7 page views, minimum 20"
  double page_views = 0;  // noisy count the gate used
  double delta = 0;  // total delta of this release (0 when no partition-selected part is released)
  std::array<double, kDpPartCount> epsilon{};  // per part
  std::array<double, kDpPartCount> scale{};    // noise scale per part (per counter for splits)
  int64_t element_threshold = 0;               // noisy pv_clicked an element needed
  uint32_t click_pv_block = 1;                 // cells a side of the click_pv map's blocks
};

// Per-page-view L1 sensitivity of each layer within the release domain (cells x max per cell,
// except reach, which is released as a histogram of stopping bands with sensitivity 1).
double dp_layer_sensitivity(const DpParams& p, Layer layer);

// Adds discrete Laplace noise to every counter and cell of a merged aggregate, hides cells below
// a noise-based threshold, refuses segments below min_page_views (on the noisy count; a refused
// aggregate is cleared). The noise is drawn from `rng`.
DpResult dp_release(Aggregate& a, const DpParams& p, RandomSource& rng);
// The same with a seeded splitmix64 (Rng): deterministic given seed; tests and experiments only.
DpResult dp_release(Aggregate& a, const DpParams& p, uint64_t seed);

}  // namespace thermograph
