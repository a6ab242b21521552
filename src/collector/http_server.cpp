// Boost.Beast/Asio transport (see http_server.h). Beast stays in this file: handlers see only
// http_message.h.
// beast::string_view is std::string_view (BOOST_BEAST_USE_STD_STRING_VIEW, set for every file of
// the library in CMakeLists.txt).

#include "http_server.h"

#include <array>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>
#include <future>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

namespace thermograph::http {

struct Responder::State {
  std::function<void(Response&&)> send;
  std::atomic<bool> answered{false};
  ~State() {
    if (answered.load()) return;
    Response res;
    res.status = 500;
    res.set_content(
        "{\"error\":\"internal error: the request was dropped unanswered\","
        "\"reason\":\"internal\"}\n",
        "application/json");
    send(std::move(res));
  }
};

Responder::Responder(std::function<void(Response&&)> send) : state_(std::make_shared<State>()) {
  state_->send = std::move(send);
}

void Responder::operator()(Response&& res) const {
  if (state_->answered.exchange(true)) return;
  state_->send(std::move(res));
}

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

// After the last response on a connection we stop sending, then read and discard what the client
// still sends for a short while before closing: closing with unread input makes the kernel send
// a reset, which can destroy the response before the client reads it.
constexpr auto kLinger = std::chrono::seconds(2);
constexpr size_t kLingerBytes = 1024 * 1024;
// Connections refused at accept (over a connection cap) get a short answer; at most this many
// such answers are in progress at once, beyond that a refused connection is closed at once.
constexpr size_t kMaxRefusing = 256;

std::string json_escape(std::string_view s) {
  std::string out;
  for (const char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out;
}

Response error_response(int status, std::string_view reason, std::string_view message) {
  Response r;
  r.status = status;
  r.set_content(
      "{\"error\":\"" + json_escape(message) + "\",\"reason\":\"" + json_escape(reason) + "\"}\n",
      "application/json");
  return r;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Connection caps count per IPv4 address, and per /64 for IPv6 (one subscriber's usual prefix).
std::string address_key(const asio::ip::address& a) {
  if (a.is_v6()) {
    const asio::ip::address_v6 v6 = a.to_v6();
    if (v6.is_v4_mapped()) return asio::ip::make_address_v4(asio::ip::v4_mapped, v6).to_string();
    asio::ip::address_v6::bytes_type b = v6.to_bytes();
    for (size_t i = 8; i < b.size(); ++i) b[i] = 0;
    return asio::ip::address_v6(b).to_string() + "/64";
  }
  return a.to_string();
}

class Session;

struct Shared {
  explicit Shared(asio::io_context::executor_type e) : io(e) {}

  asio::io_context::executor_type io;
  Limits limits;
  Handler handler;
  RefusalCounter refused;
  std::atomic<bool> stopping{false};
  std::atomic<size_t> connections{0};
  std::atomic<size_t> in_flight{0};  // requests handed to the handler and not yet answered
  std::atomic<size_t> refusing{0};
  std::mutex mu;  // guards per_address
  std::unordered_map<std::string, size_t> per_address;

  // Takes a connection slot; returns why not when a cap is reached. Called only from the accept
  // loop (one strand), so the check and the increment cannot interleave with another admission.
  const char* admit(const std::string& key) {
    if (connections.load() >= limits.max_connections) return "global";
    std::lock_guard lock(mu);
    auto [it, fresh] = per_address.try_emplace(key, 0);
    if (it->second >= limits.max_connections_per_address) return "address";
    ++it->second;
    ++connections;
    return nullptr;
  }
  void release(const std::string& key) {
    std::lock_guard lock(mu);
    auto it = per_address.find(key);
    if (it != per_address.end() && --it->second == 0) per_address.erase(it);
    --connections;
  }
  void count(const char* reason) {
    if (refused) refused(reason);
  }

  // Answers from outside the I/O threads (the group-commit writer completes a whole batch at
  // once) go through one mailbox: the writer posts one drain job per batch instead of waking an
  // I/O thread per answer, so the thread everything waits on spends its time committing.
  void deliver(std::shared_ptr<Session> session, Response&& res);
  void drain();
  std::mutex mail_mu;
  std::vector<std::pair<std::shared_ptr<Session>, Response>> mail;
  bool drain_posted = false;
};

// A connection over a cap: one 503 with a JSON body, then a lingering close.
class Refusal : public std::enable_shared_from_this<Refusal> {
 public:
  Refusal(tcp::socket&& s, std::shared_ptr<Shared> shared, bool global)
      : stream_(std::move(s)), shared_(std::move(shared)) {
    const std::string body =
        global ? "{\"error\":\"the collector has reached its --max-connections limit; retry "
                 "later\",\"reason\":\"too_many_connections\"}\n"
               : "{\"error\":\"too many open connections from this address (the collector's "
                 "--max-connections-per-address); close idle ones or retry later\","
                 "\"reason\":\"too_many_connections\"}\n";
    text_ =
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
        "Connection: close\r\nRetry-After: 1\r\nContent-Length: " +
        std::to_string(body.size()) + "\r\n\r\n" + body;
    ++shared_->refusing;
  }
  ~Refusal() { --shared_->refusing; }

  void start() {
    stream_.expires_after(std::chrono::seconds(1));
    asio::async_write(stream_, asio::buffer(text_),
                      [self = shared_from_this()](beast::error_code ec, size_t) {
                        if (ec) return self->close();
                        self->stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
                        self->drain();
                      });
  }

 private:
  void drain() {
    stream_.async_read_some(asio::buffer(scratch_),
                            [self = shared_from_this()](beast::error_code ec, size_t n) {
                              if (ec || (self->drained_ += n) > kLingerBytes) return self->close();
                              self->drain();
                            });
  }
  void close() {
    beast::error_code ec;
    stream_.socket().close(ec);
  }

  beast::tcp_stream stream_;
  std::shared_ptr<Shared> shared_;
  std::string text_;
  std::array<char, 512> scratch_;
  size_t drained_ = 0;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& s, std::shared_ptr<Shared> shared, std::string addr, std::string key)
      : stream_(std::move(s)),
        buffer_(shared->limits.max_header_bytes + 8192),
        shared_(std::move(shared)),
        limits_(shared_->limits),
        addr_(std::move(addr)),
        key_(std::move(key)) {}
  ~Session() {
    if (counted_) --shared_->in_flight;
    shared_->release(key_);
  }

  void start() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->next_request(); });
  }

  // Writes an answer on this connection's strand (callable from any thread).
  void answer(Response&& res) {
    asio::post(stream_.get_executor(), [self = shared_from_this(), res = std::move(res)]() mutable {
      self->write(std::move(res));
    });
  }

 private:
  // Idle: wait for the first byte of the next request under the keep-alive timeout. A request
  // already buffered (pipelined) starts at once.
  void next_request() {
    if (shared_->stopping.load()) return close_now();
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(limits_.max_header_bytes));
    parser_->body_limit(limits_.max_body);
    head_ = false;
    close_after_ = false;
    if (buffer_.size() > 0) return read_header();
    stream_.expires_after(limits_.idle_timeout);
    stream_.async_read_some(buffer_.prepare(std::min<size_t>(4096, buffer_.max_size())),
                            [self = shared_from_this()](beast::error_code ec, size_t n) {
                              if (ec) return self->close_now();  // idle expiry or client gone
                              self->buffer_.commit(n);
                              self->read_header();
                            });
  }

  // One deadline for the whole request, header and body: a client dribbling bytes cannot keep
  // extending it.
  void read_header() {
    deadline_ = std::chrono::steady_clock::now() + limits_.request_timeout;
    stream_.expires_at(deadline_);
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             [self = shared_from_this()](beast::error_code ec, size_t) {
                               if (ec) return self->read_failed(ec);
                               self->on_header();
                             });
  }

  void on_header() {
    const auto& h = parser_->get();
    version_ = h.version();
    if (auto refusal = check_header(h))
      return refuse(refusal->status, refusal->reason, refusal->message);
    if (parser_->is_done()) return dispatch();
    if (iequals(trim(h[bhttp::field::expect]), "100-continue") && buffer_.size() == 0) {
      static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      stream_.expires_at(deadline_);
      return asio::async_write(stream_, asio::buffer(kContinue),
                               [self = shared_from_this()](beast::error_code ec, size_t) {
                                 if (ec) return self->close_now();
                                 self->read_body();
                               });
    }
    read_body();
  }

  void read_body() {
    stream_.expires_at(deadline_);
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = shared_from_this()](beast::error_code ec, size_t) {
                        if (ec) return self->read_failed(ec);
                        self->dispatch();
                      });
  }

  struct Problem {
    int status;
    const char* reason;
    std::string message;
  };

  // Framing and encodings Beast's parser leaves to us. Beast itself refuses (as read errors)
  // differing or malformed Content-Length values, Content-Length with chunked, and a
  // Transfer-Encoding after chunked.
  std::optional<Problem> check_header(
      const bhttp::request_parser<bhttp::string_body>::value_type& h) {
    const size_t fields = static_cast<size_t>(std::distance(h.begin(), h.end()));
    if (fields > limits_.max_headers)
      return Problem{431, "header_too_large",
                     "request has " + std::to_string(fields) + " header fields, the limit is " +
                         std::to_string(limits_.max_headers)};
    const size_t te = h.count(bhttp::field::transfer_encoding);
    if (te > 1) return Problem{400, "bad_http", "more than one Transfer-Encoding field"};
    if (te == 1) {
      const std::string_view v = trim(h[bhttp::field::transfer_encoding]);
      if (!iequals(v, "chunked")) {
        const size_t comma = v.rfind(',');
        const bool chunked_last =
            comma != std::string_view::npos && iequals(trim(v.substr(comma + 1)), "chunked");
        if (!chunked_last)
          return Problem{400, "bad_http",
                         "Transfer-Encoding without chunked as its final coding: the body "
                         "length is unknown"};
        return Problem{501, "unsupported_encoding",
                       "transfer codings other than chunked are not supported"};
      }
    }
    const auto [ce, ce_end] = h.equal_range(bhttp::field::content_encoding);
    for (auto f = ce; f != ce_end; ++f)
      if (!iequals(trim(f->value()), "identity"))
        return Problem{415, "unsupported_encoding",
                       "Content-Encoding other than identity is refused: send the body "
                       "uncompressed (the collector never decompresses)"};
    return std::nullopt;
  }

  void read_failed(beast::error_code ec) {
    if (ec == beast::error::timeout) {
      // The stream closed the socket: nothing can be sent any more.
      shared_->count("request_timeout");
      return;
    }
    if (ec == bhttp::error::body_limit)
      return refuse(413, "too_large",
                    "request body is larger than the collector's --max-body (" +
                        std::to_string(limits_.max_body) + " bytes)");
    if (ec == bhttp::error::header_limit || ec == bhttp::error::buffer_overflow)
      return refuse(431, "header_too_large",
                    "request line and header fields are larger than the collector's "
                    "--max-header-bytes (" +
                        std::to_string(limits_.max_header_bytes) + " bytes)");
    if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message)
      return close_now();  // the client went away
    if (ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category()) {
      const bool framing =
          ec == bhttp::error::bad_content_length || ec == bhttp::error::bad_transfer_encoding;
      return refuse(400, "bad_http",
                    std::string(framing ? "conflicting or malformed message framing: "
                                        : "malformed HTTP request: ") +
                        ec.message());
    }
    close_now();  // reset, aborted at shutdown, ...
  }

  // A refusal by the transport: the answer, then the connection closes (the rest of the request
  // was not read, so nothing after it on this connection can be trusted).
  void refuse(int status, const char* reason, const std::string& message) {
    shared_->count(reason);
    close_after_ = true;
    write(error_response(status, reason, message));
  }

  void dispatch() {
    stream_.expires_never();
    bhttp::request<bhttp::string_body> msg = parser_->release();
    keep_alive_ = msg.keep_alive();
    Request req;
    req.method = std::string(msg.method_string());
    if (msg.method() == bhttp::verb::head) {
      head_ = true;
      req.method = "GET";
    }
    req.target = std::string(msg.target());
    parse_target(req.target, req.path, req.params);
    req.headers.reserve(static_cast<size_t>(std::distance(msg.begin(), msg.end())));
    for (const auto& f : msg) req.headers.emplace_back(f.name_string(), f.value());
    req.body = std::move(msg.body());
    req.remote_addr = addr_;

    ++shared_->in_flight;
    counted_ = true;
    Responder reply([self = shared_from_this()](Response&& res) {
      if (self->shared_->io.running_in_this_thread()) return self->answer(std::move(res));
      self->shared_->deliver(self, std::move(res));
    });
    try {
      shared_->handler(std::move(req), reply);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "thermograph-collector: handler failed: %s\n", e.what());
      reply(error_response(500, "internal", "internal error"));
    }
  }

  void write(Response&& r) {
    res_.emplace(static_cast<bhttp::status>(r.status), version_);
    for (auto& [name, value] : r.headers) res_->insert(name, value);
    const bool close = close_after_ || !keep_alive_ || shared_->stopping.load();
    res_->keep_alive(!close);
    res_->body() = std::move(r.body);
    res_->prepare_payload();
    if (head_) {
      const size_t n = res_->body().size();
      res_->body().clear();
      if (n > 0) res_->content_length(n);
    }
    stream_.expires_after(limits_.request_timeout);
    bhttp::async_write(stream_, *res_,
                       [self = shared_from_this(), close](beast::error_code ec, size_t) {
                         self->written(ec, close);
                       });
  }

  void written(beast::error_code ec, bool close) {
    if (counted_) {
      counted_ = false;
      --shared_->in_flight;
    }
    res_.reset();
    if (ec) return close_now();
    if (close) return linger_close();
    next_request();
  }

  void linger_close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return close_now();
    buffer_.consume(buffer_.size());
    stream_.expires_after(kLinger);
    linger_read();
  }
  void linger_read() {
    stream_.async_read_some(buffer_.prepare(4096),
                            [self = shared_from_this()](beast::error_code ec, size_t n) {
                              if (ec || (self->lingered_ += n) > kLingerBytes)
                                return self->close_now();
                              self->linger_read();
                            });
  }

  void close_now() {
    beast::error_code ec;
    stream_.socket().close(ec);
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::shared_ptr<Shared> shared_;
  const Limits& limits_;
  std::string addr_;
  std::string key_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::optional<bhttp::response<bhttp::string_body>> res_;
  std::chrono::steady_clock::time_point deadline_;
  unsigned version_ = 11;
  bool keep_alive_ = false;
  bool head_ = false;
  bool close_after_ = false;
  bool counted_ = false;
  size_t lingered_ = 0;
};

void Shared::deliver(std::shared_ptr<Session> session, Response&& res) {
  {
    std::lock_guard lock(mail_mu);
    mail.emplace_back(std::move(session), std::move(res));
    if (drain_posted) return;
    drain_posted = true;
  }
  asio::post(io, [this] { drain(); });
}

void Shared::drain() {
  std::vector<std::pair<std::shared_ptr<Session>, Response>> batch;
  {
    std::lock_guard lock(mail_mu);
    batch.swap(mail);
    drain_posted = false;
  }
  for (auto& [session, res] : batch) session->answer(std::move(res));
}

}  // namespace

struct Server::Impl {
  Impl(const Limits& limits, size_t io, size_t workers, Handler handler, RefusalCounter refused)
      : io_threads(io < 1 ? 1 : io),
        ioc(static_cast<int>(io_threads)),
        acceptor(asio::make_strand(ioc)),
        retry(acceptor.get_executor()),
        pool(workers < 1 ? 1 : workers),
        shared(std::make_shared<Shared>(ioc.get_executor())) {
    shared->limits = limits;
    shared->handler = std::move(handler);
    shared->refused = std::move(refused);
  }

  void accept() {
    acceptor.async_accept(asio::make_strand(ioc), [this](beast::error_code ec, tcp::socket s) {
      if (!acceptor.is_open()) return;  // stop_accepting()
      if (ec) {
        // Out of descriptors (EMFILE) and the like: try again shortly instead of spinning.
        retry.expires_after(std::chrono::milliseconds(100));
        retry.async_wait([this](beast::error_code e) {
          if (!e) accept();
        });
        return;
      }
      admit(std::move(s));
      accept();
    });
  }

  void admit(tcp::socket s) {
    beast::error_code ec;
    const tcp::endpoint peer = s.remote_endpoint(ec);
    if (ec) return;  // already gone
    s.set_option(tcp::no_delay(true), ec);
    const std::string key = address_key(peer.address());
    if (const char* cap = shared->admit(key)) {
      shared->count("too_many_connections");
      if (shared->refusing.load() >= kMaxRefusing) return;  // `s` closes here
      std::make_shared<Refusal>(std::move(s), shared, cap[0] == 'g')->start();
      return;
    }
    std::make_shared<Session>(std::move(s), shared, peer.address().to_string(), key)->start();
  }

  size_t io_threads;
  asio::io_context ioc;
  tcp::acceptor acceptor;
  asio::steady_timer retry;
  asio::thread_pool pool;
  std::shared_ptr<Shared> shared;
  std::vector<std::thread> threads;
  bool stopped = false;
};

Server::Server(const Limits& limits, size_t io_threads, size_t worker_threads, Handler handler,
               RefusalCounter refused)
    : impl_(std::make_unique<Impl>(limits, io_threads, worker_threads, std::move(handler),
                                   std::move(refused))) {}

Server::~Server() {
  stop();
}

Expected<int> Server::listen(const std::string& host, int port) {
  beast::error_code ec;
  asio::ip::address addr = asio::ip::make_address(host, ec);
  if (ec) {
    tcp::resolver resolver(impl_->ioc);
    auto results = resolver.resolve(host, std::to_string(port), ec);
    if (ec || results.empty()) return Error{"cannot resolve " + host};
    addr = results.begin()->endpoint().address();
  }
  const tcp::endpoint ep(addr, static_cast<unsigned short>(port));
  tcp::acceptor& a = impl_->acceptor;
  a.open(ep.protocol(), ec);
  // SO_REUSEADDR only (restarts while old connections sit in TIME_WAIT); never SO_REUSEPORT,
  // which would let a second collector bind the same port silently.
  if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(ep, ec);
  if (!ec) a.listen(1024, ec);
  if (ec) {
    beast::error_code ignored;
    a.close(ignored);
    return Error{ec.message()};
  }
  return static_cast<int>(a.local_endpoint().port());
}

void Server::start() {
  impl_->accept();
  for (size_t i = 0; i < impl_->io_threads; ++i)
    impl_->threads.emplace_back([this] { impl_->ioc.run(); });
}

void Server::post_blocking(std::function<void()> job) {
  asio::post(impl_->pool, std::move(job));
}

void Server::stop_accepting() {
  impl_->shared->stopping = true;
  if (impl_->threads.empty()) {
    beast::error_code ec;
    impl_->acceptor.close(ec);
    return;
  }
  std::promise<void> done;
  asio::dispatch(impl_->acceptor.get_executor(), [this, &done] {
    beast::error_code ec;
    impl_->acceptor.close(ec);
    impl_->retry.cancel();
    done.set_value();
  });
  done.get_future().wait();
}

void Server::drain(std::chrono::milliseconds grace) {
  const auto until = std::chrono::steady_clock::now() + grace;
  while (impl_->shared->in_flight.load() > 0 && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
}

void Server::stop() {
  if (impl_->stopped) return;
  impl_->stopped = true;
  impl_->shared->stopping = true;
  impl_->pool.join();  // read handlers still running finish first
  impl_->ioc.stop();
  for (std::thread& t : impl_->threads) t.join();
  impl_->threads.clear();
}

}  // namespace thermograph::http
