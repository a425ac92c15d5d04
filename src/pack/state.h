// state.h: the pack job's state documents, stored as immutable JSON objects under
// `OUTPUT_BASE/TABLE/_lakepack/pack/<partition path><STEM>.<EXT>/`:
//
//   intent-G.json  written (put-if-absent) before run G touches anything: who runs it (owner:
//                  host, boot id, pid, process start time), its lease, the latest file it found,
//                  and where it preserves that file's original bytes (the base copy);
//   commit-G.json  written (put-if-absent) when run G is complete: the cumulative list of packed
//                  inputs (URI + size + ETag) and the manifest of output files it wrote;
//   lease-G.json   rewritten by run G while it runs (txlog/lease.h): when it last renewed its
//                  lease, so a long run keeps its lock past intent-G's created_ms + lease_ms.
//   unlock-G.json  written (put-if-absent) by `lakepack pack --unlock` (pack/lock.h): run G's lock
//                  is released; the next run recovers G at once, as after a crash, and run G, if
//                  it still runs, stops at its next lease renewal without touching the table.
//
// The intents and the commits are two txlog logs (txlog/log.h, stems "intent-" and "commit-") in
// the same directory; txlog writes them (put-if-absent, lost answers settled), finds the latest,
// keeps the lease and tells owners' liveness.  This file holds only pack's record types.
//
// Invariant: commit-G exists only if intent-G does; an intent without its commit belongs to a
// run that is in progress or crashed.  Neither is ever overwritten, so a generation number is a
// lock that put-if-absent hands to exactly one packer.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "lakepack/status.h"
#include "txlog/owner.h"

namespace lakepack::pack {

// Owners and the clock are txlog's (txlog/owner.h); named here for pack's readers.
using txlog::NowUnixMs;
using txlog::Owner;
using txlog::OwnerIsDeadOnThisHost;
using txlog::ThisProcessOwner;

// A packed input is identified by its URI; size, ETag and checksum tell whether it changed since.
struct PackedInput {
  std::string uri;
  int64_t size = 0;
  std::string etag;
  // "xxh3-64:<16 hex>" of its bytes ("" in commits written before checksums were kept): an
  // ETag that changed with the bytes unchanged (touch, cp without -p, a re-upload) is no change.
  std::string checksum;
  int64_t generation = -1;  // the run that packed it (-1: unknown, older commits)
};

struct ManifestFile {
  std::string name;  // base name, e.g. "table_3.snappy.parquet"
  int64_t n = 0;
  int64_t size = 0;
  std::string etag;
  int64_t rows = 0;
};

struct Intent {
  int64_t generation = 0;
  Owner owner;
  int64_t created_ms = 0;      // Unix time
  int64_t lease_ms = 0;        // the run is presumed dead after created_ms + lease_ms
  int64_t prev_latest_n = -1;  // highest N in the partition before this run (-1: none)
  // The latest file whose rows this run rewrites under the same name ("" if none), the name of
  // its preserved copy in the state directory, and the size/ETag the original had.
  std::string base_file;
  std::string base_copy;
  int64_t base_size = 0;
  std::string base_etag;
  int64_t base_rows = -1;  // unknown (-1) unless the manifest knew it
  int64_t recovers = -1;   // generation of the abandoned intent this run recovers (-1: none)
};

// A renewal of run G's lease: the run is presumed dead after renewed_ms + the intent's lease_ms.
struct LeaseRenewal {
  int64_t generation = 0;
  int64_t renewed_ms = 0;  // Unix time, by the owner's clock (as Intent::created_ms)
};

// `pack --unlock` of run G: who released its lock, when, and whether its lease was still live.
struct UnlockRecord {
  int64_t generation = 0;
  Owner by;
  int64_t created_ms = 0;
  bool forced = false;  // the lock was live (its owner alive or its lease unexpired)
};

struct Commit {
  int64_t generation = 0;
  int64_t created_ms = 0;
  std::vector<PackedInput> packed;  // cumulative, sorted by uri
  std::vector<ManifestFile> files;  // cumulative, sorted by n
};

std::string ToJson(const Intent& intent);
std::string ToJson(const Commit& commit);
std::string ToJson(const LeaseRenewal& lease);
std::string ToJson(const UnlockRecord& unlock);
// Errors name `source` (the object's URI).
Result<Intent> ParseIntent(std::string_view text, const std::string& source);
Result<Commit> ParseCommit(std::string_view text, const std::string& source);
Result<LeaseRenewal> ParseLeaseRenewal(std::string_view text, const std::string& source);
Result<UnlockRecord> ParseUnlockRecord(std::string_view text, const std::string& source);

// The longest lease a run may take: ten years is longer than any run, and keeps every
// "timestamp + lease" far from int64 overflow (a lease of ~9.2e15 s made the expiry wrap negative,
// so a second packer took a live run's lock).
constexpr int64_t kMaxLeaseMs = int64_t{10} * 366 * 24 * 3600 * 1000;

// When `intent`'s run is presumed dead: its lease counted from its creation or, if later, from
// `renewal` (null: never renewed; a renewal of another generation is ignored), saturated at
// INT64_MAX.  A lease outside (0, kMaxLeaseMs] (no packer writes one) is taken as live: INT64_MAX,
// so only the owner's death can free the lock.
int64_t LeaseExpiryMs(const Intent& intent, const LeaseRenewal* renewal);

}  // namespace lakepack::pack
