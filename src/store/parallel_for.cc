#include "store/parallel_for.h"

#include "base/tasks.h"

namespace lakepack {

Status ParallelFor(int64_t begin, int64_t end, int threads,
                   const std::function<Status(int64_t)>& task) {
  if (end <= begin) return Status::OK();
  TaskPolicy policy;
  policy.parallel = threads;
  policy.max_failures = 1;
  TaskReport report =
      RunTasks(end - begin, policy, JobContext{}, [&](int64_t i) { return task(begin + i); });
  return report.FirstError();
}

}  // namespace lakepack
