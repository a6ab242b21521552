// Per-client token buckets, keyed by the client address and held in memory only: addresses are
// never written to disk or logged, and are forgotten when their bucket refills or on restart.
#pragma once

#include <algorithm>
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace thermograph {

class RateLimiter {
 public:
  // `rate` tokens per second refill up to `burst`; rate <= 0 disables limiting.
  RateLimiter(double rate, double burst) : rate_(rate), burst_(burst < 1 ? 1 : burst) {}

  // Takes one token. Returns nothing when allowed, else whole seconds until a token is available.
  std::optional<int> take(const std::string& client) {
    if (rate_ <= 0) return std::nullopt;
    const auto now = std::chrono::steady_clock::now();
    std::lock_guard lock(mu_);
    if (buckets_.size() >= kMaxClients) forget_idle(now);
    auto [it, fresh] = buckets_.try_emplace(client, Bucket{burst_, now});
    Bucket& b = it->second;
    if (!fresh) {
      b.tokens = std::min(burst_, b.tokens + seconds(now - b.last) * rate_);
      b.last = now;
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return std::nullopt;
    }
    const double wait = (1 - b.tokens) / rate_;
    return wait < 1 ? 1 : wait > 3600 ? 3600 : static_cast<int>(wait + 0.999);
  }

 private:
  struct Bucket {
    double tokens;
    std::chrono::steady_clock::time_point last;
  };
  static double seconds(std::chrono::steady_clock::duration d) {
    return std::chrono::duration<double>(d).count();
  }
  // Bounded memory: a full bucket carries no information, so drop those; if every client is
  // mid-burst (a flood of distinct addresses) start over rather than grow without bound.
  void forget_idle(std::chrono::steady_clock::time_point now) {
    std::erase_if(buckets_, [&](const auto& e) {
      return e.second.tokens + seconds(now - e.second.last) * rate_ >= burst_;
    });
    if (buckets_.size() >= kMaxClients) buckets_.clear();
  }
  static constexpr size_t kMaxClients = 100000;

  const double rate_;
  const double burst_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace thermograph
