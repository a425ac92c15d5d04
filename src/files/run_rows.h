// run_rows.h: the seam between the files jobs and the task runner.
//
// RunRows(n, parallel, task) runs task(i) for every i in [0, n) on up to `parallel` threads and
// waits.  Tasks record their own outcomes and never fail the run, so every index runs.
// Today it is store/parallel_for.h; it becomes base/tasks.h RunTasks when that lands.
//
// Thread-safety: `task` runs on several threads at once.
#pragma once

#include <cstdint>
#include <functional>

#include "store/parallel_for.h"

namespace lakepack::files {

inline void RunRows(int64_t n, int parallel, const std::function<void(int64_t)>& task) {
  (void)ParallelFor(0, n, parallel, [&](int64_t i) {
    task(i);
    return Status::OK();
  });
}

}  // namespace lakepack::files
