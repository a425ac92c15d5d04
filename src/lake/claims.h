// lake/claims.h: per-group work state of the lake steps, on txlog's claims (txlog/claims.h).
//
// Under STAGING/manifests/_lakepack/<unit>/ (units "stage-<i>", "compact-<i>"): claim-<N>.json
// (put-if-absent through a txlog Log, so of racing workers exactly one wins attempt N),
// lease-<N>.json (renewed while the group is processed) and done.json (the step's record).  A
// group whose holder died (same host) or whose lease ran out is claimed again; a done group is
// never claimed again.  Release() withdraws this process's claim after a failure, so that the same
// live process may retry the group at once (a fixed user function, a transient error).
//
// Thread-safety: safe from many threads and processes at once.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "lakepack/status.h"
#include "lakepack/store.h"
#include "txlog/claims.h"

namespace lakepack::lake {

class Claims {
 public:
  enum class Outcome { kClaimed, kDone, kBusy };

  static Result<std::unique_ptr<Claims>> Open(std::shared_ptr<ObjectStore> store, std::string prefix,
                                              int64_t lease_ms);

  // kClaimed: the caller holds `unit` (its lease is renewed until MarkDone or Release).
  Result<Outcome> TryClaim(const std::string& unit);
  // Writes done.json (another worker's result there already is OK: outputs are deterministic)
  // and stops the lease.
  Status MarkDone(const std::string& unit, std::string_view record);
  Result<std::optional<std::string>> ReadDone(const std::string& unit);
  // Stops the lease and deletes this process's claim of `unit` (best effort).
  void Release(const std::string& unit);

 private:
  Claims(std::shared_ptr<ObjectStore> store, std::unique_ptr<txlog::Claims> claims, int64_t lease_ms)
      : store_(std::move(store)), claims_(std::move(claims)), lease_ms_(lease_ms) {}

  struct Held {
    txlog::Claim claim;
    std::unique_ptr<txlog::LeaseKeeper> keeper;
  };

  std::shared_ptr<ObjectStore> store_;
  std::unique_ptr<txlog::Claims> claims_;
  int64_t lease_ms_;
  std::mutex mu_;
  std::map<std::string, Held> held_;  // guarded by mu_
};

}  // namespace lakepack::lake
