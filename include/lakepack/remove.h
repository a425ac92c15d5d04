// lakepack/remove.h: the remove job — one object, or with `recursive` every object under a
// prefix, on local disk or S3.  The one implementation behind `lakepack rm` and the Python
// `lakepack.rm()`; DeleteKeys is the parallel, failure-bounded deletion that sync and move share.
//
// Safety:
//   - a prefix (a key ending in '/', a local directory, a key with objects below it) is removed
//     only with `recursive`; without it the job refuses (InvalidArgument) and removes nothing;
//   - a whole bucket or a store root (`s3://bucket`, `s3://bucket/`, the local "/") is removed
//     only with `confirm_root` as well (the CLI's --yes); Validate() refuses it otherwise, before
//     any I/O;
//   - `dry_run` lists what would go and removes nothing.
// A local recursive remove also removes the directories it left empty below (and at) the prefix;
// a directory that still holds anything stays.
//
// Failures: deletion goes on past failed objects until `max_failures` have failed and reports
// every one ("... ; 97 of 100 objects were removed").  Cancelling starts no new batch.
//
// Thread-safety: Remove may run concurrently on different prefixes; it runs up to `jobs` batches
// at once on lakepack's shared executor.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "lakepack/job.h"
#include "lakepack/status.h"
#include "lakepack/store.h"

namespace lakepack::ops {

// Batches deleted at once.  S3 takes up to 1,000 keys per DeleteObjects request, so a few
// requests in flight keep a large prefix from being bound by one request's latency.
constexpr int kDefaultRemoveJobs = 4;
// Keys per batch: S3's DeleteObjects limit (one request per batch).
constexpr int64_t kRemoveBatch = 1000;
// As for copies: a systemic failure shows in a few, more would only repeat it.
constexpr int64_t kDefaultMaxRemoveFailures = 10;

struct RemoveOptions {
  std::string uri;  // a path or URI: an object, or with `recursive` a prefix
  bool recursive = false;
  bool dry_run = false;           // list what would be removed; remove nothing
  bool confirm_root = false;      // allow removing everything in a bucket or store root
  int jobs = kDefaultRemoveJobs;  // batches at once, >= 1
  int64_t max_failures = kDefaultMaxRemoveFailures;  // -1: go on through every failure
  StoreOptions store;

  // InvalidArgument naming the problem: empty URI, bad numbers, a prefix without `recursive`, a
  // bucket or store root without `confirm_root`.  No I/O.
  Status Validate() const;
};

struct RemoveFailure {
  std::string uri;
  Status status;
};

struct RemoveReport {
  std::string uri;  // what was asked for, as a URI
  bool recursive = false;
  bool dry_run = false;
  bool cancelled = false;
  int64_t planned = 0;            // objects found to remove
  int64_t removed = 0;            // objects removed (0 in a dry run)
  int64_t total_bytes = 0;        // bytes of the planned objects
  std::vector<std::string> uris;  // the planned objects (in a dry run: what would go)
  std::vector<RemoveFailure> failures;
  std::vector<StoreTraffic> stores;
  double seconds = 0;

  bool ok() const { return failures.empty() && !cancelled; }
  // OK; Cancelled when cancelled; else the first failure's code naming every failure and
  // "N of M objects were removed".
  Status ToStatus() const;
  // {"uri", "dry_run", "planned", "removed", "total_bytes", "seconds", "cancelled",
  //  "objects": [uri, ...] (dry run only), "failures": [{"uri", "error", "code"}], "stores"}
  std::string ToJson() const;
};

// True when `uri` names a whole bucket or the local root ("s3://b", "s3://b/", "/", "file:///").
bool NamesStoreRoot(const std::string& uri);

// Lists (recursive) or heads (one object) and removes.  A missing object, or nothing under the
// prefix, is NotFound; refusals (see above) are InvalidArgument; both before anything is removed.
// Failures of single objects are in the report.
Result<RemoveReport> Remove(const RemoveOptions& options, const JobContext& context);

struct DeleteOutcome {
  int64_t deleted = 0;
  std::vector<std::pair<int64_t, Status>> failures;  // (index into keys, why), sorted
  bool cancelled = false;
};

// Deletes `keys` from `store` in batches of kRemoveBatch, `jobs` at once, counting each deleted
// key into the context's progress.  A failed batch is retried key by key so that each failure is
// named.  Stops starting batches after `max_failures` failed keys (negative: no bound).
DeleteOutcome DeleteKeys(ObjectStore& store, const std::vector<std::string>& keys, int jobs,
                         int64_t max_failures, const JobContext& context);

// Local stores only (else a no-op): removes the directories that hold `keys` (deepest first, up
// to and including `prefix`'s own directory) when they are now empty.  Never touches a directory
// above `prefix` or one that holds anything.
void PruneEmptyDirectories(ObjectStore& store, const std::string& prefix,
                           const std::vector<std::string>& keys);

}  // namespace lakepack::ops
