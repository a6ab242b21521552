// GET /api/dashboard: one site at a glance for the analyst's /dashboard. Pages ranked by traffic,
// conversions and frustration with daily series; experiments (variants compared per page, false
// discovery controlled across pages); data-health flags; a site-wide hotspot matrix. Figures come
// from the store's existing reads (pages(), for_each_row()) and the statistics in core/insights.h
// and core/stats.h; every aggregate passes through release(). docs/collector.md, "Dashboard".
#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>

#include "anchoring.h"
#include "core/insights.h"
#include "json/report_json.h"
#include "names.h"
#include "read_api.h"
#include "survey.h"

namespace thermograph {
namespace {

// Work bounds: the busiest pages only, a bounded series, a bounded element list.
constexpr size_t kMaxPages = 200;
constexpr int32_t kMaxSeriesDays = 92;
constexpr int32_t kBaselineDays = 7;
constexpr double kBaselineMinMean = 10;  // page views per day below which no drop is called
constexpr double kLift = 0.10;           // relative lift the sample-size estimate is for
constexpr size_t kHotspotsPerPage = 50;
constexpr size_t kHotspots = 100;

nlohmann::json interval_json(double k, double n) {
  const Interval ci = wilson_interval(k, n);
  return {{"rate", n > 0 ? k / n : 0.0}, {"lo", ci.lo}, {"hi", ci.hi}, {"count", k}};
}

std::string points(double v) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.1f percentage points", 100 * v);
  return buf;
}

// What one page contributes, read in one pass over its rows.
struct PageData {
  Aggregate all;  // every row merged, layers dropped (the dashboard needs counters and elements)
  std::map<std::string, Aggregate> variants;  // page counters only
  std::map<int32_t, uint64_t> days;           // page views per UTC day
  std::map<uint16_t, uint64_t> versions;      // newest tracker version of a row -> its page views
  // (width, device, logged_in, variant, tags) -> page views over the window.
  std::map<std::tuple<uint8_t, uint8_t, bool, std::string, std::string>, uint64_t> segments;
  size_t rows = 0;
};

PageData read_page(Store& store, RowFilter f, const std::string& page) {
  f.page = page;
  PageData d;
  store.for_each_row(f, [&](const RowKey& key, Report&& r) {
    for (SparseVec& layer : r.data.layers) layer.clear();
    const uint64_t pv = r.data.counters[kPageViews];
    d.days[key.day] += pv;
    d.versions[r.segment.tracker_version] += pv;
    d.segments[{key.width_class, key.device, key.logged_in, key.variant, key.tags}] += pv;
    if (!key.variant.empty()) {
      Aggregate& v = d.variants[key.variant];
      for (size_t c = 0; c < kPageCounterCount; ++c)
        v.counters[c] = static_cast<uint32_t>(
            std::min<uint64_t>(uint64_t{v.counters[c]} + r.data.counters[c], kU32Max));
    }
    if (d.rows++ == 0) {
      d.all = std::move(r.data);
    } else {
      d.all.merge(r.data);
    }
  });
  return d;
}

struct Flag {
  std::string kind, severity, page, message, check;
};

nlohmann::json flag_json(const Flag& f) {
  nlohmann::json j{
      {"kind", f.kind}, {"severity", f.severity}, {"message", f.message}, {"check", f.check}};
  if (!f.page.empty()) j["page"] = f.page;
  return j;
}

// Sudden drop or spike on the last complete day against the mean of the kBaselineDays before it.
// Page views per day are counts: a change is called only past 3 standard deviations of a Poisson
// count at the baseline mean, and only when it halves or doubles.
std::optional<Flag> traffic_flag(const std::string& page, const std::vector<double>& series,
                                 const std::vector<int32_t>& days, int32_t check_day) {
  const auto at = std::find(days.begin(), days.end(), check_day);
  if (at == days.end()) return std::nullopt;
  const size_t i = static_cast<size_t>(at - days.begin());
  if (i < static_cast<size_t>(kBaselineDays)) return std::nullopt;
  double sum = 0;
  for (size_t d = i - kBaselineDays; d < i; ++d) sum += series[d];
  const double mean = sum / kBaselineDays, seen = series[i], sd = std::sqrt(mean);
  char buf[256];
  if (mean >= kBaselineMinMean && seen < 0.5 * mean && seen < mean - 3 * sd) {
    std::snprintf(buf, sizeof buf,
                  "Page views fell to %.0f on %s from about %.0f a day over the %d days before "
                  "(%.0f %% lower).",
                  seen, day_to_date(check_day).c_str(), mean, kBaselineDays,
                  100 * (1 - seen / mean));
    return Flag{"drop", "warning", page, buf,
                "Check that the tracker tag is still on this page (a deploy, a consent banner or "
                "a Content-Security-Policy change can remove it), and that the page itself still "
                "works."};
  }
  if (mean >= kBaselineMinMean && seen > 2 * mean && seen > mean + 3 * sd) {
    std::snprintf(buf, sizeof buf,
                  "Page views rose to %.0f on %s from about %.0f a day over the %d days before "
                  "(%.1f x).",
                  seen, day_to_date(check_day).c_str(), mean, kBaselineDays, seen / mean);
    return Flag{"spike", "notice", page, buf,
                "Check for a campaign or a link that sent traffic here, bots, or a tag that "
                "now loads twice or on more pages than before."};
  }
  return std::nullopt;
}

// The page with the heatmap overlay open (the tracker opens it on #thermograph).
std::string overlay_url(const std::string& page) {
  return page + "#thermograph";
}

struct VariantFigures {
  std::string name;
  double pv = 0, clicked = 0, converted = 0;
};

}  // namespace

void dashboard(Context& ctx, const Request& req, Response& res) {
  // The dashboard signs in with the read token alone: without ?site= the token names the site.
  auto site = authorize_any(ctx, req, res);
  if (!site) return send_error(res, site.error());
  const auto f = parse_filter({req, ""}, site->key, false);
  if (!f) return send_error(res, 400, "bad_request", f.error().message);
  if (f->page)
    return send_error(res, 400, "bad_request", "the dashboard covers every page: no 'page'");
  const int32_t today = today_utc();

  // The busiest pages of all time bound the work; the window's figures are computed for them.
  const PageList listed = ctx.store.pages(site->key, 0, kMaxPages);
  struct PageOut {
    std::string page;
    Aggregate all;
    std::map<int32_t, uint64_t> days;
    std::map<std::string, Aggregate> variants;
  };
  std::vector<PageOut> shown;
  std::vector<Flag> flags;
  size_t below_min = 0;
  uint16_t newest_version = 0;
  std::map<std::string, std::map<uint16_t, uint64_t>> versions_by_page;
  InsightOptions io;
  nlohmann::json privacy = nullptr;  // how releases were noised (the same for every page)
  for (const PageInfo& p : listed.pages) {
    PageData d = read_page(ctx.store, *f, p.page);
    if (d.rows == 0) continue;
    const ReleaseDecision decision = release(d.all, ctx.policy);
    if (!decision.ok) {
      ++below_min;
      continue;
    }
    io.noise_variance = std::max(io.noise_variance, decision.noise_variance);
    if (privacy.is_null()) privacy = privacy_json(decision);
    // Under DP the number of rare segments is itself exact information (as /api/stats' rows).
    if (ctx.policy.min_page_views > 1 && ctx.policy.epsilon <= 0) {
      size_t small = 0;
      for (const auto& [seg, pv] : d.segments) small += pv < ctx.policy.min_page_views;
      if (small > 0)
        flags.push_back(
            {"small_segments", "info", p.page,
             std::to_string(small) + " of " + std::to_string(d.segments.size()) +
                 " segments (width x device x sign-in x variant x tags) have fewer than " +
                 std::to_string(ctx.policy.min_page_views) +
                 " page views in this window; on their own they are withheld.",
             "Widen the dates or drop a filter before reading one of these segments alone."});
    }
    for (const auto& [v, pv] : d.versions) newest_version = std::max(newest_version, v);
    versions_by_page[p.page] = std::move(d.versions);
    shown.push_back({p.page, std::move(d.all), std::move(d.days), std::move(d.variants)});
  }

  // One set of days for every series: the window's days with data, at most kMaxSeriesDays,
  // ending at the last of them (or at `to`).
  int32_t first = INT32_MAX, last = INT32_MIN;
  for (const PageOut& p : shown)
    if (!p.days.empty()) {
      first = std::min(first, p.days.begin()->first);
      last = std::max(last, p.days.rbegin()->first);
    }
  std::vector<int32_t> days;
  if (!shown.empty() && first <= last) {
    if (f->to_day != INT32_MAX) last = std::max(last, std::min(f->to_day, today));
    first = std::max(first, last - kMaxSeriesDays + 1);
    for (int32_t d = first; d <= last; ++d) days.push_back(d);
  }
  nlohmann::json day_list = nlohmann::json::array();
  for (int32_t d : days) day_list.push_back(day_to_date(d));
  // The last complete UTC day is the one judged for drops and spikes (today is still filling).
  const int32_t check_day = std::min(today - 1, days.empty() ? today - 1 : days.back());

  nlohmann::json pages = nlohmann::json::array();
  double site_pv = 0, site_conv = 0;
  // The overlays' latest re-anchoring figure per page; null for a page never checked.
  std::map<std::string, AnchoringFigure> anchoring;
  for (AnchoringFigure& a : ctx.store.anchoring(site->key)) anchoring[a.page] = std::move(a);
  // Micro-survey answers per page (the window's days; released like GET /api/surveys), [] for
  // none. The segment filters do not apply: answers carry no segment.
  std::map<std::string, nlohmann::json> surveys;
  for (auto& p :
       surveys_json(ctx.store.survey_counts(site->key, std::nullopt, f->from_day, f->to_day),
                    ctx.policy, element_labels(ctx.store, site->key)))
    surveys[p["page"].get<std::string>()] = std::move(p["surveys"]);
  for (const PageOut& p : shown) {
    const auto& c = p.all.counters;
    const double pv = c[kPageViews];
    site_pv += pv;
    site_conv += c[kConversions];
    std::vector<double> series;
    nlohmann::json series_json = nlohmann::json::array();
    for (int32_t d : days) {
      const auto it = p.days.find(d);
      const uint64_t raw = it == p.days.end() ? 0 : it->second;
      // A day without page views is 0, not withheld (under DP it is released like any count).
      const auto v = raw == 0 && ctx.policy.epsilon <= 0 ? std::optional<uint64_t>(0)
                                                         : release_count(raw, ctx.policy);
      series.push_back(v ? static_cast<double>(*v) : 0.0);
      series_json.push_back(v ? nlohmann::json(*v) : nlohmann::json());
    }
    if (auto flag = traffic_flag(p.page, series, days, check_day)) flags.push_back(*flag);
    nlohmann::json frustration = nlohmann::json::object();
    double per_100 = 0;
    for (const auto& [name, counter] :
         {std::pair{"rage", kPvRage}, std::pair{"dead", kPvDead}, std::pair{"error", kPvError}}) {
      frustration[name] = interval_json(c[counter], pv);
      per_100 += pv > 0 ? 100.0 * c[counter] / pv : 0;
    }
    frustration["per_100"] = per_100;
    // Behaviour signals (wire version 4), keyed by their counter names: page views with each, and
    // their sum per 100 page views (the ranking; a page view with two signals counts twice).
    nlohmann::json signals = nlohmann::json::object();
    double signals_100 = 0;
    for (const PageCounter counter :
         {kPvQuickExit, kPvScrollThrash, kPvCursorThrash, kPvDeadSwipe}) {
      signals[page_counter_name(counter)] = interval_json(c[counter], pv);
      signals_100 += pv > 0 ? 100.0 * c[counter] / pv : 0;
    }
    signals["per_100"] = signals_100;
    const auto anchored = anchoring.find(p.page);
    pages.push_back({{"page", p.page},
                     {"page_views", pv},
                     {"conversions", interval_json(c[kConversions], pv)},
                     {"clicked", interval_json(c[kPvClicked], pv)},
                     {"frustration", frustration},
                     {"signals", signals},
                     {"series", series_json},
                     {"variants", p.variants.size()},
                     {"anchoring", anchored == anchoring.end() ? nlohmann::json()
                                                               : anchoring_json(anchored->second)},
                     {"surveys", surveys.count(p.page) ? surveys[p.page] : nlohmann::json::array()},
                     {"overlay_url", overlay_url(p.page)}});
  }

  // Rankings: page keys in order. Frustration: page views with a rage, dead or error click per
  // 100 page views (the three summed; a page view with two kinds counts twice). Signals: the
  // same over the four behaviour signals.
  auto ranked = [&](auto key) {
    std::vector<size_t> order(pages.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return key(pages[a]) > key(pages[b]); });
    nlohmann::json out = nlohmann::json::array();
    for (size_t i : order) out.push_back(pages[i]["page"]);
    return out;
  };
  nlohmann::json rankings{
      {"page_views", ranked([](const nlohmann::json& p) { return p["page_views"].get<double>(); })},
      {"conversions",
       ranked([](const nlohmann::json& p) { return p["conversions"]["count"].get<double>(); })},
      {"frustration",
       ranked([](const nlohmann::json& p) { return p["frustration"]["per_100"].get<double>(); })},
      {"signals",
       ranked([](const nlohmann::json& p) { return p["signals"]["per_100"].get<double>(); })}};

  // Experiments: every page with two or more variants. The control is the variant named
  // "control" (else "a", else the first by name); each other variant is compared with it on the
  // conversion rate when the page has conversions, else on the share of page views that clicked.
  struct Test {
    size_t experiment, variant;
    double p;
  };
  std::vector<Test> tests;
  nlohmann::json experiments = nlohmann::json::array();
  for (const PageOut& p : shown) {
    std::vector<VariantFigures> vs;
    for (const auto& [name, agg] : p.variants) {
      Aggregate released = agg;
      if (!release(released, ctx.policy).ok) continue;
      vs.push_back({name, static_cast<double>(released.counters[kPageViews]),
                    static_cast<double>(released.counters[kPvClicked]),
                    static_cast<double>(released.counters[kConversions])});
    }
    if (vs.size() < 2) continue;
    auto control = std::find_if(vs.begin(), vs.end(), [](auto& v) { return v.name == "control"; });
    if (control == vs.end())
      control = std::find_if(vs.begin(), vs.end(), [](auto& v) { return v.name == "a"; });
    if (control == vs.end()) control = vs.begin();
    std::rotate(vs.begin(), control, control + 1);
    bool any_conv = false;
    for (const auto& v : vs) any_conv |= v.converted > 0;
    const std::string metric = any_conv ? "conversion" : "clicked";
    auto k = [&](const VariantFigures& v) { return any_conv ? v.converted : v.clicked; };
    const double base = vs[0].pv > 0 ? k(vs[0]) / vs[0].pv : 0;
    const double needed =
        base > 0 && base < 1
            ? page_views_per_arm(base, std::min(1.0, base * (1 + kLift)), io.alpha, io.power)
            : INFINITY;
    double more = 0;
    nlohmann::json variants = nlohmann::json::array();
    for (size_t i = 0; i < vs.size(); ++i) {
      const VariantFigures& v = vs[i];
      if (std::isfinite(needed)) more += std::max(0.0, std::ceil(needed) - v.pv);
      nlohmann::json vj{{"variant", v.name},
                        {"control", i == 0},
                        {"page_views", v.pv},
                        {"clicked", interval_json(v.clicked, v.pv)},
                        {"conversions", interval_json(v.converted, v.pv)}};
      if (i > 0) {
        const TestResult t =
            compare_proportions(k(vs[0]), vs[0].pv, k(v), v.pv, io.noise_variance, io.min_expected);
        const double rate = v.pv > 0 ? k(v) / v.pv : 0;
        vj["vs_control"] = {
            {"diff", rate - base},
            {"relative", base > 0 ? nlohmann::json((rate - base) / base) : nlohmann::json()},
            {"test", test_kind_name(t.kind)},
            {"p", t.p}};
        tests.push_back({experiments.size(), i, t.p});
      }
      variants.push_back(vj);
    }
    nlohmann::json e{{"page", p.page},        {"metric", metric},
                     {"control", vs[0].name}, {"variants", variants},
                     {"lift", kLift},         {"overlay_url", overlay_url(p.page)}};
    if (std::isfinite(needed)) {
      e["needed_per_variant"] = std::ceil(needed);
      e["more_page_views"] = more;
      e["progress"] = more > 0 ? "about " + std::to_string(static_cast<uint64_t>(more)) +
                                     " more page views to detect a 10 % lift"
                               : "enough page views to detect a 10 % lift";
    } else {
      e["needed_per_variant"] = nullptr;
      e["more_page_views"] = nullptr;
      e["progress"] = "the control has no " + std::string(any_conv ? "conversions" : "clicks") +
                      " yet: no sample size can be estimated";
    }
    experiments.push_back(e);
  }
  // Benjamini-Hochberg over every comparison of every page at io.q.
  std::vector<double> ps;
  for (const Test& t : tests) ps.push_back(t.p);
  const std::vector<double> adjusted = bh_adjust(ps);
  for (size_t i = 0; i < tests.size(); ++i) {
    nlohmann::json& e = experiments[tests[i].experiment];
    nlohmann::json& vc = e["variants"][tests[i].variant]["vs_control"];
    vc["p_adjusted"] = adjusted[i];
    vc["significant"] = adjusted[i] <= io.q;
    const std::string name = e["variants"][tests[i].variant]["variant"];
    const double diff = vc["diff"];
    vc["summary"] =
        adjusted[i] <= io.q
            ? "'" + name + "' " + (diff > 0 ? "beats" : "trails") + " '" +
                  e["control"].get<std::string>() + "' by " + points(std::abs(diff)) +
                  " (significant after false-discovery control)"
            : "no significant difference from '" + e["control"].get<std::string>() + "' yet";
  }

  // Old tracker versions: rows whose newest tracker is older than the newest seen on the site.
  if (newest_version > 0)
    for (const auto& [page, versions] : versions_by_page) {
      uint64_t old = 0, all = 0;
      for (const auto& [v, pv] : versions) {
        all += pv;
        if (v < newest_version) old += pv;
      }
      if (old == 0) continue;
      // The counts in the message are released like any other (noised under DP).
      const auto old_r = release_count(old, ctx.policy), all_r = release_count(all, ctx.policy);
      if (!old_r || !all_r) continue;
      flags.push_back({"old_tracker", "notice", page,
                       std::to_string(*old_r) + " of " + std::to_string(*all_r) +
                           " page views came from a tracker older than version " +
                           std::to_string(newest_version) + ".",
                       "Check for a cached or self-hosted copy of an old thermograph script on "
                       "this page (a CDN cache, a pinned version, a second tag)."});
    }
  // Refusals and adjustments of this site's own reports (the collector-wide ones: /metrics).
  const std::string prefix = site_stat(site->key, "");
  nlohmann::json refused = nlohmann::json::object();
  uint64_t second_tags = 0;
  for (const auto& [key, n] : ctx.ingest.stats()) {
    if (key.rfind(prefix, 0) != 0 || n == 0) continue;
    const std::string reason = key.substr(prefix.size());
    if (reason == kSecondTagStat) {
      second_tags = n;
      continue;
    }
    refused[reason] = n;
    static const std::map<std::string, std::string> kCheck = {
        {"origin_not_allowed",
         "Reports came from an origin this site does not list: add it with `site update "
         "--origin`, or find who copied the tag."},
        {"foreign_page",
         "Reports named pages of another origin: the tag (or its data-site key) is on a site "
         "that is not this one."},
        {"pii_removed",
         "Page keys or tags carried something that looked personal and was removed: check what "
         "the site passes in tags and URLs."},
        {"survey_site_full",
         "Micro-survey answers (not reports) about new pages or elements were refused: the site "
         "holds answers for " +
             std::to_string(kMaxSurveyKeysPerSite) +
             " (page, survey, element) keys. Prune old days (`thermograph-collector prune`) or "
             "ask about fewer elements."}};
    const auto it = kCheck.find(reason);
    flags.push_back({"refused", reason == "pii_removed" ? "notice" : "warning", "",
                     std::to_string(n) + " reports " +
                         (reason == "pii_removed" ? "were stored without a value that looked "
                                                    "personal (pii_removed)."
                                                  : "were refused (" + reason + ")."),
                     it != kCheck.end() ? it->second : "See docs/collector.md for this reason."});
  }
  if (second_tags > 0)
    flags.push_back({"duplicate_tracker", "warning", "",
                     std::to_string(second_tags) +
                         " page views had a second Thermograph tag on the page (the second one "
                         "is ignored, so nothing is counted twice).",
                     "Remove the extra tag: the snippet pasted twice (a tag manager and the page "
                     "template), or a script tag next to the npm package."});
  if (below_min > 0)
    flags.push_back({"below_min_page_views", "info", "",
                     std::to_string(below_min) + " pages have fewer than " +
                         std::to_string(ctx.policy.min_page_views) +
                         " page views in this window and are left out.",
                     "Widen the dates or drop a filter to see them."});

  // Hotspot matrix: elements of every shown page, scored across the site.
  struct Candidate {
    const std::string* page;
    ElementInsight e;
  };
  std::vector<Candidate> cands;
  for (const PageOut& p : shown) {
    Insights in = compute_insights(p.all, io);
    std::sort(in.elements.begin(), in.elements.end(),
              [](const auto& a, const auto& b) { return a.rate > b.rate; });
    if (in.elements.size() > kHotspotsPerPage) in.elements.resize(kHotspotsPerPage);
    for (ElementInsight& e : in.elements)
      if (e.pv_clicked > 0) cands.push_back({&p.page, e});
  }
  double max_rate = 0, max_lift = 0;
  for (const Candidate& c : cands) {
    max_rate = std::max(max_rate, c.e.rate);
    max_lift = std::max(max_lift, c.e.conv_rate_clicked - c.e.conv_rate_not);
  }
  struct Scored {
    const Candidate* c;
    double E, C, F, score;
  };
  std::vector<Scored> scored;
  for (const Candidate& c : cands) {
    const double E = max_rate > 0 ? c.e.rate / max_rate : 0;
    const double C =
        max_lift > 0 ? std::max(0.0, c.e.conv_rate_clicked - c.e.conv_rate_not) / max_lift : 0;
    const double F = c.e.frustration;
    scored.push_back({&c, E, C, F, 100 * (0.4 * E + 0.3 * C + 0.3 * F)});
  }
  std::stable_sort(scored.begin(), scored.end(),
                   [](const Scored& a, const Scored& b) { return a.score > b.score; });
  if (scored.size() > kHotspots) scored.resize(kHotspots);
  nlohmann::json elements = nlohmann::json::array();
  const auto labels = element_labels(ctx.store, site->key);
  for (const Scored& s : scored) {
    const ElementInsight& e = s.c->e;
    const auto label = labels.find({*s.c->page, e.key});
    const char* quadrant = s.F >= 0.2   ? (s.E >= 0.5 ? "fix first" : "fix")
                           : s.C >= 0.5 ? "keep"
                           : s.E >= 0.5 ? "busy, not converting"
                                        : "quiet";
    elements.push_back(
        {{"page", *s.c->page},
         {"key", element_key_hex(e.key)},
         {"interactive", e.interactive},
         {"clicks", e.clicks},
         {"pv_clicked", e.pv_clicked},
         {"rate", e.rate},
         {"engagement", s.E},
         {"conversion", s.C},
         {"frustration", s.F},
         {"score", s.score},
         {"quadrant", quadrant},
         {"overlay_url", overlay_url(*s.c->page)},
         {"name", label == labels.end() ? nlohmann::json() : nlohmann::json(label->second)}});
  }

  nlohmann::json filters = nlohmann::json::object();
  for (const char* name : {"from", "to", "width", "device", "variant", "logged_in"})
    if (req.has_param(name)) filters[name] = req.get_param_value(name);
  if (req.has_param("tag")) {
    filters["tag"] = nlohmann::json::array();
    for (size_t i = 0; i < req.get_param_value_count("tag"); ++i)
      filters["tag"].push_back(req.get_param_value("tag", i));
  }
  nlohmann::json flag_list = nlohmann::json::array();
  for (const Flag& fl : flags) flag_list.push_back(flag_json(fl));
  nlohmann::json j{
      {"site", site->key},
      {"name", site->name},
      {"today", day_to_date(today)},
      {"filters", filters},
      {"days", day_list},
      {"checked_day", day_to_date(check_day)},
      {"limits",
       {{"max_pages", kMaxPages},
        {"pages_considered", listed.pages.size()},
        {"pages_total", listed.total},
        {"note", listed.total > kMaxPages
                     ? "Only the " + std::to_string(kMaxPages) + " busiest pages (of " +
                           std::to_string(listed.total) +
                           ", by page views over all time) are considered."
                     : "Every page of the site is considered."}}},
      {"totals", {{"page_views", site_pv}, {"conversions", interval_json(site_conv, site_pv)}}},
      {"pages", pages},
      {"rankings", rankings},
      {"experiments", experiments},
      {"privacy", privacy},
      {"health",
       {{"flags", flag_list},
        {"refused", refused},
        {"duplicate_tracker", second_tags},
        {"baseline_days", kBaselineDays}}},
      {"hotspots",
       {{"formula",
         "score = 100 x (0.4 E + 0.3 C + 0.3 F). E (engagement) = the element's share of page "
         "views with a click on it, divided by the highest such share on the site. C (conversion) "
         "= conversion rate of page views that clicked it minus that of page views that did not "
         "(0 when negative), divided by the highest such difference on the site. F (frustration) "
         "= Wilson lower bound of the share of its clicking page views with a rage, dead or "
         "error click on it. Each component is in 0..1."},
        {"elements", elements}}},
      {"statistics",
       {{"intervals", "Wilson score, 95 %"},
        {"tests", "two-proportion z-test, Fisher's exact test when an expected count is below 5"},
        {"false_discovery",
         "Benjamini-Hochberg across every variant comparison on every page, "
         "q = 0.05"},
        {"sample_size",
         "page views per variant for a 10 % relative lift over the control, "
         "alpha 0.05 two-sided, power 0.8"}}},
  };
  res.set_content(j.dump() + "\n", "application/json");
}

}  // namespace thermograph
