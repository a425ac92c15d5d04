// lock.h: a table's pack lock as it stands — which run holds it, who owns that run, and whether
// the lock is still live — one reading for the packer (step 1 of packer.h), `pack --status` and
// `pack --unlock` (lakepack/pack_admin.h).
//
// The lock is the latest intent without its commit (state.h).  It is live while its owner may
// still be working: unless `lakepack pack --unlock` released it (unlock-G), its owner is not
// known dead on this host, and its lease (counted from the intent or its last renewal, lease-G)
// has not expired.  A lock that is not live is abandoned: the next run recovers it.
//
// Thread-safety: ReadLock is as thread-safe as the store.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "lakepack/status.h"
#include "lakepack/store.h"
#include "pack/state.h"
#include "txlog/log.h"

namespace lakepack::pack {

struct LockState {
  bool held = false;  // an intent without its commit: a run in progress or crashed
  Intent intent;      // that run's intent (when held)
  std::string intent_uri;
  bool owner_dead = false;  // on this host, its process is gone (or the host rebooted since)
  int64_t expiry_ms = 0;    // when the lease expires (INT64_MAX: cannot be computed)
  bool renewed = false;     // lease-G was read (the run renewed its lease)
  std::optional<UnlockRecord> unlocked;  // `pack --unlock` released it

  // Live at `now_ms`: the holder may still be working (see above).
  bool Live(int64_t now_ms) const {
    return held && !unlocked && !owner_dead && now_ms <= expiry_ms;
  }
};

// The lock of the state directory `state_prefix` given its logs' latest records (`max_intent`,
// `max_commit`: -1 when empty).  Reads intent-G, and lease-G and unlock-G when they matter.
Result<LockState> ReadLock(ObjectStore& store, const std::string& state_prefix, txlog::Log& intents,
                           int64_t max_intent, int64_t max_commit);

// "host H, pid P, since T, run G" for messages.
std::string DescribeOwner(const LockState& lock);

// "2026-12-03T07:10:02Z".
std::string IsoTime(int64_t unix_ms);

}  // namespace lakepack::pack
