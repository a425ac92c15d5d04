// run_rows.h: how the files jobs run their rows — on `parallel` threads of their own, every row
// run (failures are the rows' own outcomes, never a reason to stop), with a cancel hook polled
// by the calling thread.
//
// Rows get their own threads rather than the shared executor (base/tasks.h) because a row spends
// its life waiting on the network: 32 rows in flight need 32 blocked threads, where the shared
// executor holds a few per core for work that also uses CPU.  The work inside a row (a large
// object's ranges) still goes through RunTasks.
//
// Thread-safety: `task` runs on several threads at once.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "base/job.h"

namespace lakepack::files {

// How often the caller's `cancelled` hook is asked (the Python edge's Ctrl-C check takes the GIL).
inline constexpr std::chrono::milliseconds kCancelPoll{50};

// Runs task(i, context) for i in [0, n), `parallel` at once, and waits.  Once `cancelled` (may be
// empty; asked on the calling thread only) says so, rows not yet started are not started (the
// caller reports them as cancelled).
inline void RunRows(int64_t n, int parallel, const std::function<bool()>& cancelled,
                    const std::function<void(int64_t, const JobContext&)>& task) {
  if (n <= 0) return;
  CancelToken token;
  JobContext context;
  context.cancel = &token;
  if (cancelled && cancelled()) return;  // asked before anything started
  std::atomic<int64_t> next{0};
  std::mutex mu;
  std::condition_variable cv;
  int running = 0;
  auto worker = [&] {
    for (int64_t i = next++; i < n && !token.cancelled(); i = next++) task(i, context);
    std::lock_guard<std::mutex> lock(mu);
    if (--running == 0) cv.notify_all();
  };
  const int threads = static_cast<int>(std::clamp<int64_t>(parallel, 1, n));
  if (threads == 1 && !cancelled) {
    running = 1;
    worker();
    return;
  }
  std::vector<std::thread> pool;
  running = threads;
  for (int t = 0; t < threads; ++t) pool.emplace_back(worker);
  while (true) {
    {
      std::unique_lock<std::mutex> lock(mu);
      if (cv.wait_for(lock, kCancelPoll, [&] { return running == 0; })) break;
    }
    if (cancelled && cancelled()) token.Cancel();  // without the lock: the hook may take the GIL
  }
  for (auto& t : pool) t.join();
}

}  // namespace lakepack::files
