// lease.h: keeps a lock alive for as long as its holder works.
//
// A lock (pack's intent-G, a claim) is presumed abandoned by others once its lease has passed
// without renewal.  LeaseKeeper renews it: a thread of its own rewrites the lease object with a
// fresh record every lease / kRenewalsPerLease, so a holder that works longer than the lease is
// not taken over while it is alive.  At each renewal it first asks the injected `taken_over`
// check whether someone else has taken the lock (which happens only if renewals failed for a
// whole lease, e.g. the store was unreachable or the process was stopped); then, or when renewing
// has failed for longer than the lease, status() turns into an error and the holder must stop
// writing at once without touching what the lock guards again: it is no longer its own.
//
// The names are the caller's: pack renews lease-G.json and is taken over when intent-(G+1)
// exists; a claim renews its lease object and is taken over when a later claim exists.
//
// Thread-safety: status(), renewals() and Stop() may be called from any thread; the callbacks run
// on the keeper's thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "lakepack/status.h"
#include "lakepack/store.h"

namespace lakepack::txlog {

struct LeaseOptions {
  std::shared_ptr<ObjectStore> store;
  std::string lease_key;  // rewritten (a plain Put) at each renewal
  // The renewal record written at `now_ms` (Unix time).
  std::function<std::string(int64_t now_ms)> renewal_record;
  // Whether another holder took over: a phrase for the message ("another packer took over
  // (URI exists)"), nullopt while the lock is ours, or a store error (then it counts as a failed
  // renewal).
  std::function<Result<std::optional<std::string>>()> taken_over;
  int64_t lease_ms = 0;
  std::string what;  // the holder in messages ("run 3 on file:///db/table/table_N.csv")

  Status Validate() const;
};

// The common `taken_over` check: the lock is lost once `key` exists (the next intent, the next
// claim); the phrase is "<who> took over (URI exists)".
Result<std::optional<std::string>> TakenOverOnceExists(ObjectStore& store, const std::string& key,
                                                       const std::string& who);

class LeaseKeeper {
 public:
  // Renewals per lease: two in a row may fail (a transient store error) before it expires.
  static constexpr int64_t kRenewalsPerLease = 3;

  // Starts renewing; the lock is taken to be fresh now (its record was just written).
  // REQUIRES: options.Validate() is OK.
  static std::unique_ptr<LeaseKeeper> Start(LeaseOptions options);
  ~LeaseKeeper();  // Stop()

  // Only Start() can make the token: a keeper always has its thread.
  class Token {
    friend class LeaseKeeper;
    Token() = default;
  };
  LeaseKeeper(Token, LeaseOptions options);
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

  const LeaseOptions o_;
  mutable std::mutex mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;   // guarded by mu_
  Status status_;           // guarded by mu_
  int64_t renewals_ = 0;    // guarded by mu_
  int64_t last_ok_ms_ = 0;  // only the thread touches it after Start
  std::thread thread_;
};

}  // namespace lakepack::txlog
