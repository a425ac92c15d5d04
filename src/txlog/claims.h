// claims.h: claims on units of work and their done markers, for many workers sharing a job
// (lake's groups, sorted's compaction jobs) with no coordinator but the store.
//
// Per unit, under PREFIX + UNIT + "/":
//   claim-<12-digit attempt>.json  a claim: a record of a Log (log.h) with stem "claim-", so of
//                                  workers racing for the same attempt exactly one wins;
//   lease-<12-digit attempt>.json  the holder's lease renewals (KeepAlive; lease.h);
//   done.json                      the unit's result, written once (put-if-absent) by MarkDone.
// A unit is free when it has no claim, or its latest claim's holder is gone: dead on this host
// (owner.h) or its lease expired (counted from the claim or its last renewal).  A free unit is
// claimed by the next attempt number; a unit claimed max_attempts times without a done marker is
// given up (an error naming it), so a unit that crashes every worker does not loop forever.
// A worker that lost its claim (KeepAlive's status turns to an error) must stop; if two workers
// still both finish, MarkDone lets exactly one result in and tells the other (AlreadyExists).
//
// Thread-safety: a Claims may be used from many threads at once; many processes may claim the
// same units at once.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lakepack/status.h"
#include "lakepack/store.h"
#include "txlog/lease.h"
#include "txlog/owner.h"

namespace lakepack::txlog {

struct ClaimsOptions {
  std::string prefix;  // ends with '/'
  // Claims of one unit before it is given up (0: never): a unit whose workers died this often is
  // poison, not bad luck.
  int max_attempts = 5;

  Status Validate() const;
};

struct Claim {
  std::string unit;
  int64_t attempt = 0;  // 0 for the first claim of the unit
  Owner owner;
  int64_t created_ms = 0;
  int64_t lease_ms = 0;
};

class Claims {
 public:
  static Result<std::unique_ptr<Claims>> Open(std::shared_ptr<ObjectStore> store,
                                              ClaimsOptions options);

  // Claims `unit` for `lease_ms`: the claim when it is now ours; nullopt when the unit is done or
  // held by a live holder (or another worker claimed it first).  Unavailable when the unit was
  // given up (max_attempts).  REQUIRES: unit is non-empty without '/'; lease_ms > 0.
  Result<std::optional<Claim>> TryClaim(const std::string& unit, int64_t lease_ms);
  // Renews `claim`'s lease until stopped; its status() turns to an error once a later claim of
  // the unit exists (the lease expired and another worker took it over).
  Result<std::unique_ptr<LeaseKeeper>> KeepAlive(const Claim& claim, std::string what);

  // Writes the unit's done marker with `record` (a JSON object is best: see log.h's token).
  // AlreadyExists when another worker's result is there already.
  Status MarkDone(const std::string& unit, std::string_view record);
  Result<bool> IsDone(const std::string& unit);
  // The done record (as stored), nullopt when not done.
  Result<std::optional<std::string>> ReadDone(const std::string& unit);
  // Every unit with a done marker, sorted.
  Result<std::vector<std::string>> ListDone();

  std::string ClaimKey(const std::string& unit, int64_t attempt) const;
  std::string LeaseKey(const std::string& unit, int64_t attempt) const;
  std::string DoneKey(const std::string& unit) const;

  Claims(std::shared_ptr<ObjectStore> store, ClaimsOptions options)  // use Open()
      : store_(std::move(store)), options_(std::move(options)) {}

 private:
  Status CheckUnit(const std::string& unit) const;

  const std::shared_ptr<ObjectStore> store_;
  const ClaimsOptions options_;
};

}  // namespace lakepack::txlog
