// JSON form of insights and comparisons: one definition shared by the collector's JSON/CSV
// exports and the overlay, so both show the same numbers. Native and overlay side only.
#pragma once

#include <nlohmann/json.hpp>

#include "core/insights.h"

namespace thermograph {

nlohmann::json to_json(const Insights& in);
nlohmann::json to_json(const Comparison& c);

// compute_insights / compare_segments straight to JSON.
nlohmann::json insights_json(const Aggregate& a, const InsightOptions& o = {});
nlohmann::json compare_json(const Aggregate& a, const Aggregate& b, const InsightOptions& o = {});

// Options from JSON (the collector's query parameters, the overlay's settings); missing keys keep
// their defaults, boxes as [{"key": "00ab12cd", "x":..,"y":..,"w":..,"h":..,"interactive":..}].
InsightOptions insight_options_from_json(const nlohmann::json& j);

}  // namespace thermograph
