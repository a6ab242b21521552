// JSON form of reports and aggregates (export, debugging, the collector's read API).
// Native and overlay side only: the visitor module never links nlohmann.
#pragma once

#include <nlohmann/json.hpp>

#include "aggregate.h"

namespace thermograph {

// Page-cell layers list cells as [x_px, y_px, value] (top-left corner of the cell);
// band layers as [band, value]; element sub-grids as [sx, sy, value].
nlohmann::json to_json(const Aggregate& a);
nlohmann::json to_json(const Segment& s);
nlohmann::json to_json(const Report& r);

std::string element_key_hex(uint32_t key);

}  // namespace thermograph
