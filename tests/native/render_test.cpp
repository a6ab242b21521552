#include "core/render.h"

#include <doctest/doctest.h>

#include <vector>

#include "test_util.h"

using namespace thermograph;

namespace {

struct Px {
  uint8_t r, g, b, a;
};

struct Frame {
  uint32_t w, h;
  std::vector<uint8_t> rgba;
  Px at(uint32_t x, uint32_t y) const {
    const uint8_t* p = &rgba[(size_t(y) * w + x) * 4];
    return {p[0], p[1], p[2], p[3]};
  }
};

Frame render(Renderer& r, double sx, double sy, uint32_t w, uint32_t h, double ratio = 1) {
  Frame f{w, h, std::vector<uint8_t>(size_t(w) * h * 4, 0xAB)};
  r.render({sx, sy, w, h, ratio}, f.rgba.data());
  return f;
}

bool hot(Px p) {
  return p.r > 200 && p.g < 120 && p.b < 60 && p.a > 150;
}

// The golden scene: one hot spot of 50 clicks at page (400, 300), a cool one of 2 at (100, 900).
Aggregate scene() {
  Aggregate a;
  a.counters[kPageViews] = 40;
  a.layers[kLayerClicks].add(cell_index(400, 300), 50);
  a.layers[kLayerClicks].add(cell_index(100, 900), 2);
  return a;
}

}  // namespace

TEST_CASE("golden scene: hot where the clicks are, transparent far away") {
  Aggregate a = scene();
  Renderer r;
  r.set_data(&a);
  r.set_options({kLayerClicks, Scale::kLog, 40, false});
  Frame f = render(r, 0, 0, 800, 1000);
  CHECK(hot(f.at(408, 296)));         // the cell's centre (cell 25, 18 spans 400..416, 288..304)
  CHECK(f.at(408, 296 + 30).a > 0);   // inside the radius: still some heat
  CHECK(f.at(408, 296 + 60).a == 0);  // beyond the radius: nothing
  CHECK(f.at(20, 20).a == 0);
  CHECK(f.at(790, 990).a == 0);
  const Px cool = f.at(104, 904);  // 2 of 50 clicks: drawn, but not hot
  CHECK(cool.a > 0);
  CHECK_FALSE(hot(cool));
  CHECK(cool.b + cool.g > cool.r);
  // Symmetric around the spot (no drift between splat and upsample): pixel centres 276.5 and
  // 315.5 are both 19.5 px from the cell centre at 296.
  for (int d : {10, 20, 30}) {
    CHECK(f.at(408 - d, 296).r == doctest::Approx(f.at(408 + d - 1, 296).r).epsilon(0.03));
    CHECK(f.at(408, 296 - d).g == doctest::Approx(f.at(408, 296 + d - 1).g).epsilon(0.03));
  }
}

TEST_CASE("scrolling moves the heat and keeps its colours") {
  Aggregate a = scene();
  for (Scale s : {Scale::kLinear, Scale::kLog, Scale::kPercentile}) {
    CAPTURE(int(s));
    Renderer r;
    r.set_data(&a);
    r.set_options({kLayerClicks, s, 40, false});
    Frame top = render(r, 0, 0, 600, 700);
    const auto legend = r.legend();
    Frame down = render(r, 0, 250, 600, 700);
    for (uint32_t y = 0; y + 250 < 700; y += 7)
      for (uint32_t x = 0; x < 600; x += 5) {
        const Px p = top.at(x, y + 250), q = down.at(x, y);
        REQUIRE(p.r == q.r);
        REQUIRE(p.a == q.a);
      }
    CHECK(r.legend()[4].value == doctest::Approx(legend[4].value));
  }
}

TEST_CASE("scales are monotone and map the maximum to the top of the palette") {
  test::Rng rng{7};
  std::vector<float> base;
  for (int i = 0; i < 5000; ++i) base.push_back(float(rng.below(1000) + 1) / 10.f);
  for (Scale s : {Scale::kLinear, Scale::kLog, Scale::kPercentile}) {
    CAPTURE(int(s));
    ScaleMap m;
    std::vector<float> samples = base;
    m.build(s, samples);
    CHECK(m.t(0) == 0);
    CHECK(m.t(m.max()) == 1);
    double prev = -1;
    for (double v = 0; v <= 110; v += 0.05) {
      const double t = m.t(v);
      REQUIRE(t >= prev);
      REQUIRE(t <= 1);
      prev = t;
    }
    double prev_v = -1;  // the legend's inverse is monotone too
    for (double t = 0; t <= 1; t += 0.01) {
      REQUIRE(m.value(t) >= prev_v);
      prev_v = m.value(t);
    }
  }
}

TEST_CASE("percentile scale is computed over the page, not the viewport") {
  // Many weak spots low on the page, one strong spot at the top: a viewport showing only the
  // weak ones colours them exactly as a viewport that also shows the strong one.
  Aggregate a;
  a.layers[kLayerClicks].add(cell_index(200, 100), 500);
  for (int i = 0; i < 40; ++i)
    a.layers[kLayerClicks].add(cell_index(50 + 30 * (i % 20), 2000 + 200 * (i / 20)), 1);
  Renderer r;
  r.set_data(&a);
  r.set_options({kLayerClicks, Scale::kPercentile, 30, false});
  Frame low = render(r, 0, 1800, 700, 700);
  Frame tall = render(r, 0, 0, 700, 2500);
  for (uint32_t y : {2008u, 2050u, 2208u})
    for (uint32_t x : {56u, 70u, 86u, 400u}) {
      const Px p = low.at(x, y - 1800), q = tall.at(x, y);
      CHECK(p.r == q.r);
      CHECK(p.g == q.g);
      CHECK(p.a == q.a);
    }
  CHECK(low.at(56, 2008 - 1800).a > 0);
  CHECK(hot(tall.at(200 + 8, 96 + 8)));
  // Linear: the weak spots are 1/500 of the maximum and look it.
  r.set_options({kLayerClicks, Scale::kLinear, 30, false});
  CHECK_FALSE(hot(render(r, 0, 1800, 700, 700).at(56, 2008 - 1800)));
}

TEST_CASE("the log scale is capped: one outlier does not turn the rest of the page cold") {
  // A pop-up's close button clicked 5,000 times beside twenty ordinary spots of 20 clicks each.
  Aggregate a;
  a.layers[kLayerClicks].add(cell_index(600, 100), 5000);
  for (int i = 0; i < 20; ++i)
    a.layers[kLayerClicks].add(cell_index(60 + 120 * (i % 5), 400 + 150 * (i / 5)), 20);
  Renderer r;
  r.set_data(&a);
  r.set_options({kLayerClicks, Scale::kLog, 30, false});
  Frame f = render(r, 0, 0, 700, 1100);
  CHECK(hot(f.at(600, 104)));
  CHECK(hot(f.at(56, 408)));              // an ordinary spot still reads hot, not cold
  CHECK(r.legend().back().value < 5000);  // the top of the legend is the cap, not the outlier
  // Linear keeps the raw maximum: there the ordinary spots fade.
  r.set_options({kLayerClicks, Scale::kLinear, 30, false});
  CHECK_FALSE(hot(render(r, 0, 0, 700, 1100).at(56, 408)));
}

TEST_CASE("HiDPI: ratio 2 draws the same heat at twice the pixels") {
  Aggregate a = scene();
  Renderer r;
  r.set_data(&a);
  r.set_options({kLayerClicks, Scale::kLog, 40, false});
  Frame one = render(r, 0, 100, 500, 400);
  Frame two = render(r, 0, 100, 1000, 800, 2);
  int far = 0;
  for (uint32_t y = 0; y < 400; y += 3)
    for (uint32_t x = 0; x < 500; x += 3) {
      // The 2 x 2 device pixels of one CSS pixel average to what DPR 1 draws there.
      const Px p = one.at(x, y);
      int r2 = 0, a2 = 0;
      for (uint32_t d = 0; d < 4; ++d) {
        const Px q = two.at(2 * x + d % 2, 2 * y + d / 2);
        r2 += q.r, a2 += q.a;
      }
      far += std::abs(4 * int(p.r) - r2) > 4 * 8 || std::abs(4 * int(p.a) - a2) > 4 * 8;
    }
  CHECK(far == 0);
  CHECK(hot(two.at(2 * 408, 2 * (296 - 100))));
}

TEST_CASE("fixed-element clicks stay at their viewport position") {
  Aggregate a;
  a.layers[kLayerFixedClicks].add(cell_index(100, 40), 30);
  Renderer r;
  r.set_data(&a);
  r.set_options({kLayerClicks, Scale::kLog, 30, false});
  CHECK(hot(render(r, 0, 0, 400, 300).at(104, 40)));
  CHECK(hot(render(r, 0, 5000, 400, 300).at(104, 40)));
  CHECK(render(r, 0, 5000, 400, 300).at(300, 200).a == 0);
}

TEST_CASE("anchored clicks follow the element's live box") {
  Aggregate a;
  ElementStats* button = a.element(0x1234);
  button->cells.add(8 * kSubGrid + 8, 40);  // the middle of the sub-grid
  ElementStats* gone = a.element(0x9999);
  gone->cells.add(0, 10);
  Renderer r;
  r.set_data(&a);
  r.set_options({kLayerClicks, Scale::kLog, 30, true});
  r.set_anchors({{0x1234, 600, 400, 100, 40}});
  Frame wide = render(r, 0, 0, 1000, 800);
  CHECK(hot(wide.at(653, 422)));  // centre of the 16x16 sub-cell (8, 8) on the box
  CHECK(wide.at(100, 100).a == 0);
  // After a reflow the element sits elsewhere: so does its heat.
  r.set_anchors({{0x1234, 100, 900, 300, 60}});
  Frame narrow = render(r, 0, 500, 600, 800);
  CHECK(hot(narrow.at(100 + 159, 900 + 31 - 500)));
  CHECK(narrow.at(100, 100).a == 0);
  const AnchorStats s = r.anchor_stats();
  CHECK(s.elements == 2);
  CHECK(s.found == 1);
  CHECK(s.total == 50);
  CHECK(s.anchored == 40);
}

TEST_CASE("reach: gradient by share of page views, lines at 75/50/25 % and the fold") {
  Aggregate a;
  a.counters[kPageViews] = 100;
  a.counters[kFoldSum] = 100 * 700;
  for (uint32_t b = 0; b < 30; ++b) a.layers[kLayerReachPx].add(b, 100 - 3 * b);  // 100 % .. 13 %
  Renderer r;
  r.set_data(&a);
  r.set_options({kLayerReachPx, Scale::kLinear, 40, false});
  const ReachMarkers m = r.reach_markers();
  CHECK(m.fold == 700);
  CHECK(m.p75 == 900);   // band 9 is the first under 75 (73)
  CHECK(m.p50 == 1700);  // band 17: 49
  CHECK(m.p25 == 2600);  // band 26: 22
  Frame f = render(r, 0, 0, 50, 3200);
  CHECK(hot(Px{f.at(10, 20).r, f.at(10, 20).g, f.at(10, 20).b, 255}));  // everyone got here
  CHECK(f.at(10, 20).a == 90);    // translucent: the page under it stays readable
  CHECK(f.at(10, 3100).b > 200);  // nobody got here: cold
  CHECK(f.at(10, 700).r == 255);  // fold line is white
  CHECK(f.at(10, 700).g == 255);
  CHECK(f.at(10, 1700).r < 40);  // 50 % line is dark
  const auto legend = r.legend();
  CHECK(legend.back().value == 100);
}

TEST_CASE("attention: per band, by the chosen scale") {
  Aggregate a;
  a.layers[kLayerAttention].add(2, 500);
  a.layers[kLayerAttention].add(10, 5);
  Renderer r;
  r.set_data(&a);
  r.set_options({kLayerAttention, Scale::kLinear, 40, false});
  Frame f = render(r, 0, 0, 10, 1200);
  CHECK(f.at(5, 250).r == 255);
  CHECK(f.at(5, 1050).a > 0);
  CHECK(f.at(5, 1050).r < f.at(5, 250).r);
  CHECK(f.at(5, 650).a == 0);
}

TEST_CASE("hostile extents stay bounded") {
  Aggregate a;
  a.layers[kLayerClicks].add(kGridCols * kGridRows - 1, 3);  // the far bottom-right corner
  a.layers[kLayerClicks].add(0, 3);
  Renderer r;
  r.set_data(&a);
  r.set_options({kLayerClicks, Scale::kLog, 200, false});
  Frame f = render(r, 0, 0, 100, 100);
  CHECK(f.at(8, 8).a > 0);
}

TEST_CASE("compare: warm where A has more per page view, cool where B has, clear where equal") {
  // A: 40 page views, 40 clicks at (400, 300), 20 at (100, 900), 10 at (600, 600).
  // B: 80 page views (twice the traffic), 16 clicks at (400, 300), 200 at (100, 900) and 20 at
  // (600, 600): per page view equal there, so only the normalized difference can show nothing.
  Aggregate a, b;
  a.counters[kPageViews] = 40;
  b.counters[kPageViews] = 80;
  a.layers[kLayerClicks].add(cell_index(400, 300), 40);
  a.layers[kLayerClicks].add(cell_index(100, 900), 20);
  a.layers[kLayerClicks].add(cell_index(600, 600), 10);
  b.layers[kLayerClicks].add(cell_index(400, 300), 16);
  b.layers[kLayerClicks].add(cell_index(100, 900), 200);
  b.layers[kLayerClicks].add(cell_index(600, 600), 20);
  Renderer r;
  r.set_data(&a);
  r.set_options({kLayerClicks, Scale::kLinear, 40, false});
  r.set_compare(&b);
  CHECK(r.comparing());
  Frame f = render(r, 0, 0, 800, 1000);
  const Px warm = f.at(408, 296), cool = f.at(104, 904), equal = f.at(608, 600);
  CHECK(warm.r > 150);  // A: 1.0 per page view vs B: 0.2
  CHECK(warm.r > warm.b + 80);
  CHECK(warm.a > 150);
  CHECK(cool.b > 150);  // B: 2.5 per page view vs A: 0.5
  CHECK(cool.b > cool.r + 80);
  CHECK(cool.a > 150);
  CHECK(equal.a == 0);
  CHECK(f.at(20, 20).a == 0);
  const auto stops = r.legend();
  REQUIRE(stops.size() == 5);
  CHECK(stops[0].value == doctest::Approx(-2.0).epsilon(0.05));  // the peak |difference|
  CHECK(stops[2].rgba == 0);                                     // equal: transparent
  CHECK(stops[4].value > 0.5);
  // Off again: the ordinary heat palette, no negative values.
  r.set_compare(nullptr);
  Frame g = render(r, 0, 0, 800, 1000);
  CHECK(hot(g.at(408, 296)));
  CHECK(g.at(608, 600).a > 0);
}
