// SqliteStore's append-and-compact layout: reads see pending deltas, compaction changes nothing a
// read sees (except cells past the bound), the per-page-day cell bound, corrupt rows set aside,
// pagination, refusing unwritable databases; plus the bounded and tree merges they rest on.
#include <doctest/doctest.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>

#include "collector/row_cache.h"
#include "collector/store.h"
#include "test_util.h"

using namespace thermograph;

namespace {

struct TempDb {
  std::string dir, path;
  TempDb() {
    char tmpl[] = "/tmp/tg-store-test-XXXXXX";
    dir = mkdtemp(tmpl);
    path = dir + "/db.sqlite";
  }
  ~TempDb() { std::filesystem::remove_all(dir); }
  // Runs SQL on a separate connection, as an operator's sqlite3 shell would.
  void sql(const std::string& q) const {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    char* err = nullptr;
    const int rc = sqlite3_exec(db, q.c_str(), nullptr, nullptr, &err);
    INFO(q << ": " << (err ? err : ""));
    sqlite3_free(err);
    sqlite3_close(db);
    REQUIRE(rc == SQLITE_OK);
  }
};

Report report(const std::string& page, uint8_t width = 1) {
  Report r;
  r.segment.site = "tg_site";
  r.segment.page = page;
  r.segment.width_class = width;
  r.segment.device = kDeviceMouse;
  r.segment.tracker_version = 3;
  r.data.counters[kPageViews] = 1;
  return r;
}

void commit(Store& s, const std::vector<std::pair<RowKey, Report>>& rows, StatsMap stats = {}) {
  std::vector<std::pair<RowKey, const Report*>> batch;
  for (const auto& [k, r] : rows) batch.push_back({k, &r});
  s.commit_batch(batch, stats);
}

// page -> merged aggregate, as a read sees it.
std::map<RowKey, Aggregate> read_all(Store& s) {
  RowFilter f;
  f.site = "tg_site";
  std::map<RowKey, Aggregate> out;
  s.for_each_row(f, [&](const RowKey& k, Report&& r) {
    CHECK(out.count(k) == 0);
    out[k] = std::move(r.data);
  });
  return out;
}

void compact_everything(Store& s) {
  for (int i = 0; i < 100 && s.compact(true) > 0;) ++i;
}

// Every report becomes a pending delta (the append path alone).
StoreOptions append_only() {
  StoreOptions o;
  o.in_place_max_cells = 0;
  return o;
}

}  // namespace

TEST_CASE("merge_bounded: stored cells always add up, new cells only while the budget lasts") {
  Aggregate row, pending;
  row.layers[kLayerClicks].add(10, 1);
  row.layers[kLayerClicks].add(20, 1);
  pending.layers[kLayerClicks].add(10, 5);  // stored: adds up however small the budget
  pending.layers[kLayerClicks].add(15, 1);  // new
  pending.layers[kLayerClicks].add(30, 1);  // new
  pending.layers[kLayerMove].add(7, 2);     // new, in a later layer
  pending.counters[kPageViews] = 4;

  SUBCASE("no budget") {
    CHECK(merge_bounded(row, pending, 0) == 3);
    CHECK(row.layers[kLayerClicks].get(10) == 6);
    CHECK(row.layers[kLayerClicks].size() == 2);
    CHECK(row.layers[kLayerMove].empty());
    CHECK(row.counters[kPageViews] == 4);
  }
  SUBCASE("room for two: lowest indexes of the first layers first") {
    CHECK(merge_bounded(row, pending, 2) == 1);
    CHECK(row.layers[kLayerClicks].get(15) == 1);
    CHECK(row.layers[kLayerClicks].get(30) == 1);
    CHECK(row.layers[kLayerMove].empty());
  }
  SUBCASE("room for all: the same as merge") {
    Aggregate expect = row;
    expect.merge(pending);
    CHECK(merge_bounded(row, pending, 100) == 0);
    CHECK(row == expect);
  }
  SUBCASE("elements are admitted whole or not at all; known elements keep counting") {
    row.element(1)->counters[kElClicks] = 1;
    pending.element(1)->counters[kElClicks] = 2;
    ElementStats* fresh = pending.element(2);
    fresh->counters[kElClicks] = 1;
    fresh->cells.add(3, 1);
    fresh->cells.add(4, 1);
    // 3 layer cells fit; the new element needs 3 (itself + 2 sub-cells) and only 1 is left.
    CHECK(merge_bounded(row, pending, 4) == 3);
    CHECK(row.find_element(1)->counters[kElClicks] == 3);
    CHECK(row.find_element(2) == nullptr);
    CHECK(cell_count(row) == 2 + 3 + 1);  // 4 click cells, 1 move cell, element 1
  }
}

TEST_CASE("merge_all equals merging one by one (property)") {
  for (uint64_t seed = 1; seed <= 40; ++seed) {
    CAPTURE(seed);
    test::Rng rng{seed};
    std::vector<Aggregate> parts;
    Aggregate expect;
    const uint32_t n = rng.below(40);
    for (uint32_t i = 0; i < n; ++i) {
      parts.push_back(test::random_aggregate(rng));
      expect.merge(parts.back());
    }
    CHECK(merge_all(parts) == expect);
  }
}

TEST_CASE("reads merge pending deltas; compaction folds them without changing what reads see") {
  // Both write paths: small rows merged in place (the default) and every row appended.
  for (const bool append : {false, true}) {
    CAPTURE(append);
    TempDb t;
    const StoreOptions options = append ? append_only() : StoreOptions{};
    auto store = open_sqlite_store(t.path, options);
    test::Rng rng{7};
    std::map<RowKey, Aggregate> expect;
    for (int batch = 0; batch < 30; ++batch) {
      std::vector<std::pair<RowKey, Report>> rows;
      for (int p = 0; p < 3; ++p) {
        Report r = report("https://shop.example/p" + std::to_string((batch + p) % 4), p % 2);
        r.data = test::random_aggregate(rng);
        r.data.counters[kPageViews] = 1;
        const RowKey k = row_key(r.segment, 19000 + batch % 2);
        expect[k].merge(r.data);
        rows.push_back({k, r});
      }
      commit(*store, rows, {{"accepted", 3}});
      if (batch == 10) compact_everything(*store);  // some rows compacted, then more deltas
    }
    CHECK(read_all(*store) == expect);
    CHECK((store->stats()["pending_deltas"] > 0) == append);
    compact_everything(*store);
    CHECK(store->stats()["pending_deltas"] == 0);
    CHECK(read_all(*store) == expect);
    CHECK(store->stats()["accepted"] == 90);

    // rows() sums page views over compacted rows and pending deltas alike.
    Report extra = report("https://shop.example/p0", 0);
    const RowKey k0 = row_key(extra.segment, 19000);
    commit(*store, {{k0, extra}});
    RowFilter f;
    f.site = "tg_site";
    f.page = "https://shop.example/p0";
    f.from_day = f.to_day = 19000;
    f.width_class = 0;
    uint64_t pv = 0;
    for (const RowInfo& r : store->rows(f)) pv += r.page_views;
    CHECK(pv == expect[k0].counters[kPageViews] + 1);

    // A new connection (a restart) finds the pending delta and compacts it.
    store.reset();
    store = open_sqlite_store(t.path, options);
    expect[k0].counters[kPageViews] += 1;
    CHECK(read_all(*store) == expect);
    compact_everything(*store);
    CHECK(store->stats()["pending_deltas"] == 0);
    CHECK(read_all(*store) == expect);
  }
}

TEST_CASE("the per-page-day cell bound drops new cells past it, counted and reported") {
  for (const bool append : {false, true}) {
    CAPTURE(append);
    TempDb t;
    StoreOptions o = append ? append_only() : StoreOptions{};
    o.max_cells_per_page_day = 1000;
    auto store = open_sqlite_store(t.path, o);
    const std::string page = "https://shop.example/hot";
    // Two rows of the same page and day (two width classes) share the bound.
    for (int batch = 0; batch < 6; ++batch) {
      std::vector<std::pair<RowKey, Report>> rows;
      for (uint8_t w = 0; w < 2; ++w) {
        Report r = report(page, w);
        for (uint32_t i = 0; i < 100; ++i)
          r.data.layers[kLayerMove].add((batch * 100 + i) * kGridCols, 1);
        rows.push_back({row_key(r.segment, 19000), r});
      }
      commit(*store, rows);
      compact_everything(*store);
    }
    // 1,200 distinct cells arrived, 1,000 fit.
    uint64_t cells = 0;
    for (const auto& [k, a] : read_all(*store)) cells += cell_count(a);
    CHECK(cells == 1000);
    CHECK(store->stats()["cells_over_limit"] == 200);
    const PageList pl = store->pages("tg_site", 0, 10);
    REQUIRE(pl.pages.size() == 1);
    CHECK(pl.pages[0].cells_dropped == 200);
    CHECK(pl.pages[0].page_views == 12);

    // Cells the row holds keep adding up; another day has its own bound.
    Report again = report(page, 0);
    again.data.layers[kLayerMove].add(0, 5);
    Report tomorrow = report(page, 0);
    tomorrow.data.layers[kLayerMove].add(12345 * kGridCols, 1);
    commit(*store,
           {{row_key(again.segment, 19000), again}, {row_key(tomorrow.segment, 19001), tomorrow}});
    compact_everything(*store);
    const auto rows = read_all(*store);
    CHECK(rows.at(row_key(again.segment, 19000)).layers[kLayerMove].get(0) == 6);
    CHECK(rows.at(row_key(tomorrow.segment, 19001)).layers[kLayerMove].size() == 1);
    CHECK(store->stats()["cells_over_limit"] == 200);
  }
}

TEST_CASE("a corrupt stored row or delta is skipped by reads and quarantined, others unharmed") {
  TempDb t;
  auto store = open_sqlite_store(t.path, append_only());
  Report a = report("https://shop.example/a"), b = report("https://shop.example/b");
  a.data.layers[kLayerClicks].add(1, 1);
  b.data.layers[kLayerClicks].add(2, 1);
  const RowKey ka = row_key(a.segment, 19000), kb = row_key(b.segment, 19000);
  commit(*store, {{ka, a}, {kb, b}});
  compact_everything(*store);
  commit(*store, {{ka, a}, {kb, b}});  // pending deltas for both
  t.sql("UPDATE aggregates SET data = x'5447010012' WHERE page = 'https://shop.example/a'");

  auto rows = read_all(*store);  // no throw: a's stored row is skipped, its delta is read
  CHECK(rows.at(kb).counters[kPageViews] == 2);
  CHECK(rows.at(ka).counters[kPageViews] == 1);

  commit(*store, {{ka, a}, {kb, b}});  // writes do not read stored rows: unaffected
  compact_everything(*store);
  CHECK(store->stats()["rows_quarantined"] == 1);
  rows = read_all(*store);
  CHECK(rows.at(ka).counters[kPageViews] == 2);
  CHECK(rows.at(kb).counters[kPageViews] == 3);

  // A corrupt pending delta: read around, then set aside by the next compaction.
  commit(*store, {{ka, a}, {kb, b}});
  t.sql("UPDATE deltas SET data = x'0000' WHERE page = 'https://shop.example/b'");
  rows = read_all(*store);
  CHECK(rows.at(kb).counters[kPageViews] == 3);
  compact_everything(*store);
  CHECK(store->stats()["rows_quarantined"] == 2);
  rows = read_all(*store);
  CHECK(rows.at(ka).counters[kPageViews] == 3);
  CHECK(rows.at(kb).counters[kPageViews] == 3);

  // The quarantined bytes are kept for the operator, with the decoder's reason.
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(t.path.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, "SELECT source, page, reason FROM quarantine ORDER BY id", -1, &s,
                             nullptr) == SQLITE_OK);
  std::vector<std::string> got;
  while (sqlite3_step(s) == SQLITE_ROW)
    got.push_back(std::string(reinterpret_cast<const char*>(sqlite3_column_text(s, 0))) + " " +
                  reinterpret_cast<const char*>(sqlite3_column_text(s, 1)) + " " +
                  reinterpret_cast<const char*>(sqlite3_column_text(s, 2)));
  sqlite3_finalize(s);
  sqlite3_close(db);
  REQUIRE(got.size() == 2);
  CHECK(got[0].rfind("row https://shop.example/a truncated", 0) == 0);
  CHECK(got[1].rfind("delta https://shop.example/b bad_magic", 0) == 0);
}

TEST_CASE("merged in place: a corrupt small row turns its next report into a delta, then away") {
  TempDb t;
  auto store = open_sqlite_store(t.path);
  Report a = report("https://shop.example/a"), b = report("https://shop.example/b");
  const RowKey ka = row_key(a.segment, 19000), kb = row_key(b.segment, 19000);
  commit(*store, {{ka, a}, {kb, b}});
  CHECK(store->stats()["pending_deltas"] == 0);  // both merged in place
  t.sql("UPDATE aggregates SET data = x'5447010012' WHERE page = 'https://shop.example/a'");
  commit(*store, {{ka, a}, {kb, b}});  // the batch commits: a's report waits as a delta
  CHECK(store->stats()["pending_deltas"] == 1);
  store->compact(false);  // the corrupt row is due at once
  CHECK(store->stats()["rows_quarantined"] == 1);
  const auto rows = read_all(*store);
  CHECK(rows.at(ka).counters[kPageViews] == 1);
  CHECK(rows.at(kb).counters[kPageViews] == 2);
}

TEST_CASE("pages: busiest first, paginated, pending deltas counted; prune removes both") {
  TempDb t;
  auto store = open_sqlite_store(t.path, append_only());
  std::vector<std::pair<RowKey, Report>> rows;
  for (int p = 0; p < 25; ++p) {
    Report r = report("https://shop.example/p" + std::to_string(100 + p));
    r.data.counters[kPageViews] = 1 + p % 7;
    rows.push_back({row_key(r.segment, 19000 + p % 3), r});
  }
  commit(*store, rows);
  store->compact(true);  // some compacted, some not: both count
  commit(*store, {rows[0]});
  std::vector<std::string> seen;
  uint64_t last = ~0ull;
  for (size_t offset = 0;; offset += 10) {
    const PageList pl = store->pages("tg_site", offset, 10);
    CHECK(pl.total == 25);
    for (const PageInfo& p : pl.pages) {
      CHECK(p.page_views <= last);
      last = p.page_views;
      seen.push_back(p.page);
    }
    if (pl.pages.size() < 10) break;
  }
  CHECK(seen.size() == 25);
  CHECK(std::set<std::string>(seen.begin(), seen.end()).size() == 25);
  CHECK(store->pages("tg_site", 100, 10).total == 25);
  CHECK(store->pages("tg_site", 0, 1).pages[0].page_views == 7);  // p106 / p113 / p120: 7 each

  CHECK(store->prune(19002) > 0);
  for (const PageInfo& p : store->pages("tg_site", 0, 100).pages) CHECK(p.last_day == 19002);
  CHECK(store->stats()["pending_deltas"] == 0);
}

TEST_CASE("anchoring figures: latest per page, bounded per site, kept apart by site") {
  TempDb t;
  {
    auto store = open_sqlite_store(t.path);
    CHECK(store->anchoring("tg_site").empty());
  }
  // A database from before the table existed gains it on open.
  t.sql("DROP TABLE anchoring");
  auto store = open_sqlite_store(t.path);
  const auto fig = [](const std::string& page, uint32_t found, double share, int64_t when) {
    return AnchoringFigure{"https://shop.example/" + page, 4, found, share, when};
  };
  CHECK(store->put_anchoring("tg_site", fig("a", 3, 0.25, 100), 2));
  CHECK(store->put_anchoring("tg_site", fig("a", 2, 1.0 / 3, 200), 2));  // replaces
  CHECK(store->put_anchoring("tg_site", fig("b", 4, 0, 300), 2));
  CHECK_FALSE(store->put_anchoring("tg_site", fig("c", 1, 0.5, 400), 2));  // a third page: full
  CHECK(store->put_anchoring("tg_site", fig("b", 3, 0.125, 500), 2));      // known: replaced
  CHECK(store->put_anchoring("tg_other", fig("c", 1, 0.5, 600), 2));       // another site
  std::map<std::string, AnchoringFigure> got;
  for (const AnchoringFigure& f : store->anchoring("tg_site")) got[f.page] = f;
  REQUIRE(got.size() == 2);
  const AnchoringFigure& a = got["https://shop.example/a"];
  CHECK(a.elements == 4);
  CHECK(a.found == 2);
  CHECK(a.missing_share == 1.0 / 3);  // stored as a double: exact
  CHECK(a.measured_unix == 200);
  CHECK(got["https://shop.example/b"].missing_share == 0.125);
  CHECK(got["https://shop.example/b"].measured_unix == 500);
  CHECK(store->anchoring("tg_other").size() == 1);
}

constexpr int32_t kAll = INT32_MIN, kEver = INT32_MAX;

TEST_CASE("survey answers: counts per key summed over days, bounded per site, pruned, deleted") {
  TempDb t;
  {
    auto store = open_sqlite_store(t.path);
    CHECK(store->survey_counts("tg_site", std::nullopt, kAll, kEver).empty());
  }
  t.sql("DROP TABLE survey_answers");  // a database from before the table gains it on open
  auto store = open_sqlite_store(t.path);
  store->add_site({"tg_site", "Shop", {"https://shop.example"}, "x", 0});
  const auto answer = [](const std::string& page, uint32_t element, const std::string& a) {
    return SurveyCount{"https://shop.example/" + page, "broken", element, a, 0};
  };
  CHECK(store->add_survey_answer("tg_site", answer("a", 7, "yes"), 100, 2));
  CHECK(store->add_survey_answer("tg_site", answer("a", 7, "yes"), 101, 2));  // next day: summed
  CHECK(store->add_survey_answer("tg_site", answer("a", 7, "no"), 101, 2));   // same key
  CHECK(store->add_survey_answer("tg_site", answer("b", 0, "4"), 101, 2));
  CHECK_FALSE(store->add_survey_answer("tg_site", answer("c", 1, "yes"), 101, 2));  // third key
  CHECK(store->add_survey_answer("tg_site", answer("b", 0, "5"), 101, 2));     // known key: stored
  CHECK(store->add_survey_answer("tg_other", answer("c", 1, "yes"), 101, 2));  // another site
  std::map<std::string, uint64_t> got;
  for (const SurveyCount& c : store->survey_counts("tg_site", std::nullopt, kAll, kEver))
    got[c.page.substr(21) + "/" + std::to_string(c.element) + "/" + c.survey + "/" + c.answer] =
        c.count;
  CHECK(got ==
        std::map<std::string, uint64_t>{
            {"a/7/broken/yes", 2}, {"a/7/broken/no", 1}, {"b/0/broken/4", 1}, {"b/0/broken/5", 1}});
  CHECK(store->survey_counts("tg_site", "https://shop.example/b", kAll, kEver).size() == 2);
  // A range of days sums those days only (inclusive at both ends).
  const auto on = [&](int32_t from, int32_t to) {
    std::map<std::string, uint64_t> m;
    for (const SurveyCount& c : store->survey_counts("tg_site", std::nullopt, from, to))
      m[c.page.substr(21) + "/" + c.answer] = c.count;
    return m;
  };
  CHECK(on(100, 100) == std::map<std::string, uint64_t>{{"a/yes", 1}});
  CHECK(on(101, 101) ==
        std::map<std::string, uint64_t>{{"a/yes", 1}, {"a/no", 1}, {"b/4", 1}, {"b/5", 1}});
  CHECK(on(100, 101) == on(kAll, kEver));
  CHECK(on(102, kEver).empty());
  CHECK(on(101, 100).empty());
  store->prune(101);  // day 100 goes
  got.clear();
  for (const SurveyCount& c :
       store->survey_counts("tg_site", "https://shop.example/a", kAll, kEver))
    got[c.answer] = c.count;
  CHECK(got == std::map<std::string, uint64_t>{{"yes", 1}, {"no", 1}});
  CHECK(store->delete_site("tg_site") >= 0);
  CHECK(store->survey_counts("tg_site", std::nullopt, kAll, kEver).empty());
  CHECK(store->survey_counts("tg_other", std::nullopt, kAll, kEver).size() == 1);
}

TEST_CASE(
    "survey answers copy per day in bulk: exact counts, added, admitted whole or not at all") {
  TempDb src_db, dst_db;
  auto src = open_sqlite_store(src_db.path);
  auto dst = open_sqlite_store(dst_db.path);
  const auto answer = [](const std::string& page, uint32_t element, const std::string& a) {
    return SurveyCount{"https://shop.example/" + page, "broken", element, a, 0};
  };
  // By construction: a/7 yes 2x on day 100, 1x on day 101; a/7 no 1x on 101; b/0 "4" 3x on 102.
  for (int32_t day : {100, 100, 101}) src->add_survey_answer("tg", answer("a", 7, "yes"), day, 9);
  src->add_survey_answer("tg", answer("a", 7, "no"), 101, 9);
  for (int i = 0; i < 3; ++i) src->add_survey_answer("tg", answer("b", 0, "4"), 102, 9);
  const std::vector<SurveyDayCount> rows = src->survey_rows("tg");
  std::map<std::string, uint64_t> got;
  for (const SurveyDayCount& r : rows)
    got[r.answer.page.substr(21) + "/" + r.answer.answer + "@" + std::to_string(r.day)] =
        r.answer.count;
  CHECK(got == std::map<std::string, uint64_t>{
                   {"a/yes@100", 2}, {"a/yes@101", 1}, {"a/no@101", 1}, {"b/4@102", 3}});
  CHECK(src->survey_rows("tg_other").empty());

  // Two keys, bound 1: nothing stored.
  CHECK_FALSE(dst->add_survey_counts("tg", rows, 1));
  CHECK(dst->survey_rows("tg").empty());
  CHECK(dst->add_survey_counts("tg", rows, 2));
  const auto same = [&](const std::unique_ptr<Store>& a, const std::unique_ptr<Store>& b,
                        int32_t from, int32_t to) {
    const auto x = a->survey_counts("tg", std::nullopt, from, to);
    const auto y = b->survey_counts("tg", std::nullopt, from, to);
    if (x.size() != y.size()) return false;
    for (size_t i = 0; i < x.size(); ++i)
      if (x[i].page != y[i].page || x[i].survey != y[i].survey || x[i].element != y[i].element ||
          x[i].answer != y[i].answer || x[i].count != y[i].count)
        return false;
    return true;
  };
  CHECK(same(src, dst, kAll, kEver));
  CHECK(same(src, dst, 101, 101));
  CHECK(same(src, dst, 102, 200));
  CHECK(dst->survey_rows("tg").size() == rows.size());
  // Adding again adds up (per day); a key already held costs no room under the bound.
  CHECK(dst->add_survey_counts("tg", rows, 2));
  for (const SurveyCount& c : dst->survey_counts("tg", "https://shop.example/b", 102, 102))
    CHECK(c.count == 6);
  // A new key past the bound: refused whole, the known key's count in the same call too.
  std::vector<SurveyDayCount> more{{answer("a", 7, "yes"), 103}, {answer("c", 1, "yes"), 103}};
  more[0].answer.count = more[1].answer.count = 1;
  CHECK_FALSE(dst->add_survey_counts("tg", more, 2));
  CHECK(dst->survey_counts("tg", std::nullopt, 103, 103).empty());
  CHECK(dst->add_survey_counts("tg", more, 3));
  CHECK(dst->survey_counts("tg", std::nullopt, 103, 103).size() == 2);
}

TEST_CASE("a database serve cannot write is refused at open, with the reason") {
  TempDb t;
  StoreOptions o;
  o.require_writable = true;
  auto refused = [&](const std::string& path) {
    try {
      open_sqlite_store(path, o);
    } catch (const StoreError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  CHECK(refused(t.dir + "/missing/db.sqlite").find("directory") != std::string::npos);
  CHECK(refused(t.dir).find("not a regular file") != std::string::npos);
  CHECK(refused(t.path).empty());  // a fresh database in a writable directory is fine
  if (geteuid() != 0) {            // root writes through permission bits; tested via the binary
    chmod(t.path.c_str(), 0444);
    CHECK(refused(t.path).find("not writable") != std::string::npos);
  }
}

// The writer's row cache (row_cache.h): every way a cached row can change other than through the
// writer's own in-place merge must drop it, or the next batch would merge into a stale copy. Each
// case below reads exact page views that a stale entry would get wrong.
namespace {

uint32_t page_views(Store& s, const RowKey& k) {
  const auto rows = read_all(s);
  const auto it = rows.find(k);
  return it == rows.end() ? 0 : it->second.counters[kPageViews];
}

}  // namespace

TEST_CASE("row cache: least recently used rows go first and the byte bound always holds") {
  Report r = report("https://shop.example/a");
  for (uint32_t i = 0; i < 100; ++i) r.data.layers[kLayerClicks].add(i * 3, 1);
  const RowKey k = row_key(r.segment, 19000);
  const size_t one = RowCache::approx_bytes(k, r);
  REQUIRE(one > 100 * sizeof(SparseVec::Cell));  // the cells are counted

  RowCache cache(4 * one + one / 2);  // room for four such rows
  std::vector<RowKey> keys;
  for (int i = 0; i < 10; ++i) {
    Report row = r;
    row.segment.page = "https://shop.example/p" + std::to_string(i);
    keys.push_back(row_key(row.segment, 19000));
    cache.put(keys.back(), std::move(row), 100, 0);
    CHECK(cache.bytes() <= cache.max_bytes());
    if (i >= 1) CHECK(cache.find(keys[0]) != nullptr);  // used at every step: never evicted
  }
  CHECK(cache.size() <= 4);
  CHECK(cache.find(keys[0]) != nullptr);
  CHECK(cache.find(keys[9]) != nullptr);  // the newest
  CHECK(cache.find(keys[1]) == nullptr);  // the least recently used went first

  // Growing an entry in place is measured again; an entry past the whole bound is dropped.
  RowCache::Entry* e = cache.find(keys[9]);
  REQUIRE(e != nullptr);
  for (uint32_t i = 0; i < 2000; ++i) e->row.data.layers[kLayerMove].add(i, 1);
  cache.update(keys[9], *e, 2100, 0);
  CHECK(cache.find(keys[9]) == nullptr);
  CHECK(cache.bytes() <= cache.max_bytes());
  size_t sum = 0;
  for (const RowKey& key : keys)
    if (RowCache::Entry* x = cache.find(key)) sum += x->bytes;
  CHECK(sum == cache.bytes());

  RowCache none(0);  // --row-cache-mb 0
  none.put(k, Report(r), 100, 0);
  CHECK(none.size() == 0);
}

TEST_CASE("row cache: prune, site deletion and another connection's writes are seen") {
  for (const uint64_t cache_bytes : {uint64_t{32} << 20, uint64_t{0}}) {
    CAPTURE(cache_bytes);
    TempDb t;
    StoreOptions o;
    o.row_cache_bytes = cache_bytes;
    auto store = open_sqlite_store(t.path, o);
    Report a = report("https://shop.example/a");
    a.data.layers[kLayerClicks].add(5, 1);
    const RowKey ka = row_key(a.segment, 19000);
    commit(*store, {{ka, a}});
    commit(*store, {{ka, a}});
    CHECK(page_views(*store, ka) == 2);
    CHECK(store->stats()["pending_deltas"] == 0);  // merged in place: the row is cached

    // prune (the writer's own connection: no data_version change) drops the row.
    CHECK(store->prune(19001) == 1);
    commit(*store, {{ka, a}});
    CHECK(page_views(*store, ka) == 1);

    // So does deleting the site (then a site with the same key starts from nothing).
    store->add_site({"tg_site", "shop", {"https://shop.example"}, "00", 0});
    commit(*store, {{ka, a}});
    CHECK(page_views(*store, ka) == 2);
    CHECK(store->delete_site("tg_site") == 1);
    store->add_site({"tg_site", "shop", {"https://shop.example"}, "00", 0});
    commit(*store, {{ka, a}});
    CHECK(page_views(*store, ka) == 1);

    // An operator's shell (another connection) deletes the row, then rewrites it from a copy.
    t.sql("DELETE FROM aggregates");
    commit(*store, {{ka, a}});
    CHECK(page_views(*store, ka) == 1);
    commit(*store, {{ka, a}});
    t.sql("CREATE TABLE saved AS SELECT * FROM aggregates");  // holds page_views 2
    commit(*store, {{ka, a}});
    commit(*store, {{ka, a}});
    CHECK(page_views(*store, ka) == 4);
    t.sql("DELETE FROM aggregates; INSERT INTO aggregates SELECT * FROM saved");
    commit(*store, {{ka, a}});
    CHECK(page_views(*store, ka) == 3);
    const auto rows = read_all(*store);
    CHECK(rows.at(ka).layers[kLayerClicks].get(5) == 3);
  }
}

TEST_CASE("row cache: a batch whose transaction fails leaves no trace in the cache") {
  TempDb t;
  auto store = open_sqlite_store(t.path);
  Report a = report("https://shop.example/a"), bad = report("https://shop.example/fail");
  a.data.layers[kLayerClicks].add(5, 1);
  const RowKey ka = row_key(a.segment, 19000), kbad = row_key(bad.segment, 19000);
  // Writing the row of /fail aborts the whole transaction, after /a was merged (in memory too).
  t.sql(
      "CREATE TRIGGER fail BEFORE INSERT ON aggregates WHEN NEW.page LIKE '%/fail' "
      "BEGIN SELECT RAISE(ABORT, 'refused by test trigger'); END");
  commit(*store, {{ka, a}});
  commit(*store, {{ka, a}});  // cached, with page views 2
  CHECK_THROWS_AS(commit(*store, {{ka, a}, {kbad, bad}}), StoreError);
  CHECK(page_views(*store, ka) == 2);
  commit(*store, {{ka, a}});  // merges into the committed row, not the failed batch's copy
  CHECK(page_views(*store, ka) == 3);
  CHECK(read_all(*store).at(ka).layers[kLayerClicks].get(5) == 3);
  CHECK(read_all(*store).count(kbad) == 0);
}

TEST_CASE("row cache: a cached row corrupted, quarantined, compacted and merged again") {
  TempDb t;
  StoreOptions o;
  o.in_place_max_cells = 8;  // small rows turn into delta rows after a few cells
  auto store = open_sqlite_store(t.path, o);
  Report a = report("https://shop.example/a");
  const RowKey ka = row_key(a.segment, 19000);
  uint32_t sent = 0;
  auto send = [&](uint32_t cell) {
    Report r = a;
    r.data.layers[kLayerClicks].add(cell, 1);
    commit(*store, {{ka, r}});
    ++sent;
  };
  send(1);
  send(2);                                              // cached, 2 cells
  t.sql("UPDATE aggregates SET data = x'5447010012'");  // corrupt: the cache must not hide it
  send(3);                                              // a delta: the stored row is unreadable
  CHECK(store->stats()["pending_deltas"] == 1);
  compact_everything(*store);  // quarantines the row, keeps the delta's report
  CHECK(store->stats()["rows_quarantined"] == 1);
  const uint32_t lost = 2;                    // the two reports inside the corrupt row
  for (uint32_t c = 4; c < 20; ++c) send(c);  // in place, then past 8 cells: deltas again
  CHECK(page_views(*store, ka) == sent - lost);
  compact_everything(*store);
  send(20);
  compact_everything(*store);
  const auto rows = read_all(*store);
  CHECK(rows.at(ka).counters[kPageViews] == sent - lost);
  CHECK(rows.at(ka).layers[kLayerClicks].size() == sent - lost);
  CHECK(rows.at(ka).layers[kLayerClicks].get(1) == 0);
  CHECK(rows.at(ka).layers[kLayerClicks].get(3) == 1);
  CHECK(rows.at(ka).layers[kLayerClicks].get(20) == 1);
}
