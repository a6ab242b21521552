// Server setup and the ingest endpoint (POST /r). Read endpoints live in read_api.cpp.
#include "server.h"

#include <signal.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <memory>

#include "bounds.h"
#include "compactor.h"
#include "crypto.h"
#include "dashboard_assets.h"
#include "http_common.h"
#include "http_server.h"
#include "sanitize.h"
#include "survey.h"

namespace thermograph {
namespace {

// POST /r. Validation runs right here on the I/O thread (microseconds of CPU); the durable
// commit does not: the report goes to the group-commit writer, whose callback answers.
void handle_report(Context& ctx, const Request& req, http::Responder reply) {
  Response res;
  auto refuse = [&](int status, const char* reason, const std::string& message) {
    ctx.ingest.count(reason);
    send_error(res, status, reason, message);
    reply(std::move(res));
  };
  // remote_addr feeds the in-memory bucket only; it is never stored or logged.
  if (const auto wait = ctx.limiter.take(req.remote_addr)) {
    res.set_header("Retry-After", std::to_string(*wait));
    return refuse(429, "rate_limited", "too many reports from this client; retry later");
  }
  Report report;
  const DecodeResult d = decode(reinterpret_cast<const uint8_t*>(req.body.data()), req.body.size(),
                                report);  // default limits: one page view's report
  if (!d.ok()) return refuse(400, decode_status_name(d.status), d.message);
  if (report.kind != kKindDelta)
    return refuse(400, "not_delta",
                  "report kind is 'aggregate'; POST /r accepts page-view deltas only");
  if (const Expected<void> fits = check_bounds(report.data); !fits)
    return refuse(400, "out_of_bounds", fits.error().message);
  const bool pii_removed = sanitize_segment(report.segment) > 0;
  if (pii_removed) ctx.ingest.count("pii_removed");
  if (report.segment.page.empty())
    return refuse(400, "empty_page", "report has an empty or unparseable page key");
  const auto site = ctx.sites.find(report.segment.site);
  if (!site) return refuse(403, "unknown_site", "unknown site key");
  // From here on the site is known: its own share of refusals feeds its dashboard.
  auto refuse_site = [&](int status, const char* reason, const std::string& message) {
    ctx.ingest.count(site_stat(site->key, reason));
    refuse(status, reason, message);
  };
  if (pii_removed) ctx.ingest.count(site_stat(site->key, "pii_removed"));
  // Browsers always send Origin on a cross-origin POST; refusing foreign origins keeps other
  // pages from writing into this site (non-browser clients can still forge it; see docs).
  const std::string origin = req.get_header_value("Origin");
  if (!origin.empty()) {
    if (!ctx.sites.origin_allowed(*site, origin))
      return refuse_site(403, "origin_not_allowed",
                         "origin " + origin + " is not configured for this site");
    allow_origin(res, origin);
  }
  // A page key names a page of one of the site's own origins; anything else (another site, an
  // ftp:// or data: page) is not this site's to store.
  if (!page_in_origins(report.segment.page, site->origins))
    return refuse_site(400, "foreign_page",
                       "the page key's origin is not one of this site's origins");
  // A second Thermograph tag on the page: one count per page view for the site's data-health
  // audit (the dashboard), never a segment of its own.
  if (report.segment.second_tag && report.data.counters[kPageViews] > 0)
    ctx.ingest.count(site_stat(site->key, kSecondTagStat));
  report.segment.second_tag = false;
  // Runs on the writer thread once the batch is durable (or at once when refused); the reply
  // posts the write to this connection's strand.
  ctx.ingest.submit(std::move(report), today_utc(),
                    [&ctx, res = std::move(res), reply](Ingest::Result result) mutable {
                      switch (result) {
                        case Ingest::Result::kStored:
                          res.status = 204;  // durable: its transaction has committed
                          break;
                        case Ingest::Result::kQueueFull:
                          ctx.ingest.count("queue_full");
                          res.set_header("Retry-After", "1");
                          send_error(res, 503, "queue_full", "collector is busy; retry later");
                          break;
                        case Ingest::Result::kStopped:
                          res.set_header("Retry-After", "5");
                          send_error(res, 503, "stopping", "collector is shutting down");
                          break;
                        case Ingest::Result::kStoreFailed:
                          send_error(res, 500, "store_error",
                                     "report could not be stored; retry later");
                          break;
                        case Ingest::Result::kStoreUnavailable:
                          res.set_header("Retry-After", "5");
                          send_error(res, 503, "store_unavailable",
                                     "the collector's database is unavailable; nothing was "
                                     "stored; retry later");
                          break;
                        case Ingest::Result::kStoreFull:
                          res.set_header("Retry-After", "30");
                          send_error(res, 503, "storage_full",
                                     "the collector's disk is full (or its file-size limit "
                                     "reached); nothing was stored; retry later");
                          break;
                      }
                      reply(std::move(res));
                    });
}

// Preflight for POST /r. sendBeacon with text/plain needs none, but fetch() with other headers
// does; the body (and so the site) is unknown here, so any configured origin is accepted.
void handle_report_preflight(Context& ctx, const Request& req, Response& res) {
  const std::string origin = req.get_header_value("Origin");
  res.status = 204;
  if (origin.empty() || !ctx.sites.any_site_allows(origin)) return;
  allow_origin(res, origin);
  res.set_header("Access-Control-Allow-Methods", "POST, OPTIONS");
  res.set_header("Access-Control-Allow-Headers", "Content-Type");
  res.set_header("Access-Control-Max-Age", "86400");
}

// GET /metrics: loopback clients only, or every client with the metrics token when one is set.
// The figures are collector-wide (all sites), so a site's read token does not open them.
void handle_metrics(Context& ctx, const Request& req, Response& res) {
  if (!ctx.metrics_token.empty()) {
    const std::string h = req.get_header_value("Authorization");
    if (h.rfind("Bearer ", 0) != 0)
      return send_error(res,
                        HttpError{401,
                                  "no_token",
                                  "/metrics needs the metrics token (Authorization: Bearer)",
                                  {{"WWW-Authenticate", "Bearer realm=\"thermograph-metrics\""}}});
    if (!constant_time_equal(sha256_hex(h.substr(7)), sha256_hex(ctx.metrics_token)))
      return send_error(res, 403, "forbidden", "wrong metrics token");
  } else if (!is_loopback(req.remote_addr)) {
    return send_error(res, 403, "metrics_loopback_only",
                      "/metrics answers loopback clients only; start serve with "
                      "--metrics-token-file to open it to others");
  }
  const StatsMap stats = ctx.ingest.stats();
  const MetricsInput in{stats,
                        ctx.ingest.queue_depth(),
                        ctx.ingest.queue_capacity(),
                        ctx.store.size_bytes(),
                        ctx.ingest.metrics(),
                        ctx.ingest.health().empty()};
  res.set_content(prometheus_text(in), "text/plain; version=0.0.4; charset=utf-8");
}

// Routes a request. Runs on the connection's strand: quick work answers inline, SQLite reads go
// to the worker pool (a dashboard read can take long; it must not stall ingest I/O).
void route(Context& ctx, http::Server& server, Request&& req, http::Responder reply) {
  if (req.path == "/r") {
    if (req.method == "POST") {
      Response res;
      bool answered = false;
      guarded(req, res, [&] {
        handle_report(ctx, req, reply);
        answered = true;
      });
      if (!answered) reply(std::move(res));
      return;
    }
    if (req.method == "OPTIONS") {
      Response res;
      guarded(req, res, [&] { handle_report_preflight(ctx, req, res); });
      return reply(std::move(res));
    }
    Response res;
    res.set_header("Allow", "POST, OPTIONS");
    send_error(res, 405, "method_not_allowed", "POST /r takes reports; see docs/collector.md");
    return reply(std::move(res));
  }
  if (req.path == "/healthz" && req.method == "GET") {
    Response res;
    // Unhealthy while the last commit failed (disk full...), so a load balancer looks elsewhere.
    if (const std::string why = ctx.ingest.health(); !why.empty())
      send_error(res, 503, why, "the last commit failed; writes are refused");
    else
      res.set_content("{\"ok\":true}\n", "application/json");
    return reply(std::move(res));
  }
  if (req.path == "/dashboard" || req.path.rfind("/dashboard/", 0) == 0) {
    Response res;
    const DashboardAsset* asset =
        find_dashboard_asset(req.path == "/dashboard/" ? "/dashboard" : req.path);
    if (!asset || req.method != "GET") {
      send_error(res, asset ? 405 : 404, asset ? "method_not_allowed" : "not_found",
                 "no such dashboard file");
      return reply(std::move(res));
    }
    // The page holds no data (that needs the read token): it may be cached briefly, must not
    // be framed, and runs only its own scripts.
    res.set_content(std::string(asset->body), asset->type);
    res.set_header("Content-Security-Policy",
                   "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                   "connect-src 'self'; base-uri 'none'; form-action 'none'; "
                   "frame-ancestors 'none'");
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("Referrer-Policy", "no-referrer");
    res.set_header("Cache-Control", "no-cache");
    return reply(std::move(res));
  }
  if (req.path == "/metrics" && req.method == "GET") {
    server.post_blocking([&ctx, req = std::move(req), reply] {  // stats() reads the store
      Response res;
      guarded(req, res, [&] { handle_metrics(ctx, req, res); });
      res.set_header("Cache-Control", "no-store");
      reply(std::move(res));
    });
    return;
  }
  // A visitor's micro-survey answer: public like POST /r, stored synchronously (one small row)
  // on the worker pool, off the I/O threads.
  if (req.path == "/api/survey") {
    Response res;
    if (req.method == "POST") {
      server.post_blocking([&ctx, req = std::move(req), reply] {
        Response res;
        guarded(req, res, [&] { post_survey(ctx, req, res); });
        res.set_header("Cache-Control", "no-store");
        reply(std::move(res));
      });
      return;
    }
    if (req.method == "OPTIONS") {
      // The same policy as reports': any configured origin (the body, so the site, is unknown).
      guarded(req, res, [&] { handle_report_preflight(ctx, req, res); });
      return reply(std::move(res));
    }
    res.set_header("Allow", "POST, OPTIONS");
    send_error(res, 405, "method_not_allowed",
               "POST /api/survey takes survey answers; see docs/collector.md");
    return reply(std::move(res));
  }
  if (const ReadHandler fn = find_read_endpoint(req.method, req.path)) {
    server.post_blocking([&ctx, fn, req = std::move(req), reply] {
      Response res;
      guarded(req, res, [&] { fn(ctx, req, res); });
      res.set_header("Cache-Control", "no-store");  // token-protected data stays out of caches
      reply(std::move(res));
    });
    return;
  }
  Response res;
  send_error(res, 404, "not_found", "no such endpoint; see docs/collector.md");
  reply(std::move(res));
}

}  // namespace

int serve(const ServerOptions& opt) {
  // Block the stop signals in every thread (they inherit the mask); this thread collects them.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);

  std::unique_ptr<Store> store;
  try {
    StoreOptions so;
    so.max_cells_per_page_day = opt.max_cells_per_page_day;
    so.compact_after_seconds = opt.compact_after_seconds;
    so.in_place_max_cells = opt.in_place_max_cells;
    so.row_cache_bytes = opt.row_cache_bytes;
    so.require_writable = true;  // refuse to start rather than answer 500 to every report
    store =
        is_clickhouse_url(opt.db) ? open_clickhouse_store(opt.db) : open_sqlite_store(opt.db, so);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "thermograph-collector: %s\n", e.what());
    return 1;
  }
  SiteDirectory sites(*store);
  const double burst = opt.burst > 0 ? opt.burst : std::max(10.0, 2 * opt.rate);
  RateLimiter limiter(opt.rate, burst);
  Ingest ingest(*store, opt.queue, opt.segment_limits);
  Compactor compactor(*store);
  Context ctx{
      *store,           ingest, sites, limiter, ReleasePolicy{opt.min_page_views, opt.epsilon},
      opt.metrics_token};

  http::Limits limits = opt.limits;
  // Every connection is a descriptor: raise the soft limit as far as allowed and keep the
  // connection cap below it (SQLite files and the listener need a few more).
  rlimit nofile{};
  if (getrlimit(RLIMIT_NOFILE, &nofile) == 0) {
    if (nofile.rlim_cur < nofile.rlim_max) {
      nofile.rlim_cur = nofile.rlim_max;
      setrlimit(RLIMIT_NOFILE, &nofile);
      getrlimit(RLIMIT_NOFILE, &nofile);
    }
    const rlim_t reserve = 64;
    if (nofile.rlim_cur != RLIM_INFINITY && limits.max_connections + reserve > nofile.rlim_cur) {
      limits.max_connections = nofile.rlim_cur > 2 * reserve ? nofile.rlim_cur - reserve : reserve;
      std::fprintf(stderr,
                   "thermograph-collector: --max-connections lowered to %zu (open file limit "
                   "%llu)\n",
                   limits.max_connections, static_cast<unsigned long long>(nofile.rlim_cur));
    }
  }

  std::unique_ptr<http::Server> server;
  server = std::make_unique<http::Server>(
      limits, opt.threads, opt.read_threads,
      [&ctx, &server](Request&& req, http::Responder reply) {
        route(ctx, *server, std::move(req), std::move(reply));
      },
      [&ctx](const char* reason) { ctx.ingest.count(reason); });
  const auto port = server->listen(opt.host, opt.port);
  if (!port) {
    std::fprintf(stderr, "thermograph-collector: cannot listen on %s:%d (%s)\n", opt.host.c_str(),
                 opt.port, port.error().message.c_str());
    ingest.stop();
    compactor.stop();
    return 1;
  }
  server->start();
  std::fprintf(stderr, "thermograph-collector: listening on http://%s:%d (db %s)\n",
               opt.host.c_str(), *port, opt.db.c_str());
  std::fflush(stderr);

  int sig = 0;
  sigwait(&set, &sig);
  // Stop taking connections, commit everything queued (its callbacks queue the answers), give
  // the answers a moment to reach their clients, then close the rest.
  server->stop_accepting();
  ingest.stop();
  compactor.stop();
  server->drain(std::chrono::seconds(5));
  server->stop();
  std::fprintf(stderr, "thermograph-collector: stopped\n");
  return 0;
}

}  // namespace thermograph
