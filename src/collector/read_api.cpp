// Read endpoints: pages, segments, merged heatmaps (binary/JSON), insights and A/B comparisons,
// per-element CSV, stats. Every served aggregate passes through release() (release.h); every
// endpoint needs the site's read token and answers CORS (with preflight) for the site's origins.
#include <cmath>
#include <map>
#include <set>

#include "core/page_key.h"
#include "http_common.h"
#include "json/insights_json.h"
#include "json/report_json.h"

namespace thermograph {
namespace {

using httplib::Request;
using httplib::Response;

std::string presented_token(const Request& req) {
  const std::string h = req.get_header_value("Authorization");
  if (h.rfind("Bearer ", 0) == 0) return h.substr(7);
  return req.has_param("token") ? req.get_param_value("token") : "";
}

// Resolves ?site= and checks the token. On failure the response is already written.
std::optional<SiteRecord> authorize(Context& ctx, const Request& req, Response& res) {
  const std::string key = req.get_param_value("site");
  if (key.empty()) {
    send_error(res, 400, "bad_request", "missing parameter 'site'");
    return std::nullopt;
  }
  auto site = ctx.sites.find(key);
  const std::string origin = req.get_header_value("Origin");
  // CORS even on 401/403, so the overlay can show the reason instead of a network error.
  if (site && !origin.empty() && ctx.sites.origin_allowed(*site, origin)) allow_origin(res, origin);
  const std::string token = presented_token(req);
  if (token.empty()) {
    res.set_header("WWW-Authenticate", "Bearer realm=\"thermograph\"");
    send_error(res, 401, "no_token",
               "read endpoints need the site's read token (Authorization: Bearer TOKEN)");
    return std::nullopt;
  }
  // Unknown site and wrong token look the same, so the API is no oracle for site keys.
  if (!site || !token_matches(*site, token)) {
    send_error(res, 403, "forbidden", "this token does not grant read access to site " + key);
    return std::nullopt;
  }
  return site;
}

bool parse_u8(const std::string& s, uint8_t& out) {
  if (s.empty() || s.size() > 3 || s.find_first_not_of("0123456789") != s.npos) return false;
  const int v = std::stoi(s);
  if (v > 255) return false;
  out = static_cast<uint8_t>(v);
  return true;
}

bool parse_day(const std::string& s, int32_t& out) {
  if (auto d = date_to_day(s)) return out = *d, true;
  if (s.empty() || s.size() > 7 || s.find_first_not_of("0123456789") != s.npos) return false;
  out = std::stoi(s);
  return true;
}

// The query as one side of a comparison sees it: `a.variant` overrides `variant` for side "a.".
// With an empty prefix it is the plain query string.
struct Query {
  const Request& req;
  std::string prefix;
  std::string pick(const std::string& name) const {
    return !prefix.empty() && req.has_param(prefix + name) ? prefix + name : name;
  }
  bool has_param(const std::string& n) const { return req.has_param(pick(n)); }
  std::string get_param_value(const std::string& n, size_t i = 0) const {
    return req.get_param_value(pick(n), i);
  }
  size_t get_param_value_count(const std::string& n) const {
    return req.get_param_value_count(pick(n));
  }
};

// Builds a RowFilter from the query string; returns an error message or "".
std::string parse_filter(const Query& req, const std::string& site, bool need_page, RowFilter& f) {
  f.site = site;
  // Reports are stored with index documents folded ("/index.html" is "/"): so is the question.
  if (req.has_param("page")) f.page = fold_index_document(req.get_param_value("page"));
  if (need_page && (!f.page || f.page->empty())) return "missing parameter 'page'";
  if (req.has_param("width")) {
    uint8_t w;
    if (!parse_u8(req.get_param_value("width"), w)) return "width must be an integer 0..255";
    f.width_class = w;
  }
  if (req.has_param("device")) {
    static const std::map<std::string, uint8_t> kNames = {{"unknown", kDeviceUnknown},
                                                          {"mouse", kDeviceMouse},
                                                          {"touch", kDeviceTouch},
                                                          {"pen", kDevicePen}};
    const std::string d = req.get_param_value("device");
    uint8_t v;
    if (auto it = kNames.find(d); it != kNames.end()) {
      v = it->second;
    } else if (!parse_u8(d, v)) {
      return "device must be unknown|mouse|touch|pen or 0..3";
    }
    f.device = v;
  }
  if (req.has_param("variant")) f.variant = req.get_param_value("variant");
  if (req.has_param("logged_in")) {
    const std::string v = req.get_param_value("logged_in");
    if (v == "1" || v == "true") {
      f.logged_in = true;
    } else if (v == "0" || v == "false") {
      f.logged_in = false;
    } else {
      return "logged_in must be 0|1|true|false";
    }
  }
  for (size_t i = 0; i < req.get_param_value_count("tag"); ++i) {
    const std::string t = req.get_param_value("tag", i);
    const size_t colon = t.find(':');
    if (colon == std::string::npos || colon == 0) return "tag must look like key:value";
    f.tags.push_back({t.substr(0, colon), t.substr(colon + 1)});
  }
  if (req.has_param("from") && !parse_day(req.get_param_value("from"), f.from_day))
    return "from must be YYYY-MM-DD or a UTC day number";
  if (req.has_param("to") && !parse_day(req.get_param_value("to"), f.to_day))
    return "to must be YYYY-MM-DD or a UTC day number";
  return "";
}

// Segment of a merge: a field that differs between rows becomes kMixed (width, device),
// empty (variant), false (logged_in), 0 (tracker version); tags keep what all rows share.
void merge_segment(Segment& into, const Segment& s) {
  if (into.width_class != s.width_class) into.width_class = kMixed;
  if (into.device != s.device) into.device = kMixed;
  if (into.variant != s.variant) into.variant.clear();
  if (into.logged_in != s.logged_in) into.logged_in = false;
  if (into.tracker_version != s.tracker_version) into.tracker_version = 0;
  std::erase_if(into.tags, [&](const Tag& t) {
    return std::find(s.tags.begin(), s.tags.end(), t) == s.tags.end();
  });
}

// Merges every matching row and releases the result. On failure the response is written.
// `side` names the comparison side in error messages ("" for single-aggregate endpoints).
bool merged_release(Context& ctx, const Query& req, Response& res, const SiteRecord& site,
                    Report& out, ReleaseDecision* decision = nullptr) {
  const std::string side = req.prefix.empty() ? "" : "side " + req.prefix.substr(0, 1) + ": ";
  RowFilter f;
  if (std::string err = parse_filter(req, site.key, true, f); !err.empty()) {
    send_error(res, 400, "bad_request", side + err);
    return false;
  }
  size_t rows = 0;
  ctx.store.for_each_row(f, [&](const RowKey&, Report&& r) {
    if (rows++ == 0) {
      out = std::move(r);
    } else {
      merge_segment(out.segment, r.segment);
      out.data.merge(r.data);
    }
  });
  if (rows == 0) {
    send_error(res, 404, "no_data", side + "no data for this page and filters");
    return false;
  }
  out.kind = kKindAggregate;
  ReleaseDecision d = release(out.data, ctx.policy);
  if (!d.ok) {
    send_error(res, 403, "below_min_page_views", side + d.reason);
    return false;
  }
  if (decision) *decision = d;
  return true;
}

// Insight options: `options` (a JSON object, e.g. with element boxes), then single numeric
// parameters by their InsightOptions name (`q=0.1&hot_min_clicks=50`). The DP noise variance of
// the release is used unless the caller sets one.
bool insight_options(const Request& req, Response& res, const ReleaseDecision& d,
                     InsightOptions& o) {
  nlohmann::json j = nlohmann::json::object();
  if (req.has_param("options")) {
    j = nlohmann::json::parse(req.get_param_value("options"), nullptr, false);
    if (!j.is_object()) {
      send_error(res, 400, "bad_request", "options must be a JSON object");
      return false;
    }
  }
  for (const char* name : {"z", "q", "hot_min_clicks", "alpha", "power", "min_detectable_effect",
                           "noise_variance", "min_expected", "near_miss_px", "near_miss_min_clicks",
                           "max_hotspots", "false_bottom_k", "false_bottom_min_drop"}) {
    if (!req.has_param(name)) continue;
    const auto v = nlohmann::json::parse(req.get_param_value(name), nullptr, false);
    if (!v.is_number()) {
      send_error(res, 400, "bad_request", std::string(name) + " must be a number");
      return false;
    }
    j[name] = v;
  }
  if (!j.contains("noise_variance")) j["noise_variance"] = d.noise_variance;
  o = insight_options_from_json(j);
  return true;
}

// ?layer=clicks,move keeps only those layers; ?elements=0 drops per-element stats.
bool apply_layer_filter(const Request& req, Response& res, Aggregate& a) {
  if (req.has_param("layer")) {
    std::set<std::string> keep;
    const std::string v = req.get_param_value("layer");
    for (size_t start = 0; start <= v.size();) {
      const size_t comma = std::min(v.find(',', start), v.size());
      keep.insert(v.substr(start, comma - start));
      start = comma + 1;
    }
    for (const std::string& name : keep) {
      bool known = false;
      for (uint8_t l = 0; l < kLayerCount; ++l) known |= name == layer_name(static_cast<Layer>(l));
      if (!known) {
        send_error(res, 400, "bad_request", "unknown layer '" + name + "'");
        return false;
      }
    }
    for (uint8_t l = 0; l < kLayerCount; ++l)
      if (!keep.count(layer_name(static_cast<Layer>(l)))) a.layers[l].clear();
  }
  if (req.get_param_value("elements") == "0") {
    Aggregate slim;
    slim.counters = a.counters;
    slim.layers = std::move(a.layers);
    a = std::move(slim);
  }
  return true;
}

void heatmap(Context& ctx, const Request& req, Response& res) {
  auto site = authorize(ctx, req, res);
  if (!site) return;
  const std::string format = req.has_param("format") ? req.get_param_value("format") : "json";
  if (format != "json" && format != "bin")
    return send_error(res, 400, "bad_request", "format must be bin or json");
  Report merged;
  if (!merged_release(ctx, {req, ""}, res, *site, merged) ||
      !apply_layer_filter(req, res, merged.data))
    return;
  if (format == "bin") {
    const std::vector<uint8_t> bytes = encode(merged);
    res.set_content(std::string(bytes.begin(), bytes.end()), "application/octet-stream");
  } else {
    res.set_content(to_json(merged).dump() + "\n", "application/json");
  }
}

// The same numbers as /api/insights, so a spreadsheet and the overlay agree.
std::string csv_number(double v) {
  if (!std::isfinite(v)) return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

void elements_csv(Context& ctx, const Request& req, Response& res) {
  auto site = authorize(ctx, req, res);
  if (!site) return;
  Report merged;
  ReleaseDecision d;
  InsightOptions o;
  if (!merged_release(ctx, {req, ""}, res, *site, merged, &d) || !insight_options(req, res, d, o))
    return;
  const Insights in = compute_insights(merged.data, o);
  std::map<uint32_t, const ElementInsight*> by_key;
  for (const ElementInsight& e : in.elements) by_key[e.key] = &e;
  std::string csv = "key,flags";
  for (uint8_t c = 0; c < kElementCounterCount; ++c)
    csv += std::string(",") + element_counter_name(static_cast<ElementCounter>(c));
  csv += ",rate,ci_low,ci_high,hot\n";
  for (const auto& [key, el] : merged.data.elements()) {
    csv += element_key_hex(key) + "," + std::to_string(el.flags);
    for (uint32_t v : el.counters) csv += "," + std::to_string(v);
    const auto it = by_key.find(key);
    if (it == by_key.end()) {
      csv += ",,,,0\n";
      continue;
    }
    const ElementInsight& e = *it->second;
    csv += "," + csv_number(e.rate) + "," + csv_number(e.ci.lo) + "," + csv_number(e.ci.hi) +
           (e.hot ? ",1\n" : ",0\n");
  }
  res.set_header("Content-Disposition", "attachment; filename=\"elements.csv\"");
  res.set_content(csv, "text/csv");
}

void insights(Context& ctx, const Request& req, Response& res) {
  auto site = authorize(ctx, req, res);
  if (!site) return;
  Report merged;
  ReleaseDecision d;
  InsightOptions o;
  if (!merged_release(ctx, {req, ""}, res, *site, merged, &d) || !insight_options(req, res, d, o))
    return;
  nlohmann::json j = insights_json(merged.data, o);
  j["site"] = site->key;
  j["page"] = merged.segment.page;
  res.set_content(j.dump() + "\n", "application/json");
}

// Two released aggregates of one page; filters prefixed `a.` / `b.` pick each side, unprefixed
// ones apply to both. Each side is released (and noised) on its own.
void compare(Context& ctx, const Request& req, Response& res) {
  auto site = authorize(ctx, req, res);
  if (!site) return;
  Report a, b;
  ReleaseDecision da, db;
  InsightOptions o;
  if (!merged_release(ctx, {req, "a."}, res, *site, a, &da) ||
      !merged_release(ctx, {req, "b."}, res, *site, b, &db))
    return;
  ReleaseDecision worst = da.noise_variance >= db.noise_variance ? da : db;
  if (!insight_options(req, res, worst, o)) return;
  nlohmann::json j = compare_json(a.data, b.data, o);
  j["site"] = site->key;
  j["page"] = a.segment.page;
  res.set_content(j.dump() + "\n", "application/json");
}

void pages(Context& ctx, const Request& req, Response& res) {
  auto site = authorize(ctx, req, res);
  if (!site) return;
  nlohmann::json list = nlohmann::json::array();
  for (const PageInfo& p : ctx.store.pages(site->key)) {
    const auto pv = release_count(p.page_views, ctx.policy);
    if (!pv) continue;
    list.push_back({{"page", p.page},
                    {"page_views", *pv},
                    {"first_day", day_to_date(p.first_day)},
                    {"last_day", day_to_date(p.last_day)}});
  }
  res.set_content(nlohmann::json{{"site", site->key}, {"pages", list}}.dump() + "\n",
                  "application/json");
}

void segments(Context& ctx, const Request& req, Response& res) {
  auto site = authorize(ctx, req, res);
  if (!site) return;
  RowFilter f;
  if (std::string err = parse_filter({req, ""}, site->key, true, f); !err.empty())
    return send_error(res, 400, "bad_request", err);
  std::map<int, uint64_t> widths, devices, days;
  std::map<std::string, uint64_t> variants;
  std::map<bool, uint64_t> logged;
  std::map<std::pair<std::string, std::string>, uint64_t> tags;
  uint64_t total = 0;
  for (const RowInfo& r : ctx.store.rows(f)) {
    total += r.page_views;
    widths[r.key.width_class] += r.page_views;
    devices[r.key.device] += r.page_views;
    days[r.key.day] += r.page_views;
    variants[r.key.variant] += r.page_views;
    logged[r.key.logged_in] += r.page_views;
    const auto t = nlohmann::json::parse(r.key.tags, nullptr, false);
    if (t.is_object())
      for (const auto& [k, v] : t.items())
        if (v.is_string()) tags[{k, v.get<std::string>()}] += r.page_views;
  }
  auto list = [&](const auto& m, auto value) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& [k, pv] : m)
      if (const auto n = release_count(pv, ctx.policy))
        out.push_back({{"value", value(k)}, {"page_views", *n}});
    return out;
  };
  auto id = [](const auto& k) { return k; };
  nlohmann::json tag_list = nlohmann::json::array();
  for (const auto& [kv, pv] : tags)
    if (const auto n = release_count(pv, ctx.policy))
      tag_list.push_back({{"key", kv.first}, {"value", kv.second}, {"page_views", *n}});
  nlohmann::json j{{"site", site->key},
                   {"page", *f.page},
                   {"page_views", release_count(total, ctx.policy).value_or(0)},
                   {"width_classes", list(widths, id)},
                   {"devices", list(devices, id)},
                   {"variants", list(variants, id)},
                   {"logged_in", list(logged, id)},
                   {"tags", tag_list},
                   {"days", list(days, [](int d) { return day_to_date(d); })}};
  res.set_content(j.dump() + "\n", "application/json");
}

// Global counters; any site's read token opens them (they describe the collector, not a site).
void stats(Context& ctx, const Request& req, Response& res) {
  const std::string token = presented_token(req);
  if (token.empty()) {
    res.set_header("WWW-Authenticate", "Bearer realm=\"thermograph\"");
    return send_error(res, 401, "no_token", "stats need any site's read token");
  }
  if (!ctx.sites.site_for_token(token))
    return send_error(res, 403, "forbidden", "token is not a read token of any site");
  StatsMap s = ctx.ingest.stats();
  nlohmann::json rejected = nlohmann::json::object();
  uint64_t rejected_total = 0;
  for (const auto& [reason, n] : s) {
    if (reason == "accepted") continue;
    rejected[reason] = n;
    rejected_total += n;
  }
  nlohmann::json j{{"accepted", s["accepted"]},
                   {"rejected", rejected},
                   {"rejected_total", rejected_total},
                   {"queue_depth", ctx.ingest.queue_depth()}};
  res.set_content(j.dump() + "\n", "application/json");
}

// Preflight for the read API: the overlay sends Authorization from the site's own origin.
void read_preflight(Context& ctx, const Request& req, Response& res) {
  res.status = 204;
  const std::string origin = req.get_header_value("Origin");
  if (origin.empty()) return;
  const auto site = ctx.sites.find(req.get_param_value("site"));
  const bool ok =
      site ? ctx.sites.origin_allowed(*site, origin) : ctx.sites.any_site_allows(origin);
  if (!ok) return;  // no CORS headers: the browser refuses the real request
  allow_origin(res, origin);
  res.set_header("Access-Control-Allow-Methods", "GET, OPTIONS");
  res.set_header("Access-Control-Allow-Headers", "Authorization");
  res.set_header("Access-Control-Max-Age", "600");
}

}  // namespace

void register_read_api(httplib::Server& svr, Context& ctx) {
  auto bind = [&ctx](void (*fn)(Context&, const Request&, Response&)) {
    return guarded([&ctx, fn](const Request& req, Response& res) {
      res.set_header("Cache-Control", "no-store");  // token-protected data stays out of caches
      fn(ctx, req, res);
    });
  };
  svr.Get("/api/pages", bind(pages));
  svr.Get("/api/segments", bind(segments));
  svr.Get("/api/heatmap", bind(heatmap));
  svr.Get("/api/elements.csv", bind(elements_csv));
  svr.Get("/api/insights", bind(insights));
  svr.Get("/api/compare", bind(compare));
  svr.Get("/api/stats", bind(stats));
  svr.Options(R"(/api/.*)", bind(read_preflight));
}

}  // namespace thermograph
