// The fixed-capacity page view and the tracker over it must send exactly the bytes the
// vector-based implementation sent (tests/native/reference/, frozen before the change), for the
// same inputs: random operation sequences and random sessions, many seeds.
#include <doctest/doctest.h>

#include <cmath>
#include <vector>

#include "core/codec.h"
#include "core/pageview.h"
#include "core/tracker.h"
#include "reference/ref_pageview.h"
#include "reference/ref_tracker.h"
#include "test_util.h"

using namespace thermograph;

namespace {

// Bounds at or below the capacities (the visitor's compile-time maxima), sometimes tiny so that
// every cap is hit.
Bounds random_bounds(test::Rng& rng) {
  Bounds b;
  if (rng.below(3) == 0) return b;
  auto pick = [&](uint32_t max) { return rng.below(2) ? max : rng.below(max + 1); };
  b.click_cells = pick(kMaxClickCells);
  b.click_max = pick(20);
  b.move_cells = pick(kMaxMoveCells);
  b.move_max = pick(200);
  b.frustration_cells = pick(kMaxFrustrationCells);
  b.frustration_max = pick(10);
  b.attention_max = pick(3000);
  b.elements = rng.below(2) ? kMaxElements : rng.below(8);
  b.element_cells = rng.below(2) ? kMaxElementCells : rng.below(5);
  b.element_event_max = pick(20);
  b.element_hover_max = pick(600);
  b.engaged_seconds_max = pick(3600);
  return b;
}

FixedSegment random_segment(test::Rng& rng) {
  FixedSegment s;
  s.site = std::string(rng.below(70), 's');
  s.page = "https://example.test/" + std::string(rng.below(600), 'p');
  s.width_class = static_cast<uint8_t>(rng.below(5));
  s.device = static_cast<uint8_t>(rng.below(4));
  s.logged_in = rng.below(2);
  s.variant = rng.below(2) ? "B" : "";
  s.tracker_version = static_cast<uint16_t>(rng.below(70000));
  for (uint32_t i = rng.below(11); i > 0; --i)
    s.set_tag(std::string(1, char('a' + rng.below(12))), std::string(rng.below(70), 'v'));
  return s;
}

std::vector<uint8_t> reference_delta(ref::PageView& pv, const Segment& seg) {
  Report r;
  r.segment = seg;
  r.data = pv.take_delta();
  return r.data.empty() ? std::vector<uint8_t>{} : encode(r);
}

std::vector<uint8_t> fixed_delta(PageView& pv, const FixedSegment& seg) {
  std::vector<uint8_t> out(PageView::kMaxDeltaBytes);
  out.resize(pv.encode_delta(seg, out.data()));
  return out;
}

}  // namespace

TEST_CASE("fixed page view sends the reference bytes for random operations (property)") {
  constexpr Layer kSparse[] = {kLayerClicks, kLayerMove,        kLayerRage,     kLayerDead,
                               kLayerError,  kLayerFixedClicks, kLayerAttention};
  for (uint64_t seed = 1; seed <= 400; ++seed) {
    CAPTURE(seed);
    test::Rng rng{seed};
    const Bounds bounds = random_bounds(rng);
    const FixedSegment seg = random_segment(rng);
    const Segment ref_seg = seg.to_segment();
    static PageView pv;  // static: 80 KB, as in the visitor
    ref::PageView ref(bounds);
    const uint32_t fold = rng.below(70000);
    pv.begin(bounds, fold);
    ref.begin(fold);
    const bool huge = seed % 9 == 0;  // values near 2^32 exercise saturation
    for (int op = 0; op < 600; ++op) {
      const uint32_t value = huge ? 0xfffffff0u + rng.below(16) : rng.below(6);
      switch (rng.below(8)) {
        case 0:
        case 1: {
          const Layer l = kSparse[rng.below(7)];
          const uint32_t index =
              rng.below(4) ? rng.below(700) : rng.below(kGridCols * kGridRows + 5);
          CHECK(pv.add(l, index, value) == ref.add(l, index, value));
          break;
        }
        case 2: {
          const auto c = static_cast<PageCounter>(rng.below(kPageCounterCount + 1));
          pv.set_counter(c, value);
          ref.set_counter(c, value);
          break;
        }
        case 3:
        case 4: {
          const uint32_t key =
              rng.below(4) ? rng.below(40) * 0x01000193u : static_cast<uint32_t>(rng.next());
          const auto flags = static_cast<uint8_t>(rng.below(8));
          PageView::Element* el = pv.element(key, flags);
          ElementStats* rel = ref.element(key, flags);
          REQUIRE((el == nullptr) == (rel == nullptr));
          if (!el) break;
          for (int k = rng.below(4); k > 0; --k) {
            const auto c = static_cast<ElementCounter>(rng.below(kElementCounterCount + 1));
            pv.add_element(*el, c, value);
            ref.add_element(*rel, c, value);
            const uint32_t sub = rng.below(270);
            CHECK(pv.add_element_cell(*el, sub) == ref.add_element_cell(*rel, sub));
          }
          break;
        }
        case 5: {
          const uint32_t band = rng.below(4) ? rng.below(60) : rng.below(2000);
          const uint32_t pct = rng.below(4) ? rng.below(101) : rng.below(300);
          pv.reach(band, pct);
          ref.reach(band, pct);
          break;
        }
        case 6:
          if (rng.below(8) == 0) REQUIRE(fixed_delta(pv, seg) == reference_delta(ref, ref_seg));
          break;
        default:
          if (PageView::Element* el = pv.find_element(rng.below(40) * 0x01000193u)) {
            ElementStats* rel = ref.find_element(el->key);
            REQUIRE(rel);
            pv.add_element(*el, kElHover, value);
            ref.add_element(*rel, kElHover, value);
          }
          break;
      }
    }
    REQUIRE(fixed_delta(pv, seg) == reference_delta(ref, ref_seg));
    CHECK(fixed_delta(pv, seg).empty());
    CHECK(pv.totals() == ref.totals());
  }
}

TEST_CASE("bounds above the capacities are clamped to them") {
  Bounds b;
  b.click_cells = 1000;
  b.elements = 1000;
  static PageView pv;
  pv.begin(b, 0);
  for (uint32_t i = 0; i < 100; ++i) pv.add(kLayerClicks, i, 1);
  for (uint32_t i = 1; i <= 200; ++i) pv.element(i, 0);
  const Aggregate totals = pv.totals();
  CHECK(totals.layers[kLayerClicks].size() == kMaxClickCells);
  CHECK(totals.elements().size() == kMaxElements);
  CHECK_FALSE(pv.add(kLayerReachPx, 3, 1));  // reach layers change only through reach()
}

namespace {

// One random event record; mostly plausible, sometimes hostile. Clicks often repeat the
// previous click nearby and soon after, so rage bursts happen.
void random_event(test::Rng& rng, double& t, double* ev, const double* prev) {
  if (prev[0] == double(kEvClick) && rng.below(3) != 0) {
    for (int i = 0; i < kEventSlots; ++i) ev[i] = prev[i];
    ev[1] = t += rng.below(900);
    ev[2] += rng.below(20);
    return;
  }
  t += rng.below(10) == 0 ? rng.below(40000) : rng.below(700);
  if (rng.below(50) == 0) t -= rng.below(3000);  // clocks that jump back are ignored
  const double nan = std::nan("");
  ev[0] = rng.below(60) == 0 ? rng.below(20) : 1 + rng.below(9);
  ev[1] = rng.below(300) == 0 ? nan : t;
  const double x = rng.below(5) ? 300 + rng.below(80) : rng.below(5000);  // clustered: rage
  const double y = rng.below(5) ? 400 + rng.below(80) : rng.below(20000);
  const double key = rng.below(5) == 0 ? 0 : rng.below(3) ? 1 + rng.below(12) : rng.below(1u << 31);
  switch (static_cast<int>(ev[0])) {
    case kEvMove:
    case kEvClick:
      ev[2] = x, ev[3] = y, ev[4] = key, ev[5] = rng.below(16);
      ev[6] = rng.below(1000) / 999.0, ev[7] = rng.below(1000) / 999.0;
      break;
    case kEvScroll:
      ev[2] = rng.below(15000), ev[3] = 200 + rng.below(1200), ev[4] = rng.below(30000);
      break;
    case kEvReaction:
      ev[2] = rng.below(7);
      break;
    case kEvVisibility:
      ev[2] = rng.below(3) ? 1 : 0;
      break;
    default:
      break;
  }
  constexpr double kHostile[] = {-1e300, 1e300, -5, 4294967301.0, 1e12};
  if (rng.below(100) == 0) ev[2 + rng.below(6)] = rng.below(3) ? kHostile[rng.below(5)] : nan;
}

}  // namespace

TEST_CASE("tracker sends the reference bytes for random sessions (property)") {
  static Tracker tr;  // static: as in the visitor (and too large for some test stacks)
  for (uint64_t seed = 1; seed <= 1000; ++seed) {
    CAPTURE(seed);
    test::Rng rng{seed};
    ref::Tracker ref;
    tr.bounds() = ref.bounds() = random_bounds(rng);
    tr.segment() = random_segment(rng);
    ref.segment() = tr.segment().to_segment();
    TrackerConfig c;  // the static tracker keeps its config across seeds: always set it
    if (rng.below(2)) {
      c.rage_clicks = 2 + rng.below(3);
      c.rage_radius_px = rng.below(60);
      c.dead_mutation_ms = rng.below(4000);
      c.error_window_ms = rng.below(3000);
      c.idle_ms = 1000 + rng.below(40000);
    }
    tr.config() = ref.config() = c;
    double t = rng.below(1000);
    for (int view = 0; view < 3; ++view) {  // SPA navigations start new page views
      const double vw = rng.below(2000), vh = rng.below(1200), dh = rng.below(30000);
      tr.begin(t, vw, vh, dh);
      ref.begin(t, vw, vh, dh);
      Aggregate sum;
      double prev[kEventSlots] = {};
      std::vector<uint8_t> bytes(PageView::kMaxDeltaBytes), ref_bytes;
      const int events = static_cast<int>(rng.below(400));
      for (int i = 0; i <= events; ++i) {
        const bool last = i == events;
        if (!last) {
          double ev[kEventSlots] = {};
          random_event(rng, t, ev, prev);
          tr.apply(ev);
          ref.apply(ev);
          std::copy(ev, ev + kEventSlots, prev);
        }
        if (!last && rng.below(25) != 0) continue;
        const bool final = last;
        const double ft = rng.below(40) == 0 ? std::nan("") : t + rng.below(3000);
        const size_t n = tr.flush(ft, final, bytes.data());
        const bool ref_sent = ref.flush(ft, final, ref_bytes);
        REQUIRE(std::vector<uint8_t>(bytes.begin(), bytes.begin() + n) == ref_bytes);
        REQUIRE((n != 0) == ref_sent);
        CHECK(tr.active() == ref.active());
        if (n) {
          Report r;
          const DecodeResult res = decode(bytes.data(), n, r);
          REQUIRE_MESSAGE(res.ok(), res.message);
          sum.merge(r.data);
        }
      }
      // The deltas add up to the totals, except what was never news: elements admitted without
      // any count, and flags an element gained after its last delta.
      const Aggregate totals = tr.page_view().totals();
      CHECK(sum.counters == totals.counters);
      CHECK(sum.layers == totals.layers);
      for (const auto& [key, el] : totals.elements()) {
        const ElementStats* got = sum.find_element(key);
        if (!got) {
          CHECK(el.empty());
          continue;
        }
        CHECK(got->counters == el.counters);
        CHECK(got->cells == el.cells);
        CHECK((got->flags & ~el.flags) == 0);
      }
      CHECK(tr.page_view().totals() == ref.page_view().totals());
    }
  }
}
