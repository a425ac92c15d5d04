// lakepack/copy.h: the copy job — objects between local disk and S3, one or a whole prefix.  The
// one implementation behind `lakepack cp` and the Python `lakepack.copy()`.
//
// Where things go (one rule for both edges):
//   - one object into a "directory" target keeps its base name: the target is a directory when
//     it is a store root, ends with '/', or is an existing local directory
//     (`cp a.csv DIR` writes DIR/a.csv);
//   - otherwise one object is written to the target key itself;
//   - recursive: every object under the prefix SRC/ goes to DST/<its key below SRC/>.
// Within one store the server copies (S3 CopyObject); across stores the bytes stream through
// (ranged reads in parallel, a multipart upload for S3 targets).  Every object appears whole or
// not at all.
//
// Failures: a recursive copy goes on past failed objects until `max_failures` have failed (then no
// new object starts), and reports every failure; the report's status names each and ends with
// "N of M objects were copied".  Cancelling (JobContext) starts no new object and aborts those
// being streamed (nothing half-written appears; a server-side copy in flight completes).
//
// Thread-safety: Copy may run concurrently on different targets; it runs up to `jobs` objects at
// once on lakepack's one shared, bounded executor (no threads of its own).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "lakepack/job.h"
#include "lakepack/status.h"
#include "lakepack/store.h"

namespace lakepack::ops {

// Objects copied at once by a recursive copy.  Each object is itself read in parallel ranges, so
// a few at a time keep small-object copies from being bound by per-request latency while memory
// stays at a few × one object's window.
constexpr int kDefaultCopyJobs = 4;
// Ranges (or parts) of one object in flight: 8 beat 4 by ~10% downloading 1 GiB from a local
// radosgw (16 gained nothing more), for 64 MiB of buffers.
constexpr int kDefaultParallelRanges = 8;
// Each in-flight range holds one part-sized buffer, so this bounds memory (64 × 8 MiB = 512 MiB)
// as well as connections.
constexpr int kMaxParallelRanges = 64;
// A copy goes on past failed objects (so one run reports them all) until this many failed: a
// systemic failure (endpoint down, credentials) shows in a few, and more would only repeat it,
// each after its retries.
constexpr int64_t kDefaultMaxCopyFailures = 10;

struct CopyOptions {
  std::string src;  // a path or URI: an object, or with `recursive` a prefix
  std::string dst;  // a path or URI: an object or a "directory" (see above)
  bool recursive = false;
  int jobs = kDefaultCopyJobs;                     // objects at once, >= 1
  int parallel = kDefaultParallelRanges;           // ranges/parts of one object at once, 1..64
  int64_t part_size = 8 << 20;                     // bytes per range/part, >= 1 MiB is sensible
  int64_t max_failures = kDefaultMaxCopyFailures;  // -1: go on through every failure
  StoreOptions store;

  // InvalidArgument naming the option.
  Status Validate() const;
};

// One object to copy.
struct CopyItem {
  std::string src_key, dst_key;
  int64_t size = 0;
};

struct CopyFailure {
  std::string src_uri, dst_uri;
  Status status;
};

struct CopyReport {
  bool recursive = false;
  int64_t planned = 0;      // objects to copy
  int64_t copied = 0;       // objects copied
  int64_t bytes = 0;        // bytes of the objects copied
  int64_t total_bytes = 0;  // bytes of the objects planned
  double seconds = 0;
  bool cancelled = false;
  std::vector<CopyFailure> failures;  // in listing order
  std::vector<StoreTraffic> stores;   // the S3 stores' requests and bytes during the copy

  bool ok() const { return failures.empty() && !cancelled; }
  // OK; Cancelled when cancelled (naming any failures before that); else the first failure's
  // code with every failure named ("copying A to B: why (and 2 more failed: copying ...; ...);
  // 20 of 23 objects were copied").
  Status ToStatus() const;
  // {"objects": copied, "planned", "bytes", "total_bytes", "seconds", "cancelled",
  //  "failures": [{"src", "dst", "error", "code"}],
  //  "stores": [{"uri", "requests", "retries", "bytes_sent", "bytes_received"}]}
  std::string ToJson() const;
};

// The objects to copy and where each goes (the rules above).  Reads the source listing or head
// and, for a local target, whether it is a directory.
Result<std::vector<CopyItem>> PlanCopy(ObjectStore& src, const std::string& src_key,
                                       ObjectStore& dst, const std::string& dst_key,
                                       bool recursive);

// Copies planned `items` from `src` to `dst` under `options` (jobs, parallel, part_size,
// max_failures, recursive for the report's wording; src/dst/store are not used): the second half
// of Copy, for jobs that plan their own items (sync, move).  Calls `on_copied(i)` (under a lock,
// from any task thread) once item i is whole at its target.  Sets no progress total.
// REQUIRES: options.Validate() is OK.
CopyReport CopyItems(const std::shared_ptr<ObjectStore>& src,
                     const std::shared_ptr<ObjectStore>& dst, const std::vector<CopyItem>& items,
                     const CopyOptions& options, const JobContext& context,
                     const std::function<void(int64_t)>& on_copied = {});

// Opens the stores, plans and copies.  A failure before any copy (bad options, missing source,
// nothing under the prefix) is the returned status; failures of single objects are in the report.
// Copy calls options.Validate() itself.  REQUIRES: `context`'s pointers (if set) outlive the call.
Result<CopyReport> Copy(const CopyOptions& options, const JobContext& context);

}  // namespace lakepack::ops
