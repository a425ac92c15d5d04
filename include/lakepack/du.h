// lakepack/du.h: how many objects and bytes live under a prefix (`lakepack du`,
// `lakepack.du()`), and what one object or prefix is (`lakepack stat`, `lakepack.stat()`).
// Both only list or HEAD: no object is read.
//
// A URI names a prefix when it is a store root, ends with '/', is a local directory, or has
// objects below "URI/"; otherwise it names one object.
//
// Thread-safety: safe to call concurrently.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "lakepack/job.h"
#include "lakepack/status.h"
#include "lakepack/store.h"

namespace lakepack::ops {

struct UsageEntry {
  std::string name;  // the first path segment below the prefix ("sub/" for a sub-prefix)
  int64_t objects = 0;
  int64_t bytes = 0;
};

struct UsageReport {
  std::string uri;     // the prefix (ending with '/') or the object
  bool prefix = true;  // false: `uri` is one object
  int64_t objects = 0;
  int64_t bytes = 0;
  std::vector<UsageEntry> children;  // one level below the prefix, in key order

  // {"uri", "prefix", "objects", "bytes", "children": [{"name", "objects", "bytes"}]}
  std::string ToJson() const;
};

// Lists everything under `uri` (recursive), summing in total and per first-level child; counts
// objects listed into the context's progress.  NotFound when nothing is there.
Result<UsageReport> DiskUsage(const std::string& uri, const StoreOptions& store,
                              const JobContext& context);

struct StatReport {
  std::string uri;
  bool prefix = false;  // true: a prefix, with `usage` filled; false: one object, `info`
  ObjectInfo info;
  UsageReport usage;

  // Object: {"uri", "type": "object", "key", "size", "etag", "mtime_ns"};
  // prefix: {"uri", "type": "prefix", "objects", "bytes"}.
  std::string ToJson() const;
};

// HEAD of the object; when no object has that key, the prefix's totals (DiskUsage).  NotFound
// when neither exists.
Result<StatReport> Stat(const std::string& uri, const StoreOptions& store,
                        const JobContext& context);

}  // namespace lakepack::ops
