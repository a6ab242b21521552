// Element-level insights (rates, hot, priority, conversions) and segment comparison.
// Spatial pieces (hotspots, near misses, scroll) live in insights_spatial.cpp, findings from the
// behaviour signals in insights_signals.cpp.
#include "insights.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

namespace thermograph {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

double ratio(double k, double n) {
  return n > 0 ? std::clamp(k / n, 0.0, 1.0) : 0.0;
}

const ElementBox* find_box(const InsightOptions& o, uint32_t key) {
  for (const ElementBox& b : o.boxes)
    if (b.key == key) return &b;
  return nullptr;
}

// Share of page views whose viewport bottom reached `depth_px` (the reach curve is cumulative).
double reach_at(const Aggregate& a, double depth_px) {
  const double pv = a.counters[kPageViews];
  if (!(pv > 0)) return 0;
  double band = std::floor(std::max(0.0, depth_px) / kBandPx);
  if (band >= kMaxBands) return 0;
  return ratio(a.layers[kLayerReachPx].get(static_cast<uint32_t>(band)), pv);
}

void score_priorities(const Aggregate& a, const InsightOptions& o,
                      std::vector<ElementInsight>& els) {
  double max_rate = 0;
  for (const auto& e : els) max_rate = std::max(max_rate, e.rate);
  const bool have_reach = !a.layers[kLayerReachPx].empty();
  double wsum = o.w_engagement + o.w_frustration + o.w_reach + o.w_interactivity;
  if (!(wsum > 0)) wsum = 1;
  for (auto& e : els) {
    const ElementStats* st = a.find_element(e.key);
    e.engagement = max_rate > 0 ? e.rate / max_rate : 0;
    // Frustration share: page views with a rage, dead or error click on it among those that
    // clicked it. Its Wilson lower bound keeps 1-of-1 elements from topping the list.
    double frustrated =
        double(st->counters[kElPvRage]) + st->counters[kElPvDead] + st->counters[kElPvError];
    frustrated = std::min(frustrated, e.pv_clicked);
    e.frustration = e.pv_clicked > 0 ? wilson_interval(frustrated, e.pv_clicked, o.z).lo : 0;
    const ElementBox* box = find_box(o, e.key);
    e.depth_known = box != nullptr && have_reach;
    e.reach = e.depth_known ? reach_at(a, box->y) : 1;
    // Heat on something that is not a link or button: a candidate for becoming one.
    e.interactivity = e.interactive ? 0 : e.engagement;
    e.score = 100 *
              (o.w_engagement * e.engagement + o.w_frustration * e.frustration +
               o.w_reach * e.reach + o.w_interactivity * e.interactivity) /
              wsum;
  }
}

void conversions(const Aggregate& a, const InsightOptions& o, std::vector<ElementInsight>& els) {
  const double pv = a.counters[kPageViews], conv = a.counters[kConversions];
  std::vector<double> ps;
  std::vector<size_t> tested;
  for (size_t i = 0; i < els.size(); ++i) {
    auto& e = els[i];
    const ElementStats* st = a.find_element(e.key);
    double kc = std::min<double>(st->counters[kElPvConverted], e.pv_clicked);
    double n_not = pv - e.pv_clicked, k_not = std::clamp(conv - kc, 0.0, std::max(0.0, n_not));
    e.conv_rate_clicked = ratio(kc, e.pv_clicked);
    e.conv_rate_not = ratio(k_not, n_not);
    e.conv_lift = e.conv_rate_clicked - e.conv_rate_not;
    if (!(e.pv_clicked > 0) || !(n_not > 0) || !(conv > 0)) continue;
    e.conv_test =
        compare_proportions(k_not, n_not, kc, e.pv_clicked, o.noise_variance, o.min_expected);
    ps.push_back(e.conv_test.p);
    tested.push_back(i);
  }
  std::vector<double> adj = bh_adjust(ps);
  for (size_t j = 0; j < tested.size(); ++j) {
    els[tested[j]].conv_p_adjusted = adj[j];
    els[tested[j]].conv_significant = adj[j] <= o.q;
  }
}

CompareRow compare_row(double ka, double na, double kb, double nb, const InsightOptions& o) {
  CompareRow r;
  r.k_a = ka;
  r.k_b = kb;
  r.rate_a = ratio(ka, na);
  r.rate_b = ratio(kb, nb);
  r.diff = r.rate_b - r.rate_a;
  r.rel_change = r.rate_a > 0 ? r.diff / r.rate_a : (r.diff > 0 ? kInf : 0);
  r.test = compare_proportions(ka, na, kb, nb, o.noise_variance, o.min_expected);
  r.p_adjusted = r.test.p;
  // Readiness: page views per arm that `power` needs at `alpha` for the observed baseline and
  // the minimum detectable effect (or, without one, the observed effect).
  double target =
      o.min_detectable_effect > 0 ? std::min(1.0, r.rate_a + o.min_detectable_effect) : r.rate_b;
  r.needed_per_arm = page_views_per_arm(r.rate_a, target, o.alpha, o.power);
  double have = std::min(na, nb);
  r.still_needed = std::isfinite(r.needed_per_arm) ? std::max(0.0, r.needed_per_arm - have) : kInf;
  r.ready = std::isfinite(r.needed_per_arm) && have >= r.needed_per_arm;
  return r;
}

// One rule, one answer: every "hot" element is also a hotspot. Page-cell hotspots are 48 px
// windows, so clicks spread over a large hot element (a card, a video) can miss the window floor;
// a hot element enters the list with its own clicks, at its box centre when the box is known, and
// replaces the page-cell hotspots that lie inside its box.
void add_hot_elements(Insights& out, const InsightOptions& o) {
  double total = 0;
  for (const auto& e : out.elements) total += e.clicks;
  for (const auto& e : out.elements) {
    if (!e.hot) continue;
    Hotspot h;
    h.key = e.key;
    h.window_clicks = e.clicks;
    h.share = ratio(e.clicks, total);
    h.ci = wilson_interval(e.clicks, total, o.z);
    h.x_px = h.y_px = -1;  // position unknown without a live box
    for (const ElementBox& b : o.boxes)
      if (b.key == e.key) {
        h.x_px = b.x + b.w / 2;
        h.y_px = b.y + b.h / 2;
        std::erase_if(out.hotspots, [&](const Hotspot& c) {
          return !c.key && c.x_px >= b.x && c.x_px < b.x + b.w && c.y_px >= b.y &&
                 c.y_px < b.y + b.h;
        });
        break;
      }
    out.hotspots.push_back(h);
  }
  std::stable_sort(
      out.hotspots.begin(), out.hotspots.end(),
      [](const Hotspot& x, const Hotspot& y) { return x.window_clicks > y.window_clicks; });
  if (out.hotspots.size() > o.max_hotspots) out.hotspots.resize(o.max_hotspots);
}

}  // namespace

Insights compute_insights(const Aggregate& a, const InsightOptions& o) {
  Insights out;
  out.page_views = a.counters[kPageViews];
  for (const auto& [key, st] : a.elements()) {
    ElementInsight e;
    e.key = key;
    e.interactive = (st.flags & kElInteractive) != 0;
    e.clicks = st.counters[kElClicks];
    e.pv_clicked = std::min<double>(st.counters[kElPvClicked], out.page_views);
    e.rate = ratio(e.pv_clicked, out.page_views);
    e.ci = wilson_interval(e.pv_clicked, out.page_views, o.z);
    out.elements.push_back(e);
  }
  double sum = 0;
  for (const auto& e : out.elements) sum += e.rate;
  out.page_mean_rate = out.elements.empty() ? 0 : sum / double(out.elements.size());
  for (auto& e : out.elements) e.hot = e.clicks >= o.hot_min_clicks && e.ci.lo > out.page_mean_rate;
  score_priorities(a, o, out.elements);
  conversions(a, o, out.elements);
  out.hotspots = find_hotspots(a, o);
  add_hot_elements(out, o);
  out.near_misses = find_near_misses(a, o);
  out.scroll = scroll_insight(a, o);
  out.signals = find_signals(a, o);
  out.journeys = find_journeys(a);
  return out;
}

Comparison compare_segments(const Aggregate& a, const Aggregate& b, const InsightOptions& o) {
  Comparison c;
  c.page_views_a = a.counters[kPageViews];
  c.page_views_b = b.counters[kPageViews];
  const double na = c.page_views_a, nb = c.page_views_b;
  c.page = compare_row(a.counters[kPvClicked], na, b.counters[kPvClicked], nb, o);
  c.page.is_page = true;
  c.page.significant = c.page.test.p <= o.alpha;
  // Elements pair by identity (stable key), so a call to action restyled in one variant, or
  // renamed by a deploy between two date ranges, is one row. A page view shows one version of an
  // element, so summing the versions' page-view counts does not count a page view twice.
  std::map<uint32_t, std::pair<double, double>> pairs;
  for (const auto& [key, el] : a.elements())
    pairs[element_identity(key, el)].first += el.counters[kElPvClicked];
  for (const auto& [key, el] : b.elements())
    pairs[element_identity(key, el)].second += el.counters[kElPvClicked];
  for (const auto& [key, k] : pairs) {
    const auto [ka, kb] = k;
    if (ka + kb <= 0) continue;  // hovered only: nothing to compare
    CompareRow r = compare_row(std::min(ka, na), na, std::min(kb, nb), nb, o);
    r.key = key;
    c.rows.push_back(r);
  }
  std::vector<double> ps;
  for (const auto& r : c.rows) ps.push_back(r.test.p);
  std::vector<double> adj = bh_adjust(ps);
  for (size_t k = 0; k < c.rows.size(); ++k) {
    c.rows[k].p_adjusted = adj[k];
    c.rows[k].significant = adj[k] <= o.q;
    c.significant += c.rows[k].significant ? 1 : 0;
  }
  return c;
}

}  // namespace thermograph
