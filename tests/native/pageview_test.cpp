#include "core/pageview.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "core/codec.h"

using namespace thermograph;

namespace {
// The delta as the collector sees it: encoded by the page view, decoded by the reference decoder.
Aggregate take_delta(PageView& pv) {
  std::vector<uint8_t> bytes(PageView::kMaxDeltaBytes);
  FixedSegment seg;
  seg.page = "https://example.test/";
  bytes.resize(pv.encode_delta(seg, bytes.data()));
  if (bytes.empty()) return {};
  Report r;
  const DecodeResult res = decode(bytes.data(), bytes.size(), r);
  REQUIRE_MESSAGE(res.ok(), res.message);
  CHECK(!r.data.empty());  // an empty delta is never encoded
  return r.data;
}
}  // namespace

TEST_CASE("deltas of a page view add up to its bounded totals") {
  PageView pv;
  pv.begin(700);
  pv.add(kLayerClicks, 5, 1);
  Aggregate sum = take_delta(pv);
  CHECK(sum.counters[kPageViews] == 1);
  pv.add(kLayerClicks, 5, 2);
  pv.add(kLayerClicks, 9, 1);
  pv.reach(3, 40);
  Aggregate d2 = take_delta(pv);
  CHECK(d2.counters[kPageViews] == 0);  // the page view is counted once
  CHECK(d2.layers[kLayerClicks].get(5) == 2);
  sum.merge(d2);
  CHECK(take_delta(pv).empty());
  CHECK(sum == pv.totals());
}

TEST_CASE("contribution bounds: distinct cells and per-cell counts") {
  Bounds b;
  b.click_cells = 3;
  b.click_max = 4;
  PageView pv(b);
  pv.begin(0);
  for (uint32_t i = 0; i < 10; ++i) pv.add(kLayerClicks, i, 1);
  for (int i = 0; i < 10; ++i) pv.add(kLayerClicks, 0, 1);
  CHECK(pv.totals().layers[kLayerClicks].size() == 3);
  CHECK(pv.totals().layers[kLayerClicks].get(0) == 4);
  CHECK_FALSE(pv.add(kLayerReachPct, 500, 1));  // out-of-range index refused
}

TEST_CASE("reach is cumulative and one page view adds at most 1 per bucket") {
  PageView pv;
  pv.begin(800);
  pv.reach(2, 30);
  pv.reach(1, 10);  // scrolling back up changes nothing
  pv.reach(5, 60);
  const Aggregate totals = pv.totals();
  const auto& px = totals.layers[kLayerReachPx];
  CHECK(px.size() == 6);
  CHECK(px.get(5) == 1);
  CHECK(totals.layers[kLayerReachPct].size() == 61);
  Aggregate d = take_delta(pv);
  pv.reach(7, 70);
  Aggregate d2 = take_delta(pv);
  CHECK(d2.layers[kLayerReachPx].size() == 2);  // only the newly reached bands
  CHECK(d2.layers[kLayerReachPx].get(2) == 0);
}

TEST_CASE("element page-view flags are capped at one") {
  PageView pv;
  pv.begin(0);
  PageView::Element* el = pv.element(77, kElInteractive);
  REQUIRE(el);
  for (int i = 0; i < 5; ++i) {
    pv.add_element(*el, kElClicks, 1);
    pv.add_element(*el, kElPvClicked, 1);
  }
  const Aggregate totals = pv.totals();
  const ElementStats* stats = totals.find_element(77);
  REQUIRE(stats);
  CHECK(stats->counters[kElClicks] == 5);
  CHECK(stats->counters[kElPvClicked] == 1);
  CHECK(stats->flags == kElInteractive);
}

TEST_CASE("bounds above the capacities are clamped to them") {
  Bounds b;
  b.click_cells = 1000;
  b.elements = 1000;
  static PageView pv;  // static: 80 KB, as in the visitor
  pv.begin(b, 0);
  for (uint32_t i = 0; i < 100; ++i) pv.add(kLayerClicks, i, 1);
  for (uint32_t i = 1; i <= 200; ++i) pv.element(i, 0);
  const Aggregate totals = pv.totals();
  CHECK(totals.layers[kLayerClicks].size() == kMaxClickCells);
  CHECK(totals.elements().size() == kMaxElements);
  CHECK_FALSE(pv.add(kLayerReachPx, 3, 1));  // reach layers change only through reach()
}

TEST_CASE("tags stay sorted by key in byte order, replaced by key, and refuse NUL bytes") {
  // Ground truth: std::string's order (unsigned bytes, then length), which the wire's sorted tags
  // and the collector's decoder expect. Prefixes, high bytes (UTF-8) and uppercase included.
  const std::vector<std::string> keys = {"b",   "ab", "a",     "\xc3\xa9t\xc3\xa9",
                                         "abc", "B",  "a\x7f", "zz"};
  FixedSegment seg;
  for (const std::string& k : keys) CHECK(seg.set_tag(k, "v" + k));
  std::vector<std::string> want = keys;
  std::sort(want.begin(), want.end());
  REQUIRE(seg.ntags == want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    CHECK(std::string(std::string_view(seg.tags[i].key)) == want[i]);
    CHECK(std::string(std::string_view(seg.tags[i].value)) == "v" + want[i]);
  }
  CHECK(seg.set_tag("ab", "again"));  // same key: replaced in place, not added
  CHECK(seg.ntags == want.size());
  const size_t ab =
      std::find(want.begin(), want.end(), "ab") - want.begin();  // 3: after B, a, a\x7f
  CHECK(std::string_view(seg.tags[ab].key) == "ab");
  CHECK(std::string_view(seg.tags[ab].value) == "again");
  CHECK_FALSE(seg.set_tag("new", "x"));  // the 9th key: full
  FixedSegment fresh;
  CHECK_FALSE(fresh.set_tag(std::string_view("k\0y", 3), "v"));
  CHECK_FALSE(fresh.set_tag("k", std::string_view("v\0w", 3)));
  CHECK_FALSE(fresh.set_tag("", "v"));
  CHECK(fresh.ntags == 0);
}
