// The collector's HTTP/1.1 transport on Boost.Beast/Asio: asynchronous, no thread per connection,
// and everything a client can hold is bounded while it is read (docs/collector.md, "Limits").
//
// Threads: `io_threads` run one io_context; every connection has its own strand, so its reads,
// writes and timers never run concurrently. A connection reads one request (the whole header and
// body under one deadline), hands it to the Handler on its strand and reads nothing more until
// the response is written: pipelined requests are answered in order. Handlers must not block an
// I/O thread: they answer through a Responder, from any thread, whenever the answer is ready
// (ingest after the group commit, on the writer thread; read endpoints from the worker pool,
// post_blocking). The Responder posts the write back to the connection's strand.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "expected.h"
#include "http_message.h"

namespace thermograph::http {

struct Limits {
  size_t max_header_bytes = 16 * 1024;  // request line + header fields; over it: 431
  size_t max_headers = 100;             // header fields; over it: 431
  size_t max_body = 64 * 1024;          // body bytes, chunked included; over it: 413
  // From the first byte of a request until its last: past it the connection is closed. Also the
  // limit for writing one response to a client that does not read.
  std::chrono::milliseconds request_timeout{10000};
  // An open connection with no request under way is closed after this (keep-alive idle).
  std::chrono::milliseconds idle_timeout{5000};
  size_t max_connections = 10000;           // open connections in total
  size_t max_connections_per_address = 64;  // per client IPv4 address / IPv6 /64
};

// Answers one request exactly once, from any thread. Copies share the answer: the first call
// wins. If every copy is dropped without an answer, the client gets a 500.
class Responder {
 public:
  explicit Responder(std::function<void(Response&&)> send);
  void operator()(Response&& res) const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

// Runs on the connection's strand (an I/O thread) with a complete, validated request.
using Handler = std::function<void(Request&&, Responder)>;
// Told about every request the transport refuses itself, by reason ("too_large",
// "header_too_large", "bad_http", "unsupported_encoding", "request_timeout",
// "too_many_connections"), so the operator's counters see them.
using RefusalCounter = std::function<void(const char* reason)>;

class Server {
 public:
  Server(const Limits& limits, size_t io_threads, size_t worker_threads, Handler handler,
         RefusalCounter refused);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens (port 0 picks a free one). Returns the bound port.
  Expected<int> listen(const std::string& host, int port);
  // Starts the I/O and worker threads.
  void start();
  // Runs `job` on the worker pool (for handlers that block: SQLite reads).
  void post_blocking(std::function<void()> job);
  // Shutdown, in this order: stop accepting (connections finish the request they are in and
  // close); wait up to `grace` for answers still owed; then close everything and join threads.
  void stop_accepting();
  void drain(std::chrono::milliseconds grace);
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace thermograph::http
