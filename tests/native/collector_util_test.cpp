// Collector pieces that do not need a server: SHA-256 vectors, constant-time compare, days,
// the DP noise source, query parsing, flags, and the group-commit completion callbacks.
#include <doctest/doctest.h>

#include <condition_variable>
#include <mutex>
#include <string>

#include "collector/crypto.h"
#include "collector/flags.h"
#include "collector/http_message.h"
#include "collector/ingest.h"
#include "collector/sites.h"
#include "collector/store.h"

using namespace thermograph;

TEST_CASE("sha256 matches FIPS 180-4 test vectors") {
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  CHECK(sha256_hex(std::string(1000000, 'a')) ==
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  // Lengths around the padding boundary (55, 56, 63, 64 bytes) must not crash or collide.
  CHECK(sha256_hex(std::string(55, 'x')) != sha256_hex(std::string(56, 'x')));
  CHECK(sha256_hex(std::string(63, 'x')) != sha256_hex(std::string(64, 'x')));
}

TEST_CASE("constant_time_equal and random_hex") {
  CHECK(constant_time_equal("abc", "abc"));
  CHECK_FALSE(constant_time_equal("abc", "abd"));
  CHECK_FALSE(constant_time_equal("abc", "abcd"));
  CHECK(random_hex(16).size() == 32);
  CHECK(random_hex(16) != random_hex(16));
}

TEST_CASE("UTC day numbers round trip through dates") {
  CHECK(day_to_date(0) == "1970-01-01");
  CHECK(day_to_date(19723) == "2024-01-01");
  CHECK(date_to_day("2024-02-29") == 19782);
  CHECK_FALSE(date_to_day("2023-02-29"));
  CHECK_FALSE(date_to_day("2024-1-01"));
  for (int32_t d = 0; d < 40000; d += 37) CHECK(date_to_day(day_to_date(d)) == d);
}

TEST_CASE("origins are normalized and validated") {
  CHECK(normalize_origin("https://Shop.Example") == "https://shop.example");
  CHECK(normalize_origin("http://localhost:8080") == "http://localhost:8080");
  CHECK_FALSE(normalize_origin("https://shop.example/"));
  CHECK_FALSE(normalize_origin("ftp://x"));
  CHECK_FALSE(normalize_origin("https://"));
  CHECK_FALSE(normalize_origin("*"));
}

TEST_CASE("SecureRandom feeds dp_release like a seeded Rng does") {
  SecureRandom a, b;
  CHECK(a.next() != b.next());
  for (int i = 0; i < 1000; ++i) CHECK(a.below(7) < 7);
  Aggregate agg;
  agg.counters[kPageViews] = 1000;
  agg.layers[kLayerClicks].add(5, 300);
  DpParams p;
  p.epsilon = 1;
  const DpResult r = dp_release(agg, p, a);
  CHECK(r.released);
  CHECK(agg.counters[kPageViews] > 900);
  CHECK(agg.counters[kPageViews] < 1100);
}

TEST_CASE("query strings decode like a browser encodes them") {
  std::string path;
  std::multimap<std::string, std::string> params;
  http::parse_target(
      "/api/heat%6Dap?site=tg_1&page=https%3A%2F%2Fa.example%2F%3Fq&tag=a:b&tag=c:d"
      "&variant=&flag&q=a+b%2Bc&bad=%zz%4",
      path, params);
  CHECK(path == "/api/heatmap");
  http::Request req;
  req.params = params;
  CHECK(req.get_param_value("page") == "https://a.example/?q");
  CHECK(req.get_param_value_count("tag") == 2);
  CHECK(req.get_param_value("tag", 1) == "c:d");
  CHECK(req.get_param_value("tag", 2) == "");
  CHECK(req.has_param("variant"));
  CHECK(req.get_param_value("variant") == "");
  CHECK(req.has_param("flag"));
  CHECK(req.get_param_value("q") == "a b+c");
  CHECK(req.get_param_value("bad") == "%zz%4");
  CHECK_FALSE(req.has_param("missing"));
  req.headers = {{"content-TYPE", "text/plain"}};
  CHECK(req.get_header_value("Content-Type") == "text/plain");
  CHECK(req.get_header_value("Origin") == "");
}

TEST_CASE("flags report errors as Expected values") {
  const char* argv[] = {"x", "serve", "--port", "70000", "--json"};
  Flags ok({"port"}, {"json"});
  CHECK(ok.parse(5, const_cast<char**>(argv), 2));
  uint64_t port = 1;
  const auto bad = ok.get_u64("port", 0, 65535, port);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message == "--port must be an integer in 0..65535, got '70000'");
  CHECK(port == 1);
  Flags strict({"db"}, {});
  const auto unknown = strict.parse(5, const_cast<char**>(argv), 2);
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().message == "unknown flag --port");
}

namespace {

// A store whose commit waits until the test lets it go, so queue states are deterministic.
class GateStore final : public Store {
 public:
  void add_site(const SiteRecord&) override {}
  std::vector<SiteRecord> sites() override { return {}; }
  bool update_site(const SiteRecord&) override { return false; }
  int64_t delete_site(const std::string&) override { return -1; }
  void commit_batch(const std::vector<std::pair<RowKey, const Report*>>& batch,
                    const StatsMap&) override {
    std::unique_lock lock(mu);
    ++entered;
    cv.notify_all();
    cv.wait(lock, [&] { return open; });
    if (fail) throw StoreError("disk full");
    for (const auto& [key, report] : batch) committed.push_back(key.page);
  }
  PageList pages(const std::string&, size_t, size_t) override { return {}; }
  std::vector<RowInfo> rows(const RowFilter&) override { return {}; }
  void for_each_row(const RowFilter&,
                    const std::function<void(const RowKey&, Report&&)>&) override {}
  StatsMap stats() override { return {}; }
  int64_t prune(int32_t) override { return 0; }
  uint64_t size_bytes() override { return 0; }
  size_t put_element_names(const std::string&, const std::vector<ElementName>&, size_t) override {
    return 0;
  }
  std::vector<ElementName> element_names(const std::string&) override { return {}; }
  bool put_anchoring(const std::string&, const AnchoringFigure&, size_t) override { return false; }
  std::vector<AnchoringFigure> anchoring(const std::string&) override { return {}; }
  bool add_survey_answer(const std::string&, const SurveyCount&, int32_t, size_t) override {
    return false;
  }
  std::vector<SurveyCount> survey_counts(const std::string&, const std::optional<std::string>&,
                                         int32_t, int32_t) override {
    return {};
  }
  std::vector<SurveyDayCount> survey_rows(const std::string&) override { return {}; }
  bool add_survey_counts(const std::string&, const std::vector<SurveyDayCount>&, size_t) override {
    return false;
  }
  size_t compact(bool) override { return 0; }

  void wait_entered(int n) {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return entered >= n; });
  }
  void release(bool failing = false) {
    std::lock_guard lock(mu);
    open = true;
    fail = failing;
    cv.notify_all();
  }

  std::mutex mu;
  std::condition_variable cv;
  int entered = 0;
  bool open = false;
  bool fail = false;
  std::vector<std::string> committed;
};

Report page_report(const std::string& page) {
  Report r;
  r.kind = kKindDelta;
  r.segment.site = "tg_test";
  r.segment.page = page;
  r.data.counters[kPageViews] = 1;
  return r;
}

}  // namespace

// Single reports per page: k-anonymity would store them as "(rare)".
SegmentLimits no_k() {
  SegmentLimits l;
  l.k_anonymity = 1;
  return l;
}

TEST_CASE("Ingest completes callbacks after the commit, in queue order, and refuses when full") {
  GateStore store;
  Ingest ingest(store, 2, no_k());
  std::mutex mu;
  std::vector<std::pair<std::string, Ingest::Result>> done;
  auto submit = [&](const std::string& page) {
    ingest.submit(page_report(page), 20000, [&, page](Ingest::Result r) {
      std::lock_guard lock(mu);
      done.push_back({page, r});
    });
  };
  // Nothing else is pending (no rejection counters), so the first commit is the batch with /a.
  submit("/a");
  store.wait_entered(1);  // the writer holds /a inside its commit
  submit("/b");
  submit("/c");
  submit("/d");  // the queue holds at most 2 waiting reports: /d is refused at once
  {
    std::lock_guard lock(mu);
    REQUIRE(done.size() == 1);
    CHECK(done[0] == std::pair<std::string, Ingest::Result>{"/d", Ingest::Result::kQueueFull});
  }
  store.release();
  ingest.stop();
  std::lock_guard lock(mu);
  std::vector<std::string> stored;
  for (const auto& [page, r] : done)
    if (r == Ingest::Result::kStored) stored.push_back(page);
  CHECK(stored == std::vector<std::string>{"/a", "/b", "/c"});
  CHECK(stored == store.committed);  // acknowledged exactly what was committed, in order
  CHECK(done.size() == 4);
  // After stop(), submit answers at once on the calling thread.
  Ingest::Result late = Ingest::Result::kStored;
  ingest.submit(page_report("/late"), 20000, [&](Ingest::Result r) { late = r; });
  CHECK(late == Ingest::Result::kStopped);
}

TEST_CASE("Ingest reports a failed commit to every report of the batch") {
  GateStore store;
  Ingest ingest(store, 100, no_k());
  store.release(/*failing=*/true);
  CHECK(ingest.submit(page_report("/x"), 20000) == Ingest::Result::kStoreFailed);
  CHECK(store.committed.empty());
}
