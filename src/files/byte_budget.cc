#include "files/byte_budget.h"

namespace lakepack::files {

void ByteBudget::Acquire(int64_t n) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return held_ == 0 || held_ + n <= capacity_; });
  held_ += n;
}

void ByteBudget::Release(int64_t n) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    held_ -= n;
  }
  cv_.notify_all();
}

int64_t ByteBudget::held() const {
  std::lock_guard<std::mutex> lock(mu_);
  return held_;
}

}  // namespace lakepack::files
