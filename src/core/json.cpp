#include "json.h"

#include <cstdio>

namespace thermograph {
namespace {

bool is_band_layer(uint8_t layer) {
  return layer == kLayerReachPx || layer == kLayerReachPct || layer == kLayerAttention;
}

template <typename Names, size_t N>
nlohmann::json counters_json(const std::array<uint32_t, N>& c, Names name) {
  nlohmann::json j = nlohmann::json::object();
  for (size_t i = 0; i < N; ++i)
    if (c[i]) j[name(i)] = c[i];
  return j;
}

}  // namespace

std::string element_key_hex(uint32_t key) {
  char buf[9];
  std::snprintf(buf, sizeof buf, "%08x", key);
  return buf;
}

nlohmann::json to_json(const Aggregate& a) {
  nlohmann::json j;
  j["counters"] = counters_json(
      a.counters, [](size_t i) { return page_counter_name(static_cast<PageCounter>(i)); });
  nlohmann::json layers = nlohmann::json::object();
  for (uint8_t l = 0; l < kLayerCount; ++l) {
    if (a.layers[l].empty()) continue;
    nlohmann::json cells = nlohmann::json::array();
    for (const auto& c : a.layers[l].cells()) {
      if (is_band_layer(l))
        cells.push_back({c.index, c.value});
      else
        cells.push_back({(c.index % kGridCols) * kCellPx, (c.index / kGridCols) * kCellPx, c.value});
    }
    layers[layer_name(static_cast<Layer>(l))] = std::move(cells);
  }
  j["layers"] = std::move(layers);
  nlohmann::json els = nlohmann::json::array();
  for (const auto& [key, el] : a.elements()) {
    nlohmann::json cells = nlohmann::json::array();
    for (const auto& c : el.cells.cells())
      cells.push_back({c.index % kSubGrid, c.index / kSubGrid, c.value});
    els.push_back({{"key", element_key_hex(key)},
                   {"fixed", (el.flags & kElFixed) != 0},
                   {"interactive", (el.flags & kElInteractive) != 0},
                   {"counters", counters_json(el.counters,
                                              [](size_t i) {
                                                return element_counter_name(
                                                    static_cast<ElementCounter>(i));
                                              })},
                   {"cells", std::move(cells)}});
  }
  j["elements"] = std::move(els);
  return j;
}

nlohmann::json to_json(const Segment& s) {
  nlohmann::json tags = nlohmann::json::object();
  for (const Tag& t : s.tags) tags[t.key] = t.value;
  return {{"site", s.site},         {"page", s.page},
          {"width_class", s.width_class}, {"device", s.device},
          {"logged_in", s.logged_in}, {"variant", s.variant},
          {"tracker_version", s.tracker_version}, {"tags", std::move(tags)}};
}

nlohmann::json to_json(const Report& r) {
  nlohmann::json j = to_json(r.data);
  j["kind"] = r.kind == kKindDelta ? "delta" : "aggregate";
  j["segment"] = to_json(r.segment);
  return j;
}

}  // namespace thermograph
