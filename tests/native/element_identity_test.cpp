// Element identity (issue: keys that survive A/B variants and deploys): the stable key, generated
// class names, the stable key on the wire (version 2, once per page view), and pairing by it.
#include <doctest/doctest.h>

#include <vector>

#include "core/codec.h"
#include "core/element_key.h"
#include "core/insights.h"
#include "core/tracker.h"
#include "test_util.h"

using namespace thermograph;

namespace {
constexpr PiiProfile kP = PiiProfile::kCompact;  // the visitor's and the overlay's profile
}  // namespace

TEST_CASE("stable keys leave classes out; specific keys keep stable classes only") {
  struct {
    const char* selector;
    const char* specific;
    const char* stable;
  } table[] = {
      {"body>main#content>a#cta.btn.btn-primary", "body>main#content>a#cta.btn.btn-primary",
       "body>main#content>a#cta"},
      {"div.card:2>button.buy", "div.card:2>button.buy", "div:2>button"},
      {"ul.navBar>li.menuItem", "ul.navBar>li.menuItem", "ul>li"},  // one case flip: a real name
  };
  for (const auto& row : table) {
    INFO(row.selector);
    CHECK(sanitize_selector(row.selector, kP) == row.specific);
    CHECK(sanitize_selector(row.selector, kP, false) == row.stable);
    CHECK(element_key(row.selector, kP) == element_key(row.specific, kP));
    CHECK(stable_element_key(row.selector, kP) == element_key(row.stable, kP));
  }
  // Two variants of one call to action: different specific keys, one stable key.
  const char* a = "body>main>a#cta.btn.btn-primary";
  const char* b = "body>main>a#cta.btn.btn-accent";
  CHECK(element_key(a, kP) != element_key(b, kP));
  CHECK(stable_element_key(a, kP) == stable_element_key(b, kP));
}

namespace {
struct Visit {
  Tracker tr;
  Aggregate sent;
  std::vector<std::vector<uint8_t>> deltas;
  Visit() {
    tr.segment().site = "site";
    tr.segment().page = "https://example.test/";
    tr.begin(0, 1280, 800, 4000);
  }
  void click(double t, uint32_t key) {
    const double ev[kEventSlots] = {kEvClick, t, 100, 200, double(key), kClickInteractive, .5, .5};
    tr.apply(ev);
  }
  void flush(double t) {
    std::vector<uint8_t> b(PageView::kMaxDeltaBytes);
    b.resize(tr.flush(t, false, b.data()));
    if (b.empty()) return;
    Report r;
    const auto res = decode(b.data(), b.size(), r);
    REQUIRE_MESSAGE(res.ok(), res.message);
    sent.merge(r.data);
    deltas.push_back(std::move(b));
  }
};
}  // namespace

TEST_CASE("the stable key is sent once per page view, and only when it differs") {
  const uint32_t key = element_key("a#cta.btn", kP), stable = stable_element_key("a#cta.btn", kP);
  const uint32_t plain = element_key("main>p:2", kP);  // no classes: stable == specific
  Visit v;
  v.tr.remember_stable_key(key, stable);
  v.tr.remember_stable_key(plain, stable_element_key("main>p:2", kP));
  v.click(1000, key);
  v.click(1100, plain);
  v.flush(2000);
  v.click(3000, key);
  v.flush(4000);
  REQUIRE(v.deltas.size() == 2);
  CHECK(v.deltas[1].size() + 4 <= v.deltas[0].size());  // the second delta has no stable key
  REQUIRE(v.sent.find_element(key));
  CHECK(v.sent.find_element(key)->stable == stable);
  CHECK(v.sent.find_element(key)->counters[kElClicks] == 2);
  CHECK(v.sent.find_element(plain)->stable == 0);
  CHECK(element_identity(plain, *v.sent.find_element(plain)) == plain);
  CHECK(element_identity(key, *v.sent.find_element(key)) == stable);
}

TEST_CASE("wire: version 2 carries the stable key; version 1 still decodes; bad forms refused") {
  Report r;
  r.segment.site = "s";
  r.segment.page = "https://example.test/";
  r.data.counters[kPageViews] = 1;
  ElementStats* el = r.data.element(0x1234);
  el->counters[kElClicks] = 1;
  el->stable = 0xabcd;
  std::vector<uint8_t> b = encode(r);
  Report out;
  REQUIRE(decode(b.data(), b.size(), out).ok());
  CHECK(out == r);
  b = test::encode_version(r, 2);
  REQUIRE(decode(b.data(), b.size(), out).ok());
  CHECK(out == r);

  // A version 1 report (no stable keys) from an older tracker decodes.
  el->stable = 0;
  std::vector<uint8_t> v1 = test::encode_version(r, 1);
  CHECK(decode(v1.data(), v1.size(), out).ok());
  // Version 1 has no stable-key bit: a v1 report with it is refused.
  b[2] = 1;
  DecodeResult res = decode(b.data(), b.size(), out);
  CHECK(res.status == DecodeStatus::kReservedBits);
  // A stable key of 0 is refused.
  b[2] = 2;
  const size_t at = b.size() - 4 - 3;  // stable key: before the counters (mask, value) + cells
  CHECK(b[at] == 0xcd);
  b[at] = b[at + 1] = 0;
  res = decode(b.data(), b.size(), out);
  CHECK(res.status == DecodeStatus::kOutOfRange);
  // Version 7 is not this decoder's.
  b[2] = 7;
  res = decode(b.data(), b.size(), out);
  CHECK(res.status == DecodeStatus::kBadVersion);
  CHECK(res.message.find("got wire version 7") != std::string::npos);
}

TEST_CASE("wire: the click_pv layer (id 9) is version 3; a version 2 report with it is refused") {
  Report r;
  r.data.counters[kPageViews] = 1;
  r.data.layers[kLayerClickPv].add(cell_index(40, 40), 1);
  std::vector<uint8_t> b = test::encode_version(r, 3);
  Report out;
  REQUIRE(decode(b.data(), b.size(), out).ok());
  CHECK(out == r);
  b[2] = 2;
  const DecodeResult res = decode(b.data(), b.size(), out);
  CHECK(res.status == DecodeStatus::kOutOfRange);
  CHECK(res.message.find("layer id 9 is unknown") != std::string::npos);
}

TEST_CASE("merge keeps the stable key, the same in any order") {
  Aggregate a, b, c;
  a.element(7)->counters[kElClicks] = 1;
  b.element(7)->stable = 99;
  b.element(7)->counters[kElClicks] = 1;
  c.element(7)->stable = 98;  // a hash collision: the smaller one wins, whatever the order
  Aggregate ab = a, ba = b;
  ab.merge(b);
  ba.merge(a);
  CHECK(ab == ba);
  CHECK(ab.find_element(7)->stable == 99);
  ab.merge(c);
  Aggregate cab = c;
  cab.merge(a);
  cab.merge(b);
  CHECK(ab == cab);
  CHECK(ab.find_element(7)->stable == 98);
}

TEST_CASE("compare pairs the same element across variants whose classes differ") {
  const char* in_a = "body>main>a#cta.btn.btn-primary";
  const char* in_b = "body>main>a#cta.btn.btn-accent";
  Aggregate a, b;
  a.counters[kPageViews] = b.counters[kPageViews] = 1000;
  ElementStats* ea = a.element(element_key(in_a, kP));
  ea->stable = stable_element_key(in_a, kP);
  ea->counters[kElPvClicked] = 100;
  ElementStats* eb = b.element(element_key(in_b, kP));
  eb->stable = stable_element_key(in_b, kP);
  eb->counters[kElPvClicked] = 150;
  const Comparison c = compare_segments(a, b, InsightOptions{});
  REQUIRE(c.rows.size() == 1);  // one button, not "0 % vs 15 %" and "10 % vs 0 %"
  CHECK(c.rows[0].key == stable_element_key(in_a, kP));
  CHECK(c.rows[0].rate_a == doctest::Approx(0.10));
  CHECK(c.rows[0].rate_b == doctest::Approx(0.15));
  CHECK(c.rows[0].significant);
}
