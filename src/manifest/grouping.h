// manifest/grouping.h: splits a list of files into groups of at most a target total size, by
// best-fit decreasing bin packing — the file groups of the snapshot-to-lake job and of compaction.
//
// Files are taken largest first; each goes into the open group whose free room is the smallest
// that still holds it, or opens a new group.  Every group's total is <= target, except that a
// single file larger than the target gets a group of its own (it cannot be split).  Files of size
// 0 count as 0 and go anywhere.  The result is deterministic: ties break by input index, groups
// come in the order they were opened, and each group lists its files by input index.
// O(n log n) time, O(n) memory: a million files plan in a fraction of a second.
//
// Thread-safety: a pure function.  REQUIRES: target > 0; sizes >= 0.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace lakepack::manifest {

struct FileGroup {
  std::vector<int64_t> files;  // indices into the input, ascending
  int64_t size = 0;            // sum of their sizes
};

std::vector<FileGroup> PlanGroups(std::span<const int64_t> sizes, int64_t target);

}  // namespace lakepack::manifest
