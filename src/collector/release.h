// The release hook: every aggregate the read API serves passes through release() first.
// It refuses segments below the minimum page-view count and, with --epsilon > 0, applies central
// differential privacy (src/core/dp.h: calibrated noise on the merged aggregate), so no read
// path can bypass it.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/aggregate.h"
#include "core/dp.h"
#include "core/pageview.h"

namespace thermograph {

struct ReleasePolicy {
  uint32_t min_page_views = 1;  // --min-page-views (20 when DP is on and the flag is absent)
  double epsilon = 0;           // --epsilon: budget per released window; 0 = DP off
  // Per-page-view bounds the trackers enforce (the tracker's defaults). The noise is calibrated
  // to them: an operator who changes the trackers' bounds must change these to match.
  Bounds bounds{};
};

struct ReleaseDecision {
  bool ok = true;
  std::string reason;  // why the segment is withheld (sent to the client with 403)
  // Variance of the DP noise on one released element counter (0 without DP): insights pass it to
  // their tests so the noise widens the standard errors instead of faking significance.
  double noise_variance = 0;
  std::optional<DpResult> dp;  // what the DP release did (with --epsilon)
};

// What readers are told about a DP release (the heatmap's "privacy" field, the overlay's
// Thermograph-Privacy header): epsilon, delta, the noise sd per released part, what is withheld.
// Null without DP.
nlohmann::json privacy_json(const ReleaseDecision& d);

// Prepares `merged` for release in place (noised when DP is on), or refuses it (then `merged`
// must not be served).
ReleaseDecision release(Aggregate& merged, const ReleasePolicy& policy);

// Page-view counts shown in listings go through the same policy: nullopt = hidden. With DP on
// the count is noised (its own release at the full epsilon) and gated on the noisy value.
std::optional<uint64_t> release_count(uint64_t page_views, const ReleasePolicy& policy);

}  // namespace thermograph
