// Server setup and the ingest endpoint (POST /r). Read endpoints live in read_api.cpp.
#include "server.h"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>

#include <atomic>
#include <thread>

#include "bounds.h"
#include "compactor.h"
#include "http_common.h"
#include "sanitize.h"

namespace thermograph {
namespace {

void handle_report(Context& ctx, const httplib::Request& req, httplib::Response& res) {
  // remote_addr feeds the in-memory bucket only; it is never stored or logged.
  if (const int wait = ctx.limiter.take(req.remote_addr)) {
    ctx.ingest.count("rate_limited");
    res.set_header("Retry-After", std::to_string(wait));
    return send_error(res, 429, "rate_limited", "too many reports from this client; retry later");
  }
  Report report;
  const DecodeResult d = decode(reinterpret_cast<const uint8_t*>(req.body.data()), req.body.size(),
                                report);  // default limits: one page view's report
  if (!d.ok()) {
    ctx.ingest.count(decode_status_name(d.status));
    return send_error(res, 400, decode_status_name(d.status), d.message);
  }
  if (report.kind != kKindDelta) {
    ctx.ingest.count("not_delta");
    return send_error(res, 400, "not_delta",
                      "report kind is 'aggregate'; POST /r accepts page-view deltas only");
  }
  if (std::string err = check_bounds(report.data); !err.empty()) {
    ctx.ingest.count("out_of_bounds");
    return send_error(res, 400, "out_of_bounds", err);
  }
  if (sanitize_segment(report.segment) > 0) ctx.ingest.count("pii_removed");
  if (report.segment.page.empty()) {
    ctx.ingest.count("empty_page");
    return send_error(res, 400, "empty_page", "report has an empty or unparseable page key");
  }
  const auto site = ctx.sites.find(report.segment.site);
  if (!site) {
    ctx.ingest.count("unknown_site");
    return send_error(res, 403, "unknown_site", "unknown site key");
  }
  // Browsers always send Origin on a cross-origin POST; refusing foreign origins keeps other
  // pages from writing into this site (non-browser clients can still forge it; see docs).
  const std::string origin = req.get_header_value("Origin");
  if (!origin.empty()) {
    if (!ctx.sites.origin_allowed(*site, origin)) {
      ctx.ingest.count("origin_not_allowed");
      return send_error(res, 403, "origin_not_allowed",
                        "origin " + origin + " is not configured for this site");
    }
    allow_origin(res, origin);
  }
  // A page key names a page of one of the site's own origins; anything else (another site, an
  // ftp:// or data: page) is not this site's to store.
  if (!page_in_origins(report.segment.page, site->origins)) {
    ctx.ingest.count("foreign_page");
    return send_error(res, 400, "foreign_page",
                      "the page key's origin is not one of this site's origins");
  }
  switch (ctx.ingest.submit(std::move(report), today_utc())) {
    case Ingest::Result::kStored:
      res.status = 204;  // durable: the transaction holding this report has committed
      return;
    case Ingest::Result::kQueueFull:
      ctx.ingest.count("queue_full");
      res.set_header("Retry-After", "1");
      return send_error(res, 503, "queue_full", "collector is busy; retry later");
    case Ingest::Result::kStopped:
      res.set_header("Retry-After", "5");
      return send_error(res, 503, "stopping", "collector is shutting down");
    case Ingest::Result::kStoreFailed:
      return send_error(res, 500, "store_error", "report could not be stored; retry later");
    case Ingest::Result::kStoreFull:
      res.set_header("Retry-After", "30");
      return send_error(res, 503, "storage_full",
                        "the collector's disk is full (or its file-size limit reached); nothing "
                        "was stored; retry later");
  }
}

// Preflight for POST /r. sendBeacon with text/plain needs none, but fetch() with other headers
// does; the body (and so the site) is unknown here, so any configured origin is accepted.
void handle_report_preflight(Context& ctx, const httplib::Request& req, httplib::Response& res) {
  const std::string origin = req.get_header_value("Origin");
  res.status = 204;
  if (origin.empty() || !ctx.sites.any_site_allows(origin)) return;
  allow_origin(res, origin);
  res.set_header("Access-Control-Allow-Methods", "POST, OPTIONS");
  res.set_header("Access-Control-Allow-Headers", "Content-Type");
  res.set_header("Access-Control-Max-Age", "86400");
}

std::atomic<httplib::Server*> g_server{nullptr};

// Signals are taken by a dedicated thread (sigwait), so stop() never runs in a signal handler.
void start_signal_thread() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  std::thread([set] {
    int sig;
    sigwait(&set, &sig);
    if (httplib::Server* s = g_server.load()) s->stop();
  }).detach();
}

}  // namespace

int serve(const ServerOptions& opt) {
  // Block the stop signals in every thread; the signal thread collects them.
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
    so.require_writable = true;  // refuse to start rather than answer 500 to every report
    store = open_sqlite_store(opt.db, so);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "thermograph-collector: %s\n", e.what());
    return 1;
  }
  SiteDirectory sites(*store);
  const double burst = opt.burst > 0 ? opt.burst : std::max(10.0, 2 * opt.rate);
  RateLimiter limiter(opt.rate, burst);
  Ingest ingest(*store, opt.queue, opt.segment_limits);
  Compactor compactor(*store);
  Context ctx{*store, ingest, sites, limiter, ReleasePolicy{opt.min_page_views, opt.epsilon}};

  httplib::Server svr;
  const size_t threads = opt.threads;
  svr.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  svr.set_payload_max_length(opt.max_body);
  svr.set_tcp_nodelay(true);
  // Keep-alive connections are what trackers and load generators reuse; httplib's default of 5
  // requests per connection would make every sixth report pay for a new TCP handshake.
  svr.set_keep_alive_max_count(100000);
  svr.set_keep_alive_timeout(5);
  svr.set_read_timeout(10, 0);  // a slow client holds a worker thread at most this long
  svr.set_write_timeout(10, 0);
  int listen_fd = -1;
  svr.set_socket_options([&listen_fd](int sock) {
    // SO_REUSEADDR only: httplib's default SO_REUSEPORT would let a second collector bind the
    // same port silently instead of failing with "address in use".
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    listen_fd = sock;
  });

  svr.Post("/r", guarded([&ctx](const auto& req, auto& res) { handle_report(ctx, req, res); }));
  svr.Options("/r", guarded([&ctx](const auto& req, auto& res) {
                handle_report_preflight(ctx, req, res);
              }));
  svr.Get("/healthz", [&ctx](const httplib::Request&, httplib::Response& res) {
    // Unhealthy while the last commit failed (disk full...), so a load balancer looks elsewhere.
    if (const std::string why = ctx.ingest.health(); !why.empty())
      return send_error(res, 503, why, "the last commit failed; writes are refused");
    res.set_content("{\"ok\":true}\n", "application/json");
  });
  register_read_api(svr, ctx);
  // Bodies over --max-body are refused by httplib before our handler runs; count them here.
  svr.set_error_handler(httplib::Server::HandlerWithResponse([&ctx](const httplib::Request&,
                                                                    httplib::Response& res) {
    if (res.status == 413) {
      ctx.ingest.count("too_large");
      send_error(res, 413, "too_large", "report body is larger than the collector's --max-body");
      return httplib::Server::HandlerResponse::Handled;
    }
    // httplib's own 400s (bad request line, chunked body past --max-body) arrive with no body;
    // ours always carry one.
    if (res.status == 400 && res.body.empty()) {
      ctx.ingest.count("bad_http");
      send_error(res, 400, "bad_http", "malformed HTTP request, or a chunked body over --max-body");
      return httplib::Server::HandlerResponse::Handled;
    }
    if (res.status == 404 && res.body.empty()) {
      send_error(res, 404, "not_found", "no such endpoint; see docs/collector.md");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  }));

  int port = opt.port;
  if (port == 0) {
    port = svr.bind_to_any_port(opt.host);
    if (port < 0) port = 0;
  } else if (!svr.bind_to_port(opt.host, port)) {
    port = 0;
  }
  if (port == 0) {
    std::fprintf(stderr, "thermograph-collector: cannot listen on %s:%d (address in use?)\n",
                 opt.host.c_str(), opt.port);
    ingest.stop();
    compactor.stop();
    return 1;
  }
  // httplib listens with a backlog of 5; a burst of new connections would then see dropped
  // SYNs and 1 s retransmits. listen() again on Linux just raises the backlog.
  if (listen_fd >= 0) ::listen(listen_fd, 1024);

  g_server = &svr;
  start_signal_thread();
  std::fprintf(stderr, "thermograph-collector: listening on http://%s:%d (db %s)\n",
               opt.host.c_str(), port, opt.db.c_str());
  std::fflush(stderr);
  const bool ok = svr.listen_after_bind();
  g_server = nullptr;
  ingest.stop();  // commits everything still queued before exiting
  compactor.stop();
  std::fprintf(stderr, "thermograph-collector: stopped\n");
  return ok ? 0 : 1;
}

}  // namespace thermograph
