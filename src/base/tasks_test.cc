#include "base/tasks.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace lakepack {
namespace {

using std::chrono::milliseconds;

TEST(RunTasks, RunsEveryIndexOnce) {
  std::vector<std::atomic<int>> seen(1000);
  TaskReport r = RunTasks(1000, {8, 1}, {}, [&](int64_t i) {
    seen[i]++;
    return Status::OK();
  });
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.succeeded, 1000);
  for (auto& s : seen) EXPECT_EQ(s.load(), 1);
  EXPECT_TRUE(RunTasks(0, {}, {}, [](int64_t) { return Status::Internal("never"); }).ok());
}

TEST(RunTasks, StopsAtTheFirstFailure) {
  std::atomic<int> ran{0};
  TaskReport r = RunTasks(100, {1, 1}, {}, [&](int64_t i) {
    ++ran;
    return i == 3 ? Status::IOError("boom 3") : Status::OK();
  });
  EXPECT_EQ(ran.load(), 4);
  EXPECT_EQ(r.succeeded, 3);
  ASSERT_EQ(r.failures.size(), 1u);
  EXPECT_EQ(r.failures[0].first, 3);
  EXPECT_EQ(r.not_started, 96);
  EXPECT_EQ(r.FirstError().message(), "boom 3");
}

TEST(RunTasks, GoesOnUpToNFailuresAndReportsEach) {
  TaskReport r = RunTasks(100, {1, 3}, {}, [&](int64_t i) {
    return i % 2 ? Status::IOError("odd " + std::to_string(i)) : Status::OK();
  });
  ASSERT_EQ(r.failures.size(), 3u);
  EXPECT_EQ(r.failures[0].first, 1);
  EXPECT_EQ(r.failures[1].first, 3);
  EXPECT_EQ(r.failures[2].first, 5);
  EXPECT_EQ(r.succeeded, 3);  // 0, 2, 4
  EXPECT_FALSE(r.cancelled);
}

TEST(RunTasks, CollectsAllFailuresSortedByIndex) {
  TaskReport r = RunTasks(200, {6, -1}, {}, [&](int64_t i) {
    if (i % 10 == 0) std::this_thread::sleep_for(milliseconds(1));
    return i % 3 == 0 ? Status::NotFound(std::to_string(i)) : Status::OK();
  });
  ASSERT_EQ(r.failures.size(), 67u);
  for (size_t k = 0; k < r.failures.size(); ++k) {
    EXPECT_EQ(r.failures[k].first, static_cast<int64_t>(3 * k));
    EXPECT_TRUE(r.failures[k].second.IsNotFound());
  }
  EXPECT_EQ(r.succeeded, 133);
  EXPECT_EQ(r.not_started, 0);
}

TEST(RunTasks, NeverMoreThanParallelAtOnce) {
  for (int parallel : {1, 2, 5}) {
    std::atomic<int> now{0}, peak{0};
    TaskReport r = RunTasks(60, {parallel, 1}, {}, [&](int64_t) {
      int n = ++now;
      int p = peak.load();
      while (n > p && !peak.compare_exchange_weak(p, n)) {
      }
      std::this_thread::sleep_for(milliseconds(2));
      --now;
      return Status::OK();
    });
    EXPECT_TRUE(r.ok());
    EXPECT_LE(peak.load(), parallel);
    if (parallel > 1) EXPECT_GT(peak.load(), 1) << "ran serially";
  }
}

TEST(RunTasks, CancelStopsNewTasks) {
  CancelToken token;
  JobContext ctx{&token, nullptr};
  std::atomic<int> ran{0};
  TaskReport r = RunTasks(1000, {2, 1}, ctx, [&](int64_t i) {
    if (++ran == 10) token.Cancel();
    std::this_thread::sleep_for(milliseconds(1));
    return Status::OK();
  });
  EXPECT_TRUE(r.cancelled);
  EXPECT_FALSE(r.ok());
  EXPECT_LE(ran.load(), 12);  // at most the ones already running when it was cancelled
  EXPECT_TRUE(r.failures.empty());
  EXPECT_EQ(r.FirstError("copy").code(), StatusCode::kCancelled);
  EXPECT_EQ(r.FirstError("copy").message(), "copy cancelled");
}

TEST(RunTasks, ATaskReturningCancelledStops) {
  TaskReport r = RunTasks(50, {1, -1}, {}, [&](int64_t i) {
    return i == 4 ? Status::Cancelled("interrupted") : Status::OK();
  });
  EXPECT_TRUE(r.cancelled);
  EXPECT_TRUE(r.failures.empty());
  EXPECT_EQ(r.succeeded, 4);
}

// The poll hook runs on the thread that installed it, while that thread waits in RunTasks, and
// the running tasks see its answer.
TEST(RunTasks, PollHookRunsOnTheCallingThreadWhileItWaits) {
  CancelToken token;
  const auto caller = std::this_thread::get_id();
  std::atomic<int> polls{0};
  std::atomic<bool> wrong_thread{false};
  token.SetPoll(
      [&] {
        if (std::this_thread::get_id() != caller) wrong_thread = true;
        return ++polls >= 3;
      },
      milliseconds(5));
  JobContext ctx{&token, nullptr};
  std::atomic<int> saw_cancel{0};
  TaskReport r = RunTasks(4, {4, -1}, ctx, [&](int64_t) {
    // Long tasks that end early once cancelled (as a copy checks between ranges).
    for (int k = 0; k < 2000 && !ctx.cancelled(); ++k) std::this_thread::sleep_for(milliseconds(1));
    if (ctx.cancelled()) ++saw_cancel;
    return ctx.CheckCancelled("task");
  });
  EXPECT_FALSE(wrong_thread.load());
  EXPECT_GE(polls.load(), 3);
  EXPECT_TRUE(r.cancelled);
  EXPECT_EQ(saw_cancel.load(), 4);
}

TEST(CancelToken, PollIsRateLimitedAndOnlyOnItsThread) {
  CancelToken token;
  std::atomic<int> polls{0};
  token.SetPoll([&] { ++polls; return false; }, milliseconds(1000));
  for (int i = 0; i < 100; ++i) EXPECT_FALSE(token.cancelled());
  EXPECT_EQ(polls.load(), 1);
  std::thread([&] { EXPECT_FALSE(token.cancelled()); }).join();
  EXPECT_EQ(polls.load(), 1);
  token.Cancel();
  std::thread([&] { EXPECT_TRUE(token.cancelled()); }).join();
  JobContext ctx{&token, nullptr};
  EXPECT_EQ(ctx.CheckCancelled("pack of t").message(), "pack of t cancelled");
  EXPECT_TRUE(JobContext{}.CheckCancelled("x").ok());
}

// Tasks that themselves run tasks (a copy of many objects, each in parallel ranges) finish, even
// with far more outer tasks than pool threads, and never use more threads than the bound.
TEST(RunTasks, NestedUseNeitherDeadlocksNorExceedsThePool) {
  std::mutex mu;
  std::set<std::thread::id> threads;
  std::atomic<int64_t> inner_runs{0};
  const int outer = ExecutorThreads() * 3;
  TaskReport r = RunTasks(outer, {outer, 1}, {}, [&](int64_t) {
    TaskReport inner = RunTasks(16, {8, 1}, {}, [&](int64_t) {
      {
        std::lock_guard<std::mutex> lock(mu);
        threads.insert(std::this_thread::get_id());
      }
      std::this_thread::sleep_for(milliseconds(1));
      ++inner_runs;
      return Status::OK();
    });
    return inner.FirstError();
  });
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(inner_runs.load(), outer * 16);
  EXPECT_LE(static_cast<int>(threads.size()), ExecutorThreads() + 1);  // the pool + this thread
}

TEST(CpuBudget, SetCpuCountSizesTheExecutor) {
  SetCpuCount(3);
  EXPECT_EQ(CpuCount(), 3);
  EXPECT_EQ(ExecutorThreads(), 12);
  SetCpuCount(1);
  EXPECT_EQ(ExecutorThreads(), 8);
  SetCpuCount(0);
  EXPECT_GE(CpuCount(), 1);
}

}  // namespace
}  // namespace lakepack
