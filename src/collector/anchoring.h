// Re-anchoring accuracy (issue 18): a designer's overlay reports, per page, how much of the
// stored element heat it could not find on the live page; the collector keeps the latest figure
// per page and the dashboard shows it. docs/collector.md, "Re-anchoring accuracy".
#pragma once

#include <cstddef>
#include <cstdint>

#include "http_common.h"

namespace thermograph {

// Bounds of what one overlay may post, and of what a site may hold.
inline constexpr size_t kMaxAnchoringBodyBytes = 2048;
inline constexpr uint32_t kMaxAnchoringElements = 1000000;
inline constexpr size_t kMaxAnchoredPagesPerSite = 20000;

// POST /api/anchoring?site=S with the read token.
void post_anchoring(Context& ctx, const Request& req, Response& res);

// The dashboard's form of a figure: {"elements", "found", "missing_share", "checked"} (checked:
// the collector's UTC time it was measured, "YYYY-MM-DDTHH:MM:SSZ").
nlohmann::json anchoring_json(const AnchoringFigure& f);

}  // namespace thermograph
