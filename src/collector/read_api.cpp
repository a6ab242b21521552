// Read endpoints: pages, segments, merged heatmaps (binary/JSON), per-element CSV, stats.
// Every served aggregate passes through release() (release.h); every endpoint needs the site's
// read token and answers CORS (with preflight) for the site's configured origins.
#include <map>
#include <set>

#include "core/json.h"
#include "http_common.h"

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

// Builds a RowFilter from the query string; returns an error message or "".
std::string parse_filter(const Request& req, const std::string& site, bool need_page,
                         RowFilter& f) {
  f.site = site;
  if (req.has_param("page")) f.page = req.get_param_value("page");
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
bool merged_release(Context& ctx, const Request& req, Response& res, const SiteRecord& site,
                    Report& out) {
  RowFilter f;
  if (std::string err = parse_filter(req, site.key, true, f); !err.empty()) {
    send_error(res, 400, "bad_request", err);
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
    send_error(res, 404, "no_data", "no data for this page and filters");
    return false;
  }
  out.kind = kKindAggregate;
  if (ReleaseDecision d = release(out.data, ctx.policy); !d.ok) {
    send_error(res, 403, "below_min_page_views", d.reason);
    return false;
  }
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
  if (!merged_release(ctx, req, res, *site, merged) || !apply_layer_filter(req, res, merged.data))
    return;
  if (format == "bin") {
    const std::vector<uint8_t> bytes = encode(merged);
    res.set_content(std::string(bytes.begin(), bytes.end()), "application/octet-stream");
  } else {
    res.set_content(to_json(merged).dump() + "\n", "application/json");
  }
}

void elements_csv(Context& ctx, const Request& req, Response& res) {
  auto site = authorize(ctx, req, res);
  if (!site) return;
  Report merged;
  if (!merged_release(ctx, req, res, *site, merged)) return;
  std::string csv = "key,flags";
  for (uint8_t c = 0; c < kElementCounterCount; ++c)
    csv += std::string(",") + element_counter_name(static_cast<ElementCounter>(c));
  csv += "\n";
  for (const auto& [key, el] : merged.data.elements()) {
    csv += element_key_hex(key) + "," + std::to_string(el.flags);
    for (uint32_t v : el.counters) csv += "," + std::to_string(v);
    csv += "\n";
  }
  res.set_header("Content-Disposition", "attachment; filename=\"elements.csv\"");
  res.set_content(csv, "text/csv");
}

void pages(Context& ctx, const Request& req, Response& res) {
  auto site = authorize(ctx, req, res);
  if (!site) return;
  nlohmann::json list = nlohmann::json::array();
  for (const PageInfo& p : ctx.store.pages(site->key)) {
    if (!release_count(p.page_views, ctx.policy)) continue;
    list.push_back({{"page", p.page},
                    {"page_views", p.page_views},
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
  if (std::string err = parse_filter(req, site->key, true, f); !err.empty())
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
      if (release_count(pv, ctx.policy)) out.push_back({{"value", value(k)}, {"page_views", pv}});
    return out;
  };
  auto id = [](const auto& k) { return k; };
  nlohmann::json tag_list = nlohmann::json::array();
  for (const auto& [kv, pv] : tags)
    if (release_count(pv, ctx.policy))
      tag_list.push_back({{"key", kv.first}, {"value", kv.second}, {"page_views", pv}});
  nlohmann::json j{{"site", site->key},
                   {"page", *f.page},
                   {"page_views", release_count(total, ctx.policy) ? total : 0},
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
  svr.Get("/api/stats", bind(stats));
  svr.Options(R"(/api/.*)", bind(read_preflight));
}

}  // namespace thermograph
