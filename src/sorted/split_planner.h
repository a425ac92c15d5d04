// split_planner.h: which leaf partitions of a sorted table to split, and at which key.  Pure: no
// I/O.
//
// A leaf splits when the rows of the files that reference it pass `threshold` (Sleeper's
// sleeper.table.partition.splitting.threshold, default 1,000,000,000 rows).  Files that still
// reference an ancestor (a partition split before they were compacted) are not counted: a leaf
// just split has no files of its own until the compactor moves its parent's files into it, so a
// split is never planned twice on the same rows.
//
// The split key estimates the median row key of the leaf from what the state knows: each file's
// row count and its first and last keys.  Files carry no key sketch yet, so the candidates are the
// row-key prefixes (the row key fields only, so equal row keys never straddle a split) of the
// files' first keys that lie strictly inside the leaf (a file's first row key is a natural first
// key of a right child); for each candidate, a file
// wholly below counts all its rows below, a file wholly above none, and a file that straddles it
// a share found by linear interpolation of the candidate between the file's bounds (on the 8
// bytes after their common prefix).  The candidate with the smallest difference between the rows
// below and above wins (ties: the smaller key).  So many overlapping ingest files give a close
// median; a leaf holding one compacted file can only split at that file's first key, which the
// interpolation then rates as unbalanced — such a leaf is not split (SplitPlan::skipped says
// why) until a better sketch exists.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "lakepack/sorted.h"
#include "sorted/partition_tree.h"
#include "sorted/table_state.h"

namespace lakepack::sorted {

// Sleeper's default split threshold.
inline constexpr int64_t kDefaultSplitThreshold = 1'000'000'000;

struct SplitterOptions {
  int64_t threshold = kDefaultSplitThreshold;  // rows; a leaf with more splits
  // A split whose smaller side is estimated below this fraction of the leaf's rows is skipped.
  double min_balance = 0.1;

  Status Validate() const;
};

struct SplitJob {
  std::string partition;  // the leaf
  std::string split;      // the encoded key: the first key of the right child
  int64_t rows = 0;       // the leaf's rows
  int64_t rows_left = 0;  // estimated rows below the split
  int64_t files = 0;
};

struct SplitPlan {
  std::vector<SplitJob> jobs;  // by partition id
  // Leaves over the threshold that were not split, and why.
  std::map<std::string, std::string> skipped;
};

// The splits for `files` under `tree`: at most one per leaf.  `num_row_keys` row key fields
// (types `key_types`) start every encoded key.
SplitPlan PlanSplits(const PartitionTree& tree, const std::map<std::string, FileRef>& files,
                     const std::vector<KeyType>& key_types, int num_row_keys,
                     const SplitterOptions& options);

// PlanSplits on a folded state.
SplitPlan PlanSplits(const TableState& state, const SplitterOptions& options);

// The row-key prefix of an encoded full key (its first `num_row_keys` fields), or "" when the
// bytes do not decode.
std::string RowKeyPrefix(const std::string& key, const std::vector<KeyType>& key_types,
                         int num_row_keys);

}  // namespace lakepack::sorted
