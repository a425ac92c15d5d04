#include "base/job.h"

namespace lakepack {
namespace {

// A waiting thread looks at a token without a poll hook this often: a signal handler's Cancel()
// is seen within 50 ms, at a cost of 20 wake-ups a second.
constexpr std::chrono::milliseconds kDefaultWaitInterval{50};

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

bool CancelToken::cancelled() const {
  if (cancelled_.load(std::memory_order_relaxed)) return true;
  if (!poll_ || std::this_thread::get_id() != poll_thread_) return false;
  const int64_t now = NowNs();
  if (now < next_poll_ns_.load(std::memory_order_relaxed)) return false;
  next_poll_ns_.store(now + std::chrono::duration_cast<std::chrono::nanoseconds>(every_).count(),
                      std::memory_order_relaxed);
  if (poll_()) cancelled_.store(true, std::memory_order_relaxed);
  return cancelled_.load(std::memory_order_relaxed);
}

void CancelToken::SetPoll(std::function<bool()> poll, std::chrono::milliseconds every) {
  poll_ = std::move(poll);
  every_ = every;
  poll_thread_ = std::this_thread::get_id();
  next_poll_ns_.store(0);
}

std::chrono::milliseconds CancelToken::poll_interval() const {
  return poll_ && every_.count() > 0 ? every_ : kDefaultWaitInterval;
}

Status JobContext::CheckCancelled(std::string_view what) const {
  if (!cancelled()) return Status::OK();
  return Status::Cancelled(std::string(what) + " cancelled");
}

}  // namespace lakepack
