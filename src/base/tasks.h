// base/tasks.h: run N numbered tasks in parallel with a failure policy, on one shared executor.
//
// RunTasks is the one way lakepack runs independent pieces of work at once: the objects of a
// recursive copy, the ranged GETs of one download, the parts of a multipart copy.  It replaces
// per-call threads with one process-wide pool, so nested use (a copy of many objects, each read in
// parallel ranges) multiplies tasks, not threads.
//
// Failure policy (TaskPolicy::max_failures): 1 stops at the first failure (no new task starts;
// those running finish); N > 1 goes on past failures until N have failed and reports every one;
// any negative value runs every task and collects all failures.  A task that returns Cancelled,
// or a cancelled JobContext, stops new tasks and sets TaskReport::cancelled.
//
// The executor: a pool of at most ExecutorThreads() threads, started lazily and kept for the
// process.  Its tasks mostly wait on the network or the disk, so it is sized as a multiple of the
// CPU budget (SetCpuCount).  A caller of RunTasks never waits on a task that has not started: when
// no pool thread takes its work (all busy, e.g. in outer tasks) it runs the tasks itself, one by
// one, so nested RunTasks cannot deadlock and the pool bound always holds.
//
// Thread-safety: RunTasks may be called from any thread, including from inside a task.  `task`
// runs on up to `parallel` threads at once (possibly including the calling thread) and must be
// safe for that.  The calling thread polls the JobContext's CancelToken while it waits, so a
// Python caller's Ctrl-C poll works.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "base/job.h"
#include "lakepack/status.h"

namespace lakepack {

struct TaskPolicy {
  int parallel = 4;           // tasks at once; values < 1 mean 1
  int64_t max_failures = 1;   // 1: stop at the first; N: stop after N; negative: collect all
};

struct TaskReport {
  int64_t succeeded = 0;
  // (task index, its error), sorted by index.
  std::vector<std::pair<int64_t, Status>> failures;
  bool cancelled = false;  // stopped by the CancelToken or by a task returning Cancelled
  int64_t not_started = 0; // tasks never run (after a stop)

  bool ok() const { return failures.empty() && !cancelled; }
  // The first failure (lowest index) as the report's status; Cancelled when only cancelled.
  Status FirstError(std::string_view cancelled_what = "job") const;
};

// Runs task(i) for i in [0, count) under `policy`; returns when every started task has finished.
TaskReport RunTasks(int64_t count, const TaskPolicy& policy, const JobContext& context,
                    const std::function<Status(int64_t)>& task);

// The CPU budget: threads CPU-heavy work may use.  Defaults to the machine's hardware threads;
// SetCpuCount(n) (n >= 1; 0 restores the default) lowers or raises it for the process.
void SetCpuCount(int n);
int CpuCount();
// The shared executor's thread bound: kThreadsPerCpu × CpuCount(), at least kMinExecutorThreads.
int ExecutorThreads();

}  // namespace lakepack
