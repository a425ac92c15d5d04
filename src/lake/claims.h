// lake/claims.h: per-group work state on the store — who works on a group, and that it is done.
//
//   PREFIX<unit>/claim-<N>.json  put-if-absent by the worker taking the group (attempt N), with
//                                its owner (host, boot, pid, start time), time, lease and a nonce;
//   PREFIX<unit>/done.json       put-if-absent when the group's output is complete; holds the
//                                step's record (what was written).
// A group is re-claimable (claim N+1) when its latest claim's owner is dead on this host, or its
// lease expired.  A done group is never claimed again: TryClaim checks done.json before and after
// taking a claim.  A lost answer (the server took the put but the reply was lost, so the retry
// reads AlreadyExists) is told from a lost race by reading the claim back and comparing nonces.
// Release() deletes the caller's claim after a failure, so a live process may retry the group.
//
// These are the txlog claims of the spine issue in the form lake needs; they move onto
// txlog/claims.h when it lands.
//
// Thread-safety: safe from many threads and processes at once (all coordination is on the store).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "lakepack/status.h"
#include "lakepack/store.h"

namespace lakepack::lake {

class Claims {
 public:
  enum class Outcome { kClaimed, kDone, kBusy };

  Claims(std::shared_ptr<ObjectStore> store, std::string prefix, int64_t lease_ms)
      : store_(std::move(store)), prefix_(std::move(prefix)), lease_ms_(lease_ms) {}

  Result<Outcome> TryClaim(const std::string& unit);
  // Writes done.json (AlreadyExists from another worker that finished it too is OK).
  Status MarkDone(const std::string& unit, std::string_view record);
  Result<std::optional<std::string>> ReadDone(const std::string& unit);
  // Deletes this process's latest claim of `unit` (best effort).
  void Release(const std::string& unit);

 private:
  std::string UnitPrefix(const std::string& unit) const { return prefix_ + unit + "/"; }

  std::shared_ptr<ObjectStore> store_;
  std::string prefix_;
  int64_t lease_ms_;
};

}  // namespace lakepack::lake
