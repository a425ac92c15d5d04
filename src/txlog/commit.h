// commit.h: optimistic concurrency over a Log — build record Latest()+1 from the state at Latest(),
// append it, and on a conflict (another writer took that number) reload and try again.
//
// Writers never wait for each other: each one that loses a race retries after a jittered,
// growing pause (so that N racing writers do not all collide again at once), and every commit
// that returns OK is in the log exactly once (log.h settles lost answers).
//
// Thread-safety: CommitWithRetry may run on many threads and processes against one log; `make`
// is called on the calling thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "lakepack/status.h"
#include "txlog/log.h"

namespace lakepack::txlog {

struct CommitOptions {
  int max_attempts = 100;
  // Pause before retry k (1-based): a uniform random time in [0, min(max, initial * 2^(k-1))].
  // 1 ms first: a memory or local store decides a race in microseconds; S3 in milliseconds.
  int64_t initial_backoff_us = 1000;
  // 200 ms at most: past that a writer waits longer than an S3 commit takes.
  int64_t max_backoff_us = 200'000;

  Status Validate() const;
};

// `make(latest)` returns the record that follows `latest` (-1: the log is empty), or an error,
// which is returned as is.  Returns the record number committed.  After max_attempts conflicts in
// a row: Unavailable naming the log.
Result<int64_t> CommitWithRetry(Log& log,
                                const std::function<Result<std::string>(int64_t latest)>& make,
                                int max_attempts = 100);
Result<int64_t> CommitWithRetry(Log& log,
                                const std::function<Result<std::string>(int64_t latest)>& make,
                                const CommitOptions& options);

// The pause before retry `attempt` (1-based) under `options` (for loops of their own, e.g.
// FoldedLog::Commit).
void BackoffBeforeRetry(const CommitOptions& options, int attempt);

}  // namespace lakepack::txlog
