// The designer's module: one coarse Overlay object over the renderer and the aggregate it reads.
// JS holds exactly one handle and delete()s it on close; everything else crosses as plain values
// (numbers, strings, fresh JS objects), so nothing else needs freeing. Pixels stay in wasm memory
// and are exposed as a view that JS wraps right before putImageData (memory may grow later).
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <algorithm>
#include <cmath>

#include "core/codec.h"
#include "core/element_key.h"
#include "core/insights.h"
#include "core/page_key.h"
#include "core/pii.h"
#include "core/render.h"

using emscripten::val;

namespace thermograph {
namespace {

int g_live = 0;  // Overlay objects alive: the ownership test reads it

// Defaults: the core's (JS starts from the same values, generated from RenderOptions and
// InsightOptions into build/gen/constants.mjs).
constexpr RenderOptions kRenderDefaults;
struct OverlayOptions {
  int layer = kRenderDefaults.layer;
  int scale = static_cast<int>(kRenderDefaults.scale);
  float radius = kRenderDefaults.radius_px;
  bool anchored = kRenderDefaults.anchored;
};

// The few insight options the overlay exposes; the rest keep InsightOptions' defaults.
const InsightOptions kInsightDefaults;
struct InsightParams {
  double q = kInsightDefaults.q;
  double hot_min_clicks = kInsightDefaults.hot_min_clicks;
  double near_miss_px = kInsightDefaults.near_miss_px;
  double near_miss_min_clicks = kInsightDefaults.near_miss_min_clicks;
  double min_detectable_effect = kInsightDefaults.min_detectable_effect;
  double noise_variance = kInsightDefaults.noise_variance;
};

InsightOptions to_options(const InsightParams& p) {
  InsightOptions o;
  o.q = p.q;
  o.hot_min_clicks = static_cast<uint32_t>(std::max(0.0, p.hot_min_clicks));
  o.near_miss_px = p.near_miss_px;
  o.near_miss_min_clicks = static_cast<uint32_t>(std::max(0.0, p.near_miss_min_clicks));
  o.min_detectable_effect = p.min_detectable_effect;
  o.noise_variance = p.noise_variance;
  return o;
}

// JSON has no infinity and neither should the panel: "never" is null.
val num(double v) {
  return std::isfinite(v) ? val(v) : val::null();
}

bool decode_aggregate(const std::string& bytes, Report& out, std::string& error) {
  DecodeLimits limits;  // merged aggregates are far larger than one page view's report
  limits.max_cells_per_layer = 1u << 24;
  limits.max_elements = 1u << 20;
  limits.max_transitions = 1u << 20;
  const auto res =
      decode(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), out, limits);
  if (res.ok()) return true;
  error = res.message.empty() ? decode_status_name(res.status) : res.message;
  return false;
}

class Overlay {
 public:
  Overlay() {
    ++g_live;
    renderer_.set_data(&report_.data);
  }
  ~Overlay() { --g_live; }
  Overlay(const Overlay&) = delete;
  Overlay& operator=(const Overlay&) = delete;

  // Decodes the collector's binary aggregate; returns "" or the decoder's precise message.
  std::string load(const std::string& bytes) {
    Report r;
    std::string error;
    if (!decode_aggregate(bytes, r, error)) return error;
    report_ = std::move(r);
    renderer_.set_data(&report_.data);
    return "";
  }

  // Compare mode: `bytes` is segment B (load() holds A); the renderer then draws A - B.
  std::string load_compare(const std::string& bytes) {
    Report r;
    std::string error;
    if (!decode_aggregate(bytes, r, error)) return error;
    other_ = std::move(r);
    renderer_.set_compare(&other_.data);
    return "";
  }

  // No data (the collector had none): renders nothing until the next load().
  void clear() {
    report_ = Report{};
    renderer_.set_data(&report_.data);
  }

  void clear_compare() {
    renderer_.set_compare(nullptr);
    other_ = Report{};
  }

  // `boxes` is a Float64Array of [key, x, y, w, h, interactive] per live element (page px).
  // Elements come back ranked by priority score, highest first.
  val insights(const val& boxes, const InsightParams& p) const {
    InsightOptions o = to_options(p);
    const auto v = emscripten::convertJSArrayToNumberVector<double>(boxes);
    for (size_t i = 0; i + 5 < v.size(); i += 6)
      o.boxes.push_back(
          {static_cast<uint32_t>(v[i]), v[i + 1], v[i + 2], v[i + 3], v[i + 4], v[i + 5] != 0});
    Insights in = compute_insights(report_.data, o);
    std::stable_sort(in.elements.begin(), in.elements.end(),
                     [](const auto& a, const auto& b) { return a.score > b.score; });
    val out = val::object();
    out.set("pageViews", in.page_views);
    out.set("pageMeanRate", num(in.page_mean_rate));
    val els = val::array();
    int i = 0;
    for (const ElementInsight& e : in.elements) {
      val x = val::object();
      x.set("key", e.key);
      x.set("clicks", e.clicks);
      x.set("rate", num(e.rate));
      x.set("lo", num(e.ci.lo));
      x.set("hi", num(e.ci.hi));
      x.set("hot", e.hot);
      x.set("score", num(e.score));
      x.set("frustration", num(e.frustration));
      x.set("reach", num(e.reach));
      x.set("interactive", e.interactive);
      els.set(i++, x);
    }
    out.set("elements", els);
    val hot = val::array();
    i = 0;
    for (const Hotspot& h : in.hotspots) {
      val x = val::object();
      x.set("x", h.x_px);
      x.set("y", h.y_px);
      x.set("clicks", static_cast<double>(h.window_clicks));
      x.set("share", num(h.share));
      x.set("lo", num(h.ci.lo));
      x.set("hi", num(h.ci.hi));
      x.set("key", h.key);  // 0: an area of the page, else the hot element it is on
      hot.set(i++, x);
    }
    out.set("hotspots", hot);
    val near = val::array();
    i = 0;
    for (const NearMiss& m : in.near_misses) {
      val x = val::object();
      x.set("target", m.target_key);
      x.set("x", m.x);
      x.set("y", m.y);
      x.set("w", m.w);
      x.set("h", m.h);
      x.set("clicks", static_cast<double>(m.clicks));
      x.set("gap", m.gap_px);
      x.set("cx", m.cx);
      x.set("cy", m.cy);
      near.set(i++, x);
    }
    out.set("nearMisses", near);
    val scroll = val::object();
    scroll.set("halfDepthPx", num(in.scroll.half_depth_px));
    scroll.set("foldPx", num(in.scroll.fold_px));
    scroll.set("bands", in.scroll.reach.size());  // 0: no reach data, nothing to say about depth
    val fb = val::array();
    i = 0;
    for (const FalseBottom& f : in.scroll.false_bottoms) {
      val x = val::object();
      x.set("depthPx", f.depth_px);
      x.set("drop", num(f.drop));
      fb.set(i++, x);
    }
    scroll.set("falseBottoms", fb);
    val seen = val::array();
    i = 0;
    for (const SeenElement& e : in.scroll.elements) {
      val x = val::object();
      x.set("key", e.key);
      x.set("depthPx", e.depth_px);
      x.set("seen", num(e.seen));
      seen.set(i++, x);
    }
    scroll.set("elements", seen);
    out.set("scroll", scroll);
    val signals = val::array();
    i = 0;
    for (const SignalInsight& g : in.signals) {
      val x = val::object();
      x.set("key", g.key);
      x.set("kind", std::string(signal_kind_name(g.kind)));
      x.set("k", g.k);
      x.set("n", g.n);
      x.set("share", num(g.share));
      x.set("lo", num(g.ci.lo));
      x.set("hi", num(g.ci.hi));
      x.set("seen", num(g.seen));
      x.set("visits", num(g.visits));
      signals.set(i++, x);
    }
    out.set("signals", signals);  // by visits affected, descending
    val steps = val::array(), routes = val::array();
    i = 0;
    for (const JourneyStep& st : in.journeys.steps) {
      val x = val::object();
      x.set("from", st.from);
      x.set("to", st.to);
      x.set("pageViews", st.page_views);
      x.set("share", num(st.share));
      steps.set(i++, x);
    }
    i = 0;
    for (const RouteEntry& r : in.journeys.routes) {
      val x = val::object();
      x.set("route", r.hash);
      x.set("pageViews", r.page_views);
      x.set("share", num(r.share));
      routes.set(i++, x);
    }
    val journeys = val::object();
    journeys.set("steps", steps);  // most page views first, at most kMaxJourneySteps
    journeys.set("cameFrom", routes);
    journeys.set("cameFromPageViews", in.journeys.route_page_views);
    out.set("journeys", journeys);
    return out;
  }

  // A (load) vs B (loadCompare), per element: rates, BH-adjusted p, significance, readiness.
  val compare(const InsightParams& p) const {
    const Comparison c = compare_segments(report_.data, other_.data, to_options(p));
    val out = val::object();
    out.set("pageViewsA", c.page_views_a);
    out.set("pageViewsB", c.page_views_b);
    out.set("significant", c.significant);
    val rows = val::array();
    int i = 0;
    for (const CompareRow& r : c.rows) {
      val x = val::object();
      x.set("key", r.key);
      x.set("rateA", num(r.rate_a));
      x.set("rateB", num(r.rate_b));
      x.set("diff", num(r.diff));
      x.set("p", num(r.test.p));
      x.set("pAdjusted", num(r.p_adjusted));
      x.set("significant", r.significant);
      x.set("ready", r.ready);
      x.set("test", std::string(test_kind_name(r.test.kind)));
      rows.set(i++, x);
    }
    out.set("rows", rows);
    return out;
  }

  void set_options(const OverlayOptions& o) {
    renderer_.set_options({static_cast<Layer>(o.layer < 0 ? 0 : o.layer),
                           o.scale >= 0 && o.scale <= static_cast<int>(Scale::kPercentile)
                               ? static_cast<Scale>(o.scale)
                               : kRenderDefaults.scale,
                           o.radius, o.anchored});
  }

  // `flat` is a Float64Array of [key, x, y, w, h] per element found on the live page.
  void set_anchors(const val& flat) {
    const auto v = emscripten::convertJSArrayToNumberVector<double>(flat);
    std::vector<Anchor> anchors;
    anchors.reserve(v.size() / 5);
    for (size_t i = 0; i + 4 < v.size(); i += 5)
      anchors.push_back({static_cast<uint32_t>(v[i]), float(v[i + 1]), float(v[i + 2]),
                         float(v[i + 3]), float(v[i + 4])});
    renderer_.set_anchors(std::move(anchors));
  }

  // Renders and returns a view of the pixels; valid until the next call into the module.
  // width x height are device pixels; `ratio` device pixels per CSS px (devicePixelRatio).
  val render(double scroll_x, double scroll_y, int width, int height, double ratio) {
    const uint32_t w = width > 0 ? std::min(width, 16384) : 0;
    const uint32_t h = height > 0 ? std::min(height, 65536) : 0;
    pixels_.resize(size_t(w) * h * 4);
    const double r = std::isfinite(ratio) && ratio > 0 ? std::clamp(ratio, 0.25, 8.0) : 1.0;
    renderer_.render({scroll_x, scroll_y, w, h, r}, pixels_.data());
    return val(emscripten::typed_memory_view(pixels_.size(), pixels_.data()));
  }

  val info() const {
    const Segment& s = report_.segment;
    const Aggregate& a = report_.data;
    val o = val::object();
    o.set("site", s.site);
    o.set("page", s.page);
    o.set("widthClass", s.width_class);
    o.set("device", s.device);
    o.set("variant", s.variant);
    for (uint8_t c = 0; c < kPageCounterCount; ++c)
      o.set(page_counter_name(static_cast<PageCounter>(c)), a.counters[c]);
    o.set("elementCount", a.elements().size());
    return o;
  }

  val elements() const {
    val list = val::array();
    int i = 0;
    for (const auto& [key, el] : report_.data.elements()) {
      val e = val::object();
      e.set("key", key);
      e.set("stable", element_identity(key, el));  // what anchoring falls back to
      e.set("flags", el.flags);
      for (uint8_t c = 0; c < kElementCounterCount; ++c)
        e.set(element_counter_name(static_cast<ElementCounter>(c)), el.counters[c]);
      e.set("heat", static_cast<double>(el.cells.sum()));
      list.set(i++, e);
    }
    return list;
  }

  val legend() {
    val list = val::array();
    int i = 0;
    for (const LegendStop& s : renderer_.legend()) {
      val o = val::object();
      o.set("t", s.t);
      o.set("value", s.value);
      o.set("rgba", s.rgba);
      list.set(i++, o);
    }
    return list;
  }

  val reach_markers() const {
    const ReachMarkers m = renderer_.reach_markers();
    val o = val::object();
    o.set("p75", m.p75);
    o.set("p50", m.p50);
    o.set("p25", m.p25);
    o.set("fold", m.fold);
    return o;
  }

  val anchor_stats() const {
    const AnchorStats s = renderer_.anchor_stats();
    val o = val::object();
    o.set("total", s.total);
    o.set("anchored", s.anchored);
    o.set("elements", s.elements);
    o.set("found", s.found);
    return o;
  }

 private:
  Report report_;
  Report other_;  // compare mode's segment B
  Renderer renderer_;
  std::vector<uint8_t> pixels_;
};

// Element and page keys as the visitor module computes them: with its compact PII profile
// (src/wasm/visitor.cpp), so keys agree byte for byte.
uint32_t element_key_js(const std::string& selector) {
  return element_key(selector, PiiProfile::kCompact);
}
uint32_t stable_element_key_js(const std::string& selector) {
  return stable_element_key(selector, PiiProfile::kCompact);
}
// The page key the visitor module computes for this page (both modules are built with the same
// compact PII profile, so keys agree byte for byte).
std::string page_key_js(const std::string& origin, const std::string& path_and_query) {
  char out[kMaxPageKeyBytes];
  const size_t n = canonical_page_key_from_origin(origin, path_and_query, kDefaultQueryAllowList,
                                                  PiiProfile::kCompact, out);
  // The collector stores "/index.html" as "/" (fold_index_document): ask for the folded key.
  return n ? fold_index_document(std::string_view(out, n)) : std::string();
}
// The rule that flags `text` ("email", "card", ...) or "": element names the overlay shows pass
// through the same detectors as everything a visitor sends. Never sent anywhere.
std::string find_pii_js(const std::string& text) {
  const PiiRule r = find_pii(text, PiiProfile::kCompact);
  return r == PiiRule::kNone ? std::string() : std::string(pii_rule_name(r));
}
int live_overlays() {
  return g_live;
}

}  // namespace
}  // namespace thermograph

// The route_from layer's name for a page key (core/page_key.h), so the overlay can name the pages
// visitors came from out of GET /api/pages.
uint32_t route_hash_of(const std::string& page) {
  return thermograph::route_hash(page.data(), page.size());
}

EMSCRIPTEN_BINDINGS(thermograph_overlay) {
  using namespace thermograph;
  emscripten::function("routeHash", &route_hash_of);
  emscripten::value_object<OverlayOptions>("OverlayOptions")
      .field("layer", &OverlayOptions::layer)
      .field("scale", &OverlayOptions::scale)
      .field("radius", &OverlayOptions::radius)
      .field("anchored", &OverlayOptions::anchored);
  emscripten::value_object<InsightParams>("InsightParams")
      .field("q", &InsightParams::q)
      .field("hotMinClicks", &InsightParams::hot_min_clicks)
      .field("nearMissPx", &InsightParams::near_miss_px)
      .field("nearMissMinClicks", &InsightParams::near_miss_min_clicks)
      .field("minDetectableEffect", &InsightParams::min_detectable_effect)
      .field("noiseVariance", &InsightParams::noise_variance);
  emscripten::class_<Overlay>("Overlay")
      .constructor<>()
      .function("load", &Overlay::load)
      .function("loadCompare", &Overlay::load_compare)
      .function("clearCompare", &Overlay::clear_compare)
      .function("clear", &Overlay::clear)
      .function("insights", &Overlay::insights)
      .function("compare", &Overlay::compare)
      .function("setOptions", &Overlay::set_options)
      .function("setAnchors", &Overlay::set_anchors)
      .function("render", &Overlay::render)
      .function("info", &Overlay::info)
      .function("elements", &Overlay::elements)
      .function("legend", &Overlay::legend)
      .function("reachMarkers", &Overlay::reach_markers)
      .function("anchorStats", &Overlay::anchor_stats);
  emscripten::function("elementKey", &element_key_js);
  emscripten::function("stableElementKey", &stable_element_key_js);
  emscripten::function("liveOverlays", &live_overlays);
  emscripten::function("pageKey", &page_key_js);
  emscripten::function("findPii", &find_pii_js);
}
