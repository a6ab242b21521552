// The release hook: every aggregate the read API serves passes through release() first.
// Today it only enforces the minimum page-view count per released segment; central
// differential privacy (src/core/dp.h, calibrated noise on the merged aggregate) plugs in here,
// so no read path can bypass it.
#pragma once

#include <cstdint>
#include <string>

#include "core/aggregate.h"

namespace thermograph {

struct ReleasePolicy {
  uint32_t min_page_views = 1;  // --min-page-views
};

struct ReleaseDecision {
  bool ok = true;
  std::string reason;  // why the segment is withheld (sent to the client with 403)
};

// Prepares `merged` for release in place (identity today), or refuses it.
ReleaseDecision release(Aggregate& merged, const ReleasePolicy& policy);

// Page-view counts shown in listings go through the same policy; nullopt-like 0 means hidden.
bool release_count(uint64_t page_views, const ReleasePolicy& policy);

}  // namespace thermograph
