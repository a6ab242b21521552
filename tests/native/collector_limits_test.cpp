// SegmentGuard: pages per site and day, variants and tag values per page and day; past a bound
// values fold into "(other)" and are counted; what is stored already counts after a restart.
#include <doctest/doctest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "collector/cardinality.h"
#include "collector/store.h"

using namespace thermograph;

namespace {

struct Fixture {
  std::string dir;
  std::unique_ptr<Store> store;
  Fixture() {
    char tmpl[] = "/tmp/tg-limits-test-XXXXXX";
    dir = mkdtemp(tmpl);
    store = open_sqlite_store(dir + "/db.sqlite");
  }
  ~Fixture() {
    store.reset();
    std::filesystem::remove_all(dir);
  }
};

Report report(const std::string& page, const std::string& variant = "",
              std::vector<Tag> tags = {}) {
  Report r;
  r.segment.site = "tg_site";
  r.segment.page = "https://shop.example/" + page;
  r.segment.variant = variant;
  r.segment.tags = std::move(tags);
  r.data.counters[kPageViews] = 1;
  r.data.counters[kEngagedSeconds] = 9;
  r.data.layers[kLayerClicks].add(5, 1);
  r.data.element(42)->counters[kElClicks] = 1;
  return r;
}

}  // namespace

TEST_CASE("pages past the bound fold into (other) with their page counters only") {
  Fixture fx;
  SegmentGuard guard(*fx.store, {3, 32, 64, 1});
  StatsMap counts;
  for (const char* p : {"a", "b", "c", "a"}) {
    Report r = report(p);
    guard.apply(r, 19000, counts);
    CHECK(r.segment.page == std::string("https://shop.example/") + p);
  }
  Report d = report("d");
  guard.apply(d, 19000, counts);
  CHECK(d.segment.page == "(other)");
  CHECK(d.data.counters[kPageViews] == 1);
  CHECK(d.data.counters[kEngagedSeconds] == 9);
  CHECK(d.data.layers[kLayerClicks].empty());
  CHECK(d.data.elements().empty());
  CHECK(counts["pages_folded"] == 1);
  // Another day has its own bound.
  Report next = report("d");
  guard.apply(next, 19001, counts);
  CHECK(next.segment.page == "https://shop.example/d");
  CHECK(counts["pages_folded"] == 1);
}

TEST_CASE("variants and tag values past their bounds become (other); unknown tag keys go") {
  Fixture fx;
  SegmentGuard guard(*fx.store, {1000, 2, 3, 1});
  StatsMap counts;
  auto variant_of = [&](const std::string& v) {
    Report r = report("a", v);
    guard.apply(r, 19000, counts);
    return r.segment.variant;
  };
  CHECK(variant_of("A") == "A");
  CHECK(variant_of("B") == "B");
  CHECK(variant_of("") == "");  // no variant is not a variant
  CHECK(variant_of("C") == "(other)");
  CHECK(variant_of("A") == "A");
  CHECK(counts["variants_folded"] == 1);

  auto tags_of = [&](std::vector<Tag> tags) {
    Report r = report("a", "", std::move(tags));
    guard.apply(r, 19000, counts);
    return r.segment.tags;
  };
  CHECK(tags_of({{"plan", "free"}, {"region", "eu"}}).size() == 2);
  CHECK(tags_of({{"plan", "pro"}}) == std::vector<Tag>{{"plan", "pro"}});  // third pair: fits
  CHECK(tags_of({{"plan", "team"}, {"region", "us"}, {"zz", "x"}}) ==
        std::vector<Tag>{{"plan", "(other)"}, {"region", "(other)"}});
  CHECK(counts["tags_folded"] == 3);
  CHECK(tags_of({{"plan", "free"}, {"region", "eu"}}).size() == 2);  // known pairs stay
  CHECK(counts["tags_folded"] == 3);
  // Bounds are per page: another page starts afresh.
  Report other = report("b", "C", {{"zz", "x"}});
  guard.apply(other, 19000, counts);
  CHECK(other.segment.variant == "C");
  CHECK(other.segment.tags.size() == 1);
}

TEST_CASE("what the store holds already counts toward the bounds (restart)") {
  Fixture fx;
  {
    std::vector<std::pair<RowKey, Report>> rows;
    for (const char* p : {"a", "b"}) {
      Report r = report(p, "A", {{"plan", "pro"}});
      rows.push_back({row_key(r.segment, 19000), r});
    }
    std::vector<std::pair<RowKey, const Report*>> batch;
    for (const auto& [k, r] : rows) batch.push_back({k, &r});
    fx.store->commit_batch(batch, {});
  }
  SegmentGuard guard(*fx.store, {2, 1, 1, 1});
  StatsMap counts;
  Report known = report("b", "A", {{"plan", "pro"}});
  guard.apply(known, 19000, counts);
  CHECK(known.segment.page == "https://shop.example/b");
  CHECK(known.segment.variant == "A");
  CHECK(known.segment.tags.size() == 1);
  Report fresh = report("c", "B", {{"plan", "team"}});
  guard.apply(fresh, 19000, counts);
  CHECK(fresh.segment.page == "(other)");
  Report variant = report("a", "B", {{"plan", "team"}});
  guard.apply(variant, 19000, counts);
  CHECK(variant.segment.variant == "(other)");
  CHECK(variant.segment.tags == std::vector<Tag>{{"plan", "(other)"}});
  CHECK(counts["pages_folded"] == 1);
  CHECK(counts["variants_folded"] == 1);
  CHECK(counts["tags_folded"] == 1);
}

TEST_CASE("k-anonymity: a value is stored from the K-th page view of its day, before as (rare)") {
  Fixture fx;
  SegmentGuard guard(*fx.store, {1000, 32, 64, 3});
  StatsMap counts;
  const std::vector<Tag> name = {{"customer", "First Last"}, {"plan", "pro"}};
  // Page views 1 and 2 of each value: everything personal-looking or not is rare at first.
  for (int i = 0; i < 2; ++i) {
    Report r = report("orders/4711", "B", name);
    guard.apply(r, 19000, counts);
    CHECK(r.segment.page == "(rare)");
    CHECK(r.data.layers[kLayerClicks].empty());  // a rare page keeps its page counters only
    CHECK(r.data.counters[kPageViews] == 1);
    CHECK(r.segment.variant == "(rare)");
    REQUIRE(r.segment.tags.size() == 2);
    CHECK(r.segment.tags[0].value == "(rare)");
    CHECK(r.segment.tags[1].value == "(rare)");
  }
  // A later delta of the same page view (no page view of its own) does not count toward K.
  Report later = report("orders/4711", "B", name);
  later.data.counters[kPageViews] = 0;
  guard.apply(later, 19000, counts);
  CHECK(later.segment.page == "(rare)");
  // The third page view carries the value to K: it and every later one keep it.
  for (int i = 0; i < 2; ++i) {
    Report r = report("orders/4711", "", {{"plan", "pro"}});
    guard.apply(r, 19000, counts);
    CHECK(r.segment.page == "https://shop.example/orders/4711");
    CHECK(r.data.layers[kLayerClicks].get(5) == 1);
    // Variants and tags count per page: on this page "pro" starts from zero.
    CHECK(r.segment.tags[0].value == "(rare)");
  }
  CHECK(counts["pages_rare"] == 3);
  CHECK(counts["variants_rare"] == 3);
  CHECK(counts["tags_rare"] == 8);
  Report v = report("orders/4711", "B", {{"plan", "pro"}});
  guard.apply(v, 19000, counts);
  CHECK(v.segment.variant == "(rare)");     // its first page view on this page
  CHECK(v.segment.tags[0].value == "pro");  // its third
  // Another day counts again.
  Report tomorrow = report("orders/4711");
  guard.apply(tomorrow, 19001, counts);
  CHECK(tomorrow.segment.page == "(rare)");
}

TEST_CASE("k-anonymity: values stored before a restart are known; past a bound it is (other)") {
  Fixture fx;
  {
    SegmentGuard guard(*fx.store, {1, 32, 64, 2});
    StatsMap counts;
    for (int i = 0; i < 2; ++i) {
      Report r = report("a");
      guard.apply(r, 19000, counts);
      fx.store->commit_batch({{row_key(r.segment, 19000), &r}}, {});
    }
    // The page bound (1) is taken by "a": a new page is (other) at once, never (rare).
    Report b = report("b");
    guard.apply(b, 19000, counts);
    CHECK(b.segment.page == "(other)");
    CHECK(counts["pages_rare"] == 1);
    CHECK(counts["pages_folded"] == 1);
  }
  SegmentGuard restarted(*fx.store, {1, 32, 64, 2});
  StatsMap counts;
  Report a = report("a");
  restarted.apply(a, 19000, counts);
  CHECK(a.segment.page == "https://shop.example/a");
  CHECK(counts.empty());
}
