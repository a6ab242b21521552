#include <doctest/doctest.h>

#include <string>

#include "core/codec.h"
#include "json/report_json.h"
#include "test_util.h"

using namespace thermograph;
using nlohmann::json;

namespace {
Report parse_ok(const json& j) {
  Report r;
  std::string err;
  CHECK_MESSAGE(from_json(j, r, err), err);
  return r;
}
std::string parse_err(const json& j) {
  Report r;
  std::string err;
  CHECK_FALSE(from_json(j, r, err));
  return err;
}
}  // namespace

TEST_CASE("from_json inverts to_json over random reports (property)") {
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    CAPTURE(seed);
    test::Rng rng{seed};
    Report in;
    in.kind = seed % 2 ? kKindDelta : kKindAggregate;
    in.segment.site = "s" + std::to_string(seed);
    in.segment.page = "https://x.example/p" + std::to_string(seed % 5);
    in.segment.width_class = static_cast<uint8_t>(rng.below(6));
    in.segment.device = static_cast<uint8_t>(rng.below(4));
    in.segment.logged_in = rng.below(2);
    in.segment.variant = rng.below(2) ? "B" : "";
    in.segment.tracker_version = static_cast<uint16_t>(rng.below(70000) % 65536);
    if (rng.below(2)) in.segment.tags = {{"plan", "pro"}, {"region", "eu"}};
    in.data = test::random_aggregate(rng, seed % 7 == 0);
    const json j = to_json(in);
    Report out = parse_ok(j);
    CHECK(out == in);
    CHECK(to_json(out) == j);
    // And the text form survives too (what thermograph-encode reads).
    CHECK(parse_ok(json::parse(j.dump())) == in);
  }
}

TEST_CASE("from_json of a minimal hand-written report") {
  Report r = parse_ok(json::parse(R"({
    "segment": {"site": "s1", "page": "https://a.example/", "device": 1, "tags": {"plan": "pro"}},
    "counters": {"page_views": 1},
    "layers": {"clicks": [[96, 192, 2]], "reach_px": [[0, 1], [1, 1]]},
    "elements": [{"key": "deadbeef", "interactive": true, "counters": {"clicks": 2},
                  "cells": [[1, 1, 2]]}]})"));
  CHECK(r.kind == kKindDelta);
  CHECK(r.data.counters[kPageViews] == 1);
  CHECK(r.data.layers[kLayerClicks].get(cell_index(96, 192)) == 2);
  CHECK(r.data.layers[kLayerReachPx].size() == 2);
  REQUIRE(r.data.find_element(0xdeadbeef));
  CHECK(r.data.find_element(0xdeadbeef)->flags == kElInteractive);
  CHECK(r.data.find_element(0xdeadbeef)->cells.get(17) == 2);
  CHECK(r.segment.tags == std::vector<Tag>{{"plan", "pro"}});
  Report back;
  auto bytes = encode(r);
  REQUIRE(decode(bytes.data(), bytes.size(), back).ok());
  CHECK(back == r);
}

TEST_CASE("from_json error table names the offending field") {
  struct Case {
    const char* json_text;
    const char* needle;
  };
  const Case cases[] = {
      {R"([])", "expected an object"},
      {R"({"kind": "blob"})", "kind"},
      {R"({"colour": 1})", "unknown key 'colour'"},
      {R"({"segment": {"sight": "x"}})", "unknown key 'sight'"},
      {R"({"segment": {"device": 7}})", "segment.device: 7 is over the limit 3"},
      {R"({"kind": "aggregate", "segment": {"device": 255}, "counters": {"bogus": 1}})",
       "unknown counter 'bogus'"},
      {R"({"counters": {"page_views": -1}})", "counters.page_views: expected a non-negative"},
      {R"({"counters": {"page_views": 4294967296}})", "over the limit"},
      {R"({"counters": {"page_views": 1.5}})", "non-negative integer"},
      {R"({"layers": {"heat": []}})", "unknown layer 'heat'"},
      {R"({"layers": {"clicks": [[100, 0, 1]]}})", "layers.clicks[0]: x/y must be cell corners"},
      {R"({"layers": {"clicks": [[4096, 0, 1]]}})", "layers.clicks[0] x"},
      {R"({"layers": {"clicks": [[0, 0, 0]]}})", "value 0"},
      {R"({"layers": {"clicks": [[0, 0, 1], [0, 0, 2]]}})", "duplicate cell"},
      {R"({"layers": {"reach_pct": [[101, 1]]}})", "layers.reach_pct[0] band"},
      {R"({"layers": {"reach_px": [[1, 1, 1]]}})", "array of 2 integers"},
      {R"({"elements": [{"key": "xyz"}]})", "hex digits"},
      {R"({"elements": [{"key": "1"}, {"key": "01"}]})", "duplicate element"},
      {R"({"elements": [{"key": "1", "cells": [[16, 0, 1]]}]})", "elements[0].cells[0] sx"},
      {R"({"segment": {"tags": {"a":"1","b":"2","c":"3","d":"4","e":"5","f":"6","g":"7","h":"8","i":"9"}}})",
       "9 tags, limit 8"},
      {R"({"segment": {"tags": {"": "x"}}})", "empty tag key"},
      {R"({"segment": {"variant": "a\u0000b"}})", "NUL"},
  };
  for (const Case& c : cases) {
    INFO(c.json_text);
    const std::string err = parse_err(json::parse(c.json_text));
    CHECK_MESSAGE(err.find(c.needle) != std::string::npos, err);
  }
  std::string long_site(65, 's');
  CHECK(parse_err(json{{"segment", {{"site", long_site}}}}).find("limit 64") != std::string::npos);
}
