// lease_keeper.h: keeps a pack run's lock alive for as long as the run takes.
//
// A run's lock is its intent-G (state.h), presumed abandoned by other packers once its lease
// (PackOptions::lock_timeout_seconds) has passed.  LeaseKeeper renews it: a thread of its own
// rewrites lease-G.json with the current time every lease / kRenewalsPerLease, so a run longer
// than the lease is not taken over while it is alive.  At each renewal it also checks that no
// other packer has started run G+1 (which happens only if renewals failed for a whole lease, e.g.
// the store was unreachable or the process was stopped); then, or when renewing has failed for
// longer than the lease, status() turns into an error and the run must stop writing at once
// without touching the table again: it is no longer its own.
//
// Thread-safety: status() and Stop() may be called from any thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "lakepack/status.h"
#include "lakepack/store.h"

namespace lakepack::pack {

class LeaseKeeper {
 public:
  // Renewals per lease: two in a row may fail (a transient store error) before it expires.
  static constexpr int64_t kRenewalsPerLease = 3;

  // Starts renewing lease-`generation` under `state_prefix` (a key prefix ending in '/').
  // `what` names the run in messages ("run 3 on file:///db/table/table_N.csv").
  // REQUIRES: lease_ms > 0.
  static std::unique_ptr<LeaseKeeper> Start(std::shared_ptr<ObjectStore> store,
                                            std::string state_prefix, int64_t generation,
                                            int64_t lease_ms, std::string what);
  ~LeaseKeeper();  // Stop()

  // Only Start() can make the token: a keeper always has its thread.
  class Token {
    friend class LeaseKeeper;
    Token() = default;
  };
  LeaseKeeper(Token, std::shared_ptr<ObjectStore> store, std::string state_prefix,
              int64_t generation, int64_t lease_ms, std::string what);
  LeaseKeeper(const LeaseKeeper&) = delete;
  LeaseKeeper& operator=(const LeaseKeeper&) = delete;

  // Stops renewing (joins the thread).  Idempotent.
  void Stop();
  // OK while the lock is held; else why it is lost.
  Status status() const;
  // Renewals written so far (for tests).
  int64_t renewals() const;

 private:
  void Loop();
  // One renewal: false when the lock is lost (status_ set).
  bool RenewOnce();

  const std::shared_ptr<ObjectStore> store_;
  const std::string state_prefix_;
  const int64_t generation_;
  const int64_t lease_ms_;
  const std::string what_;
  mutable std::mutex mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;   // guarded by mu_
  Status status_;           // guarded by mu_
  int64_t renewals_ = 0;    // guarded by mu_
  int64_t last_ok_ms_ = 0;  // only the thread touches it after Start
  std::thread thread_;
};

}  // namespace lakepack::pack
