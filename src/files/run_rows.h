// run_rows.h: how the files jobs run their rows — base/tasks.h RunTasks, every row run (failures
// are the rows' own outcomes, never a reason to stop), with a cancel hook polled by the caller.
//
// Thread-safety: `task` runs on several threads at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>

#include "base/job.h"
#include "base/tasks.h"

namespace lakepack::files {

// How often the caller's `cancelled` hook is asked (the Python edge's Ctrl-C check takes the GIL).
inline constexpr std::chrono::milliseconds kCancelPoll{50};

// Runs task(i, context) for i in [0, n), `parallel` at once.  Once `cancelled` (may be empty)
// says so, rows not yet started are not started; returns how many were never started, which the
// caller reports as cancelled rows.
inline TaskReport RunRows(int64_t n, int parallel, const std::function<bool()>& cancelled,
                          const std::function<void(int64_t, const JobContext&)>& task) {
  CancelToken token;
  if (cancelled) {
    if (cancelled()) token.Cancel();  // asked before anything started
    token.SetPoll(cancelled, kCancelPoll);
  }
  JobContext context;
  context.cancel = &token;
  TaskPolicy policy;
  policy.parallel = parallel;
  policy.max_failures = -1;
  return RunTasks(n, policy, context, [&](int64_t i) {
    task(i, context);
    return Status::OK();
  });
}

}  // namespace lakepack::files
