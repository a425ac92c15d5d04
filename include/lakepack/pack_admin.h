// lakepack/pack_admin.h: the pack job's state, looked at and tidied — `lakepack pack --status`,
// `--unlock` and `--gc`, and the Python S3DataPacker's pack_status(), unlock() and gc().
//
// The state directory of a table's pack (lakepack/pack.h, pack/state.h) holds intent-G (a run
// started: its owner and lease), commit-G (a run finished: every packed input and output file so
// far), lease-G (a running run's last renewal), base-G-NAME (the latest file's original bytes
// while a run rewrites it) and unlock-G (`--unlock` released run G's lock).
//
//   PackStatus     reads it: the generations, the lock (the latest intent without its commit) with
//                  its owner and whether it is live, the last commit (inputs packed, output files),
//                  and what PackGc would remove.  Reads only.
//   PackUnlock     releases a lock: writes unlock-G, so the next run recovers run G at once (as
//                  after a crash: its partial files deleted, the latest file's original rows
//                  kept) instead of waiting for its lease, and run G, if it still runs, stops at
//                  its next lease renewal and commits nothing.  It refuses unless `confirmed`; a
//                  live lock (its owner alive on this host, or its lease unexpired) also needs
//                  `force`.  Nothing but unlock-G is written; no data file is touched.
//   PackGc         removes what no committed state needs: intents older than the latest one (and
//                  past their own lease, so a run they took over from has seen it), leases and
//                  unlock records of runs before the latest intent, and base copies no uncommitted
//                  intent names.  Never the latest intent or commit, nor anything a live or
//                  crashed run may still need.  Commits are kept (they are the history).  A dry
//                  run (the default) lists what it would remove.
//
// Thread-safety: each call is independent; they may run while a packer works on the table (the
// rules above keep what it needs).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "lakepack/pack.h"
#include "lakepack/status.h"
#include "lakepack/store.h"

namespace lakepack::pack {

// Which state directory: the same names as PackOptions (output base, table, suffix, output
// extension, partition), since each partition and extension has its own.
struct PackStateOptions {
  std::string output_base;
  std::string table;
  std::string suffix;
  std::string out_ext = "snappy.parquet";
  Partition partition;
  StoreOptions store;

  Status Validate() const;
};

struct PackLockInfo {
  bool held = false;  // a run in progress or crashed (the latest intent has no commit)
  int64_t generation = -1;
  std::string owner_host;
  int64_t owner_pid = 0;
  std::string owner_boot_id;
  int64_t since_ms = 0;     // the intent's creation, Unix ms
  int64_t expiry_ms = 0;    // when its lease expires unless renewed (INT64_MAX: never computable)
  bool owner_dead = false;  // on this host, its process is gone
  bool unlocked = false;    // `--unlock` released it
  bool live = false;        // the next run would wait for it (else it recovers it)
  // "live", "dead (its process is gone)", "expired (its lease passed)", "unlocked": why.
  std::string state;
  int64_t recovers = -1;  // the crashed run it recovers, if any
};

struct PackStatusReport {
  std::string state_uri;                  // the state directory
  std::vector<int64_t> intents, commits;  // generations, ascending
  int64_t leases = 0, base_copies = 0, unlocks = 0;
  PackLockInfo lock;
  // The last commit (generation -1: none).
  int64_t last_generation = -1;
  int64_t last_created_ms = 0;
  std::vector<std::string> packed_inputs;  // URIs, sorted
  int64_t packed_input_bytes = 0;
  struct File {
    std::string name;
    int64_t rows = 0;
    int64_t bytes = 0;
  };
  std::vector<File> files;           // in N order
  std::vector<std::string> garbage;  // what PackGc would remove (URIs)

  std::string ToJson() const;
  std::string ToText() const;
};

struct PackUnlockOptions {
  bool confirmed = false;  // --yes
  bool force = false;      // --force: also a live lock
};

struct PackUnlockReport {
  PackLockInfo lock;      // as it was before
  bool unlocked = false;  // this call released it
  std::string message;

  std::string ToJson() const;
};

struct PackGcOptions {
  bool dry_run = true;  // list only (the default); false removes
};

struct PackGcReport {
  bool dry_run = true;
  std::vector<std::string> removed;  // URIs (to be removed, in a dry run)
  std::vector<std::string> kept;     // state objects kept, with why: "URI (reason)"

  std::string ToJson() const;
  std::string ToText() const;
};

// NotFound when the table has no pack state at all (naming the other state directories of the
// table, if any, e.g. of another partition or extension).
Result<PackStatusReport> PackStatus(const PackStateOptions& options);
// Refuses (InvalidArgument, naming the owner and the flag to give) without `confirmed`, and a live
// lock without `force`; a table without a lock is no error (the report says so).
Result<PackUnlockReport> PackUnlock(const PackStateOptions& options,
                                    const PackUnlockOptions& unlock);
Result<PackGcReport> PackGc(const PackStateOptions& options, const PackGcOptions& gc);

}  // namespace lakepack::pack
