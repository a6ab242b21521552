// Distributions and tests behind insights: normal tail areas, Wilson intervals, two-proportion
// tests (z and Fisher exact), Benjamini-Hochberg and sample size for two proportions.
//
// Plain functions over counts, no allocation beyond the BH vector, no exceptions: the overlay
// runs them in wasm on every segment switch. Formulas and their limits: docs/insights.md.
#pragma once

#include <cstdint>
#include <vector>

namespace thermograph {

inline constexpr double kZ95 = 1.959963984540054;  // two-sided 95 %

struct Interval {
  double lo = 0;
  double hi = 0;
};

double normal_cdf(double z);
// Two-sided tail area 2 * (1 - Phi(|z|)) via erfc, so tiny p-values keep their precision.
double normal_two_sided_p(double z);
// Inverse of normal_cdf for p in (0, 1); |error| < 1e-12 after one Halley step.
double normal_quantile(double p);

// 95 % (by default) Wilson score interval for k successes in n trials; [0, 1] when n == 0.
Interval wilson_interval(double k, double n, double z = kZ95);

enum class TestKind : uint8_t { kNone = 0, kZ = 1, kFisher = 2 };
const char* test_kind_name(TestKind k);

struct TestResult {
  TestKind kind = TestKind::kNone;
  double statistic = 0;  // z for the z-test, the observed cell `a` for Fisher
  double p = 1;
};

// Pooled two-proportion z-test of k1/n1 vs k2/n2. `noise_variance` is the variance of the DP
// noise added to each released count (0 without noise); it widens the standard error by the
// delta-method term noise_variance * (1 + p^2) / n^2 per arm (numerator and denominator noisy).
TestResult two_proportion_z(double k1, double n1, double k2, double n2, double noise_variance = 0);

// Two-sided Fisher exact test of the 2x2 table [[a, b], [c, d]]: sums the probabilities of all
// tables with the observed margins that are no more likely than the observed one (the
// conditional test; R's fisher.test uses the same rule and relative tolerance 1e-7).
double fisher_exact_two_sided(uint64_t a, uint64_t b, uint64_t c, uint64_t d);

// z-test, or Fisher when any expected cell count is below `min_expected` (default 5): the
// normal approximation is poor there. Counts are rounded to integers for Fisher.
TestResult compare_proportions(double k1, double n1, double k2, double n2,
                               double noise_variance = 0, double min_expected = 5);

// Benjamini-Hochberg step-up adjusted p-values (same order as the input); reject where
// adjusted <= q controls the false discovery rate at q for independent or PRDS tests.
std::vector<double> bh_adjust(const std::vector<double>& p);

// Page views per arm for a two-sided two-proportion z-test with power `power` at `alpha`,
// baseline p1 and alternative p2 (Fleiss, no continuity correction). Infinity if p1 == p2.
double page_views_per_arm(double p1, double p2, double alpha = 0.05, double power = 0.8);

}  // namespace thermograph
