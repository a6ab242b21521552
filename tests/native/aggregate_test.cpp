#include "core/aggregate.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <vector>

#include "test_util.h"

using namespace thermograph;

TEST_CASE("cell_index maps CSS px to 16 px cells and clamps hostile coordinates") {
  CHECK(cell_index(0, 0) == 0);
  CHECK(cell_index(15.9, 15.9) == 0);
  CHECK(cell_index(16, 0) == 1);
  CHECK(cell_index(0, 16) == kGridCols);
  CHECK(cell_index(-50, -1) == 0);
  CHECK(cell_index(1e12, 0) == kGridCols - 1);
  CHECK(cell_index(0.0 / 0.0, 1e300) == (kGridRows - 1) * kGridCols);
}

TEST_CASE("merge is associative and commutative over random reports (property)") {
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    CAPTURE(seed);
    test::Rng rng{seed};
    const bool huge = seed % 5 == 0;  // exercises saturation
    std::vector<Aggregate> parts;
    for (int i = 0; i < 5; ++i) parts.push_back(test::random_aggregate(rng, huge));

    Aggregate left;  // ((a+b)+c)+...
    for (const auto& p : parts) left.merge(p);

    std::vector<size_t> order = {0, 1, 2, 3, 4};
    for (size_t i = order.size() - 1; i > 0; --i) std::swap(order[i], order[rng.below(i + 1)]);
    Aggregate x = parts[order[0]], y = parts[order[2]];
    x.merge(parts[order[1]]);  // (a+b)
    y.merge(parts[order[3]]);  // (c+d)
    y.merge(parts[order[4]]);  // (c+d)+e
    Aggregate grouped = y;
    grouped.merge(x);  // another grouping and order
    CHECK(grouped == left);

    // Merging works in place: an aggregate merged with itself equals it merged with a copy.
    Aggregate self = left, copy = left;
    self.merge(self);
    copy.merge(Aggregate(left));
    CHECK(self == copy);
  }
}

TEST_CASE("merging an empty aggregate is the identity") {
  test::Rng rng{42};
  Aggregate a = test::random_aggregate(rng), b = a;
  b.merge(Aggregate{});
  CHECK(a == b);
  Aggregate e;
  e.merge(a);
  CHECK(e == a);
}

TEST_CASE("counters saturate at 2^32-1") {
  Aggregate a, b;
  a.counters[kPageViews] = kU32Max - 2;
  b.counters[kPageViews] = 10;
  a.merge(b);
  CHECK(a.counters[kPageViews] == kU32Max);
}

TEST_CASE("element cap refuses new elements but keeps existing ones") {
  Aggregate a;
  CHECK(a.element(10, 2) != nullptr);
  CHECK(a.element(20, 2) != nullptr);
  CHECK(a.element(30, 2) == nullptr);
  CHECK(a.element(10, 2) != nullptr);
  CHECK(a.elements().size() == 2);
}
