// Behaviour signals (wire version 4): hesitation, hover without click, exposure, form fields,
// quick exits, excessive scrolling, thrashed cursor and dead swipes, on scripted sessions whose
// expected counters are known by construction (thresholds: TrackerConfig, docs/configuration.md).
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "core/codec.h"
#include "core/tracker.h"

using namespace thermograph;

namespace {

constexpr uint32_t kButton = 7, kField = 9, kHero = 11;

struct Session {
  Tracker tr;
  Aggregate sent;

  explicit Session(double t = 0) {
    tr.segment().site = "site";
    tr.segment().page = "https://example.test/";
    tr.begin(t, 1280, 800, 4000);
    ev(kEvScroll, t, 0, 800, 4000);
  }
  void ev(double type, double t, double a = 0, double b = 0, double c = 0, double d = 0,
          double e = 0, double f = 0) {
    double rec[kEventSlots] = {type, t, a, b, c, d, e, f};
    tr.apply(rec);
  }
  void move(double t, double x, double y, uint32_t key = 0) {
    ev(kEvMove, t, x, y, key, kClickInteractive);
  }
  void click(double t, double x, double y, uint32_t key = 0) {
    ev(kEvClick, t, x, y, key, kClickInteractive, 0.5, 0.5);
  }
  void flush(double t, bool final = false) {
    std::vector<uint8_t> bytes(PageView::kMaxDeltaBytes);
    bytes.resize(tr.flush(t, final, bytes.data()));
    if (bytes.empty()) return;
    Report r;
    const auto res = decode(bytes.data(), bytes.size(), r);
    REQUIRE_MESSAGE(res.ok(), res.message);
    sent.merge(r.data);
  }
  uint32_t page(PageCounter c) const { return sent.counters[c]; }
  uint32_t el(uint32_t key, ElementCounter c) const {
    const ElementStats* e = sent.find_element(key);
    return e ? e->counters[c] : 0;
  }
};

}  // namespace

TEST_CASE("hesitation: from the pointer's first entry to the first click, bucketed") {
  struct Case {
    double enter, click;
    ElementCounter bucket;
  };
  // Bucket edges from kHesitationMs: [0, 1 s), [1 s, 3 s), [3 s, 10 s), 10 s and more.
  const Case cases[] = {{1000, 1200, kElHesitation0},  {1000, 1999, kElHesitation0},
                        {1000, 2000, kElHesitation1},  {1000, 3999, kElHesitation1},
                        {1000, 4000, kElHesitation2},  {1000, 10999, kElHesitation2},
                        {1000, 11000, kElHesitation3}, {1000, 40000, kElHesitation3}};
  for (const Case& c : cases) {
    CAPTURE(c.click - c.enter);
    Session s;
    s.move(c.enter, 100, 100, kButton);
    s.click(c.click, 100, 100, kButton);
    s.click(c.click + 50, 100, 100, kButton);  // a second click: no second sample
    s.flush(c.click + 100, true);
    for (int b = kElHesitation0; b <= kElHesitation3; ++b)
      CHECK(s.el(kButton, ElementCounter(b)) == (b == c.bucket ? 1u : 0u));
  }
}

TEST_CASE("hesitation counts from the first entry, even after the pointer left and came back") {
  Session s;
  s.move(1000, 100, 100, kButton);   // enters, rests 1 s
  s.move(2000, 600, 600, 0);         // leaves
  s.move(5000, 100, 100, kButton);   // back
  s.click(5500, 100, 100, kButton);  // 4.5 s after the first entry: 3-10 s
  s.flush(6000, true);
  CHECK(s.el(kButton, kElHesitation2) == 1);
  CHECK(s.el(kButton, kElHesitation0) == 0);
}

TEST_CASE("no hesitation without hover: taps and keyboard clicks") {
  Session s;
  s.click(3000, 100, 100, kButton);  // no pointer entered it (a finger, Enter on a focused link)
  s.flush(4000, true);
  CHECK(s.el(kButton, kElClicks) == 1);
  for (int b = kElHesitation0; b <= kElHesitation3; ++b)
    CHECK(s.el(kButton, ElementCounter(b)) == 0);
}

TEST_CASE("hovered but never clicked = pv_hovered - pv_hover_clicked, in either order") {
  for (const bool click_first : {false, true}) {
    CAPTURE(click_first);
    Session s;
    if (click_first) s.click(500, 100, 100, kButton);
    s.move(1000, 100, 100, kButton);
    s.move(2000, 600, 600, 0);  // 1 s of hover: pv_hovered (hover_pv_ms 500)
    if (!click_first) s.click(2500, 100, 100, kButton);
    s.flush(3000, true);
    CHECK(s.el(kButton, kElPvHovered) == 1);
    CHECK(s.el(kButton, kElPvHoverClicked) == 1);
  }
  Session s;  // hovered, never clicked
  s.move(1000, 100, 100, kButton);
  s.move(2000, 600, 600, 0);
  s.flush(3000, true);
  CHECK(s.el(kButton, kElPvHovered) == 1);
  CHECK(s.el(kButton, kElPvHoverClicked) == 0);
}

TEST_CASE("hover on an element neither interactive nor clicked is held back, then dropped") {
  // kHero is a section: moves over it carry no interactive flag.
  auto rest_on_hero = [](Session& s, double t) {
    s.ev(kEvMove, t, 300, 300, kHero, 0);
    s.move(t + 1000, 600, 600, 0);  // 1 s: past hover_pv_ms
  };
  Session s;
  rest_on_hero(s, 1000);
  s.flush(3000);
  CHECK(s.sent.find_element(kHero) == nullptr);  // held back
  CHECK(s.sent.layers[kLayerMove].get(cell_index(300, 300)) == 1000 / kDwellUnitMs);
  // A click on it (a dead click on a section) sends what was held, in the click's delta.
  s.ev(kEvClick, 4000, 300, 300, kHero, 0, 0.5, 0.5);
  s.flush(5000);
  CHECK(s.el(kHero, kElHover) == 1000 / kDwellUnitMs);
  CHECK(s.el(kHero, kElPvHovered) == 1);
  CHECK(s.el(kHero, kElPvHoverClicked) == 1);
  CHECK(s.el(kHero, kElHesitation2) == 1);  // 3 s from its first entry at 1 s

  Session never;
  rest_on_hero(never, 1000);
  never.flush(3000);
  never.flush(4000, true);
  CHECK(never.sent.find_element(kHero) == nullptr);  // dropped with the page view
  CHECK(never.sent.layers[kLayerMove].get(cell_index(300, 300)) == 1000 / kDwellUnitMs);
}

TEST_CASE("exposure: visible time in 100 ms units, exposed from exposure_ms at once") {
  Session s;
  s.ev(kEvExposure, 1000, 950, 0, kHero, 0);                     // 0.95 s: time, not exposed
  s.ev(kEvExposure, 3000, 1000, 0, kButton, kClickInteractive);  // 1 s: exposed
  s.ev(kEvExposure, 9000, 4000, 0, kButton, kClickInteractive);  // again: still one page view
  s.flush(10000, true);
  CHECK(s.el(kHero, kElExposure) == 9);
  CHECK(s.el(kHero, kElPvExposed) == 0);
  CHECK(s.el(kButton, kElExposure) == 50);
  CHECK(s.el(kButton, kElPvExposed) == 1);
  // Capped per page view at element_exposure_max, forged values ignored.
  Session t;
  t.ev(kEvExposure, 1000, 1e12, 0, kHero, 0);
  t.ev(kEvExposure, 1000, -5, 0, kButton, 0);
  t.ev(kEvExposure, 1000, NAN, 0, kButton, 0);
  t.flush(2000, true);
  CHECK(t.el(kHero, kElExposure) == Bounds{}.element_exposure_max);
  CHECK(t.sent.find_element(kButton) == nullptr);
}

TEST_CASE("form fields: focused, changed, submitted; abandoned = changed - submitted") {
  Session s;
  s.ev(kEvField, 1000, kFieldFocus, 0, kField, kClickInteractive);
  s.ev(kEvField, 1500, kFieldChange, 0, kField, kClickInteractive);
  s.ev(kEvField, 1600, kFieldFocus, 0, kButton, kClickInteractive);
  s.ev(kEvField, 2000, kFieldSubmit, 0, kField, kClickInteractive);
  s.ev(kEvField, 2000, kFieldSubmit, 0, kButton, kClickInteractive);  // never changed: no credit
  s.flush(3000, true);
  CHECK(s.el(kField, kElPvFocused) == 1);
  CHECK(s.el(kField, kElPvChanged) == 1);
  CHECK(s.el(kField, kElPvSubmitted) == 1);
  CHECK(s.el(kButton, kElPvFocused) == 1);
  CHECK(s.el(kButton, kElPvChanged) == 0);
  CHECK(s.el(kButton, kElPvSubmitted) == 0);
  Session a;  // changed, never submitted: abandoned
  a.ev(kEvField, 1000, kFieldChange, 0, kField, kClickInteractive);
  a.ev(kEvField, 1000, kFieldChange, 0, kField, kClickInteractive);
  a.flush(9000, true);
  CHECK(a.el(kField, kElPvChanged) == 1);
  CHECK(a.el(kField, kElPvSubmitted) == 0);
  CHECK(a.page(kPvQuickExit) == 0);  // using a field is interaction
}

TEST_CASE("quick exit: ends within quick_exit_ms without a click, tap or field") {
  struct Case {
    double end;
    bool clicked, final, quick;
  };
  const Case cases[] = {{4999, false, true, true},
                        {5000, false, true, false},
                        {2000, true, true, false},
                        {2000, false, false, false},
                        {60000, false, true, false}};
  for (const Case& c : cases) {
    CAPTURE(c.end);
    CAPTURE(c.clicked);
    Session s(1000);
    if (c.clicked) s.click(1500, 100, 100);
    s.flush(1000 + c.end, c.final);
    CHECK(s.page(kPvQuickExit) == (c.quick ? 1u : 0u));
  }
}

TEST_CASE("excessive scrolling: scroll_reversals quick reversals of legs of scroll_leg_px") {
  auto run = [](std::vector<double> tops, double step_ms) {
    Session s;
    double t = 1000;
    for (double top : tops) s.ev(kEvScroll, t += step_ms, top, 800, 4000);
    s.flush(t + 100, true);
    return s.page(kPvScrollThrash);
  };
  // Down, up, down, up, down: 4 reversals of 300 px legs, 500 ms apart.
  CHECK(run({300, 600, 300, 600, 300, 600}, 250) == 1);
  CHECK(run({600, 0, 600, 0, 600}, 500) == 1);
  CHECK(run({600, 0, 600, 0}, 500) == 0);        // 3 reversals
  CHECK(run({600, 0, 600, 0, 600}, 2500) == 0);  // each reversal too slow after the last
  CHECK(run({600, 550, 600, 550, 600, 550, 600}, 100) == 0);  // 50 px wobbles are no legs
  CHECK(run({100, 200, 300, 400, 500, 600, 700}, 100) == 0);  // reading down
}

TEST_CASE("thrashed cursor: cursor_reversals quick back-and-forth moves, either axis") {
  auto run = [](bool vertical, double amplitude, double step_ms, int swings) {
    Session s;
    double t = 1000;
    for (int i = 0; i <= swings; ++i) {
      const double d = i % 2 ? amplitude : 0;
      s.move(t += step_ms, vertical ? 400 : 400 + d, vertical ? 300 + d : 300);
    }
    s.flush(t + 100, true);
    return s.page(kPvCursorThrash);
  };
  CHECK(run(false, 80, 120, 6) == 1);   // 5 reversals of 80 px, 120 ms apart
  CHECK(run(true, 80, 120, 6) == 1);    // the same up and down
  CHECK(run(false, 80, 120, 5) == 0);   // 4 reversals
  CHECK(run(false, 20, 120, 12) == 0);  // 20 px: a tremor, not a leg
  CHECK(run(false, 80, 700, 12) == 0);  // slow sweeps
}

TEST_CASE("dead swipe: a touch swipe nothing answered; a reaction makes it alive") {
  Session s;
  s.ev(kEvSwipe, 1000, 200, 300);
  s.flush(5000, false);
  CHECK(s.page(kPvDeadSwipe) == 1);
  CHECK(s.page(kPvDead) == 0);  // not a dead click
  CHECK(s.sent.layers[kLayerClicks].empty());
  Session a;
  a.ev(kEvSwipe, 1000, 200, 300);
  a.ev(kEvReaction, 1400, kReactMutation);  // a carousel moved
  a.flush(5000, false);
  CHECK(a.page(kPvDeadSwipe) == 0);
  Session e;  // an error after a swipe blames no click
  e.click(500, 100, 100, kButton);
  e.ev(kEvSwipe, 1000, 200, 300);
  e.ev(kEvError, 1100);
  e.flush(5000, false);
  CHECK(e.el(kButton, kElError) == 1);
}

TEST_CASE("thresholds are configurable; 0 reversals turns a signal off") {
  Session s;
  s.tr.config().scroll_reversals = 2;
  double t = 1000;
  for (double top : {600.0, 0.0, 600.0}) s.ev(kEvScroll, t += 500, top, 800, 4000);
  s.tr.config().cursor_reversals = 0;
  for (int i = 0; i < 10; ++i) s.move(2000 + i * 100, 400 + (i % 2) * 100, 300);
  s.tr.config().quick_exit_ms = 60000;
  s.flush(30000, true);
  CHECK(s.page(kPvScrollThrash) == 1);
  CHECK(s.page(kPvCursorThrash) == 0);
  CHECK(s.page(kPvQuickExit) == 1);
}

TEST_CASE("exit element: the last interaction's element, and the seconds from it to the end") {
  Session s;
  s.click(1000, 100, 100, kButton);
  s.ev(kEvField, 2000, kFieldChange, 0, kField, kClickInteractive);
  s.click(3000, 100, 100, kButton);  // the last interaction
  s.flush(10000, false);
  CHECK(s.el(kButton, kElPvExit) == 0);  // not ended yet
  s.flush(15500, true);
  CHECK(s.el(kButton, kElPvExit) == 1);
  CHECK(s.el(kButton, kElExitSeconds) == 12);
  CHECK(s.el(kField, kElPvExit) == 0);
  Session f;  // a field last
  f.click(1000, 100, 100, kButton);
  f.ev(kEvField, 2000, kFieldChange, 0, kField, kClickInteractive);
  f.flush(2500, true);
  CHECK(f.el(kField, kElPvExit) == 1);
  CHECK(f.el(kField, kElExitSeconds) == 0);
  CHECK(f.el(kButton, kElPvExit) == 0);
  Session n;  // no interaction: no exit element
  n.move(1000, 100, 100, kButton);
  n.flush(9000, true);
  CHECK(n.el(kButton, kElPvExit) == 0);
}
