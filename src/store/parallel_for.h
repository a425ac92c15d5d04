// parallel_for.h: run numbered tasks on a few threads, stopping at the first failure.
//
// Used where a transfer is split into independent pieces (ranged GETs, part copies): each
// thread takes the next index until none is left or a task has failed.
//
// Thread-safety: ParallelFor may be called from any thread; `task` runs on up to `threads`
// threads at once and must be safe for that.
#pragma once

#include <cstdint>
#include <functional>

#include "lakepack/status.h"

namespace lakepack {

// Runs task(i) for every i in [begin, end) on min(threads, end - begin) threads (the calling
// thread waits).  After a task fails no new index is started; returns the first failure seen, or
// OK when every task succeeded.
Status ParallelFor(int64_t begin, int64_t end, int threads,
                   const std::function<Status(int64_t)>& task);

}  // namespace lakepack
