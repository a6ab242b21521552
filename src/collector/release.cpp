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
    const double sd = discrete_laplace_sd(r.scale[kDpElementClicked]);
    return {true, "", std::isfinite(sd) ? sd * sd : 0, r};
  }
  if (merged.counters[kPageViews] < policy.min_page_views)
    return {false, "segment withheld: it has fewer than " + std::to_string(policy.min_page_views) +
                       " page views (the collector's --min-page-views); widen the filters"};
  return {};
}

nlohmann::json privacy_json(const ReleaseDecision& d) {
  if (!d.dp) return nullptr;
  const DpResult& r = *d.dp;
  // Rounded to what a reader needs: noise sd to 0.1, budgets to 4 significant digits.
  auto round_to = [](double v, double unit) { return std::round(v / unit) * unit; };
  double total = 0;
  for (double e : r.epsilon) total += e;
  nlohmann::json j = {{"epsilon", round_to(total, 1e-4)},
                      {"delta", r.delta},
                      {"page_views_sd", round_to(discrete_laplace_sd(r.scale[kDpPageViews]), 0.1)}};
  nlohmann::json layers = nlohmann::json::object(), withheld = nlohmann::json::array();
  for (uint8_t l = 0; l < kLayerCount; ++l) {
    const char* name = layer_name(static_cast<Layer>(l));
    if (r.epsilon[kDpLayerFirst + l] > 0)
      layers[name] = round_to(discrete_laplace_sd(r.scale[kDpLayerFirst + l]), 0.1);
    else
      withheld.push_back(name);
  }
  j["layer_sd"] = layers;                               // per released cell or band
  j["click_pv_block_px"] = r.click_pv_block * kCellPx;  // the click map's resolution
  if (r.epsilon[kDpPageCounters] <= 0) withheld.push_back("page_counters");
  if (r.epsilon[kDpElementClicked] > 0) {
    j["element_pv_clicked_sd"] = round_to(discrete_laplace_sd(r.scale[kDpElementClicked]), 0.1);
    j["element_threshold"] = r.element_threshold;  // page views an element needs to be shown
  } else {
    withheld.push_back("elements");
  }
  if (r.epsilon[kDpElementCounters] <= 0) withheld.push_back("element_counters");
  if (r.epsilon[kDpElementCells] <= 0) withheld.push_back("element_cells");
  if (r.epsilon[kDpElementNext] <= 0) withheld.push_back("element_next");
  j["withheld"] = withheld;
  return j;
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
