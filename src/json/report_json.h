// JSON form of reports and aggregates (export, debugging, the collector's read API).
// Native and overlay side only: the visitor module never links nlohmann.
#pragma once

#include <nlohmann/json.hpp>

#include "core/aggregate.h"

namespace thermograph {

// Page-cell layers list cells as [x_px, y_px, value] (top-left corner of the cell);
// band layers as [band, value]; element sub-grids as [sx, sy, value].
nlohmann::json to_json(const Aggregate& a);
nlohmann::json to_json(const Segment& s);
nlohmann::json to_json(const std::vector<Tag>& tags);  // {"key": "value", ...}
nlohmann::json to_json(const Report& r);

std::string element_key_hex(uint32_t key);

// Inverse of to_json, validating: everything the binary decoder would refuse is refused here,
// with a message naming the offending field ("layers.clicks[3]: x 100 is not a multiple of 16").
// Unknown keys are errors, so a typo never silently drops data. Missing fields take defaults.
// Never throws; on failure `error` is set and `out` is unspecified.
bool from_json(const nlohmann::json& j, Aggregate& out, std::string& error);
bool from_json(const nlohmann::json& j, Segment& out, ReportKind kind, std::string& error);
bool from_json(const nlohmann::json& j, Report& out, std::string& error);

}  // namespace thermograph
