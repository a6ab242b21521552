#include <doctest/doctest.h>

#include "core/pageview.h"

using namespace thermograph;

TEST_CASE("deltas of a page view add up to its bounded totals") {
  PageView pv;
  pv.begin(700);
  pv.add(kLayerClicks, 5, 1);
  Aggregate sum = pv.take_delta();
  CHECK(sum.counters[kPageViews] == 1);
  pv.add(kLayerClicks, 5, 2);
  pv.add(kLayerClicks, 9, 1);
  pv.reach(3, 40);
  Aggregate d2 = pv.take_delta();
  CHECK(d2.counters[kPageViews] == 0);  // the page view is counted once
  CHECK(d2.layers[kLayerClicks].get(5) == 2);
  sum.merge(d2);
  CHECK(pv.take_delta().empty());
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
  const auto& px = pv.totals().layers[kLayerReachPx];
  CHECK(px.size() == 6);
  CHECK(px.get(5) == 1);
  CHECK(pv.totals().layers[kLayerReachPct].size() == 61);
  Aggregate d = pv.take_delta();
  pv.reach(7, 70);
  Aggregate d2 = pv.take_delta();
  CHECK(d2.layers[kLayerReachPx].size() == 2);  // only the newly reached bands
  CHECK(d2.layers[kLayerReachPx].get(2) == 0);
}

TEST_CASE("element page-view flags are capped at one") {
  PageView pv;
  pv.begin(0);
  ElementStats* el = pv.element(77, kElInteractive);
  REQUIRE(el);
  for (int i = 0; i < 5; ++i) {
    pv.add_element(*el, kElClicks, 1);
    pv.add_element(*el, kElPvClicked, 1);
  }
  CHECK(el->counters[kElClicks] == 5);
  CHECK(el->counters[kElPvClicked] == 1);
}
