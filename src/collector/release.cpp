#include "release.h"

namespace thermograph {

ReleaseDecision release(Aggregate& merged, const ReleasePolicy& policy) {
  if (merged.counters[kPageViews] < policy.min_page_views)
    return {false, "segment withheld: it has fewer than " + std::to_string(policy.min_page_views) +
                       " page views (the collector's --min-page-views); widen the filters"};
  // Identity otherwise. Differential privacy (noise calibrated to the per-page-view bounds in
  // core/pageview.h) will be applied to `merged` here.
  return {};
}

bool release_count(uint64_t page_views, const ReleasePolicy& policy) {
  return page_views >= policy.min_page_views;
}

}  // namespace thermograph
