// Journeys (wire version 5): steps between interacted elements and SPA route -> route entries, on
// scripted sessions whose expected pairs are known by construction.
#include <doctest/doctest.h>

#include <vector>

#include "core/codec.h"
#include "core/insights.h"
#include "core/page_key.h"
#include "core/tracker.h"
#include "test_util.h"

using namespace thermograph;

namespace {

constexpr uint32_t kNav = 3, kSearch = 5, kField = 9, kBuy = 11;

struct Session {
  Tracker tr;
  Aggregate sent;
  size_t reports = 0;

  Session() {
    tr.segment().site = "site";
    tr.segment().page = "https://example.test/";
    tr.begin(0, 1280, 800, 4000);
  }
  void ev(double type, double t, double a = 0, double b = 0, double c = 0, double d = 0) {
    double rec[kEventSlots] = {type, t, a, b, c, d, 0.5, 0.5};
    tr.apply(rec);
  }
  void click(double t, uint32_t key) { ev(kEvClick, t, 100, 100, key, kClickInteractive); }
  void field(double t, uint32_t kind, uint32_t key) { ev(kEvField, t, kind, 0, key, 0); }
  void flush(double t, bool final = false) {
    std::vector<uint8_t> bytes(PageView::kMaxDeltaBytes);
    bytes.resize(tr.flush(t, final, bytes.data()));
    if (bytes.empty()) return;
    Report r;
    const auto res = decode(bytes.data(), bytes.size(), r);
    REQUIRE_MESSAGE(res.ok(), res.message);
    sent.merge(r.data);
    ++reports;
  }
  uint32_t step(uint32_t from, uint32_t to) const {
    const ElementStats* e = sent.find_element(from);
    return e ? e->next.get(to) : 0;
  }
  size_t steps() const {
    size_t n = 0;
    for (const auto& [key, el] : sent.elements()) n += el.next.size();
    return n;
  }
};

}  // namespace

TEST_CASE("journey steps: previous -> next interacted element, each pair once per page view") {
  Session s;
  s.click(100, kNav);
  s.click(200, kNav);  // the same element again: no step
  s.click(300, kSearch);
  s.field(400, kFieldFocus, kField);  // a field counts as an interaction
  s.field(500, kFieldChange, kField);
  s.click(600, kBuy);
  s.click(700, kNav);
  s.click(800, kBuy);  // kNav -> kBuy
  s.click(900, kNav);  // kBuy -> kNav again: once per page view
  s.click(1000, kBuy);
  s.flush(1100, true);
  CHECK(s.step(kNav, kSearch) == 1);
  CHECK(s.step(kSearch, kField) == 1);
  CHECK(s.step(kField, kBuy) == 1);
  CHECK(s.step(kBuy, kNav) == 1);
  CHECK(s.step(kNav, kBuy) == 1);
  CHECK(s.steps() == 5);
}

TEST_CASE("journey steps across deltas are sent once, and a click on no element breaks the chain") {
  Session s;
  s.click(100, kNav);
  s.click(200, kSearch);
  s.flush(300);
  s.click(400, 0);  // outside any element: no step from or to it
  s.click(500, kBuy);
  s.click(600, kSearch);
  s.flush(700);
  s.flush(800, true);
  CHECK(s.reports >= 2);
  CHECK(s.step(kNav, kSearch) == 1);
  CHECK(s.step(kSearch, kBuy) == 0);
  CHECK(s.step(kBuy, kSearch) == 1);
  CHECK(s.steps() == 2);
}

TEST_CASE("journey steps stop at Bounds::transitions distinct pairs; the bound is configurable") {
  for (uint32_t bound : {8u, 3u, 0u}) {
    CAPTURE(bound);
    Session s;
    s.tr.bounds().transitions = bound;
    s.tr.begin(0, 1280, 800, 4000);
    for (uint32_t i = 0; i < 20; ++i) s.click(100 + i * 100, 100 + i);  // 19 distinct steps
    s.flush(5000, true);
    CHECK(s.steps() == bound);
    if (bound) CHECK(s.step(100, 101) == 1);  // first come, first kept
  }
}

TEST_CASE("route -> route: an SPA page view counts the route it came from, once") {
  Session s;
  const std::string first = "https://example.test/", second = "https://example.test/pricing";
  s.flush(100, true);  // the first page view of the document came from no route
  CHECK(s.sent.layers[kLayerRouteFrom].empty());
  s.tr.set_route_from(route_hash(first.data(), first.size()));
  s.tr.segment().page = second;
  s.tr.begin(200, 1280, 800, 4000);
  s.click(300, kNav);
  s.flush(400);
  s.flush(500, true);
  const SparseVec& routes = s.sent.layers[kLayerRouteFrom];
  REQUIRE(routes.size() == 1);
  CHECK(routes.cells()[0].index == route_hash(first.data(), first.size()));
  CHECK(routes.cells()[0].value == 1);
  CHECK(route_hash(first.data(), first.size()) < kRouteHashLimit);
  CHECK(route_hash(first.data(), first.size()) != route_hash(second.data(), second.size()));
}

TEST_CASE("the decoder refuses malformed journey steps with a precise error") {
  Report r;
  r.segment.site = "s";
  r.segment.page = "https://example.test/";
  r.data.counters[kPageViews] = 1;
  r.data.element(kNav)->next.add(kBuy, 1);
  // The step block is the tail: count 1, from, to, and in an aggregate (or a delta before
  // version 6) the step's count.
  for (const ReportKind kind : {kKindDelta, kKindAggregate}) {
    CAPTURE(int(kind));
    r.kind = kind;
    std::vector<uint8_t> good = encode(r);
    Report back;
    REQUIRE(decode(good.data(), good.size(), back).ok());
    CHECK(back == r);
    const bool counted = kind == kKindAggregate;
    REQUIRE(good.size() > 10);
    const size_t at = good.size() - (counted ? 10 : 9);
    CHECK(good[at] == 1);
    struct Case {
      size_t offset;
      uint8_t value;
      const char* message;
    };
    std::vector<Case> cases = {
        {at + 1, 0, "not a step between two elements"},      // from kNav -> 0 (and kNav)
        {at + 5, kNav, "not a step between two elements"}};  // to == from
    if (counted) cases.push_back({at + 9, 0, "count is 0"});
    for (const Case& c : cases) {
      std::vector<uint8_t> bad = good;
      bad[c.offset] = c.value;
      if (c.offset == at + 1) bad[at + 2] = bad[at + 3] = bad[at + 4] = 0;
      const DecodeResult res = decode(bad.data(), bad.size(), back);
      CAPTURE(res.message);
      CHECK(!res.ok());
      CHECK(res.message.find(c.message) != std::string::npos);
    }
  }
  // A version-5 delta counts its steps; a version-4 report has no step block: the same bytes
  // are trailing there.
  r.kind = kKindDelta;
  std::vector<uint8_t> v5 = test::encode_version(r, 5);
  Report back;
  REQUIRE(decode(v5.data(), v5.size(), back).ok());
  CHECK(back == r);
  v5[2] = 4;
  CHECK(decode(v5.data(), v5.size(), back).status == DecodeStatus::kTrailingBytes);
}

TEST_CASE("insights: the most travelled steps and the routes visitors came from, with shares") {
  Aggregate a;
  a.counters[kPageViews] = 200;
  for (uint32_t i = 0; i < 30; ++i) a.element(1000 + i)->next.add(2000 + i, 1 + i);
  a.element(kNav)->next.add(kBuy, 100);
  a.layers[kLayerRouteFrom].add(77, 40);
  a.layers[kLayerRouteFrom].add(78, 10);
  const Journeys j = find_journeys(a);
  REQUIRE(j.steps.size() == kMaxJourneySteps);
  CHECK(j.steps[0].from == kNav);
  CHECK(j.steps[0].to == kBuy);
  CHECK(j.steps[0].share == doctest::Approx(0.5));
  CHECK(j.steps[1].from == 1029);  // 30 page views
  CHECK(j.steps.back().page_views == 30 - kMaxJourneySteps + 2);
  REQUIRE(j.routes.size() == 2);
  CHECK(j.routes[0].hash == 77);
  CHECK(j.routes[0].share == doctest::Approx(0.2));
  CHECK(j.route_page_views == 50);
}
