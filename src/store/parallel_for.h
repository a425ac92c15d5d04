// parallel_for.h: run numbered tasks on a few threads, stopping at the first failure.
//
// Used where a transfer is split into independent pieces (ranged GETs, part copies).  A thin
// wrapper of RunTasks (base/tasks.h) with max_failures = 1: the tasks run on the shared executor,
// not on threads of their own, so nesting it (inside a copy task) adds no threads.
//
// Thread-safety: ParallelFor may be called from any thread; `task` runs on up to `threads`
// threads at once and must be safe for that.
#pragma once

#include <cstdint>
#include <functional>

#include "lakepack/status.h"

namespace lakepack {

// Runs task(i) for every i in [begin, end), at most `threads` at once (the calling thread waits,
// or works when the executor is busy).  After a task fails no new index is started; returns the
// failure of the lowest index that failed, or OK when every task succeeded.
Status ParallelFor(int64_t begin, int64_t end, int threads,
                   const std::function<Status(int64_t)>& task);

}  // namespace lakepack
