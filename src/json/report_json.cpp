#include "json/report_json.h"

#include <cstdio>

namespace thermograph {
namespace {

// Layers listed as [index, value] (bands, percent buckets, route hashes) rather than px cells.
bool is_band_layer(uint8_t layer) {
  return layer == kLayerReachPx || layer == kLayerReachPct || layer == kLayerAttention ||
         layer == kLayerRouteFrom;
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
        cells.push_back(
            {(c.index % kGridCols) * kCellPx, (c.index / kGridCols) * kCellPx, c.value});
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
    if (el.stable) els.back()["stable"] = element_key_hex(el.stable);
    if (el.next.empty()) continue;
    nlohmann::json next = nlohmann::json::array();  // journeys: [next element key, page views]
    for (const auto& c : el.next.cells()) next.push_back({element_key_hex(c.index), c.value});
    els.back()["next"] = std::move(next);
  }
  j["elements"] = std::move(els);
  return j;
}

nlohmann::json to_json(const std::vector<Tag>& tags) {
  nlohmann::json j = nlohmann::json::object();
  for (const Tag& t : tags) j[t.key] = t.value;
  return j;
}

nlohmann::json to_json(const Segment& s) {
  nlohmann::json tags = to_json(s.tags);
  nlohmann::json j = {{"site", s.site},
                      {"page", s.page},
                      {"width_class", s.width_class},
                      {"device", s.device},
                      {"logged_in", s.logged_in},
                      {"variant", s.variant},
                      {"tracker_version", s.tracker_version},
                      {"tags", std::move(tags)}};
  if (s.second_tag) j["second_tag"] = true;  // rare: only written when set
  return j;
}

nlohmann::json to_json(const Report& r) {
  nlohmann::json j = to_json(r.data);
  j["kind"] = r.kind == kKindDelta ? "delta" : "aggregate";
  j["segment"] = to_json(r.segment);
  return j;
}

// ---- from_json: the validating inverse ----------------------------------------------------

namespace {

using nlohmann::json;

struct Checker {
  std::string& error;
  bool fail(const std::string& where, const std::string& what) {
    if (error.empty()) error = where + ": " + what;
    return false;
  }
  bool u32(const json& v, uint64_t max, uint32_t& out, const std::string& where) {
    if (!v.is_number_unsigned()) return fail(where, "expected a non-negative integer");
    const uint64_t x = v.get<uint64_t>();
    if (x > max)
      return fail(where, std::to_string(x) + " is over the limit " + std::to_string(max));
    out = static_cast<uint32_t>(x);
    return true;
  }
  bool str(const json& v, size_t max, std::string& out, const std::string& where) {
    if (!v.is_string()) return fail(where, "expected a string");
    out = v.get<std::string>();
    if (out.size() > max)
      return fail(where, std::to_string(out.size()) + " bytes, limit " + std::to_string(max));
    if (out.find('\0') != std::string::npos) return fail(where, "contains a NUL character");
    return true;
  }
  bool only_keys(const json& obj, std::initializer_list<const char*> allowed,
                 const std::string& where) {
    if (!obj.is_object()) return fail(where, "expected an object");
    for (const auto& item : obj.items()) {
      bool ok = false;
      for (const char* a : allowed) ok = ok || item.key() == a;
      if (!ok) return fail(where, "unknown key '" + item.key() + "'");
    }
    return true;
  }
  // Reads [a, b, value] / [a, value] tuples.
  bool tuple(const json& v, size_t n, const std::string& where) {
    if (!v.is_array() || v.size() != n)
      return fail(where, "expected an array of " + std::to_string(n) + " integers");
    return true;
  }
};

template <size_t N, typename Names>
bool counters_from(Checker& c, const json& j, std::array<uint32_t, N>& out, Names name,
                   const std::string& where) {
  if (!j.is_object()) return c.fail(where, "expected an object");
  for (const auto& item : j.items()) {
    size_t i = 0;
    while (i < N && item.key() != name(i)) ++i;
    if (i == N) return c.fail(where, "unknown counter '" + item.key() + "'");
    if (!c.u32(item.value(), kU32Max, out[i], where + "." + item.key())) return false;
  }
  return true;
}

bool add_cell(Checker& c, SparseVec& v, uint32_t index, uint32_t value, const std::string& where) {
  if (value == 0) return c.fail(where, "value 0 (zero cells are omitted, not listed)");
  if (v.get(index) != 0) return c.fail(where, "duplicate cell");
  v.add(index, value);
  return true;
}

bool layer_from(Checker& c, const json& cells, Layer layer, SparseVec& out,
                const std::string& where) {
  if (!cells.is_array()) return c.fail(where, "expected an array of cells");
  const bool band = is_band_layer(layer);
  for (size_t i = 0; i < cells.size(); ++i) {
    const std::string at = where + "[" + std::to_string(i) + "]";
    const json& t = cells[i];
    uint32_t a, b = 0, value;
    if (!c.tuple(t, band ? 2 : 3, at)) return false;
    if (band) {
      if (!c.u32(t[0], layer_index_limit(layer) - 1, a, at + " band") ||
          !c.u32(t[1], kU32Max, value, at + " value") || !add_cell(c, out, a, value, at))
        return false;
      continue;
    }
    if (!c.u32(t[0], kGridCols * kCellPx - 1, a, at + " x") ||
        !c.u32(t[1], uint64_t{kGridRows} * kCellPx - 1, b, at + " y") ||
        !c.u32(t[2], kU32Max, value, at + " value"))
      return false;
    if (a % kCellPx || b % kCellPx)
      return c.fail(at, "x/y must be cell corners (multiples of " + std::to_string(kCellPx) + ")");
    if (!add_cell(c, out, (b / kCellPx) * kGridCols + a / kCellPx, value, at)) return false;
  }
  return true;
}

// An element key as 1 to 8 hex digits.
bool hex_key(Checker& c, const json& v, const std::string& where, uint32_t& out) {
  if (!v.is_string()) return c.fail(where, "expected 1 to 8 hex digits, got " + v.dump());
  const std::string hex = v.get<std::string>();
  if (hex.empty() || hex.size() > 8 || hex.find_first_not_of("0123456789abcdefABCDEF") != hex.npos)
    return c.fail(where, "expected 1 to 8 hex digits, got '" + hex + "'");
  out = static_cast<uint32_t>(std::stoul(hex, nullptr, 16));
  return true;
}

bool element_from(Checker& c, const json& e, Aggregate& out, const std::string& where) {
  if (!c.only_keys(e, {"key", "stable", "fixed", "interactive", "counters", "cells", "next"},
                   where))
    return false;
  if (!e.contains("key") || !e["key"].is_string()) return c.fail(where, "missing string 'key'");
  uint32_t key = 0, stable = 0;
  if (!hex_key(c, e["key"], where + ".key", key)) return false;
  if (e.contains("stable") && !hex_key(c, e["stable"], where + ".stable", stable)) return false;
  if (e.contains("stable") && stable == 0)
    return c.fail(where + ".stable", "a stable key is never 0");
  if (out.find_element(key))
    return c.fail(where + ".key", "duplicate element " + e["key"].get<std::string>());
  ElementStats& el = *out.element(key);
  el.stable = stable;
  for (const auto& [name, bit] : {std::pair{"fixed", kElFixed}, {"interactive", kElInteractive}}) {
    if (!e.contains(name)) continue;
    if (!e[name].is_boolean()) return c.fail(where + "." + name, "expected a boolean");
    if (e[name].get<bool>()) el.flags |= bit;
  }
  if (e.contains("counters") &&
      !counters_from(
          c, e["counters"], el.counters,
          [](size_t i) { return element_counter_name(static_cast<ElementCounter>(i)); },
          where + ".counters"))
    return false;
  if (e.contains("next")) {
    if (!e["next"].is_array()) return c.fail(where + ".next", "expected an array of [key, count]");
    for (size_t i = 0; i < e["next"].size(); ++i) {
      const std::string at = where + ".next[" + std::to_string(i) + "]";
      const json& t = e["next"][i];
      uint32_t to = 0, value = 0;
      if (!c.tuple(t, 2, at) || !hex_key(c, t[0], at + " key", to) ||
          !c.u32(t[1], kU32Max, value, at + " count"))
        return false;
      if (to == 0 || to == key) return c.fail(at, "a journey step goes to another element");
      if (!add_cell(c, el.next, to, value, at)) return false;
    }
  }
  if (!e.contains("cells")) return true;
  if (!e["cells"].is_array()) return c.fail(where + ".cells", "expected an array of cells");
  for (size_t i = 0; i < e["cells"].size(); ++i) {
    const std::string at = where + ".cells[" + std::to_string(i) + "]";
    const json& t = e["cells"][i];
    uint32_t sx, sy, value;
    if (!c.tuple(t, 3, at) || !c.u32(t[0], kSubGrid - 1, sx, at + " sx") ||
        !c.u32(t[1], kSubGrid - 1, sy, at + " sy") || !c.u32(t[2], kU32Max, value, at + " value") ||
        !add_cell(c, el.cells, sy * kSubGrid + sx, value, at))
      return false;
  }
  return true;
}

}  // namespace

bool from_json(const json& j, Aggregate& out, std::string& error) {
  error.clear();
  out.clear();
  Checker c{error};
  if (!j.is_object()) return c.fail("report", "expected an object");
  if (j.contains("counters") &&
      !counters_from(
          c, j["counters"], out.counters,
          [](size_t i) { return page_counter_name(static_cast<PageCounter>(i)); }, "counters"))
    return false;
  if (j.contains("layers")) {
    if (!j["layers"].is_object()) return c.fail("layers", "expected an object");
    for (const auto& item : j["layers"].items()) {
      uint8_t l = 0;
      while (l < kLayerCount && item.key() != layer_name(static_cast<Layer>(l))) ++l;
      if (l == kLayerCount) return c.fail("layers", "unknown layer '" + item.key() + "'");
      if (!layer_from(c, item.value(), static_cast<Layer>(l), out.layers[l],
                      "layers." + item.key()))
        return false;
    }
  }
  if (j.contains("elements")) {
    if (!j["elements"].is_array()) return c.fail("elements", "expected an array");
    for (size_t i = 0; i < j["elements"].size(); ++i)
      if (!element_from(c, j["elements"][i], out, "elements[" + std::to_string(i) + "]"))
        return false;
  }
  return true;
}

bool from_json(const json& j, Segment& s, ReportKind kind, std::string& error) {
  error.clear();
  s = Segment{};
  Checker c{error};
  if (!c.only_keys(j,
                   {"site", "page", "width_class", "device", "logged_in", "second_tag", "variant",
                    "tracker_version", "tags"},
                   "segment"))
    return false;
  uint32_t width = 0, device = 0, version = 0;
  if ((j.contains("site") && !c.str(j["site"], kMaxShortStringBytes, s.site, "segment.site")) ||
      (j.contains("page") && !c.str(j["page"], kMaxPageKeyBytes, s.page, "segment.page")) ||
      (j.contains("width_class") && !c.u32(j["width_class"], 255, width, "segment.width_class")) ||
      (j.contains("device") &&
       !c.u32(j["device"], kind == kKindDelta ? kDevicePen : 255, device, "segment.device")) ||
      (j.contains("variant") &&
       !c.str(j["variant"], kMaxShortStringBytes, s.variant, "segment.variant")) ||
      (j.contains("tracker_version") &&
       !c.u32(j["tracker_version"], 0xffff, version, "segment.tracker_version")))
    return false;
  s.width_class = static_cast<uint8_t>(width);
  s.device = static_cast<uint8_t>(device);
  s.tracker_version = static_cast<uint16_t>(version);
  if (j.contains("logged_in")) {
    if (!j["logged_in"].is_boolean()) return c.fail("segment.logged_in", "expected a boolean");
    s.logged_in = j["logged_in"].get<bool>();
  }
  if (j.contains("second_tag")) {
    if (!j["second_tag"].is_boolean()) return c.fail("segment.second_tag", "expected a boolean");
    s.second_tag = j["second_tag"].get<bool>();
  }
  if (!j.contains("tags")) return true;
  const json& tags = j["tags"];
  if (!tags.is_object()) return c.fail("segment.tags", "expected an object");
  if (tags.size() > kMaxTags)
    return c.fail("segment.tags",
                  std::to_string(tags.size()) + " tags, limit " + std::to_string(kMaxTags));
  for (const auto& item : tags.items()) {  // nlohmann objects iterate in sorted key order
    Tag t;
    const std::string at = "segment.tags." + item.key();
    if (item.key().empty()) return c.fail("segment.tags", "empty tag key");
    if (!c.str(json(item.key()), kMaxShortStringBytes, t.key, at) ||
        !c.str(item.value(), kMaxShortStringBytes, t.value, at))
      return false;
    s.tags.push_back(std::move(t));
  }
  return true;
}

bool from_json(const json& j, Report& out, std::string& error) {
  error.clear();
  out = Report{};
  Checker c{error};
  if (!c.only_keys(j, {"kind", "segment", "counters", "layers", "elements"}, "report"))
    return false;
  if (j.contains("kind")) {
    const json& k = j["kind"];
    if (k == "delta") {
      out.kind = kKindDelta;
    } else if (k == "aggregate") {
      out.kind = kKindAggregate;
    } else {
      return c.fail("kind", "expected \"delta\" or \"aggregate\"");
    }
  }
  if (j.contains("segment") && !from_json(j["segment"], out.segment, out.kind, error)) return false;
  return from_json(j, out.data, error);
}

}  // namespace thermograph
