// lakepack/job.h: a long operation's link to its caller — the CLI, the Python package, a Ray task.
//
// A job (a copy, a convert, a pack) takes a JobContext: it asks the CancelToken whether to stop
// (between objects, batches or files: the points where stopping leaves nothing half-written) and
// counts what it did into Progress, which the caller shows (the CLI's bar) or ignores.  Both
// pointers may be null: a job run without a caller to answer to never stops and counts nothing.
//
// Thread-safety: CancelToken::Cancel() and cancelled() may be called from any thread, Cancel()
// also from a signal handler (it is one lock-free atomic store).  SetPoll() must be called before
// the token is shared.  Progress counters are atomics; `unit` is set before the job starts.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <thread>

#include "lakepack/status.h"

namespace lakepack {

class CancelToken {
 public:
  CancelToken() = default;
  CancelToken(const CancelToken&) = delete;
  CancelToken& operator=(const CancelToken&) = delete;

  // Asks the job to stop.  Async-signal-safe.
  void Cancel() { cancelled_.store(true, std::memory_order_relaxed); }

  // True once Cancel() was called or the poll hook said so.  On the thread that called SetPoll
  // (and only there: a Python signal check is valid on that thread alone) it runs the poll hook
  // when `every` has passed since the last poll.
  bool cancelled() const;

  // Installs a hook that is asked "should the job stop?" at most every `every`, from the calling
  // thread only.  The Python edge polls Ctrl-C this way (each poll takes the GIL).
  // REQUIRES: called before the token is shared with the job.
  void SetPoll(std::function<bool()> poll, std::chrono::milliseconds every);

  // How often a waiting thread should call cancelled(): the poll interval, or a default when
  // there is no hook (a signal handler's Cancel() needs no poll, only a look at the flag).
  std::chrono::milliseconds poll_interval() const;

 private:
  mutable std::atomic<bool> cancelled_{false};
  std::function<bool()> poll_;
  std::chrono::milliseconds every_{0};
  std::thread::id poll_thread_;
  mutable std::atomic<int64_t> next_poll_ns_{0};  // steady_clock, since its epoch
};

// What a job has done, in `unit`s (bytes, rows, objects).  total is -1 while unknown.
struct Progress {
  std::atomic<int64_t> total{-1};
  std::atomic<int64_t> done{0};
  std::string unit = "bytes";

  void Add(int64_t n) { done.fetch_add(n, std::memory_order_relaxed); }
  void SetTotal(int64_t n) { total.store(n, std::memory_order_relaxed); }
};

struct JobContext {
  const CancelToken* cancel = nullptr;
  Progress* progress = nullptr;

  bool cancelled() const { return cancel != nullptr && cancel->cancelled(); }
  // Cancelled("<what> cancelled") once the caller asked to stop; else OK.
  Status CheckCancelled(std::string_view what) const;
  void AddProgress(int64_t n) const {
    if (progress != nullptr) progress->Add(n);
  }
  void SetTotal(int64_t n) const {
    if (progress != nullptr) progress->SetTotal(n);
  }
};

}  // namespace lakepack
