// base/ticker.h: calls a function every `interval` on a thread of its own until destroyed; for
// periodic work beside a job (a progress bar's redraw).  The destructor stops the thread and
// waits for a call in progress; the function is not called again after that.
//
// Thread-safety: `fn` runs on the ticker's thread; it must be safe to run beside the caller.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace lakepack {

class Ticker {
 public:
  Ticker(std::chrono::milliseconds interval, std::function<void()> fn);
  ~Ticker();
  Ticker(const Ticker&) = delete;
  Ticker& operator=(const Ticker&) = delete;

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace lakepack
