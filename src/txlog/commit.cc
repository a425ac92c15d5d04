// commit.cc: see commit.h.
#include "txlog/commit.h"

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>

namespace lakepack::txlog {

Status CommitOptions::Validate() const {
  if (max_attempts < 1) return Status::InvalidArgument("txlog: max_attempts must be at least 1");
  if (initial_backoff_us < 0 || max_backoff_us < initial_backoff_us) {
    return Status::InvalidArgument("txlog: bad backoff (0 <= initial <= max)");
  }
  return Status::OK();
}

void BackoffBeforeRetry(const CommitOptions& options, int attempt) {
  thread_local std::mt19937_64 rng(std::random_device{}());
  int64_t cap = options.initial_backoff_us;
  for (int k = 1; k < attempt && cap < options.max_backoff_us; ++k) cap *= 2;
  cap = std::min(cap, options.max_backoff_us);
  if (cap <= 0) return;
  std::uniform_int_distribution<int64_t> pause(0, cap);
  std::this_thread::sleep_for(std::chrono::microseconds(pause(rng)));
}

Result<int64_t> CommitWithRetry(Log& log,
                                const std::function<Result<std::string>(int64_t latest)>& make,
                                const CommitOptions& options) {
  LP_RETURN_NOT_OK(options.Validate());
  for (int attempt = 1;; ++attempt) {
    LP_ASSIGN_OR_RETURN(int64_t latest, log.Latest());
    LP_ASSIGN_OR_RETURN(std::string record, make(latest));
    Status st = log.Append(latest + 1, record);
    if (st.ok()) return latest + 1;
    if (!st.IsAlreadyExists()) return st;
    if (attempt >= options.max_attempts) {
      return Status::Unavailable("txlog: gave up committing to " +
                                 log.store().Uri(log.options().prefix + log.options().stem) +
                                 " after " + std::to_string(attempt) +
                                 " conflicts with other writers in a row");
    }
    BackoffBeforeRetry(options, attempt);
  }
}

Result<int64_t> CommitWithRetry(Log& log,
                                const std::function<Result<std::string>(int64_t latest)>& make,
                                int max_attempts) {
  CommitOptions options;
  options.max_attempts = max_attempts;
  return CommitWithRetry(log, make, options);
}

}  // namespace lakepack::txlog
