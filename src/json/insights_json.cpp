#include "json/insights_json.h"

#include <cmath>
#include <cstdlib>

#include "json/report_json.h"

namespace thermograph {
namespace {

using nlohmann::json;

// JSON has no infinity: "not reachable / no effect" is null.
json num(double v) {
  return std::isfinite(v) ? json(v) : json(nullptr);
}

json interval(const Interval& i) {
  return json::array({num(i.lo), num(i.hi)});
}

json row_json(const CompareRow& r) {
  json j = {{"rate_a", num(r.rate_a)},
            {"rate_b", num(r.rate_b)},
            {"pv_a", num(r.k_a)},
            {"pv_b", num(r.k_b)},
            {"difference", num(r.diff)},
            {"relative_change", num(r.rel_change)},
            {"test", test_kind_name(r.test.kind)},
            {"statistic", num(r.test.statistic)},
            {"p", num(r.test.p)},
            {"p_adjusted", num(r.p_adjusted)},
            {"significant", r.significant},
            {"needed_per_arm", num(r.needed_per_arm)},
            {"still_needed", num(r.still_needed)},
            {"ready", r.ready}};
  if (!r.is_page) j["key"] = element_key_hex(r.key);
  return j;
}

// Lenient readers: a wrong type keeps the default instead of throwing.
void read(const json& j, const char* name, double& out) {
  auto it = j.find(name);
  if (it != j.end() && it->is_number()) out = it->get<double>();
}
void read(const json& j, const char* name, uint32_t& out) {
  auto it = j.find(name);
  if (it != j.end() && it->is_number_unsigned()) out = it->get<uint32_t>();
}

}  // namespace

json to_json(const Insights& in) {
  json els = json::array();
  for (const auto& e : in.elements)
    els.push_back({{"key", element_key_hex(e.key)},
                   {"interactive", e.interactive},
                   {"clicks", e.clicks},
                   {"pv_clicked", num(e.pv_clicked)},
                   {"rate", num(e.rate)},
                   {"ci", interval(e.ci)},
                   {"hot", e.hot},
                   {"priority",
                    {{"score", num(e.score)},
                     {"engagement", num(e.engagement)},
                     {"frustration", num(e.frustration)},
                     {"reach", num(e.reach)},
                     {"interactivity", num(e.interactivity)},
                     {"depth_known", e.depth_known}}},
                   {"conversion",
                    {{"rate_clicked", num(e.conv_rate_clicked)},
                     {"rate_not_clicked", num(e.conv_rate_not)},
                     {"difference", num(e.conv_lift)},
                     {"test", test_kind_name(e.conv_test.kind)},
                     {"p", num(e.conv_test.p)},
                     {"p_adjusted", num(e.conv_p_adjusted)},
                     {"significant", e.conv_significant}}}});
  json hot = json::array();
  for (const auto& h : in.hotspots) {
    // A hot element (key) at its box centre, or -1 when the box is unknown: null.
    json x = {{"x", h.x_px >= 0 ? num(h.x_px) : json(nullptr)},
              {"y", h.y_px >= 0 ? num(h.y_px) : json(nullptr)},
              {"window_clicks", h.window_clicks},
              {"share", num(h.share)},
              {"ci", interval(h.ci)}};
    if (h.key) x["element"] = element_key_hex(h.key);
    hot.push_back(std::move(x));
  }
  json near = json::array();
  for (const auto& m : in.near_misses)
    near.push_back({{"target", element_key_hex(m.target_key)},
                    {"box", {num(m.x), num(m.y), num(m.w), num(m.h)}},
                    {"centroid", {num(m.cx), num(m.cy)}},
                    {"clicks", m.clicks},
                    {"gap_px", num(m.gap_px)}});
  const ScrollInsight& s = in.scroll;
  json fb = json::array();
  for (const auto& f : s.false_bottoms)
    fb.push_back({{"band", f.band},
                  {"depth_px", num(f.depth_px)},
                  {"drop", num(f.drop)},
                  {"median_drop", num(f.median_drop)}});
  json seen = json::array();
  for (const auto& e : s.elements)
    seen.push_back(
        {{"key", element_key_hex(e.key)}, {"depth_px", num(e.depth_px)}, {"seen", num(e.seen)}});
  json reach = json::array();
  for (double r : s.reach) reach.push_back(num(r));
  json signals = json::array();
  for (const auto& g : in.signals)
    signals.push_back({{"key", element_key_hex(g.key)},
                       {"kind", signal_kind_name(g.kind)},
                       {"k", num(g.k)},
                       {"n", num(g.n)},
                       {"share", num(g.share)},
                       {"ci", interval(g.ci)},
                       {"seen", num(g.seen)},
                       {"visits", num(g.visits)}});
  json steps = json::array(), routes = json::array();
  for (const auto& st : in.journeys.steps)
    steps.push_back({{"from", element_key_hex(st.from)},
                     {"to", element_key_hex(st.to)},
                     {"page_views", num(st.page_views)},
                     {"share", num(st.share)}});
  for (const auto& r : in.journeys.routes)
    routes.push_back(
        {{"route", r.hash}, {"page_views", num(r.page_views)}, {"share", num(r.share)}});
  return {{"page_views", num(in.page_views)},
          {"page_mean_rate", num(in.page_mean_rate)},
          {"journeys",
           {{"steps", std::move(steps)},
            {"came_from", std::move(routes)},
            {"came_from_page_views", num(in.journeys.route_page_views)}}},
          {"elements", std::move(els)},
          {"hotspots", std::move(hot)},
          {"near_misses", std::move(near)},
          {"scroll",
           {{"reach", std::move(reach)},
            {"fold_px", num(s.fold_px)},
            {"half_depth_px", num(s.half_depth_px)},
            {"half_pct", s.half_pct},
            {"false_bottoms", std::move(fb)},
            {"elements", std::move(seen)}}},
          {"signals", std::move(signals)}};
}

json to_json(const Comparison& c) {
  json rows = json::array();
  for (const auto& r : c.rows) rows.push_back(row_json(r));
  return {{"page_views_a", num(c.page_views_a)},
          {"page_views_b", num(c.page_views_b)},
          {"page", row_json(c.page)},
          {"elements", std::move(rows)},
          {"significant", c.significant}};
}

json insights_json(const Aggregate& a, const InsightOptions& o) {
  return to_json(compute_insights(a, o));
}

json compare_json(const Aggregate& a, const Aggregate& b, const InsightOptions& o) {
  return to_json(compare_segments(a, b, o));
}

InsightOptions insight_options_from_json(const json& j) {
  InsightOptions o;
  if (!j.is_object()) return o;
  read(j, "z", o.z);
  read(j, "q", o.q);
  read(j, "hot_min_clicks", o.hot_min_clicks);
  read(j, "alpha", o.alpha);
  read(j, "power", o.power);
  read(j, "min_detectable_effect", o.min_detectable_effect);
  read(j, "noise_variance", o.noise_variance);
  read(j, "min_expected", o.min_expected);
  read(j, "w_engagement", o.w_engagement);
  read(j, "w_frustration", o.w_frustration);
  read(j, "w_reach", o.w_reach);
  read(j, "w_interactivity", o.w_interactivity);
  read(j, "near_miss_px", o.near_miss_px);
  read(j, "near_miss_min_clicks", o.near_miss_min_clicks);
  read(j, "max_hotspots", o.max_hotspots);
  read(j, "false_bottom_k", o.false_bottom_k);
  read(j, "false_bottom_min_drop", o.false_bottom_min_drop);
  read(j, "signal_min_pv", o.signal_min_pv);
  read(j, "seen_min_share", o.seen_min_share);
  read(j, "ignored_max_click", o.ignored_max_click);
  read(j, "abandoned_min_share", o.abandoned_min_share);
  read(j, "hesitant_min_share", o.hesitant_min_share);
  auto boxes = j.find("boxes");
  if (boxes == j.end() || !boxes->is_array()) return o;
  for (const json& b : *boxes) {
    if (!b.is_object()) continue;
    ElementBox box;
    auto key = b.find("key");
    if (key != b.end() && key->is_string())
      box.key = uint32_t(std::strtoul(key->get_ref<const std::string&>().c_str(), nullptr, 16));
    else if (key != b.end() && key->is_number_unsigned())
      box.key = key->get<uint32_t>();
    read(b, "x", box.x);
    read(b, "y", box.y);
    read(b, "w", box.w);
    read(b, "h", box.h);
    auto in = b.find("interactive");
    box.interactive = in != b.end() && in->is_boolean() && in->get<bool>();
    o.boxes.push_back(box);
  }
  return o;
}

}  // namespace thermograph
