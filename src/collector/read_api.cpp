// Read endpoints: pages, segments, merged heatmaps (binary/JSON), insights and A/B comparisons,
// per-element CSV, stats. Every served aggregate passes through release() (release.h); every
// endpoint needs the site's read token and answers CORS (with preflight) for the site's origins.
#include "read_api.h"

#include <cmath>
#include <map>
#include <set>
#include <tuple>

#include "anchoring.h"
#include "core/page_key.h"
#include "json/insights_json.h"
#include "json/report_json.h"
#include "names.h"
#include "sanitize.h"
#include "survey.h"

namespace thermograph {

std::string presented_token(const Request& req) {
  const std::string h = req.get_header_value("Authorization");
  if (h.rfind("Bearer ", 0) == 0) return h.substr(7);
  return req.has_param("token") ? req.get_param_value("token") : "";
}

const HttpError kNoToken{401,
                         "no_token",
                         "read endpoints need the site's read token (Authorization: Bearer TOKEN)",
                         {{"WWW-Authenticate", "Bearer realm=\"thermograph\""}}};

Expected<std::string, HttpError> overlay_page_key(const std::string& given,
                                                  const SiteRecord& site) {
  int changed = 0;
  const std::string canonical =
      given.size() > kMaxPageKeyBytes ? "" : sanitize_page_key(given, changed);
  if (canonical.empty() || changed != 0)
    return HttpError{400, "bad_page",
                     "page must be a page key as the collector stores it (the overlay's key)"};
  std::string page = fold_index_document(canonical);
  if (!page_in_origins(page, site.origins))
    return HttpError{400, "foreign_page", "page must be a page key of this site's origins"};
  return page;
}

Expected<SiteRecord, HttpError> authorize(Context& ctx, const Request& req, Response& res) {
  const std::string key = req.get_param_value("site");
  if (key.empty()) return HttpError{400, "bad_request", "missing parameter 'site'"};
  auto site = ctx.sites.find(key);
  const std::string origin = req.get_header_value("Origin");
  if (site && !origin.empty() && ctx.sites.origin_allowed(*site, origin)) allow_origin(res, origin);
  const std::string token = presented_token(req);
  if (token.empty()) return kNoToken;
  // Unknown site and wrong token look the same, so the API is no oracle for site keys.
  if (!site || !token_matches(*site, token))
    return HttpError{403, "forbidden", "this token does not grant read access to site " + key};
  return *site;
}

Expected<SiteRecord, HttpError> authorize_any(Context& ctx, const Request& req, Response& res) {
  if (req.has_param("site")) return authorize(ctx, req, res);
  const std::string token = presented_token(req);
  if (token.empty()) return kNoToken;
  auto site = ctx.sites.site_for_token(token);
  if (!site) return HttpError{403, "forbidden", "token is not a read token of any site"};
  const std::string origin = req.get_header_value("Origin");
  if (!origin.empty() && ctx.sites.origin_allowed(*site, origin)) allow_origin(res, origin);
  return *site;
}

static std::optional<uint8_t> parse_u8(const std::string& s) {
  if (s.empty() || s.size() > 3 || s.find_first_not_of("0123456789") != s.npos) return std::nullopt;
  const int v = std::stoi(s);
  if (v > 255) return std::nullopt;
  return static_cast<uint8_t>(v);
}

static std::optional<int32_t> parse_day(const std::string& s) {
  if (auto d = date_to_day(s)) return d;
  if (s.empty() || s.size() > 7 || s.find_first_not_of("0123456789") != s.npos) return std::nullopt;
  return std::stoi(s);
}

Expected<RowFilter> parse_filter(const Query& req, const std::string& site, bool need_page) {
  RowFilter f;
  f.site = site;
  // Reports are stored with index documents folded ("/index.html" is "/"): so is the question.
  if (req.has_param("page")) f.page = fold_index_document(req.get_param_value("page"));
  if (need_page && (!f.page || f.page->empty())) return Error{"missing parameter 'page'"};
  if (req.has_param("width")) {
    f.width_class = parse_u8(req.get_param_value("width"));
    if (!f.width_class) return Error{"width must be an integer 0..255"};
  }
  if (req.has_param("device")) {
    static const std::map<std::string, uint8_t> kNames = {{"unknown", kDeviceUnknown},
                                                          {"mouse", kDeviceMouse},
                                                          {"touch", kDeviceTouch},
                                                          {"pen", kDevicePen}};
    const std::string d = req.get_param_value("device");
    const auto it = kNames.find(d);
    f.device = it != kNames.end() ? std::optional<uint8_t>(it->second) : parse_u8(d);
    if (!f.device) return Error{"device must be unknown|mouse|touch|pen or 0..3"};
  }
  if (req.has_param("variant")) f.variant = req.get_param_value("variant");
  if (req.has_param("logged_in")) {
    const std::string v = req.get_param_value("logged_in");
    if (v == "1" || v == "true") {
      f.logged_in = true;
    } else if (v == "0" || v == "false") {
      f.logged_in = false;
    } else {
      return Error{"logged_in must be 0|1|true|false"};
    }
  }
  for (size_t i = 0; i < req.get_param_value_count("tag"); ++i) {
    const std::string t = req.get_param_value("tag", i);
    const size_t colon = t.find(':');
    if (colon == std::string::npos || colon == 0) return Error{"tag must look like key:value"};
    f.tags.push_back({t.substr(0, colon), t.substr(colon + 1)});
  }
  const auto days = parse_days(req);
  if (!days) return days.error();
  std::tie(f.from_day, f.to_day) = *days;
  return f;
}

Expected<std::pair<int32_t, int32_t>> parse_days(const Query& req) {
  std::pair<int32_t, int32_t> out{INT32_MIN, INT32_MAX};
  for (const auto& [name, day] : {std::pair{"from", &out.first}, std::pair{"to", &out.second}}) {
    if (!req.has_param(name)) continue;
    const auto d = parse_day(req.get_param_value(name));
    if (!d) return Error{std::string(name) + " must be YYYY-MM-DD or a UTC day number"};
    *day = *d;
  }
  return out;
}

namespace {

struct Released {
  Report report;
  ReleaseDecision decision;
};

// Merges every matching row and releases the result. Errors name the comparison side
// ("side b: ...") when the query has a prefix.
Expected<Released, HttpError> merged_release(Context& ctx, const Query& req,
                                             const SiteRecord& site) {
  const std::string side = req.prefix.empty() ? "" : "side " + req.prefix.substr(0, 1) + ": ";
  const auto f = parse_filter(req, site.key, true);
  if (!f) return HttpError{400, "bad_request", side + f.error().message};
  std::optional<Report> merged = ctx.store.merged(*f);
  if (!merged) return HttpError{404, "no_data", side + "no data for this page and filters"};
  Released r{std::move(*merged), {}};
  r.decision = release(r.report.data, ctx.policy);
  if (!r.decision.ok) return HttpError{403, "below_min_page_views", side + r.decision.reason};
  return r;
}

// Insight options: `options` (a JSON object, e.g. with element boxes), then single numeric
// parameters by their InsightOptions name (`q=0.1&hot_min_clicks=50`). The DP noise variance of
// the release is used unless the caller sets one.
Expected<InsightOptions, HttpError> insight_options(const Request& req, const ReleaseDecision& d) {
  nlohmann::json j = nlohmann::json::object();
  if (req.has_param("options")) {
    j = nlohmann::json::parse(req.get_param_value("options"), nullptr, false);
    if (!j.is_object()) return HttpError{400, "bad_request", "options must be a JSON object"};
  }
  for (const char* name : {"z", "q", "hot_min_clicks", "alpha", "power", "min_detectable_effect",
                           "noise_variance", "min_expected", "near_miss_px", "near_miss_min_clicks",
                           "max_hotspots", "false_bottom_k", "false_bottom_min_drop"}) {
    if (!req.has_param(name)) continue;
    const auto v = nlohmann::json::parse(req.get_param_value(name), nullptr, false);
    if (!v.is_number())
      return HttpError{400, "bad_request", std::string(name) + " must be a number"};
    j[name] = v;
  }
  if (!j.contains("noise_variance")) j["noise_variance"] = d.noise_variance;
  return insight_options_from_json(j);
}

// ?layer=clicks,move keeps only those layers; ?elements=0 drops per-element stats.
Expected<void, HttpError> apply_layer_filter(const Request& req, Aggregate& a) {
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
      if (!known) return HttpError{400, "bad_request", "unknown layer '" + name + "'"};
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
  return {};
}

void heatmap(Context& ctx, const Request& req, Response& res) {
  auto site = authorize(ctx, req, res);
  if (!site) return send_error(res, site.error());
  const std::string format = req.has_param("format") ? req.get_param_value("format") : "json";
  if (format != "json" && format != "bin")
    return send_error(res, 400, "bad_request", "format must be bin or json");
  auto released = merged_release(ctx, {req, ""}, *site);
  if (!released) return send_error(res, released.error());
  Report& merged = released->report;
  if (auto ok = apply_layer_filter(req, merged.data); !ok) return send_error(res, ok.error());
  const nlohmann::json privacy = privacy_json(released->decision);
  if (format == "bin") {
    // The overlay reads the binary form: the release's noise travels in a header.
    if (!privacy.is_null()) res.set_header("Thermograph-Privacy", privacy.dump());
    const std::vector<uint8_t> bytes = encode(merged);
    res.set_content(std::string(bytes.begin(), bytes.end()), "application/octet-stream");
  } else {
    nlohmann::json j = to_json(merged);
    if (!privacy.is_null()) j["privacy"] = privacy;
    res.set_content(j.dump() + "\n", "application/json");
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
  if (!site) return send_error(res, site.error());
  auto released = merged_release(ctx, {req, ""}, *site);
  if (!released) return send_error(res, released.error());
  const auto o = insight_options(req, released->decision);
  if (!o) return send_error(res, o.error());
  const Report& merged = released->report;
  const Insights in = compute_insights(merged.data, *o);
  std::map<uint32_t, const ElementInsight*> by_key;
  for (const ElementInsight& e : in.elements) by_key[e.key] = &e;
  std::string csv = "key,flags";
  for (uint8_t c = 0; c < kElementCounterCount; ++c)
    csv += std::string(",") + element_counter_name(static_cast<ElementCounter>(c));
  csv += ",rate,ci_low,ci_high,hot,name\n";
  const auto labels = element_labels(ctx.store, site->key);
  const std::string page = released->report.segment.page;
  for (const auto& [key, el] : merged.data.elements()) {
    const auto label = labels.find({page, key});
    const std::string name = label == labels.end() ? "" : csv_quote(label->second);
    csv += element_key_hex(key) + "," + std::to_string(el.flags);
    for (uint32_t v : el.counters) csv += "," + std::to_string(v);
    const auto it = by_key.find(key);
    if (it == by_key.end()) {
      csv += ",,,,0," + name + "\n";
      continue;
    }
    const ElementInsight& e = *it->second;
    csv += "," + csv_number(e.rate) + "," + csv_number(e.ci.lo) + "," + csv_number(e.ci.hi) +
           (e.hot ? ",1," : ",0,") + name + "\n";
  }
  res.set_header("Content-Disposition", "attachment; filename=\"elements.csv\"");
  res.set_content(csv, "text/csv");
}

// Pages hashed to name the routes visitors came from: the busiest ones (a route to a page past
// them stays unnamed).
constexpr uint64_t kRouteNamePages = 1000;

// Names the route hashes of journeys' "came_from" entries (core/page_key.h route_hash) from the
// site's busiest pages: "page" is the page key, null when none of them hashes to it.
void name_routes(Context& ctx, const std::string& site, nlohmann::json& came_from) {
  if (came_from.empty()) return;
  std::map<uint32_t, std::string> names;
  for (const PageInfo& p : ctx.store.pages(site, 0, kRouteNamePages).pages)
    if (release_count(p.page_views, ctx.policy))  // only pages GET /api/pages would list
      names.emplace(route_hash(p.page.data(), p.page.size()), p.page);
  for (nlohmann::json& r : came_from) {
    const auto it = names.find(r["route"].get<uint32_t>());
    r["page"] = it == names.end() ? nlohmann::json() : nlohmann::json(it->second);
  }
}

void insights(Context& ctx, const Request& req, Response& res) {
  auto site = authorize(ctx, req, res);
  if (!site) return send_error(res, site.error());
  auto released = merged_release(ctx, {req, ""}, *site);
  if (!released) return send_error(res, released.error());
  const auto o = insight_options(req, released->decision);
  if (!o) return send_error(res, o.error());
  nlohmann::json j = insights_json(released->report.data, *o);
  j["site"] = site->key;
  j["page"] = released->report.segment.page;
  name_routes(ctx, site->key, j["journeys"]["came_from"]);
  res.set_content(j.dump() + "\n", "application/json");
}

// Two released aggregates of one page; filters prefixed `a.` / `b.` pick each side, unprefixed
// ones apply to both. Each side is released (and noised) on its own.
void compare(Context& ctx, const Request& req, Response& res) {
  auto site = authorize(ctx, req, res);
  if (!site) return send_error(res, site.error());
  auto a = merged_release(ctx, {req, "a."}, *site);
  if (!a) return send_error(res, a.error());
  auto b = merged_release(ctx, {req, "b."}, *site);
  if (!b) return send_error(res, b.error());
  const ReleaseDecision& worst =
      a->decision.noise_variance >= b->decision.noise_variance ? a->decision : b->decision;
  const auto o = insight_options(req, worst);
  if (!o) return send_error(res, o.error());
  nlohmann::json j = compare_json(a->report.data, b->report.data, *o);
  j["site"] = site->key;
  j["page"] = a->report.segment.page;
  res.set_content(j.dump() + "\n", "application/json");
}

// Busiest pages first, `limit` (default 100, at most 1000) from `offset`; `next_offset` is
// null on the last page of results.
void pages(Context& ctx, const Request& req, Response& res) {
  auto site = authorize(ctx, req, res);
  if (!site) return send_error(res, site.error());
  uint64_t limit = 100, offset = 0;
  auto number = [&](const char* name, uint64_t max, uint64_t& out) {
    if (!req.has_param(name)) return true;
    const std::string v = req.get_param_value(name);
    if (v.empty() || v.size() > 10 || v.find_first_not_of("0123456789") != v.npos ||
        std::stoull(v) > max)
      return false;
    out = std::stoull(v);
    return true;
  };
  if (!number("limit", 1000, limit) || limit == 0)
    return send_error(res, 400, "bad_request", "limit must be an integer 1..1000");
  if (!number("offset", 1000000000, offset))
    return send_error(res, 400, "bad_request", "offset must be an integer 0..1000000000");
  const PageList pl = ctx.store.pages(site->key, offset, limit);
  nlohmann::json list = nlohmann::json::array();
  for (const PageInfo& p : pl.pages) {
    const auto pv = release_count(p.page_views, ctx.policy);
    if (!pv) continue;
    list.push_back({{"page", p.page},
                    {"page_views", *pv},
                    {"first_day", day_to_date(p.first_day)},
                    {"last_day", day_to_date(p.last_day)},
                    {"cells_dropped", p.cells_dropped}});
  }
  const uint64_t next = offset + pl.pages.size();
  nlohmann::json j{{"site", site->key},
                   {"pages", list},
                   {"total", pl.total},
                   {"offset", offset},
                   {"limit", limit},
                   {"next_offset", next < pl.total ? nlohmann::json(next) : nlohmann::json()}};
  res.set_content(j.dump() + "\n", "application/json");
}

void segments(Context& ctx, const Request& req, Response& res) {
  auto site = authorize(ctx, req, res);
  if (!site) return send_error(res, site.error());
  const auto f = parse_filter({req, ""}, site->key, true);
  if (!f) return send_error(res, 400, "bad_request", f.error().message);
  std::map<int, uint64_t> widths, devices, days;
  std::map<std::string, uint64_t> variants;
  std::map<bool, uint64_t> logged;
  std::map<std::pair<std::string, std::string>, uint64_t> tags;
  uint64_t total = 0;
  for (const RowInfo& r : ctx.store.rows(*f)) {
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
                   {"page", *f->page},
                   {"page_views", release_count(total, ctx.policy).value_or(0)},
                   {"width_classes", list(widths, id)},
                   {"devices", list(devices, id)},
                   {"variants", list(variants, id)},
                   {"logged_in", list(logged, id)},
                   {"tags", tag_list},
                   {"days", list(days, [](int d) { return day_to_date(d); })}};
  res.set_content(j.dump() + "\n", "application/json");
}

// The figures of the token's own site, and of no other. The store keeps the accepted and
// rejected counters for the whole collector only (no site is known for most rejections), so
// they are not here: operators read them with `thermograph-collector stats --db PATH`.
void stats(Context& ctx, const Request& req, Response& res) {
  auto site = authorize_any(ctx, req, res);
  if (!site) return send_error(res, site.error());
  // The same release policy as /api/pages: pages below it are left out, counts noised under DP.
  uint64_t page_views = 0;
  size_t pages = 0;
  nlohmann::json first_day, last_day;
  int32_t first = INT32_MAX, last = INT32_MIN;
  for (const PageInfo& p : ctx.store.pages(site->key, 0, SIZE_MAX).pages) {
    if (!release_count(p.page_views, ctx.policy)) continue;
    ++pages;
    page_views += p.page_views;
    first = std::min(first, p.first_day);
    last = std::max(last, p.last_day);
  }
  if (pages > 0) first_day = day_to_date(first), last_day = day_to_date(last);
  nlohmann::json j{{"site", site->key},
                   {"pages", pages},
                   {"page_views", release_count(page_views, ctx.policy).value_or(0)},
                   {"first_day", first_day},
                   {"last_day", last_day},
                   {"note",
                    "figures of this site only; accepted and rejected report counts are kept for "
                    "the whole collector: thermograph-collector stats"}};
  // Without DP the number of stored rows (page x day x segment) is exact information the
  // listings already give; under DP it would reveal rare segments, so it is left out.
  if (ctx.policy.epsilon <= 0) {
    RowFilter all;
    all.site = site->key;
    j["rows"] = ctx.store.rows(all).size();
  }
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
  res.set_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS");  // POST: names, anchoring
  res.set_header("Access-Control-Allow-Headers", "Authorization, Content-Type");
  res.set_header("Access-Control-Max-Age", "600");
}

}  // namespace

ReadHandler find_read_endpoint(const std::string& method, const std::string& path) {
  static const std::map<std::string, ReadHandler> kGet = {
      {"/api/pages", pages},        {"/api/segments", segments},
      {"/api/heatmap", heatmap},    {"/api/elements.csv", elements_csv},
      {"/api/insights", insights},  {"/api/compare", compare},
      {"/api/stats", stats},        {"/api/dashboard", dashboard},
      {"/api/surveys", get_surveys}};
  if (method == "GET") {
    const auto it = kGet.find(path);
    return it == kGet.end() ? nullptr : it->second;
  }
  if (method == "POST" && path == "/api/names") return post_names;
  if (method == "POST" && path == "/api/anchoring") return post_anchoring;
  if (method == "OPTIONS" && path.rfind("/api/", 0) == 0) return read_preflight;
  return nullptr;
}

}  // namespace thermograph
