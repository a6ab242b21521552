// The compactor thread: calls Store::compact() until stopped, so pending deltas are folded into
// their rows in the background and ingest never pays for a row's size. A failing store (disk
// full) is retried after a pause; the thread never ends the process.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "store.h"

namespace thermograph {

class Compactor {
 public:
  explicit Compactor(Store& store);
  ~Compactor();
  Compactor(const Compactor&) = delete;
  Compactor& operator=(const Compactor&) = delete;

  // Stops after the row being compacted (its transaction commits or rolls back). Idempotent.
  void stop();

 private:
  void run();
  bool pause(std::chrono::milliseconds d);  // false once stopping

  Store& store_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace thermograph
