// Pieces the read endpoints share (read_api.cpp, dashboard_api.cpp): the read token, the site
// it opens, and the filters of the query string.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include "http_common.h"

namespace thermograph {

// The read token from `Authorization: Bearer`, else from ?token=; "" when absent.
std::string presented_token(const Request& req);

extern const HttpError kNoToken;

// Resolves ?site= and checks the token. Sets the CORS headers on `res` when the site allows the
// request's origin, even for a refusal, so the overlay can show the reason instead of a
// network error.
Expected<SiteRecord, HttpError> authorize(Context& ctx, const Request& req, Response& res);

// The same with ?site= optional: without it the read token alone names its site (the dashboard,
// /api/stats). CORS as above.
Expected<SiteRecord, HttpError> authorize_any(Context& ctx, const Request& req, Response& res);

// The page key a designer's overlay sends back with names or an anchoring figure: accepted only
// when it is what ingest stores (the collector's page-key clean-up leaves it unchanged, so no
// PII-looking segment or foreign query) and of the site's origins; returned folded like stored
// keys. Refusals: 400 bad_page, 400 foreign_page.
Expected<std::string, HttpError> overlay_page_key(const std::string& given, const SiteRecord& site);

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

// Builds a RowFilter from the query string: page, width, device, variant, logged_in, tag
// (key:value, repeatable), from, to (YYYY-MM-DD or a UTC day number, inclusive).
Expected<RowFilter> parse_filter(const Query& req, const std::string& site, bool need_page);
// Its `from` and `to` alone (INT32_MIN / INT32_MAX when absent), for reads that carry no other
// segment (micro-survey answers).
Expected<std::pair<int32_t, int32_t>> parse_days(const Query& req);

// GET /api/dashboard (dashboard_api.cpp).
void dashboard(Context& ctx, const Request& req, Response& res);

}  // namespace thermograph
