// progress.h: a progress bar on stderr for long CLI operations.
//
// Shown only when stderr is a terminal (and --quiet was not given); otherwise it stays silent and
// the verb prints its one-line summary.  Add() may be called from any thread; the bar redraws from
// its own thread a few times a second.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace lakepack::cli {

class Progress {
 public:
  // `total` bytes expected (0 if unknown); `label` is shown before the bar.
  Progress(bool enabled, std::string label, int64_t total);
  ~Progress();  // clears the bar

  void Add(int64_t bytes) { done_.fetch_add(bytes, std::memory_order_relaxed); }
  void AddTotal(int64_t bytes) { total_.fetch_add(bytes, std::memory_order_relaxed); }
  int64_t done() const { return done_.load(); }
  double seconds() const;

 private:
  void Draw();
  bool enabled_;
  std::string label_;
  std::atomic<int64_t> total_;
  std::atomic<int64_t> done_{0};
  std::chrono::steady_clock::time_point start_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace lakepack::cli
