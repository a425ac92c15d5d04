// owner.h: who holds a lock or claim, whether it is still alive, and the clock leases use.
//
// An Owner names a process precisely enough that another process on the same machine can tell
// whether it is gone (no such pid, the pid reused by a later process, or a reboot since).  Across
// machines nothing can be told from the owner: only a lease (lease.h) can.  Moved here from
// pack/state.h so that pack's intents, lake's and sorted's claims share one definition.
//
// Thread-safety: plain values and pure functions (ThisProcessOwner and OwnerIsDeadOnThisHost read
// /proc).
#pragma once

#include <cstdint>
#include <string>

#include "base/json.h"
#include "lakepack/status.h"

namespace lakepack::txlog {

// The process that wrote a record.
struct Owner {
  std::string host;
  std::string boot_id;  // /proc/sys/kernel/random/boot_id: tells a reboot from a live pid
  int64_t pid = 0;
  int64_t start_ticks = 0;  // field 22 of /proc/PID/stat: tells pid reuse from the same process
};

// The owner fields of the calling process.
Owner ThisProcessOwner();

// True when `owner` is on this machine (same host and boot) and its process is gone (no such pid,
// or the pid now belongs to a process started at another time), or when it ran before the last
// reboot.  False when it is alive or on another machine (then only the lease can tell).
bool OwnerIsDeadOnThisHost(const Owner& owner);

// {"host":..,"boot_id":..,"pid":..,"start_ticks":..} (for JsonWriter::Raw or concatenation).
std::string OwnerToJson(const Owner& owner);
// The inverse; errors name `source` and the line.
Result<Owner> ParseOwner(const JsonValue& value, const std::string& source);

// Unix time in milliseconds, the clock of every lease and claim (compared across machines: leases
// must be long against their clocks' skew).
int64_t NowUnixMs();

}  // namespace lakepack::txlog
