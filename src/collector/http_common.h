// Shared pieces of the HTTP layer: the context handlers use, error bodies, CORS, and the
// boundary that keeps exceptions out of the transport.
//
// Error style (one per layer; see expected.h for the whole list): the store throws StoreError,
// parsing and validation return Expected<T>, and a handler turns every refusal into an HttpError
// that send_error() maps to a status, optional headers and the JSON body
// {"error": "human message", "reason": "machine_reason"}. Exceptions that escape a handler
// (a StoreError from a read) become a 500 in guarded() (503 when the store is unavailable, e.g.
// a ClickHouse shard down). Refusals by the transport itself
// (limits, framing) use the same body; see http_server.cpp.
#pragma once

#include <cstdio>
#include <exception>
#include <nlohmann/json.hpp>
#include <string>

#include "expected.h"
#include "http_message.h"
#include "ingest.h"
#include "rate_limit.h"
#include "release.h"
#include "sites.h"
#include "store.h"

namespace thermograph {

using http::Request;
using http::Response;

struct Context {
  Store& store;
  Ingest& ingest;
  SiteDirectory& sites;
  RateLimiter& limiter;
  ReleasePolicy policy;
  std::string metrics_token;  // "" = /metrics for loopback clients only
};

// A refusal: status, machine reason, human message, and headers it needs (WWW-Authenticate,
// Retry-After).
struct HttpError {
  int status = 400;
  std::string reason;
  std::string message;
  http::Headers headers = {};
};

inline void send_error(Response& res, const HttpError& e) {
  res.status = e.status;
  for (const auto& [k, v] : e.headers) res.set_header(k, v);
  nlohmann::json j{{"error", e.message}, {"reason", e.reason}};
  res.set_content(j.dump() + "\n", "application/json");
}

inline void send_error(Response& res, int status, const std::string& reason,
                       const std::string& message) {
  send_error(res, HttpError{status, reason, message});
}

// Echoes an allowed Origin back; `Vary` keeps shared caches from mixing origins.
inline void allow_origin(Response& res, const std::string& origin) {
  res.set_header("Access-Control-Allow-Origin", origin);
  res.set_header("Access-Control-Expose-Headers", "Thermograph-Privacy");  // the DP release's noise
  res.set_header("Vary", "Origin");
}

// Runs a handler so no exception reaches the transport: a failure becomes a 500 with no internals
// beyond the message (503 store_unavailable when a database server is down), and is logged
// without any client address.
template <typename F>
void guarded(const Request& req, Response& res, F&& f) {
  try {
    f();
  } catch (const StoreError& e) {
    std::fprintf(stderr, "thermograph-collector: %s %s failed: %s\n", req.method.c_str(),
                 req.path.c_str(), e.what());
    res = Response{};
    if (e.unavailable()) {  // a database server (ClickHouse shard) is down: worth a retry
      res.set_header("Retry-After", "5");
      send_error(res, 503, "store_unavailable", "the collector's database is unavailable");
    } else {
      send_error(res, 500, "internal", std::string("internal error: ") + e.what());
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "thermograph-collector: %s %s failed: %s\n", req.method.c_str(),
                 req.path.c_str(), e.what());
    res = Response{};
    send_error(res, 500, "internal", std::string("internal error: ") + e.what());
  } catch (...) {
    res = Response{};
    send_error(res, 500, "internal", "internal error");
  }
}

// Read endpoints (read_api.cpp): nullptr when `path` is none of them. They block on SQLite, so
// the server runs them on its worker pool.
using ReadHandler = void (*)(Context&, const Request&, Response&);
ReadHandler find_read_endpoint(const std::string& method, const std::string& path);

}  // namespace thermograph
