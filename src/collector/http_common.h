// Shared pieces of the HTTP layer: the objects handlers use, error bodies, CORS, and the
// boundary that keeps exceptions out of httplib.
#pragma once

#include <httplib.h>

#include <cstdio>
#include <exception>
#include <nlohmann/json.hpp>
#include <string>

#include "ingest.h"
#include "rate_limit.h"
#include "release.h"
#include "sites.h"
#include "store.h"

namespace thermograph {

struct Context {
  Store& store;
  Ingest& ingest;
  SiteDirectory& sites;
  RateLimiter& limiter;
  ReleasePolicy policy;
};

// Every error is {"error": "...", "reason": "..."} so scripts can branch on `reason`.
inline void send_error(httplib::Response& res, int status, const std::string& reason,
                       const std::string& message) {
  res.status = status;
  nlohmann::json j{{"error", message}, {"reason", reason}};
  res.set_content(j.dump() + "\n", "application/json");
}

// Echoes an allowed Origin back; `Vary` keeps shared caches from mixing origins.
inline void allow_origin(httplib::Response& res, const std::string& origin) {
  res.set_header("Access-Control-Allow-Origin", origin);
  res.set_header("Vary", "Origin");
}

// Wraps a handler so no exception reaches httplib: a failure becomes a 500 with no internals
// beyond the message, and is logged without any client address.
template <typename F>
httplib::Server::Handler guarded(F f) {
  return [f](const httplib::Request& req, httplib::Response& res) {
    try {
      f(req, res);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "thermograph-collector: %s %s failed: %s\n", req.method.c_str(),
                   req.path.c_str(), e.what());
      send_error(res, 500, "internal", std::string("internal error: ") + e.what());
    } catch (...) {
      send_error(res, 500, "internal", "internal error");
    }
  };
}

void register_read_api(httplib::Server& svr, Context& ctx);

}  // namespace thermograph
