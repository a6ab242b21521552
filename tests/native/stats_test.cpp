// Distribution and test functions against independently computed references.
//
// tests/native/data/pvalues.json was produced by a throwaway Python 3.11 script (no SciPy):
// z-test p = math.erfc(|z| / sqrt 2) on the pooled z; Fisher two-sided p by exact enumeration of
// every table with the observed margins using integer math.comb and fractions.Fraction (the
// "no more likely than observed" rule with relative tolerance 1e-7, as in R); Wilson bounds from
// the closed form; sample sizes and quantiles from statistics.NormalDist.inv_cdf.
#include "core/stats.h"

#include <doctest/doctest.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "test_util.h"

using namespace thermograph;

namespace {

nlohmann::json load_refs() {
  std::ifstream f(THERMOGRAPH_SOURCE_DIR "/tests/native/data/pvalues.json");
  REQUIRE(f.good());
  return nlohmann::json::parse(f);
}

// Relative closeness for p-values that span many orders of magnitude.
bool close_rel(double got, double want, double rel) {
  return std::fabs(got - want) <= rel * std::max(std::fabs(want), 1e-300);
}

}  // namespace

TEST_CASE("two-proportion z-test matches erfc references, with and without noise variance") {
  auto refs = load_refs();
  REQUIRE(refs["z"].size() >= 8);
  for (const auto& r : refs["z"]) {
    CAPTURE(r.dump());
    TestResult t = two_proportion_z(r["k1"], r["n1"], r["k2"], r["n2"], r["noise_variance"]);
    CHECK(t.kind == TestKind::kZ);
    CHECK(close_rel(t.statistic, r["z"].get<double>(), 1e-9));
    CHECK(close_rel(t.p, r["p"].get<double>(), 1e-8));
  }
}

TEST_CASE("Fisher exact two-sided p matches exact rational enumeration") {
  auto refs = load_refs();
  REQUIRE(refs["fisher"].size() >= 8);
  for (const auto& r : refs["fisher"]) {
    CAPTURE(r.dump());
    const auto& t = r["table"];
    double p = fisher_exact_two_sided(t[0], t[1], t[2], t[3]);
    CHECK(close_rel(p, r["p"].get<double>(), 1e-9));
  }
  // Textbook values: the tea-tasting table and a classic 2x2.
  CHECK(fisher_exact_two_sided(3, 1, 1, 3) == doctest::Approx(0.4857142857).epsilon(1e-9));
  CHECK(fisher_exact_two_sided(1, 9, 11, 3) == doctest::Approx(0.0027594562).epsilon(1e-7));
  CHECK(fisher_exact_two_sided(0, 0, 5, 5) == 1);
}

TEST_CASE("Wilson interval, normal quantile and sample size match references") {
  auto refs = load_refs();
  for (const auto& r : refs["wilson"]) {
    CAPTURE(r.dump());
    Interval i = wilson_interval(r["k"], r["n"]);
    CHECK(i.lo == doctest::Approx(r["lo"].get<double>()).epsilon(1e-12));
    CHECK(i.hi == doctest::Approx(r["hi"].get<double>()).epsilon(1e-12));
  }
  for (const auto& r : refs["quantile"]) {
    CAPTURE(r.dump());
    // 1e-10: p itself carries ~1e-16 absolute error, which the steep tails amplify.
    CHECK(normal_quantile(r["p"]) == doctest::Approx(r["x"].get<double>()).epsilon(1e-10));
  }
  for (const auto& r : refs["sample_size"]) {
    CAPTURE(r.dump());
    CHECK(page_views_per_arm(r["p1"], r["p2"]) == r["n"].get<double>());
  }
  CHECK(std::isinf(page_views_per_arm(0.1, 0.1)));
  Interval empty = wilson_interval(0, 0);
  CHECK(empty.lo == 0);
  CHECK(empty.hi == 1);
}

TEST_CASE("compare_proportions switches to Fisher when an expected count is below 5") {
  TestResult small = compare_proportions(1, 20, 8, 20);  // expected successes 4.5 per arm
  CHECK(small.kind == TestKind::kFisher);
  CHECK(small.p == doctest::Approx(fisher_exact_two_sided(1, 19, 8, 12)));
  CHECK(compare_proportions(1, 20, 9, 20).kind == TestKind::kZ);  // expected exactly 5
  TestResult big = compare_proportions(120, 1000, 150, 1000);
  CHECK(big.kind == TestKind::kZ);
  CHECK(compare_proportions(0, 0, 1, 5).p == 1);
}

TEST_CASE("Benjamini-Hochberg adjusted p-values") {
  // Hand-computed: sorted p * m / rank with a running minimum from the top.
  std::vector<double> p = {0.01, 0.04, 0.03, 0.005, 0.5};
  std::vector<double> adj = bh_adjust(p);
  CHECK(adj[3] == doctest::Approx(0.025));  // 0.005 * 5 / 1
  CHECK(adj[0] == doctest::Approx(0.025));  // 0.01 * 5 / 2
  CHECK(adj[2] == doctest::Approx(0.05));   // min(0.03 * 5 / 3, 0.04 * 5 / 4)
  CHECK(adj[1] == doctest::Approx(0.05));
  CHECK(adj[4] == doctest::Approx(0.5));
  CHECK(bh_adjust({}).empty());
}

TEST_CASE("z-test p-values are uniform under the null (seeded simulation)") {
  // Under H0 about 5 % of tests reject at 0.05; the z approximation is fine at these sizes.
  test::Rng rng{42};
  int rejects = 0, n = 4000;
  for (int t = 0; t < n; ++t) {
    int k1 = 0, k2 = 0;
    for (int i = 0; i < 400; ++i) k1 += rng.below(1000) < 200;
    for (int i = 0; i < 400; ++i) k2 += rng.below(1000) < 200;
    rejects += compare_proportions(k1, 400, k2, 400).p <= 0.05;
  }
  CHECK(double(rejects) / n == doctest::Approx(0.05).epsilon(0.3));
}
