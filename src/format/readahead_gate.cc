#include "format/readahead_gate.h"

namespace lakepack::format {

void ReadaheadGate::SetConsumerWaiting(bool waiting) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    waiting_ = waiting;
  }
  if (waiting) cv_.notify_all();
}

void ReadaheadGate::BatchTaken() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++taken_;
  }
  cv_.notify_all();
}

void ReadaheadGate::Release() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    released_ = true;
  }
  cv_.notify_all();
}

void ReadaheadGate::BeforeRead() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!released_ && reads_ - taken_ >= max_ahead_) {
    const int64_t taken = taken_;
    if (waiting_) {
      // The consumer waits too: give the parser a moment to finish a batch from what it has; if
      // none comes, it needs this block (a batch spanning more than max_ahead_ blocks).
      if (!cv_.wait_for(lock, kStallWait, [&] { return released_ || taken_ != taken; }) &&
          waiting_) {
        break;
      }
    } else {
      cv_.wait(lock, [&] { return released_ || waiting_ || taken_ != taken; });
    }
  }
  ++reads_;
}

}  // namespace lakepack::format
