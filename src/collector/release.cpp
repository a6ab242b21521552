#include "release.h"

#include <algorithm>
#include <cmath>

#include "core/dp.h"
#include "crypto.h"

namespace thermograph {

ReleaseDecision release(Aggregate& merged, const ReleasePolicy& policy) {
  if (policy.epsilon > 0) {
    DpParams p;
    p.epsilon = policy.epsilon;
    p.min_page_views = policy.min_page_views;
    p.bounds = policy.bounds;
    // Noise from a CSPRNG: anyone who could predict or replay it could subtract it.
    SecureRandom rng;
    const DpResult r = dp_release(merged, p, rng);
    if (!r.released) return {false, r.reason};
    const double sd = discrete_laplace_sd(r.scale[kDpElementCounters]);
    return {true, "", std::isfinite(sd) ? sd * sd : 0};
  }
  if (merged.counters[kPageViews] < policy.min_page_views)
    return {false, "segment withheld: it has fewer than " + std::to_string(policy.min_page_views) +
                       " page views (the collector's --min-page-views); widen the filters"};
  return {};
}

std::optional<uint64_t> release_count(uint64_t page_views, const ReleasePolicy& policy) {
  if (policy.epsilon > 0) {
    SecureRandom rng;
    const int64_t noisy = int64_t(page_views) + sample_discrete_laplace(1.0 / policy.epsilon, rng);
    if (noisy < int64_t(policy.min_page_views)) return std::nullopt;
    return uint64_t(noisy);
  }
  if (page_views < policy.min_page_views) return std::nullopt;
  return page_views;
}

}  // namespace thermograph
