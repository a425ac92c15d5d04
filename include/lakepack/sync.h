// lakepack/sync.h: the sync job — make the prefix DST hold what the prefix SRC holds, copying only
// what differs, on local disk and S3 in any direction.  The one implementation behind
// `lakepack sync` and the Python `lakepack.sync()`.
//
// What is compared (the rule, also in `lakepack help sync` and README.md): an object is copied
// when it is missing at DST, when the sizes differ, or when the contents differ.  Contents are
// compared by MD5, never by modification time:
//   - an S3 ETag of 32 hex digits (a single-part upload) is the object's MD5, so it comes from
//     the listing for free;
//   - two S3 objects with the same ETag (of any form) and size are the same content;
//   - otherwise (a local file, whose tag is only mtime+size; a multipart ETag "…-N" against a
//     different tag) both objects are read and hashed (a read, never a write).
// `size_only` (the CLI's --size-only) skips the content comparison: objects of equal size are
// taken as equal.  It is an explicit choice, never a fallback.
// With `delete_extra` (--delete) objects under DST that SRC lacks are removed, after the copies.
// `dry_run` plans (hashing where needed) and changes nothing.
//
// Safety: an empty or missing SRC is NotFound (a typo must not turn --delete into "remove
// everything"); SRC and DST overlapping in one store is InvalidArgument.
//
// Failures: as for copies, the job goes on past failed objects up to `max_failures`, names every
// one, and ends with "N of M objects were synced".
//
// Thread-safety: Sync may run concurrently on different targets; parallel work runs on lakepack's
// shared executor.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "lakepack/copy.h"
#include "lakepack/job.h"
#include "lakepack/status.h"
#include "lakepack/store.h"

namespace lakepack::ops {

// ---- the plan: a pure function of two listings ----

// One object of a listing, named by its key below the synced prefix.
struct SyncEntry {
  std::string rel;  // key below the prefix ("a/b.csv")
  int64_t size = 0;
  std::string md5;   // lower-case hex MD5 of the content when the listing tells it, else ""
  std::string etag;  // the store's tag; compared only when SyncPlanOptions::etags_comparable
};

enum class SyncAction {
  kCopy,    // SRC -> DST
  kDelete,  // remove from DST (only with delete_extra)
  kCheck,   // same size, contents unknown from the listings: hash both, copy if they differ
};

struct SyncStep {
  SyncAction action = SyncAction::kCopy;
  std::string rel;
  int64_t size = 0;    // the source's size (kDelete: the destination's)
  std::string reason;  // "missing", "size", "checksum", "not at source"
};

struct SyncPlanOptions {
  bool delete_extra = false;
  bool size_only = false;
  // Both listings come from stores whose tags are content tags of one kind (S3 and S3): equal
  // tags mean equal contents.
  bool etags_comparable = false;
};

struct SyncPlan {
  std::vector<SyncStep> steps;  // copies and checks in key order, then deletes in key order
  int64_t unchanged = 0;        // objects known equal from the listings
};

// The steps that make `dst` hold `src` (the rule above).  No I/O; inputs need not be sorted.
SyncPlan PlanSync(const std::vector<SyncEntry>& src, const std::vector<SyncEntry>& dst,
                  const SyncPlanOptions& options);

// The MD5 an object's listing tells, or "": an S3 ETag of 32 hex digits.  `store_root` is the
// store's root_uri() (local and in-memory tags are never content MD5s).
std::string ListedMd5(const std::string& store_root, const ObjectInfo& info);

// ---- the job ----

struct SyncOptions {
  std::string src;  // a prefix (path or URI); its objects are synced
  std::string dst;  // a prefix (path or URI)
  bool delete_extra = false;
  bool dry_run = false;
  bool size_only = false;
  int jobs = kDefaultCopyJobs;            // objects copied (or hashed) at once, >= 1
  int parallel = kDefaultParallelRanges;  // ranges/parts of one object at once, 1..64
  int64_t part_size = 8 << 20;
  int64_t max_failures = kDefaultMaxCopyFailures;  // -1: go on through every failure
  StoreOptions store;

  Status Validate() const;
};

struct SyncFailure {
  std::string what;  // "copying A to B", "hashing A", "removing B"
  Status status;
};

struct SyncReport {
  bool dry_run = false;
  bool cancelled = false;
  int64_t src_objects = 0, dst_objects = 0;  // the listings
  int64_t unchanged = 0;                     // equal (from the listings or after hashing)
  int64_t hashed = 0;                        // objects read to compare contents
  int64_t to_copy = 0, copied = 0;
  int64_t to_delete = 0, deleted = 0;
  int64_t bytes = 0, total_bytes = 0;  // copied / planned bytes
  // The resolved actions (copies and deletes, no checks left), src/dst as URIs.
  struct Action {
    std::string action;  // "copy" or "delete"
    std::string src, dst;
    std::string reason;
    int64_t size = 0;
  };
  std::vector<Action> actions;
  std::vector<SyncFailure> failures;
  std::vector<StoreTraffic> stores;
  double seconds = 0;

  bool ok() const { return failures.empty() && !cancelled; }
  // OK; Cancelled when cancelled; else the first failure's code naming each and
  // "N of M objects were synced".
  Status ToStatus() const;
  // {"dry_run", "src_objects", "dst_objects", "unchanged", "hashed", "to_copy", "copied",
  //  "to_delete", "deleted", "bytes", "total_bytes", "seconds", "cancelled",
  //  "actions": [{"action", "src", "dst", "reason", "size"}], "failures": [{"what", "error",
  //  "code"}], "stores"}
  std::string ToJson() const;
};

// Lists both prefixes, plans, hashes where needed, copies (ops::CopyItems), then deletes.
Result<SyncReport> Sync(const SyncOptions& options, const JobContext& context);

// The lower-case hex MD5 of an object's bytes, read in ranges of `chunk` bytes.
Result<std::string> HashObject(ObjectStore& store, const std::string& key,
                               const JobContext& context, int64_t chunk = 8 << 20);

}  // namespace lakepack::ops
