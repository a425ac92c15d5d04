// partition_tree.h: a table's partitions — a binary tree of row key ranges [min, max).
//
// Bounds are encoded row keys (key_codec.h); max "" with has_max false is +infinity.  The root
// covers every key; an internal node is split at one encoded key: its left child holds keys
// below the split, its right child the rest.  Only leaves receive new files.  Pure: no I/O.
//
// Ids are binary paths: the root is "r", its children "r0" and "r1", theirs "r00" ... — stable,
// short, and readable in file names.
//
// Thread-safety: a value; const methods may be called from many threads.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "lakepack/status.h"

namespace lakepack::sorted {

struct Partition {
  std::string id;
  std::string parent;  // "" for the root
  std::string min;     // inclusive
  bool has_max = false;
  std::string max;     // exclusive, when has_max
  std::string split;   // internal nodes: the first key of the right child
  bool leaf = true;

  bool Contains(const std::string& key) const {
    return key >= min && (!has_max || key < max);
  }
  // Overlaps [lo, hi) (hi nullopt: +infinity).
  bool Overlaps(const std::string& lo, const std::optional<std::string>& hi) const {
    return (!has_max || lo < max) && (!hi || min < *hi);
  }
};

class PartitionTree {
 public:
  // One root leaf.
  PartitionTree();
  // Leaves split at `splits` (encoded keys; sorted and de-duplicated here), as a balanced tree.
  static PartitionTree FromSplits(std::vector<std::string> splits);

  // Splits leaf `id` at `split`.  InvalidArgument unless `id` is a leaf whose range holds `split`
  // strictly inside (min < split, split < max).
  Status Split(const std::string& id, const std::string& split);

  // REQUIRES: the tree is whole (as built by the functions above).
  const Partition& LeafFor(const std::string& key) const;
  std::vector<const Partition*> Leaves() const;
  // Every partition (leaf or not) whose range overlaps [lo, hi).
  std::vector<const Partition*> Overlapping(const std::string& lo,
                                            const std::optional<std::string>& hi) const;
  const Partition* Find(const std::string& id) const;
  const std::map<std::string, Partition>& all() const { return parts_; }

  // For checkpoints and records: rebuilt from its partitions.
  static Result<PartitionTree> FromPartitions(std::vector<Partition> parts);

 private:
  std::string Build(const std::string& id, const std::string& parent, const std::string& min,
                    bool has_max, const std::string& max, const std::vector<std::string>& splits,
                    size_t begin, size_t end);
  std::map<std::string, Partition> parts_;
};

}  // namespace lakepack::sorted
