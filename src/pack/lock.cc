// lock.cc: see lock.h.
#include "pack/lock.h"

#include <ctime>

#include "pack/naming.h"

namespace lakepack::pack {

std::string IsoTime(int64_t unix_ms) {
  std::time_t t = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Result<LockState> ReadLock(ObjectStore& store, const std::string& state_prefix, txlog::Log& intents,
                           int64_t max_intent, int64_t max_commit) {
  LockState lock;
  if (max_intent <= max_commit) return lock;
  lock.held = true;
  lock.intent_uri = store.Uri(intents.RecordKey(max_intent));
  LP_ASSIGN_OR_RETURN(std::string text, intents.Read(max_intent));
  LP_ASSIGN_OR_RETURN(lock.intent, ParseIntent(text, lock.intent_uri));
  lock.owner_dead = OwnerIsDeadOnThisHost(lock.intent.owner);
  lock.expiry_ms = LeaseExpiryMs(lock.intent, nullptr);
  if (!lock.owner_dead && NowUnixMs() > lock.expiry_ms) {
    // Past the intent's own lease: a live run has renewed it (txlog/lease.h).
    const std::string lease_key = state_prefix + LeaseName(max_intent);
    auto lease = store.Get(lease_key);
    if (!lease.ok() && !lease.status().IsNotFound()) return lease.status();
    if (lease.ok()) {
      LP_ASSIGN_OR_RETURN(LeaseRenewal renewal, ParseLeaseRenewal(*lease, store.Uri(lease_key)));
      lock.expiry_ms = LeaseExpiryMs(lock.intent, &renewal);
      lock.renewed = true;
    }
  }
  const std::string unlock_key = state_prefix + UnlockName(max_intent);
  auto unlock = store.Get(unlock_key);
  if (!unlock.ok() && !unlock.status().IsNotFound()) return unlock.status();
  if (unlock.ok()) {
    LP_ASSIGN_OR_RETURN(auto record, ParseUnlockRecord(*unlock, store.Uri(unlock_key)));
    lock.unlocked = record;
  }
  return lock;
}

std::string DescribeOwner(const LockState& lock) {
  return "host " + lock.intent.owner.host + ", pid " + std::to_string(lock.intent.owner.pid) +
         ", since " + IsoTime(lock.intent.created_ms) + ", run " +
         std::to_string(lock.intent.generation);
}

}  // namespace lakepack::pack
