#include "base/tasks.h"

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

namespace lakepack {
namespace {

// Executor tasks mostly wait on I/O (a GET, a part upload), not on a core: 4 per CPU keeps 8
// requests in flight on a 2-core machine, as many as cp's default ranged reads of one object.
constexpr int kThreadsPerCpu = 4;
// Even a 1-CPU container gets 8: a copy of many objects is latency-bound, not CPU-bound.
constexpr int kMinExecutorThreads = 8;

std::atomic<int> g_cpu_count{0};  // 0: the hardware's

// A pool of threads that start lazily, up to a limit read at each Submit, and live as long as the
// process.  Intentionally leaked (never destroyed): a pool thread may still be blocked in a wait
// at exit, and destroying the mutex under it would be undefined.
class Executor {
 public:
  // Queues `fn`.  Returns true when a thread will take it promptly (one is idle, or was started
  // for it); false when all threads are busy and the pool is at its bound.
  bool Submit(std::function<void()> fn) {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back(std::move(fn));
    if (static_cast<int>(queue_.size()) <= idle_) {
      cv_.notify_one();
      return true;
    }
    if (threads_ < ExecutorThreads()) {
      ++threads_;
      std::thread([this] { Loop(); }).detach();
      return true;
    }
    return false;
  }

  static Executor& Shared() {
    static std::once_flag once;
    std::call_once(once, [] {
      instance_ = new Executor;
      // A forked child has none of the parent's threads: give it a fresh, empty pool.
      pthread_atfork(nullptr, nullptr, [] { instance_ = new Executor; });
    });
    return *instance_;
  }

 private:
  void Loop() {
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      ++idle_;
      cv_.wait(lock, [this] { return !queue_.empty(); });
      --idle_;
      std::function<void()> fn = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      fn();
      fn = nullptr;  // drop its captures outside the lock
      lock.lock();
    }
  }

  static Executor* instance_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  int threads_ = 0;
  int idle_ = 0;
};

Executor* Executor::instance_ = nullptr;

// The shared state of one RunTasks call.  Held by shared_ptr: a helper queued but started only
// after the call returned finds `closed` and leaves without touching `task`.
struct Batch {
  std::mutex mu;
  std::condition_variable cv;
  const std::function<Status(int64_t)>* task = nullptr;  // valid while !closed
  const JobContext* context = nullptr;                    // valid while !closed
  int64_t count = 0;
  int parallel = 1;
  int64_t max_failures = 1;
  int64_t next = 0;
  int running = 0;         // tasks running now
  int helpers_inside = 0;  // pool threads inside this batch
  bool stop = false;
  bool closed = false;
  TaskReport report;

  bool CanStart() const { return !stop && next < count && running < parallel; }

  // Runs one task.  REQUIRES: `lock` holds mu and CanStart().
  void RunOne(std::unique_lock<std::mutex>& lock) {
    const int64_t i = next++;
    ++running;
    lock.unlock();
    Status st = context->cancelled() ? Status::Cancelled("cancelled") : (*task)(i);
    lock.lock();
    --running;
    if (st.ok()) {
      ++report.succeeded;
    } else if (st.code() == StatusCode::kCancelled) {
      report.cancelled = true;
      stop = true;
    } else {
      report.failures.emplace_back(i, std::move(st));
      if (max_failures >= 0 && static_cast<int64_t>(report.failures.size()) >= max_failures) {
        stop = true;
      }
    }
    cv.notify_all();
  }
};

}  // namespace

Status TaskReport::FirstError(std::string_view cancelled_what) const {
  if (!failures.empty()) return failures.front().second;
  if (cancelled) return Status::Cancelled(std::string(cancelled_what) + " cancelled");
  return Status::OK();
}

TaskReport RunTasks(int64_t count, const TaskPolicy& policy, const JobContext& context,
                    const std::function<Status(int64_t)>& task) {
  if (count <= 0) return {};
  auto b = std::make_shared<Batch>();
  b->task = &task;
  b->context = &context;
  b->count = count;
  b->parallel = static_cast<int>(std::clamp<int64_t>(policy.parallel, 1, count));
  b->max_failures = policy.max_failures == 0 ? 1 : policy.max_failures;

  // Helpers from the pool; the calling thread waits (polling for cancellation) and works only
  // when no helper is inside, which is what makes nesting safe.
  bool prompt = false;
  if (b->parallel > 1) {
    for (int h = 0; h < b->parallel; ++h) {
      prompt |= Executor::Shared().Submit([b] {
        std::unique_lock<std::mutex> lock(b->mu);
        if (b->closed) return;
        ++b->helpers_inside;
        while (b->CanStart()) b->RunOne(lock);
        --b->helpers_inside;
        b->cv.notify_all();
      });
    }
  }
  using Clock = std::chrono::steady_clock;
  const auto wait = context.cancel ? context.cancel->poll_interval() : std::chrono::milliseconds(50);
  // With helpers on their way the caller only watches; if none has come in after one wait (the
  // pool is busy) it works itself.  Without a prompt helper it works at once.
  const Clock::time_point work_after = prompt ? Clock::now() + wait : Clock::now();
  std::unique_lock<std::mutex> lock(b->mu);
  while (true) {
    // Polled here even when every task has started: on the Python edge only this thread can
    // see Ctrl-C, and running tasks look at the token's flag that this sets.
    lock.unlock();
    const bool stop_now = context.cancelled();  // may run a poll hook: not under our lock
    lock.lock();
    if (stop_now && b->CanStart()) {
      b->report.cancelled = true;
      b->stop = true;
    }
    if (b->CanStart() && b->helpers_inside == 0 && Clock::now() >= work_after) {
      b->RunOne(lock);
      continue;
    }
    if (!b->CanStart() && b->running == 0 && b->helpers_inside == 0) break;
    b->cv.wait_for(lock, wait);  // a task ended, or time to poll the token again
  }
  b->closed = true;
  TaskReport report = std::move(b->report);
  report.not_started = count - b->next;
  std::sort(report.failures.begin(), report.failures.end(),
            [](const auto& x, const auto& y) { return x.first < y.first; });
  return report;
}

void SetCpuCount(int n) { g_cpu_count.store(std::max(0, n)); }

int CpuCount() {
  int n = g_cpu_count.load();
  if (n > 0) return n;
  return std::max(1u, std::thread::hardware_concurrency());
}

int ExecutorThreads() { return std::max(kMinExecutorThreads, kThreadsPerCpu * CpuCount()); }

}  // namespace lakepack
