#include "compactor.h"

#include <pthread.h>

#include <cstdio>

namespace thermograph {

Compactor::Compactor(Store& store) : store_(store), thread_([this] { run(); }) {}

Compactor::~Compactor() {
  stop();
}

void Compactor::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool Compactor::pause(std::chrono::milliseconds d) {
  std::unique_lock lock(mu_);
  return !cv_.wait_for(lock, d, [&] { return stopping_; });
}

void Compactor::run() {
  pthread_setname_np(pthread_self(), "tg-compact");  // for `top -H` and the ingest benchmark
  using std::chrono::milliseconds;
  auto last_log = std::chrono::steady_clock::now() - std::chrono::minutes(1);
  for (;;) {
    size_t changed = 0;
    try {
      changed = store_.compact(false);
    } catch (const std::exception& e) {
      // Deltas stay where they are (durable, and merged by every read); try again later.
      const auto now = std::chrono::steady_clock::now();
      if (now - last_log >= std::chrono::seconds(30)) {
        std::fprintf(stderr, "thermograph-collector: compaction failed (will retry): %s\n",
                     e.what());
        last_log = now;
      }
      if (!pause(milliseconds(2000))) return;
      continue;
    }
    // More may be due at once (a pass takes at most a few dozen rows); otherwise poll.
    if (!pause(milliseconds(changed > 0 ? 0 : 200))) return;
  }
}

}  // namespace thermograph
