// compaction_picker.h: which files of a sorted table to compact together.  Pure: no I/O.
//
// Two strategies, both per partition:
//   size ratio (Sleeper's default): the files of a leaf, smallest first (by rows, then bytes,
//     then path), are taken in windows of at most `max_files`; a window qualifies when the sum
//     of its files other than the largest is at least `ratio` x the largest.  A window that does
//     not qualify drops its largest file and is tried again (down to two files); when no window
//     starting at the smallest file qualifies, the smallest file is left out and the search goes
//     on from the next.  So equal-sized files qualify in groups of ratio + 1 or more, and a big
//     old file is compacted again only once the small ones together reach ratio x its size.
//   major: every file of a leaf in one job (a leaf with one file has nothing to do).
// Under either strategy the files that reference a partition that is no longer a leaf (it was
// split after they were written) are compacted together, whatever their sizes, into one output
// per leaf below that partition that their rows reach: a job whose partition is not a leaf.
//
// A job's id is a hash of its partition and input paths: two planners that see the same state
// plan the same ids, so claims on the ids (txlog/claims.h) keep two workers off the same files.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "lakepack/status.h"
#include "sorted/partition_tree.h"
#include "sorted/table_state.h"

namespace lakepack::sorted {

struct PickerOptions {
  bool major = false;
  // Sleeper's defaults: sleeper.table.compaction.strategy.sizeratio.ratio = 3 and
  // sleeper.table.compaction.files.batch.size = 12 (its performance test uses 11 files).
  double ratio = 3;
  int max_files = 12;

  Status Validate() const;
};

struct CompactionJob {
  std::string id;                   // "c" + 16 hex digits: a hash of partition and inputs
  std::string partition;            // a leaf, or a split partition whose files move to its leaves
  bool split = false;               // partition is not a leaf
  std::vector<std::string> inputs;  // paths, in (generation, path) order: the merge's tie order
  int64_t rows = 0;
  int64_t bytes = 0;
};

// The jobs for `files` under `tree`, by partition id, then in pick order.  Files whose
// partition the tree does not know are ignored (a state never holds one).
std::vector<CompactionJob> PickCompactions(const PartitionTree& tree,
                                           const std::map<std::string, FileRef>& files,
                                           const PickerOptions& options);

// The leaves under partition `id` (itself if a leaf), in key order.
std::vector<const Partition*> LeavesUnder(const PartitionTree& tree, const std::string& id);

}  // namespace lakepack::sorted
