// Insights on synthetic aggregates whose answers are known by construction.
#include "core/insights.h"

#include <doctest/doctest.h>

#include <cmath>

#include "json/insights_json.h"
#include "test_util.h"

using namespace thermograph;

namespace {

ElementStats& put(Aggregate& a, uint32_t key, uint32_t pv_clicked, uint32_t clicks,
                  bool interactive = true) {
  ElementStats& e = *a.element(key);
  e.flags = interactive ? kElInteractive : 0;
  e.counters[kElPvClicked] = pv_clicked;
  e.counters[kElClicks] = clicks;
  return e;
}

uint32_t binomial(test::Rng& rng, uint32_t n, double p) {
  const uint64_t cut = uint64_t(p * 4294967296.0);
  uint32_t k = 0;
  for (uint32_t i = 0; i < n; ++i) k += (rng.next() >> 32) < cut;
  return k;
}

}  // namespace

TEST_CASE("element rates, Wilson intervals and the hot rule") {
  Aggregate a;
  a.counters[kPageViews] = 1000;
  put(a, 1, 400, 500);  // rate 0.40, hot
  put(a, 2, 50, 60);    // rate 0.05, under 100 clicks
  put(a, 3, 100, 150);  // rate 0.10, interval (0.083, 0.120) below the mean 0.145
  put(a, 4, 30, 40);
  Insights in = compute_insights(a);
  REQUIRE(in.elements.size() == 4);
  CHECK(in.page_mean_rate == doctest::Approx(0.145));
  CHECK(in.elements[0].rate == doctest::Approx(0.4));
  CHECK(in.elements[0].ci.lo == doctest::Approx(wilson_interval(400, 1000).lo));
  CHECK(in.elements[0].hot);
  CHECK_FALSE(in.elements[1].hot);
  CHECK_FALSE(in.elements[2].hot);
  CHECK_FALSE(in.elements[3].hot);
  // One rule, one answer: the hot element is a hotspot too (no page cells here: no click layer),
  // at its box centre when the overlay passes its box.
  REQUIRE(in.hotspots.size() == 1);
  CHECK(in.hotspots[0].key == 1);
  CHECK(in.hotspots[0].window_clicks == 500);
  CHECK(in.hotspots[0].x_px == -1);
  InsightOptions o;
  o.boxes = {{1, 100, 200, 300, 40, true}};
  a.layers[kLayerClicks].add(cell_index(250, 220), 200);  // a page-cell hotspot inside the box
  for (int i = 0; i < 30; ++i) a.layers[kLayerClicks].add(cell_index(50 + 100 * i, 900), 1);
  REQUIRE(find_hotspots(a, o).size() == 1);
  Insights boxed = compute_insights(a, o);
  REQUIRE(boxed.hotspots.size() == 1);  // the page-cell hotspot inside the box is the same place
  CHECK(boxed.hotspots[0].key == 1);
  CHECK(boxed.hotspots[0].x_px == 250);
  CHECK(boxed.hotspots[0].y_px == 220);
}

TEST_CASE("segment comparison finds the changed elements and uses Fisher for sparse ones") {
  Aggregate a, b;
  a.counters[kPageViews] = b.counters[kPageViews] = 5000;
  a.counters[kPvClicked] = 2500;
  b.counters[kPvClicked] = 2600;
  for (uint32_t k = 1; k <= 20; ++k) put(a, k, 500, 600), put(b, k, 500, 600);
  put(a, 3, 500, 600), put(b, 3, 750, 900);    // 0.10 -> 0.15
  put(a, 7, 1000, 1200), put(b, 7, 700, 800);  // 0.20 -> 0.14
  put(a, 9, 1, 1), put(b, 9, 6, 6);            // sparse: expected successes 3.5 < 5
  put(a, 11, 500, 600), put(b, 11, 515, 600);  // 0.100 -> 0.103: real but tiny
  InsightOptions o;
  Comparison c = compare_segments(a, b, o);
  REQUIRE(c.rows.size() == 20);
  for (const auto& r : c.rows) {
    CAPTURE(r.key);
    CHECK(r.significant == (r.key == 3 || r.key == 7));
  }
  const CompareRow& r3 = c.rows[2];
  CHECK(r3.rate_a == doctest::Approx(0.10));
  CHECK(r3.rate_b == doctest::Approx(0.15));
  CHECK(r3.diff == doctest::Approx(0.05));
  CHECK(r3.rel_change == doctest::Approx(0.5));
  CHECK(r3.test.kind == TestKind::kZ);
  CHECK(r3.test.p == doctest::Approx(two_proportion_z(500, 5000, 750, 5000).p));
  CHECK(r3.ready);  // ~690 page views per arm suffice for 0.10 -> 0.15
  CHECK(r3.needed_per_arm == page_views_per_arm(0.10, 0.15));
  CHECK(c.rows[8].test.kind == TestKind::kFisher);
  CHECK(c.rows[8].test.p == doctest::Approx(fisher_exact_two_sided(1, 4999, 6, 4994)));
  const CompareRow& r11 = c.rows[10];
  CHECK_FALSE(r11.ready);
  CHECK(r11.still_needed == doctest::Approx(r11.needed_per_arm - 5000));
  CHECK(r11.still_needed > 100000);
  o.min_detectable_effect = 0.02;  // readiness from the MDE instead of the observed effect
  CHECK(compare_segments(a, b, o).rows[10].needed_per_arm == page_views_per_arm(0.10, 0.12));
  // Noise variance widens the test: the same counts become less significant.
  o.noise_variance = 400;
  CHECK(compare_segments(a, b, o).rows[2].test.p > r3.test.p);
  CHECK(c.page.rate_b == doctest::Approx(0.52));
}

TEST_CASE("Benjamini-Hochberg keeps false discoveries near q on null and mixed data (seeds)") {
  const int seeds = 300, m = 40;
  double fdp_null = 0, fdp_mixed = 0, power = 0;
  for (uint64_t seed = 1; seed <= seeds; ++seed) {
    test::Rng rng{seed};
    Aggregate a, b, c, d;
    a.counters[kPageViews] = b.counters[kPageViews] = 2000;
    c.counters[kPageViews] = d.counters[kPageViews] = 2000;
    for (uint32_t k = 1; k <= m; ++k) {
      double p = 0.02 + 0.3 * double(rng.below(1000)) / 1000;  // rates 2 % .. 32 %
      put(a, k, binomial(rng, 2000, p), 1), put(b, k, binomial(rng, 2000, p), 1);
      double p2 = k <= 8 ? p * 1.6 : p;  // mixed: 8 real effects
      put(c, k, binomial(rng, 2000, p), 1), put(d, k, binomial(rng, 2000, p2), 1);
    }
    Comparison null = compare_segments(a, b);
    fdp_null += null.significant > 0 ? 1 : 0;  // every discovery is false under the null
    Comparison mixed = compare_segments(c, d);
    int false_d = 0, true_d = 0;
    for (const auto& r : mixed.rows) (r.key <= 8 ? true_d : false_d) += r.significant;
    fdp_mixed += (true_d + false_d) ? double(false_d) / (true_d + false_d) : 0;
    power += true_d / 8.0;
  }
  fdp_null /= seeds, fdp_mixed /= seeds, power /= seeds;
  MESSAGE("null FDR " << fdp_null << ", mixed FDR " << fdp_mixed << ", power " << power);
  CHECK(fdp_null <= 0.05 + 0.03);  // binomial SE over 300 seeds ~ 0.013
  CHECK(fdp_mixed <= 0.05 + 0.03);
  CHECK(power > 0.5);
}

TEST_CASE("hotspots are local maxima of 3x3 click windows that pass the hot rule") {
  Aggregate a;
  a.counters[kPageViews] = 2000;
  auto blob = [&](double x, double y, uint32_t peak) {
    a.layers[kLayerClicks].add(cell_index(x, y), peak);
    for (int d = -1; d <= 1; d += 2) {
      a.layers[kLayerClicks].add(cell_index(x + 16 * d, y), peak / 2);
      a.layers[kLayerClicks].add(cell_index(x, y + 16 * d), peak / 2);
    }
  };
  for (uint32_t r = 0; r < 100; ++r)  // background: one click per cell in a 1600 x 1600 px area
    for (uint32_t c = 0; c < 100; ++c) a.layers[kLayerClicks].add(r * kGridCols + c, 1);
  blob(200, 296, 300);
  blob(808, 1208, 200);
  blob(1400, 600, 20);  // a bump under 100 clicks
  std::vector<Hotspot> h = find_hotspots(a, {});
  REQUIRE(h.size() == 2);
  CHECK(h[0].cell == cell_index(200, 296));
  CHECK(h[0].window_clicks == 300 + 4 * 150 + 9);
  CHECK(h[1].cell == cell_index(808, 1208));
  CHECK(h[0].ci.lo > 0);
}

TEST_CASE("near-miss clicks next to an interactive element are clustered and attributed") {
  Aggregate a;
  a.counters[kPageViews] = 500;
  InsightOptions o;
  o.boxes = {{0xB, 200, 400, 120, 40, true},   // the button
             {0xC, 600, 400, 100, 40, true},   // another button, nobody misses it
             {0xD, 0, 0, 1200, 3000, false}};  // the page container
  auto add = [&](double x, double y, uint32_t v) {
    a.layers[kLayerClicks].add(cell_index(x, y), v);
  };
  add(232, 416, 80);  // on the button
  add(328, 404, 12);  // just right of it (cell 320..336, gap 0)
  add(328, 420, 9);
  add(248, 448, 6);   // just below it (cell y 448, gap 8 px)
  add(500, 416, 40);  // 180 px away: not a near miss
  add(232, 520, 3);   // too far below (gap 80 px)
  std::vector<NearMiss> m = find_near_misses(a, o);
  REQUIRE(m.size() == 2);
  CHECK(m[0].target_key == 0xB);
  CHECK(m[0].clicks == 21);
  CHECK(m[0].x == 320);
  CHECK(m[0].h == 32);
  CHECK(m[0].gap_px == 0);
  CHECK(m[1].target_key == 0xB);
  CHECK(m[1].clicks == 6);
  CHECK(m[1].gap_px == doctest::Approx(8));
  o.near_miss_min_clicks = 7;
  CHECK(find_near_misses(a, o).size() == 1);
}

TEST_CASE("scroll: false bottom, half depth and elements most page views never see") {
  Aggregate a;
  a.counters[kPageViews] = 1000;
  a.counters[kFoldSum] = 1000 * 800;  // fold at 800 px: bands 0..8 are seen by everyone
  auto& r = a.layers[kLayerReachPx];
  for (uint32_t i = 0; i <= 60; ++i) {
    uint32_t v = i <= 8 ? 1000 : i <= 20 ? 1000 - 10 * (i - 8) : 580 - 10 * (i - 21);
    r.add(i, v);
  }
  for (uint32_t i = 0; i <= 100; ++i) a.layers[kLayerReachPct].add(i, 1000 - 9 * i);
  InsightOptions o;
  o.boxes = {{1, 0, 100, 100, 40, true}, {2, 0, 5000, 100, 40, true}, {3, 0, 2500, 100, 40, false}};
  ScrollInsight s = scroll_insight(a, o);
  REQUIRE(s.false_bottoms.size() == 1);
  CHECK(s.false_bottoms[0].band == 21);
  CHECK(s.false_bottoms[0].depth_px == 2100);
  CHECK(s.false_bottoms[0].drop == doctest::Approx(0.32));  // over a 3-band window
  CHECK(s.false_bottoms[0].median_drop == doctest::Approx(0.03));
  CHECK(s.half_depth_px == doctest::Approx(2900));
  CHECK(s.half_pct == 56);  // 1000 - 9 * 56 = 496 < 500
  REQUIRE(s.elements.size() == 3);
  CHECK(s.elements[0].key == 2);
  CHECK(s.elements[0].seen == doctest::Approx(0.29));
  CHECK(s.elements[2].seen == 1);
  // A smooth decline has no false bottom.
  Aggregate smooth;
  smooth.counters = a.counters;
  for (uint32_t i = 0; i <= 60; ++i)
    smooth.layers[kLayerReachPx].add(i, i <= 8 ? 1000 : 1000 - 15 * (i - 8));
  CHECK(scroll_insight(smooth, o).false_bottoms.empty());
}

namespace {
// Reach per 100 px band from page views' deepest viewport bottoms (px), as the tracker reports it.
Aggregate reach_of(const std::vector<double>& bottoms, double fold, double doc_height) {
  Aggregate a;
  a.counters[kPageViews] = bottoms.size();
  a.counters[kFoldSum] = fold * double(bottoms.size());
  a.counters[kDocHeightSum] = doc_height * double(bottoms.size());
  for (double b : bottoms)
    for (uint32_t i = 0; i <= uint32_t(b / 100); ++i) a.layers[kLayerReachPx].add(i, 1);
  return a;
}
}  // namespace

TEST_CASE("false bottoms: the demo's band is found, a plain page has none, none past the end") {
  test::Rng rng(7);
  auto uniform = [&](double lo, double hi) {
    return lo + (hi - lo) * double(rng.next() >> 11) / 9007199254740992.0;
  };
  // The demo (demo/site/index.html, demo/personas.mjs) on a 720 px screen, 3,873 px page: a
  // footer-like band under the hero makes 60 % of skimmers stop after one 300-900 px scroll; the
  // rest read on, and a quarter reach the real end.
  const double fold = 720, doc = 3873;
  std::vector<double> demo, plain;
  for (int i = 0; i < 600; ++i) {
    const double r = uniform(0, 1);
    demo.push_back(r < 0.1    ? fold
                   : r < 0.6  ? fold + uniform(300, 900)
                   : r < 0.75 ? fold + uniform(900, doc - fold)
                              : doc);
    plain.push_back(r < 0.1 ? fold : r < 0.75 ? fold + uniform(0, doc - fold) : doc);
  }
  ScrollInsight s = scroll_insight(reach_of(demo, fold, doc), {});
  for (const auto& f : s.false_bottoms)
    MESSAGE("false bottom at " << f.depth_px << " px, window drop " << f.drop);
  REQUIRE(s.false_bottoms.size() == 1);
  CHECK(s.false_bottoms[0].depth_px >= fold + 300);
  CHECK(s.false_bottoms[0].depth_px <= fold + 900);
  CHECK(s.false_bottoms[0].drop > 0.2);
  // Readers spread evenly down the page: no false bottom, although a quarter stop at the end.
  CHECK(scroll_insight(reach_of(plain, fold, doc), {}).false_bottoms.empty());
  // Everyone who scrolls at all reads to the end: the only drop is the document's end (and the
  // last band the reach layer holds lies past it): nothing is reported there.
  std::vector<double> to_end(400, doc);
  for (int i = 0; i < 100; ++i) to_end.push_back(fold);
  ScrollInsight e = scroll_insight(reach_of(to_end, fold, doc), {});
  CHECK(e.false_bottoms.empty());
  for (const auto& f : s.false_bottoms) CHECK(f.depth_px < doc);
}

TEST_CASE("conversions: clicked vs not clicked, with a test, and the priority score") {
  Aggregate a;
  a.counters[kPageViews] = 2000;
  a.counters[kConversions] = 200;
  put(a, 1, 400, 500).counters[kElPvConverted] = 100;  // 25 % vs 100 / 1600 = 6.25 %
  put(a, 2, 400, 450).counters[kElPvConverted] = 40;   // 10 % vs 160 / 1600 = 10 %
  ElementStats& e3 = put(a, 3, 200, 260, false);       // non-interactive, frustrating
  e3.counters[kElPvDead] = 120;
  Insights in = compute_insights(a);
  const ElementInsight& c1 = in.elements[0];
  CHECK(c1.conv_rate_clicked == doctest::Approx(0.25));
  CHECK(c1.conv_rate_not == doctest::Approx(0.0625));
  CHECK(c1.conv_test.p == doctest::Approx(two_proportion_z(100, 1600, 100, 400).p));
  CHECK(c1.conv_significant);
  CHECK_FALSE(in.elements[1].conv_significant);
  // Priority, by hand for element 3: E = 0.1 / 0.2, F = Wilson lower bound of 120 / 200,
  // R = 1 (no depth), I = E (not interactive).
  const ElementInsight& p3 = in.elements[2];
  double e = 0.5, f = wilson_interval(120, 200).lo;
  CHECK(p3.score == doctest::Approx(100 * (0.35 * e + 0.35 * f + 0.15 * 1 + 0.15 * e)));
  CHECK(p3.score > in.elements[1].score);
  CHECK_FALSE(p3.depth_known);
}

TEST_CASE("insights_json and compare_json expose the same numbers") {
  Aggregate a, b;
  a.counters[kPageViews] = b.counters[kPageViews] = 1000;
  put(a, 0xabc, 100, 120), put(b, 0xabc, 160, 200);
  nlohmann::json opts = {{"q", 0.1},
                         {"boxes",
                          {{{"key", "00000abc"},
                            {"x", 10},
                            {"y", 300},
                            {"w", 50},
                            {"h", 20},
                            {"interactive", true}}}}};
  InsightOptions o = insight_options_from_json(opts);
  CHECK(o.q == 0.1);
  REQUIRE(o.boxes.size() == 1);
  CHECK(o.boxes[0].key == 0xabc);
  nlohmann::json j = insights_json(a, o);
  CHECK(j["elements"][0]["key"] == "00000abc");
  CHECK(j["elements"][0]["rate"].get<double>() == doctest::Approx(0.1));
  nlohmann::json c = compare_json(a, b, o);
  CHECK(c["elements"][0]["significant"] == true);
  CHECK(c["elements"][0]["test"] == "z");
  CHECK(c["elements"][0]["p"].get<double>() ==
        doctest::Approx(two_proportion_z(100, 1000, 160, 1000).p));
  CHECK(insight_options_from_json(nlohmann::json::array()).q == 0.05);
}

TEST_CASE("behaviour signals: often seen rarely clicked, abandoned fields, hesitation") {
  Aggregate a;
  a.counters[kPageViews] = 200;
  auto el = [&](uint32_t key, bool interactive,
                std::initializer_list<std::pair<ElementCounter, uint32_t>> counters) {
    ElementStats& e = *a.element(key);
    e.flags = interactive ? kElInteractive : 0;
    for (auto [c, v] : counters) e.counters[c] = v;
  };
  // Seen in 80 % of page views; clicked by 2 of 160 who saw it (Wilson 95 % upper bound 4.4 %).
  el(1, true, {{kElPvExposed, 160}, {kElPvClicked, 2}});
  el(2, true, {{kElPvExposed, 160}, {kElPvClicked, 12}});  // 7.5 %: clicked enough
  el(3, false, {{kElPvExposed, 160}});                     // text: seen, not clicked by design
  el(4, true, {{kElPvExposed, 20}});                       // below the 30 page views floor
  el(5, true, {{kElPvExposed, 90}, {kElPvClicked, 1}});    // seen by 45 %: not "often"
  // Form fields: 24 of 40 changed and left (60 %, lower bound 44.6 % > 30 %).
  el(6, true, {{kElPvFocused, 50}, {kElPvChanged, 40}, {kElPvSubmitted, 16}});
  el(7, true, {{kElPvChanged, 40}, {kElPvSubmitted, 32}});   // 20 %
  el(8, true, {{kElPvChanged, 30}, {kElPvSubmitted, 18}});   // 40 %, but lower bound 24.6 %
  el(9, true, {{kElPvChanged, 10}});                         // below the floor
  el(10, true, {{kElPvChanged, 40}, {kElPvSubmitted, 55}});  // noised: submitted > changed
  // Hesitation: 30 of 40 first clicks took 3 s or more (75 %, lower bound 59.8 % > 50 %).
  el(11, true,
     {{kElHesitation0, 5},
      {kElHesitation1, 5},
      {kElHesitation2, 20},
      {kElHesitation3, 10},
      {kElPvClicked, 40}});
  el(12, true,
     {{kElHesitation0, 10},
      {kElHesitation1, 10},
      {kElHesitation2, 12},
      {kElHesitation3, 8}});  // half: not "most"

  const Insights in = compute_insights(a);
  REQUIRE(in.signals.size() == 3);
  // Ranked by the share of page views affected: 158 saw it and did not click, 30, 24.
  const SignalInsight &ign = in.signals[0], &hes = in.signals[1], &ab = in.signals[2];
  CHECK(ign.kind == SignalKind::kIgnored);
  CHECK(ign.key == 1);
  CHECK(ign.k == 2);
  CHECK(ign.n == 160);
  CHECK(ign.seen == doctest::Approx(0.8));
  CHECK(ign.visits == doctest::Approx(158.0 / 200));
  CHECK(ign.ci.hi == doctest::Approx(wilson_interval(2, 160).hi));
  CHECK(ign.ci.hi < 0.05);
  CHECK(hes.kind == SignalKind::kHesitant);
  CHECK(hes.key == 11);
  CHECK(hes.share == doctest::Approx(0.75));
  CHECK(hes.ci.lo == doctest::Approx(wilson_interval(30, 40).lo));
  CHECK(hes.visits == doctest::Approx(30.0 / 200));
  CHECK(ab.kind == SignalKind::kAbandoned);
  CHECK(ab.key == 6);
  CHECK(ab.k == 24);
  CHECK(ab.n == 40);
  CHECK(ab.share == doctest::Approx(0.6));
  CHECK(ab.visits == doctest::Approx(24.0 / 200));
  CHECK(std::string(signal_kind_name(SignalKind::kAbandoned)) == "abandoned");

  // The thresholds are options: a stricter one drops the field (lower bound 44.6 %).
  InsightOptions strict;
  strict.abandoned_min_share = 0.5;
  for (const SignalInsight& s : find_signals(a, strict)) CHECK(s.kind != SignalKind::kAbandoned);
  // So is the floor: with 10 page views enough, field 9 (10 of 10 abandoned) is a finding.
  InsightOptions small;
  small.signal_min_pv = 10;
  bool nine = false;
  for (const SignalInsight& s : find_signals(a, small)) nine |= s.key == 9;
  CHECK(nine);
  // No page views, no findings (and no division by zero).
  Aggregate none = a;
  none.counters[kPageViews] = 0;
  CHECK(find_signals(none, {}).empty());
  // JSON carries the same numbers.
  const auto j = insights_json(a, {});
  REQUIRE(j["signals"].size() == 3);
  CHECK(j["signals"][0]["kind"] == "ignored");
  CHECK(j["signals"][0]["key"] == "00000001");
  CHECK(j["signals"][2]["share"].get<double>() == doctest::Approx(0.6));
}
