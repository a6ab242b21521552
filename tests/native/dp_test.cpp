// Central DP: the exact sampler's distribution, release mechanics and utility (fixed seeds).
#include "core/dp.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "core/stats.h"
#include "test_util.h"

using namespace thermograph;

namespace {

// Chi-square critical value by Wilson-Hilferty (accurate to ~1 % for df >= 10).
double chi2_critical(double df, double upper_tail) {
  double z = normal_quantile(1 - upper_tail), c = 2 / (9 * df);
  return df * std::pow(1 - c + z * std::sqrt(c), 3);
}

void check_sampler_fit(uint64_t t, uint64_t s, uint64_t seed) {
  CAPTURE(t);
  CAPTURE(s);
  const double a = std::exp(-double(s) / double(t));  // exact pmf: (1-a)/(1+a) a^|x|
  const int n = 200000;
  const int k = std::max(3, int(std::ceil(3.0 * double(t) / double(s))));  // |x| > k pooled
  std::vector<double> obs(2 * k + 3, 0);
  Rng rng(seed);
  double sum = 0, sum2 = 0;
  for (int i = 0; i < n; ++i) {
    int64_t x = sample_discrete_laplace_rational(t, s, rng);
    sum += double(x);
    sum2 += double(x) * double(x);
    int64_t b = x < -k ? 0 : x > k ? 2 * k + 2 : x + k + 1;
    obs[size_t(b)] += 1;
  }
  double chi2 = 0;
  const double norm = (1 - a) / (1 + a);
  for (int b = 0; b < 2 * k + 3; ++b) {
    double p;
    if (b == 0 || b == 2 * k + 2)
      p = std::pow(a, k + 1) / (1 + a);  // P(X > k) = a^(k+1) / (1 + a)
    else
      p = norm * std::pow(a, std::abs(b - k - 1));
    double e = p * n;
    chi2 += (obs[size_t(b)] - e) * (obs[size_t(b)] - e) / e;
  }
  const double df = 2 * k + 2;
  CHECK(chi2 < chi2_critical(df, 0.001));
  double sd = discrete_laplace_sd(double(t) / double(s));
  CHECK(std::fabs(sum / n) < 5 * sd / std::sqrt(double(n)));
  CHECK(std::sqrt(sum2 / n) == doctest::Approx(sd).epsilon(0.02));
}

Aggregate with_page_views(uint32_t n) {
  Aggregate a;
  a.counters[kPageViews] = n;
  return a;
}

}  // namespace

TEST_CASE("discrete Laplace sampler passes chi-square against the exact pmf") {
  check_sampler_fit(1, 1, 11);         // scale 1
  check_sampler_fit(5, 2, 12);         // scale 2.5
  check_sampler_fit(7, 10, 13);        // scale 0.7
  check_sampler_fit(12800, 1024, 14);  // scale 12.5, the denominator sample_discrete_laplace uses
}

TEST_CASE("sample_discrete_laplace rounds the scale up and is deterministic per seed") {
  Rng a(99), b(99);
  for (int i = 0; i < 1000; ++i)
    CHECK(sample_discrete_laplace(3.3, a) == sample_discrete_laplace(3.3, b));
  Rng z(1);
  CHECK(sample_discrete_laplace(0, z) == 0);
  CHECK(sample_discrete_laplace(-1, z) == 0);
  CHECK(discrete_laplace_sd(1) ==
        doctest::Approx(std::sqrt(2 * std::exp(-1.0)) / (1 - std::exp(-1.0))));
}

TEST_CASE("dp_release refuses small segments on the noisy count and clears them") {
  Aggregate a = with_page_views(7);
  a.layers[kLayerClicks].add(5, 3);
  DpParams p;
  p.epsilon = 200;  // noise well below 1 page view, so the message shows the true count
  DpResult r = dp_release(a, p, 1);
  CHECK_FALSE(r.released);
  CHECK(r.reason == "segment has 7 page views, minimum 20");
  CHECK(a.empty());
  Aggregate b = with_page_views(7);
  p.epsilon = 0;
  CHECK_FALSE(dp_release(b, p, 1).released);
}

TEST_CASE("dp_release is deterministic given the seed and noises empty cells too") {
  Aggregate a = with_page_views(5000);
  a.layers[kLayerClicks].add(cell_index(100, 100), 4000);
  DpParams p;
  p.weights[kDpLayerFirst + kLayerClicks] = 4;  // withheld by default (sensitivity 1,280)
  p.threshold_sigmas = 0;  // show every positive noisy cell: empty cells must get noise
  Aggregate x = a, y = a, z = a;
  REQUIRE(dp_release(x, p, 7).released);
  dp_release(y, p, 7);
  dp_release(z, p, 8);
  CHECK(x == y);
  CHECK_FALSE(x == z);
  CHECK(x.layers[kLayerClicks].size() > 1000);  // about half of 131,072 domain cells are > 0
  // Default threshold: noise-only cells are hidden, the real one survives at a large epsilon.
  Aggregate w = a;
  p.threshold_sigmas = 4;
  p.epsilon = 1e6;
  dp_release(w, p, 9);
  CHECK(w.layers[kLayerClicks].size() == 1);
  CHECK(w.layers[kLayerClicks].get(cell_index(100, 100)) == doctest::Approx(4000).epsilon(0.01));
}

TEST_CASE("reach is released as a stopping histogram and stays monotone") {
  Aggregate a = with_page_views(10000);
  for (uint32_t i = 0; i < 40; ++i) a.layers[kLayerReachPx].add(i, 10000 - i * 200);
  DpParams p;
  p.epsilon = 1;
  REQUIRE(dp_release(a, p, 3).released);
  CHECK(dp_layer_sensitivity(p, kLayerReachPx) == 1);
  const auto& r = a.layers[kLayerReachPx];
  for (uint32_t i = 1; i < 40; ++i) CHECK(r.get(i) <= r.get(i - 1));
  for (uint32_t i = 0; i < 40; ++i) CHECK(std::fabs(double(r.get(i)) - (10000 - i * 200.0)) < 400);
}

TEST_CASE("elements are released only above the partition-selection threshold") {
  Aggregate a = with_page_views(20000);
  a.element(1)->counters[kElPvClicked] = 9000;
  a.element(1)->counters[kElClicks] = 12000;
  a.element(2)->counters[kElPvClicked] = 1;  // one page view: must not show up
  DpParams p;
  p.epsilon = 10;
  DpResult r = dp_release(a, p, 5);
  REQUIRE(r.released);
  CHECK(r.delta <= p.delta);
  CHECK(a.find_element(1) != nullptr);
  CHECK(a.find_element(2) == nullptr);
}

// Utility. Setup: 10,000 page views go through PageView with Bounds{click_cells = 2,
// click_max = 1} (a click map counting each cell once per page view, at most 2 cells: clicks
// layer L1 sensitivity 2). Each page view clicks 1 + Geometric(mean 1) times (mean 2, so the
// bound really clips: about a quarter of page views lose clicks); every click lands on one of 1,024
// cells (a 32 x 32 block, rank r at a fixed random position) with Zipf probability ~ 1 / r. The
// release is a click-map window: weights {page views 1, clicks 9}, all other parts withheld, domain
// 1280 x 2048 px (80 x 128 = 10,240 noised cells), default threshold_sigmas. Precision@10 =
// |released top 10 cells ∩ true top 10| / 10, averaged over 20 data sets x 10 noise seeds.
// For contrast the same data is also released under the tracker's default Bounds (clicks L1
// 64 x 20 = 1,280) at epsilon 1 and only reported: the noise then swamps the map.
TEST_CASE("precision@10 of released top cells on a Zipf click map") {
  DpParams p;
  p.bounds.click_cells = 2;
  p.bounds.click_max = 1;
  p.weights.fill(0);
  p.weights[kDpPageViews] = 1;
  p.weights[kDpLayerFirst + int(kLayerClicks)] = 9;
  p.domain_width_px = 1280;
  p.domain_height_px = 2048;
  std::vector<double> cdf(1024);
  double acc = 0;
  for (int r = 0; r < 1024; ++r) cdf[size_t(r)] = acc += 1.0 / (r + 1);
  std::vector<uint32_t> place(1024);
  std::iota(place.begin(), place.end(), 0);
  Rng shuffle(2024);
  for (size_t i = 1023; i > 0; --i) std::swap(place[i], place[shuffle.below(i + 1)]);
  double prec[3] = {0, 0, 0};
  const double eps[3] = {1.0, 0.1, 1.0};
  for (uint64_t data_seed = 1; data_seed <= 20; ++data_seed) {
    Rng rng(data_seed);
    Aggregate agg;
    PageView pv(p.bounds);
    for (int v = 0; v < 10000; ++v) {
      pv.begin(800);
      int clicks = 1;
      while (rng.below(2)) ++clicks;
      for (int c = 0; c < clicks; ++c) {
        double u = double(rng.next() >> 11) * 0x1.0p-53 * acc;
        size_t rank = size_t(std::upper_bound(cdf.begin(), cdf.end(), u) - cdf.begin());
        uint32_t cell = place[std::min<size_t>(rank, 1023)];
        pv.add(kLayerClicks, (cell / 32) * kGridCols + cell % 32, 1);
      }
      agg.merge(pv.totals());  // each page view starts afresh: its totals are its contribution
    }
    std::vector<uint32_t> truth = test::top10(agg.layers[kLayerClicks]);
    std::sort(truth.begin(), truth.end());
    for (int e = 0; e < 3; ++e)
      for (uint64_t noise_seed = 1; noise_seed <= 10; ++noise_seed) {
        Aggregate rel = agg;
        DpParams q = p;
        q.epsilon = eps[e];
        if (e == 2) q.bounds = Bounds{};
        REQUIRE(dp_release(rel, q, data_seed * 100 + noise_seed).released);
        int hit = 0;
        for (uint32_t idx : test::top10(rel.layers[kLayerClicks]))
          hit += std::binary_search(truth.begin(), truth.end(), idx);
        prec[e] += hit / 10.0 / 200.0;
      }
  }
  MESSAGE("precision@10 at epsilon 1: " << prec[0] << ", at epsilon 0.1: " << prec[1]
                                        << "; default bounds at epsilon 1: " << prec[2]);
  CHECK(prec[0] >= 0.97);
  CHECK(prec[1] >= 0.85);
}
