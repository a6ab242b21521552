#include "stats.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <numeric>

namespace thermograph {
namespace {

constexpr double kSqrt2 = 1.4142135623730951;
constexpr double kInf = std::numeric_limits<double>::infinity();

double log_choose(double n, double k) {
  return std::lgamma(n + 1) - std::lgamma(k + 1) - std::lgamma(n - k + 1);
}

}  // namespace

double normal_cdf(double z) {
  return 0.5 * std::erfc(-z / kSqrt2);
}

double normal_two_sided_p(double z) {
  if (std::isnan(z)) return 1;
  return std::min(1.0, std::erfc(std::fabs(z) / kSqrt2));
}

double normal_quantile(double p) {
  if (!(p > 0)) return -kInf;
  if (!(p < 1)) return kInf;
  // Acklam's rational approximation (|rel error| < 1.2e-9), then one Halley step on erfc,
  // which brings it to double precision without a table of its own.
  static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,  -2.759285104469687e+02,
                             1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
  static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                             6.680131188771972e+01, -1.328068155288572e+01};
  static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                             -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
  static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                             3.754408661907416e+00};
  double x;
  if (p < 0.02425) {
    double q = std::sqrt(-2 * std::log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p <= 1 - 0.02425) {
    double q = p - 0.5, r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  } else {
    double q = std::sqrt(-2 * std::log(1 - p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  double e = normal_cdf(x) - p;
  double u = e * std::sqrt(2 * std::numbers::pi) * std::exp(x * x / 2);
  return x - u / (1 + x * u / 2);
}

Interval wilson_interval(double k, double n, double z) {
  if (!(n > 0)) return {0, 1};
  k = std::clamp(k, 0.0, n);  // noisy counts can fall outside [0, n]
  double p = k / n, z2 = z * z;
  double denom = 1 + z2 / n;
  double center = (p + z2 / (2 * n)) / denom;
  double half = z * std::sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom;
  return {std::max(0.0, center - half), std::min(1.0, center + half)};
}

const char* test_kind_name(TestKind k) {
  switch (k) {
    case TestKind::kZ:
      return "z";
    case TestKind::kFisher:
      return "fisher";
    default:
      return "none";
  }
}

TestResult two_proportion_z(double k1, double n1, double k2, double n2, double noise_variance) {
  TestResult r{TestKind::kZ, 0, 1};
  if (!(n1 > 0) || !(n2 > 0)) return r;
  double p1 = k1 / n1, p2 = k2 / n2, pool = (k1 + k2) / (n1 + n2);
  pool = std::clamp(pool, 0.0, 1.0);
  double var = pool * (1 - pool) * (1 / n1 + 1 / n2);
  if (noise_variance > 0)
    var += noise_variance * (1 + pool * pool) * (1 / (n1 * n1) + 1 / (n2 * n2));
  if (!(var > 0)) return r;  // both arms all-0 or all-1: no evidence of a difference
  r.statistic = (p2 - p1) / std::sqrt(var);
  r.p = normal_two_sided_p(r.statistic);
  return r;
}

double fisher_exact_two_sided(uint64_t a, uint64_t b, uint64_t c, uint64_t d) {
  const double r1 = double(a + b), r2 = double(c + d), c1 = double(a + c), n = r1 + r2;
  if (r1 == 0 || r2 == 0 || c1 == 0 || c1 == n) return 1;
  const double lo = std::max(0.0, c1 - r2), hi = std::min(r1, c1);
  auto log_p = [&](double x) { return log_choose(r1, x) + log_choose(r2, c1 - x); };
  const double obs = log_p(double(a));
  // Relative tolerance as in R: tables equally likely up to rounding count as "as extreme".
  const double cut = obs + std::log1p(1e-7);
  double mode_lp = obs;
  for (double x = lo; x <= hi; ++x) mode_lp = std::max(mode_lp, log_p(x));
  double total = 0, tail = 0;
  for (double x = lo; x <= hi; ++x) {
    double lp = log_p(x);
    double w = std::exp(lp - mode_lp);  // scaled by the largest term so nothing underflows
    total += w;
    if (lp <= cut) tail += w;
  }
  return std::min(1.0, tail / total);
}

TestResult compare_proportions(double k1, double n1, double k2, double n2, double noise_variance,
                               double min_expected) {
  if (!(n1 > 0) || !(n2 > 0)) return {};
  k1 = std::clamp(k1, 0.0, n1);
  k2 = std::clamp(k2, 0.0, n2);
  double n = n1 + n2, s = k1 + k2, f = n - s;
  double min_exp = std::min({n1 * s / n, n2 * s / n, n1 * f / n, n2 * f / n});
  if (min_exp < min_expected) {
    auto a = uint64_t(std::llround(k1)), c = uint64_t(std::llround(k2));
    auto b = uint64_t(std::llround(n1)) - a, d = uint64_t(std::llround(n2)) - c;
    return {TestKind::kFisher, double(a), fisher_exact_two_sided(a, b, c, d)};
  }
  return two_proportion_z(k1, n1, k2, n2, noise_variance);
}

std::vector<double> bh_adjust(const std::vector<double>& p) {
  const size_t m = p.size();
  std::vector<size_t> order(m);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) { return p[x] < p[y]; });
  std::vector<double> adj(m);
  double running = 1;
  // Step-up: walk from the largest p down, keeping the running minimum of p_(i) * m / i.
  for (size_t r = m; r-- > 0;) {
    double v = p[order[r]] * double(m) / double(r + 1);
    running = std::min(running, v);
    adj[order[r]] = running;
  }
  return adj;
}

double page_views_per_arm(double p1, double p2, double alpha, double power) {
  if (!(std::fabs(p1 - p2) > 0)) return kInf;
  double za = normal_quantile(1 - alpha / 2), zb = normal_quantile(power);
  double pbar = (p1 + p2) / 2;
  double num =
      za * std::sqrt(2 * pbar * (1 - pbar)) + zb * std::sqrt(p1 * (1 - p1) + p2 * (1 - p2));
  return std::ceil(num * num / ((p1 - p2) * (p1 - p2)));
}

}  // namespace thermograph
