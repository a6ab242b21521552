// Element names contributed by designers' overlays (names_api.cpp): the endpoint and the labels
// the dashboard and the CSV show.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>

#include "http_common.h"

namespace thermograph {

// "'Start free trial' button".
std::string element_label(const ElementName& n);

// (page, element key) -> label, for every named element of a site.
std::map<std::pair<std::string, uint32_t>, std::string> element_labels(Store& store,
                                                                       const std::string& site);

// A CSV field in double quotes (inner quotes doubled). A field a spreadsheet would run as a
// formula (= + - @ first) gets a leading apostrophe.
std::string csv_quote(const std::string& field);

// POST /api/names?site=S with the read token.
void post_names(Context& ctx, const Request& req, Response& res);

}  // namespace thermograph
