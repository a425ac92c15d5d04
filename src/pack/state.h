// state.h: the pack job's state documents, stored as immutable JSON objects under
// `OUTPUT_BASE/TABLE/_lakepack/pack/<partition path><STEM>.<EXT>/`:
//
//   intent-G.json  written (put-if-absent) before run G touches anything: who runs it (owner:
//                  host, boot id, pid, process start time), its lease, the latest file it found,
//                  and where it preserves that file's original bytes (the base copy);
//   commit-G.json  written (put-if-absent) when run G is complete: the cumulative list of packed
//                  inputs (URI + size + ETag) and the manifest of output files it wrote;
//   lease-G.json   rewritten by run G while it runs (lease_keeper.h): when it last renewed its
//                  lease, so a long run keeps its lock past intent-G's created_ms + lease_ms.
//
// Invariant: commit-G exists only if intent-G does; an intent without its commit belongs to a
// run that is in progress or crashed.  Neither is ever overwritten, so a generation number is a
// lock that put-if-absent hands to exactly one packer.
//
// Thread-safety: plain values and pure functions (ReadOwnerOfThisProcess reads /proc).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "lakepack/status.h"

namespace lakepack::pack {

// The process that wrote an intent.
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

struct Commit {
  int64_t generation = 0;
  int64_t created_ms = 0;
  std::vector<PackedInput> packed;  // cumulative, sorted by uri
  std::vector<ManifestFile> files;  // cumulative, sorted by n
};

std::string ToJson(const Intent& intent);
std::string ToJson(const Commit& commit);
std::string ToJson(const LeaseRenewal& lease);
// Errors name `source` (the object's URI).
Result<Intent> ParseIntent(std::string_view text, const std::string& source);
Result<Commit> ParseCommit(std::string_view text, const std::string& source);
Result<LeaseRenewal> ParseLeaseRenewal(std::string_view text, const std::string& source);

// When `intent`'s run is presumed dead: its lease counted from its creation or, if later, from
// `renewal` (null: never renewed; a renewal of another generation is ignored).
int64_t LeaseExpiryMs(const Intent& intent, const LeaseRenewal* renewal);

int64_t NowUnixMs();

}  // namespace lakepack::pack
