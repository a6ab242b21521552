// Findings from the behaviour signals of wire version 4 (aggregate.h): elements often seen but
// rarely clicked, form fields abandoned after a change, elements visitors hesitate over. Each is
// a share of page views with a sample floor and a Wilson bound against a threshold, like "hot"
// (docs/insights.md "Behaviour signals").
#include <algorithm>

#include "insights.h"

namespace thermograph {

const char* signal_kind_name(SignalKind k) {
  switch (k) {
    case SignalKind::kIgnored:
      return "ignored";
    case SignalKind::kAbandoned:
      return "abandoned";
    case SignalKind::kHesitant:
      return "hesitant";
  }
  return "?";
}

std::vector<SignalInsight> find_signals(const Aggregate& a, const InsightOptions& o) {
  std::vector<SignalInsight> out;
  const double pv = a.counters[kPageViews];
  if (!(pv > 0)) return out;
  // Counters are per page view but may be noised (DP): n stays within the page views, k within n.
  auto add = [&](uint32_t key, SignalKind kind, double k, double n, double seen) {
    SignalInsight s{key, kind, k, n, n > 0 ? k / n : 0, wilson_interval(k, n, o.z), seen, 0};
    s.visits = (kind == SignalKind::kIgnored ? n - k : k) / pv;
    out.push_back(s);
  };
  for (const auto& [key, el] : a.elements()) {
    const auto& c = el.counters;
    const double exposed = std::min<double>(c[kElPvExposed], pv), seen = exposed / pv;
    // Often seen, rarely clicked: links and buttons only (text is seen and not clicked by design).
    if ((el.flags & kElInteractive) && exposed >= o.signal_min_pv &&
        wilson_interval(exposed, pv, o.z).lo > o.seen_min_share) {
      const double clicked = std::min<double>(c[kElPvClicked], exposed);
      if (wilson_interval(clicked, exposed, o.z).hi < o.ignored_max_click)
        add(key, SignalKind::kIgnored, clicked, exposed, seen);
    }
    // A form field changed and then left: its form was never submitted in that page view.
    const double changed = std::min<double>(c[kElPvChanged], pv);
    const double abandoned = changed - std::min<double>(c[kElPvSubmitted], changed);
    if (changed >= o.signal_min_pv &&
        wilson_interval(abandoned, changed, o.z).lo > o.abandoned_min_share)
      add(key, SignalKind::kAbandoned, abandoned, changed, seen);
    // Hesitation: first clicks 3 s or more (buckets 2 and 3) after the pointer entered.
    const double fast = double(c[kElHesitation0]) + c[kElHesitation1];
    const double timed = std::min(fast + c[kElHesitation2] + c[kElHesitation3], pv);
    const double slow = std::max(0.0, timed - fast);
    if (timed >= o.signal_min_pv && wilson_interval(slow, timed, o.z).lo > o.hesitant_min_share)
      add(key, SignalKind::kHesitant, slow, timed, seen);
  }
  std::stable_sort(out.begin(), out.end(), [](const SignalInsight& x, const SignalInsight& y) {
    return x.visits > y.visits;
  });
  return out;
}

Journeys find_journeys(const Aggregate& a) {
  Journeys j;
  const double pv = a.counters[kPageViews];
  auto share = [&](double v) { return pv > 0 ? std::min(1.0, v / pv) : 0.0; };
  for (const auto& [key, el] : a.elements())
    for (const auto& c : el.next.cells()) j.steps.push_back({key, c.index, double(c.value), 0});
  // Most page views first; ties by keys, so the order is the same everywhere.
  const auto by_views = [](const auto& x, const auto& y) { return x.page_views > y.page_views; };
  std::stable_sort(j.steps.begin(), j.steps.end(), by_views);
  if (j.steps.size() > kMaxJourneySteps) j.steps.resize(kMaxJourneySteps);
  for (JourneyStep& s : j.steps) s.share = share(s.page_views);
  for (const auto& c : a.layers[kLayerRouteFrom].cells()) {
    j.routes.push_back({c.index, double(c.value), 0});
    j.route_page_views += c.value;
  }
  std::stable_sort(j.routes.begin(), j.routes.end(), by_views);
  if (j.routes.size() > kMaxRoutes) j.routes.resize(kMaxRoutes);
  for (RouteEntry& r : j.routes) r.share = share(r.page_views);
  return j;
}

}  // namespace thermograph
