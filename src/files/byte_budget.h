// byte_budget.h: a counting semaphore of bytes, bounding the memory transfers hold at once.
//
// Acquire(n) waits until n more bytes fit under the capacity.  A request larger than the whole
// capacity is let through when nothing else is held (it runs alone), so it can never deadlock.
//
// Thread-safety: safe to share between threads.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace lakepack::files {

class ByteBudget {
 public:
  explicit ByteBudget(int64_t capacity) : capacity_(capacity) {}
  void Acquire(int64_t n);
  void Release(int64_t n);
  int64_t held() const;

 private:
  const int64_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  int64_t held_ = 0;  // guarded by mu_
};

// Holds `n` bytes of a budget for its lifetime.
class BudgetHold {
 public:
  BudgetHold(ByteBudget* budget, int64_t n) : budget_(budget), n_(n) {
    if (budget_ != nullptr) budget_->Acquire(n_);
  }
  ~BudgetHold() {
    if (budget_ != nullptr) budget_->Release(n_);
  }
  BudgetHold(const BudgetHold&) = delete;
  BudgetHold& operator=(const BudgetHold&) = delete;

 private:
  ByteBudget* budget_;
  int64_t n_;
};

}  // namespace lakepack::files
