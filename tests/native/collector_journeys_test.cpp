// The collector's per-report bounds on journey steps (wire version 5).
#include <doctest/doctest.h>

#include "collector/bounds.h"

using namespace thermograph;

TEST_CASE(
    "collector bounds: more steps than a page view can make, or a count over 1, are refused") {
  Aggregate a;
  a.counters[kPageViews] = 1;
  for (uint32_t i = 0; i < 9; ++i) a.element(100 + i)->next.add(200 + i, 1);
  CHECK(!check_bounds(a, Bounds{}));
  Aggregate b;
  b.counters[kPageViews] = 1;
  b.element(3)->next.add(11, 2);
  CHECK(!check_bounds(b, Bounds{}));
  Aggregate c;  // 8 steps from elements the report says nothing else about: within bounds
  c.counters[kPageViews] = 1;
  for (uint32_t i = 0; i < 8; ++i) c.element(100 + i)->next.add(200 + i, 1);
  CHECK(check_bounds(c, Bounds{}));
}
