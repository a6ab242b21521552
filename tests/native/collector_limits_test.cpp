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
  SegmentGuard guard(*fx.store, {3, 32, 64});
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
  SegmentGuard guard(*fx.store, {1000, 2, 3});
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
  SegmentGuard guard(*fx.store, {2, 1, 1});
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
