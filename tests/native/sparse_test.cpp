#include "core/sparse.h"

#include <doctest/doctest.h>

#include <map>

#include "test_util.h"

using thermograph::kU32Max;
using thermograph::SparseVec;

TEST_CASE("sparse vector keeps cells sorted and drops nothing it admits") {
  SparseVec v;
  CHECK(v.add(9, 2));
  CHECK(v.add(3, 1));
  CHECK(v.add(9, 5));
  REQUIRE(v.size() == 2);
  CHECK(v.cells()[0] == SparseVec::Cell{3, 1});
  CHECK(v.cells()[1] == SparseVec::Cell{9, 7});
  CHECK(v.get(4) == 0);
  CHECK(v.sum() == 8);
}

TEST_CASE("sparse add enforces the cell cap first-come and clamps values") {
  SparseVec v;
  CHECK(v.add(1, 1, 2, 3));
  CHECK(v.add(2, 1, 2, 3));
  CHECK_FALSE(v.add(3, 1, 2, 3));  // a third distinct cell is refused
  CHECK(v.add(1, 10, 2, 3));       // an admitted cell still counts, clamped
  CHECK(v.get(1) == 3);
  CHECK(v.get(3) == 0);
}

TEST_CASE("sparse merge saturates instead of overflowing") {
  SparseVec a, b;
  a.add(5, kU32Max - 1);
  b.add(5, 10);
  b.add(6, 1);
  a.merge(b);
  CHECK(a.get(5) == kU32Max);
  CHECK(a.get(6) == 1);
}

TEST_CASE("sparse subtract floors at zero and removes emptied cells") {
  SparseVec a, b;
  a.add(1, 5);
  a.add(2, 1);
  b.add(1, 2);
  b.add(2, 4);
  b.add(7, 1);
  a.subtract(b);
  REQUIRE(a.size() == 1);
  CHECK(a.get(1) == 3);
}

// merge() works in place from the back; a std::map is the reference it must match, for
// overlapping, disjoint, interleaved and one-sided index sets, and for a vector merged with itself.
TEST_CASE("sparse merge matches a map reference (property)") {
  thermograph::test::Rng rng(0x5eed15);
  for (int round = 0; round < 2000; ++round) {
    SparseVec a, b;
    std::map<uint32_t, uint64_t> want;
    const uint32_t span = 1 + rng.below(64);  // small spans force shared indexes
    for (uint32_t n = rng.below(40); n > 0; --n) {
      const uint32_t i = rng.below(span), v = rng.below(5) + 1;
      a.add(i, v);
      want[i] += v;
    }
    const uint32_t shift = rng.below(3) == 0 ? span : 0;  // sometimes all of b lies past a
    for (uint32_t n = rng.below(40); n > 0; --n) {
      const uint32_t i = shift + rng.below(span), v = rng.below(5) + 1;
      b.add(i, v);
      want[i] += v;
    }
    a.merge(b);
    REQUIRE(a.size() == want.size());
    size_t k = 0;
    for (const auto& [index, value] : want) {
      CHECK(a.cells()[k].index == index);
      CHECK(a.cells()[k].value == value);
      ++k;
    }
    SparseVec twice = a;
    twice.merge(twice);
    for (size_t c = 0; c < a.size(); ++c) CHECK(twice.cells()[c].value == 2 * a.cells()[c].value);
  }
}
