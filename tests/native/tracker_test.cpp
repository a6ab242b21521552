#include "core/tracker.h"

#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <vector>

#include "core/codec.h"
#include "test_util.h"

using namespace thermograph;

namespace {

struct Session {
  Tracker tr;
  std::vector<uint8_t> bytes;
  Aggregate sent;  // the sum of every delta, as the collector would hold it

  Session() {
    tr.segment().site = "site";
    tr.segment().page = "https://example.test/";
    tr.begin(0, 1280, 800, 4000);
    ev(kEvScroll, 0, 0, 800, 4000);
  }
  void ev(double type, double t, double a = 0, double b = 0, double c = 0, double d = 0,
          double e = 0, double f = 0) {
    double rec[kEventSlots] = {type, t, a, b, c, d, e, f};
    tr.apply(rec);
  }
  void click(double t, double x, double y, uint32_t key = 0, uint32_t flags = 0) {
    ev(kEvClick, t, x, y, key, flags, 0.5, 0.5);
  }
  void flush(double t, bool final = false) {
    bytes.resize(PageView::kMaxDeltaBytes);
    bytes.resize(tr.flush(t, final, bytes.data()));
    if (bytes.empty()) return;
    Report r;
    auto res = decode(bytes.data(), bytes.size(), r);
    REQUIRE_MESSAGE(res.ok(), res.message);
    sent.merge(r.data);
  }
};

}  // namespace

// The tracker's element sub-cell is cell_of(rel * kSubGrid * kCellPx, kSubGrid): the same as
// rel * kSubGrid clamped to [0, kSubGrid - 1] (NaN and negatives 0), because scaling by powers of
// two is exact. Checked against that plain formula on edge values and random doubles.
TEST_CASE("element sub-cells: cell_of on rel * 256 is rel * 16 clamped") {
  auto plain = [](double rel) -> uint32_t {
    if (!(rel > 0)) return 0;
    const double c = rel * kSubGrid;
    return c >= kSubGrid - 1 ? kSubGrid - 1 : static_cast<uint32_t>(c);
  };
  std::vector<double> rels = {0.0,    -0.0,    1e-320,  5e-324,   0.0624999, 0.0625,
                              0.9375, 0.93749, 0.99999, 1.0,      1.5,       -0.5,
                              1e300,  1e308,   1.7e308, INFINITY, -INFINITY, NAN};
  test::Rng rng{7};
  for (int i = 0; i < 100000; ++i) {
    const double r = static_cast<double>(rng.next() >> 11) / 9007199254740992.0;  // [0, 1)
    rels.push_back(r);
    rels.push_back(r * 2 - 0.5);
  }
  for (double rel : rels) {
    CAPTURE(rel);
    CHECK(cell_of(rel * (kSubGrid * kCellPx), kSubGrid) == plain(rel));
  }
}

TEST_CASE("a click lands in its 16 px page cell and on its element") {
  Session s;
  s.ev(kEvReaction, 1, kReactMutation);
  s.click(1000, 100, 200, 42, kClickInteractive);
  s.ev(kEvReaction, 1100, kReactMutation);
  s.flush(5000);
  CHECK(s.sent.layers[kLayerClicks].get(cell_index(100, 200)) == 1);
  CHECK(s.sent.layers[kLayerClicks].size() == 1);
  const ElementStats* el = s.sent.find_element(42);
  REQUIRE(el);
  CHECK(el->counters[kElClicks] == 1);
  CHECK(el->counters[kElPvClicked] == 1);
  CHECK(el->flags == kElInteractive);
  CHECK(el->cells.get(8 * kSubGrid + 8) == 1);
  CHECK(s.sent.counters[kPvDead] == 0);  // the mutation answered it
  CHECK(s.sent.counters[kPageViews] == 1);
}

TEST_CASE("rage: three close clicks within 1 s gaps count once per burst") {
  Session s;
  for (int i = 0; i < 6; ++i) s.click(1000 + i * 300, 300 + i * 2, 300, 7);
  s.click(5000, 300, 300, 7);  // after a pause: a new burst of one
  s.flush(9000, true);
  CHECK(s.sent.layers[kLayerClicks].sum() == 7);
  CHECK(s.sent.layers[kLayerRage].sum() == 1);
  CHECK(s.sent.find_element(7)->counters[kElRage] == 1);
  CHECK(s.sent.counters[kPvRage] == 1);
}

TEST_CASE("rage: spread-out or slow clicks and no-rage targets are not rage") {
  Session s;
  s.click(1000, 100, 100);
  s.click(1500, 200, 100);  // 100 px away
  s.click(2000, 300, 100);
  s.click(4000, 500, 500);
  s.click(5100, 500, 500);  // 1.1 s gap
  s.click(6200, 500, 500);
  for (int i = 0; i < 5; ++i) s.click(8000 + i * 100, 700, 700, 9, kClickNoRage);  // stepper
  s.flush(20000, true);
  CHECK(s.sent.layers[kLayerRage].empty());
}

TEST_CASE("dead clicks: no reaction within the window, reactions and opt-outs keep clicks alive") {
  Session s;
  s.click(1000, 50, 50, 1);   // nothing happens: dead
  s.click(2000, 150, 50, 2);  // mutation 2 s later: alive
  s.ev(kEvReaction, 4000, kReactMutation);
  s.click(6000, 250, 50, 3);  // scroll 50 ms later: alive
  s.ev(kEvReaction, 6050, kReactScroll);
  s.click(9000, 350, 50, 4);  // scroll 500 ms later: too late, dead
  s.ev(kEvReaction, 9500, kReactScroll);
  s.click(12000, 450, 50, 5, kClickNoDead);  // a link: never dead
  s.flush(20000);
  CHECK(s.sent.layers[kLayerDead].sum() == 2);
  CHECK(s.sent.find_element(1)->counters[kElDead] == 1);
  CHECK(s.sent.find_element(4)->counters[kElDead] == 1);
  CHECK(s.sent.find_element(2)->counters[kElDead] == 0);
  CHECK(s.sent.find_element(5)->counters[kElDead] == 0);
}

TEST_CASE("dead: the final flush settles young clicks as alive (navigation)") {
  Session s;
  s.click(1000, 50, 50, 1);
  s.flush(1500, true);
  CHECK(s.sent.layers[kLayerDead].empty());
  CHECK_FALSE(s.tr.active());
}

TEST_CASE("error clicks: an uncaught error within 1 s blames the latest click once") {
  Session s;
  s.click(1000, 50, 50, 1);
  s.ev(kEvError, 1400);
  s.ev(kEvError, 1500);  // a second error for the same click is not a second error click
  s.click(3000, 150, 50, 2);
  s.ev(kEvError, 4500);  // 1.5 s later: unrelated
  s.flush(10000, true);
  CHECK(s.sent.layers[kLayerError].sum() == 1);
  CHECK(s.sent.find_element(1)->counters[kElError] == 1);
  CHECK(s.sent.counters[kPvError] == 1);
}

TEST_CASE("fixed elements: viewport cells, flagged, no page-cell frustration") {
  Session s;
  s.ev(kEvScroll, 10, 2000, 800, 4000);
  s.click(1000, 20, 20, 5, kClickFixed | kClickInteractive);
  s.flush(2000, true);
  CHECK(s.sent.layers[kLayerFixedClicks].get(cell_index(20, 20)) == 1);
  CHECK(s.sent.layers[kLayerClicks].empty());
  CHECK(s.sent.find_element(5)->flags == (kElFixed | kElInteractive));
}

TEST_CASE("dwell: a resting pointer earns quantized time on its cell and element") {
  Session s;
  s.ev(kEvMove, 1000, 500, 500, 11, kClickInteractive, 0.5, 0.5);
  s.ev(kEvMove, 3000, 900, 900, 0, 0, 0, 0);  // rested 2 s on (500,500)
  s.ev(kEvPointerOut, 3500);                  // 0.5 s on (900,900), then left
  s.flush(20000);
  CHECK(s.sent.layers[kLayerMove].get(cell_index(500, 500)) == 2000 / kDwellUnitMs);
  CHECK(s.sent.layers[kLayerMove].get(cell_index(900, 900)) == 500 / kDwellUnitMs);
  CHECK(s.sent.find_element(11)->counters[kElHover] == 2000 / kDwellUnitMs);
  CHECK(s.sent.find_element(11)->counters[kElPvHovered] == 1);
}

TEST_CASE(
    "dwell: a hand that jitters inside one cell is resting; a move to another cell starts over") {
  Session s;
  // 1 s of samples every 16 ms, alternating 1 px inside the cell of (500, 500): 1 s of rest.
  for (int i = 0; i <= 62; ++i)
    s.ev(kEvMove, 1000 + i * 16, 500 + i % 2, 500, 11, kClickInteractive, 0.5, 0.5);
  // 0.5 s gliding across cells 16 px apart, 16 ms each: no cell is rested on for a dwell unit.
  for (int i = 1; i <= 31; ++i) s.ev(kEvMove, 2000 + i * 16, 500 + i * 16, 500, 0, 0, 0, 0);
  s.ev(kEvPointerOut, 2500);
  s.flush(20000);
  // 1,016 ms on the cell: the samples' 992 ms and the 24 ms until the first glide sample.
  CHECK(s.sent.layers[kLayerMove].get(cell_index(500, 500)) == 1016 / kDwellUnitMs);
  CHECK(s.sent.layers[kLayerMove].sum() == 1016 / kDwellUnitMs);
  CHECK(s.sent.find_element(11)->counters[kElHover] == 1016 / kDwellUnitMs);
  CHECK(s.sent.find_element(11)->counters[kElPvHovered] == 1);
}

TEST_CASE("dwell: rest is credited in whole steps; a glide over cells earns nothing") {
  Session s;
  // A slow glide: 90 ms on each of 5 cells 16 px apart, 190 ms on a sixth, 30 ms on a seventh.
  for (int i = 0; i <= 5; ++i) s.ev(kEvMove, 1000 + i * 90, 200 + i * 16, 200, 0, 0, 0, 0);
  s.ev(kEvMove, 1000 + 5 * 90 + 190, 900, 900, 0, 0, 0, 0);
  s.ev(kEvPointerOut, 1670);
  s.flush(20000);
  const SparseVec& move = s.sent.layers[kLayerMove];
  for (int i = 0; i < 5; ++i) CHECK(move.get(cell_index(200 + i * 16, 200)) == 0);
  CHECK(move.get(cell_index(280, 200)) == kDwellStepMs / kDwellUnitMs);  // one whole step
  CHECK(move.size() == 1);
}

TEST_CASE(
    "hover: stays shorter than hover_pv_ms pass through; the one that reaches it counts whole") {
  Session s;
  // 400 ms on element 11 (the move layer keeps it), 450 ms on 12, then 600 ms on 11 again.
  s.ev(kEvMove, 1000, 500, 500, 11, kClickInteractive, 0, 0);
  s.ev(kEvMove, 1400, 900, 500, 12, kClickInteractive, 0, 0);
  s.ev(kEvMove, 1850, 500, 900, 11, kClickInteractive, 0, 0);
  s.ev(kEvMove, 2450, 900, 900, 0, 0, 0, 0);
  s.ev(kEvPointerOut, 2500);
  s.flush(20000);
  CHECK(s.sent.layers[kLayerMove].get(cell_index(500, 500)) == 400 / kDwellUnitMs);
  CHECK(s.sent.layers[kLayerMove].get(cell_index(900, 500)) == 400 / kDwellUnitMs);  // of 450
  CHECK(s.sent.find_element(12) == nullptr);
  CHECK(s.sent.find_element(11)->counters[kElHover] == 600 / kDwellUnitMs);
  CHECK(s.sent.find_element(11)->counters[kElPvHovered] == 1);
}

TEST_CASE("attention and reach follow the viewport; idle time is not attention") {
  Session s;                               // viewport 0..800 of a 4000 px page
  s.ev(kEvScroll, 2000, 1200, 800, 4000);  // 2 s on bands 0..7, then 1200..2000
  s.flush(3000);                           // 1 s on bands 12..19
  CHECK(s.sent.layers[kLayerAttention].get(0) == 20);
  CHECK(s.sent.layers[kLayerAttention].get(7) == 20);
  CHECK(s.sent.layers[kLayerAttention].get(8) == 0);
  CHECK(s.sent.layers[kLayerAttention].get(12) == 10);
  CHECK(s.sent.layers[kLayerReachPx].size() == 20);      // bottom at 2000 px: bands 0..19
  CHECK(s.sent.layers[kLayerReachPct].size() == 51);     // 2000/4000 = 50 %
  s.flush(200000);                                       // long idle: only 30 s more count
  CHECK(s.sent.layers[kLayerAttention].get(12) == 300);  // 3 s..32 s (idle after 30 s)
  CHECK(s.sent.counters[kEngagedSeconds] == 32);
}

TEST_CASE("goals mark conversions and the clicked elements") {
  Session s;
  s.click(1000, 10, 10, 3, kClickNoDead);
  s.ev(kEvGoal, 2000);
  s.click(3000, 40, 10, 4, kClickNoDead);
  s.flush(4000, true);
  CHECK(s.sent.counters[kConversions] == 1);
  CHECK(s.sent.find_element(3)->counters[kElPvConverted] == 1);
  CHECK(s.sent.find_element(4)->counters[kElPvConverted] == 1);
}

TEST_CASE("hostile event values never crash and never land at NaN cells") {
  Session s;
  const double nan = 0.0 / 0.0, inf = 1.0 / 0.0;
  s.ev(kEvClick, 100, nan, inf, nan, nan, nan, nan);
  s.ev(kEvScroll, 200, -inf, nan, inf);
  s.ev(kEvMove, nan, 1, 1);
  s.ev(250, 300);
  s.ev(-1e300, 310, 1, 1, -5, 1e300);
  s.ev(kEvClick, 320, 5, 5, -1, 1e20, -1e9, 1e9);  // hostile key/flags: no element, no UB
  s.ev(kEvClick, 50, 1, 1);                        // time going backwards is ignored
  s.flush(1000, true);
  CHECK(s.sent.layers[kLayerClicks].sum() == 2);
}

TEST_CASE("records of unknown types are ignored: they do not move the clock") {
  Session s;
  s.ev(kEvMove, 1000, 500, 500, 0, 0, 0, 0);
  for (const double type : {0.0, kEvExposure + 1.0, 250.0, -1e300, 1e300, nan("")})
    s.ev(type, 3000);
  s.ev(kEvPointerOut, 2000);  // still in order: the pointer rested 1 s, not 2
  s.flush(20000);
  CHECK(s.sent.layers[kLayerMove].get(cell_index(500, 500)) == 1000 / kDwellUnitMs);
}

TEST_CASE("a typical 60 s page view encodes to at most 1 KB") {
  // 300 pointer samples (20 gestures of 15 frames at 60 Hz, each followed by a ~2.5 s rest),
  // 10 clicks, 20 scroll steps on a 6000 px page; flushed after 30 s and at the end, as the
  // tracker does (js/tracker/lifecycle.js: 30 s, then every 60 s, and at pagehide).
  test::Rng rng{2026};
  Session s;
  size_t total_bytes = 0, flushes = 0;
  double t = 0, x = 640, y = 400, next_flush = 30000;
  for (int g = 0; g < 20; ++g) {
    const double top = g * 250.0;
    s.ev(kEvScroll, t += 100, top, 800, 6000);
    const double tx = 100 + rng.below(1000), ty = top + 100 + rng.below(600);
    for (int f = 1; f <= 15; ++f) {
      t += 16.7;
      s.ev(kEvMove, t, x + (tx - x) * f / 15, y + (ty - y) * f / 15, 1000 + g % 12, 0, f / 15.0,
           0.5);
    }
    x = tx;
    y = ty;
    if (g % 2 == 0) {
      s.click(t += 300, x, y, 1000 + g % 12, kClickInteractive);
      s.ev(kEvReaction, t + 30, kReactMutation);
    }
    t += 2400;
    if (t >= next_flush) {
      s.flush(t);
      total_bytes += s.bytes.size();
      ++flushes;
      next_flush += 60000;
    }
  }
  s.flush(t, true);
  total_bytes += s.bytes.size();
  ++flushes;
  std::printf("typical 60 s page view: %zu bytes on the wire in %zu deltas (%.0f s)\n", total_bytes,
              flushes, t / 1000);
  CHECK(total_bytes <= 1024);
  CHECK(s.sent.layers[kLayerClicks].sum() == 10);
  CHECK(s.sent.layers[kLayerMove].size() >= 20);
}

TEST_CASE("forged keys and flags outside [0, 2^32) count as none, on every target") {
  Session s;
  s.click(1000, 10, 10, 0, 0);
  s.ev(kEvClick, 2000, 40, 10, 4294967301.0, -1, 0.5, 0.5);
  s.ev(kEvClick, 3000, 80, 10, -7, 1e300, 0.5, 0.5);
  s.flush(4000, true);
  CHECK(s.sent.layers[kLayerClicks].sum() == 3);
  CHECK(s.sent.layers[kLayerFixedClicks].empty());  // flags 0: not fixed
  CHECK(s.sent.elements().empty());
}

// Micro-survey triggers (take_signals, the visitor's tg_apply answer): each verdict raises its bit
// once, with the element of the click that raised it; reading clears both.
TEST_CASE("survey signals: rage, dead, error and the first goal raise their bits; reading clears") {
  Session s;
  CHECK(s.tr.take_signals() == 0);
  for (int i = 0; i < 3; ++i) s.click(1000 + i * 200, 300, 300, 7, kClickNoDead);
  CHECK(s.tr.take_signals() == kSignalRage);
  CHECK(s.tr.take_signal_key() == 7);
  CHECK(s.tr.take_signals() == 0);
  CHECK(s.tr.take_signal_key() == 0);

  s.click(5000, 50, 50, 9);         // dead once its window has passed without a reaction
  s.ev(kEvReaction, 6000, 0);       // kind 0: only moves the clock (the tracker's tick)
  CHECK(s.tr.take_signals() == 0);  // 1 s: not yet judged
  s.ev(kEvReaction, 7600, 0);       // 2.6 s: dead
  CHECK(s.tr.take_signals() == kSignalDead);
  CHECK(s.tr.take_signal_key() == 9);

  s.click(9000, 150, 50, 11);  // answered by a mutation: alive, no signal
  s.ev(kEvReaction, 9500, kReactMutation);
  s.ev(kEvReaction, 12000, 0);
  CHECK(s.tr.take_signals() == 0);

  s.click(13000, 250, 50, 12, kClickNoDead);  // an error click raises its own bit
  s.ev(kEvError, 13200);
  CHECK(s.tr.take_signals() == kSignalError);
  CHECK(s.tr.take_signal_key() == 12);
  s.ev(kEvReaction, 16000, 0);
  CHECK(s.tr.take_signals() == 0);

  s.ev(kEvGoal, 17000);
  s.ev(kEvGoal, 17500);  // the goal is reached once per page view
  CHECK(s.tr.take_signals() == kSignalGoal);
  CHECK(s.tr.take_signal_key() == 0);
  s.ev(kEvGoal, 18000);
  CHECK(s.tr.take_signals() == 0);

  // Rage and dead in one batch: both bits, the latest click's element.
  for (int i = 0; i < 3; ++i) s.click(20000 + i * 200, 600, 600, 21, kClickNoDead);
  s.click(21000, 800, 800, 22);
  s.ev(kEvReaction, 24000, 0);
  CHECK(s.tr.take_signals() == (kSignalRage | kSignalDead));
  CHECK(s.tr.take_signal_key() == 22);

  // A dead verdict at flush is kept for the next read; a new page view starts clear.
  s.click(30000, 50, 900, 31);
  s.flush(34000);
  CHECK(s.tr.take_signals() == kSignalDead);
  s.click(35000, 50, 950, 32);
  s.flush(39000);
  s.tr.begin(40000, 1280, 800, 4000);
  CHECK(s.tr.take_signals() == 0);
  CHECK(s.tr.take_signal_key() == 0);
}
