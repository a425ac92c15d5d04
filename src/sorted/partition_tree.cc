// partition_tree.cc: see partition_tree.h.
#include "sorted/partition_tree.h"

#include <algorithm>

namespace lakepack::sorted {

PartitionTree::PartitionTree() {
  Partition root;
  root.id = "r";
  parts_[root.id] = root;
}

std::string PartitionTree::Build(const std::string& id, const std::string& parent,
                                 const std::string& min, bool has_max, const std::string& max,
                                 const std::vector<std::string>& splits, size_t begin,
                                 size_t end) {
  Partition p;
  p.id = id;
  p.parent = parent;
  p.min = min;
  p.has_max = has_max;
  p.max = max;
  if (begin < end) {
    size_t mid = begin + (end - begin) / 2;
    p.leaf = false;
    p.split = splits[mid];
    Build(id + "0", id, min, true, splits[mid], splits, begin, mid);
    Build(id + "1", id, splits[mid], has_max, max, splits, mid + 1, end);
  }
  parts_[id] = p;
  return id;
}

PartitionTree PartitionTree::FromSplits(std::vector<std::string> splits) {
  std::sort(splits.begin(), splits.end());
  splits.erase(std::unique(splits.begin(), splits.end()), splits.end());
  // An empty encoded split would make an empty left leaf; no key encodes to "".
  splits.erase(std::remove(splits.begin(), splits.end(), std::string()), splits.end());
  PartitionTree t;
  t.parts_.clear();
  t.Build("r", "", "", false, "", splits, 0, splits.size());
  return t;
}

Status PartitionTree::Split(const std::string& id, const std::string& split) {
  auto it = parts_.find(id);
  if (it == parts_.end()) return Status::InvalidArgument("no partition '" + id + "'");
  Partition& p = it->second;
  if (!p.leaf) return Status::InvalidArgument("partition '" + id + "' is not a leaf");
  if (!(p.min < split) || (p.has_max && !(split < p.max))) {
    return Status::InvalidArgument("split point is not inside partition '" + id + "'");
  }
  p.leaf = false;
  p.split = split;
  Partition l, r;
  l.id = id + "0";
  r.id = id + "1";
  l.parent = r.parent = id;
  l.min = p.min;
  l.has_max = true;
  l.max = split;
  r.min = split;
  r.has_max = p.has_max;
  r.max = p.max;
  parts_[l.id] = l;
  parts_[r.id] = r;
  return Status::OK();
}

const Partition& PartitionTree::LeafFor(const std::string& key) const {
  const Partition* p = &parts_.at("r");
  while (!p->leaf) p = &parts_.at(key < p->split ? p->id + "0" : p->id + "1");
  return *p;
}

std::vector<const Partition*> PartitionTree::Leaves() const {
  std::vector<const Partition*> out;
  for (const auto& [id, p] : parts_) {
    if (p.leaf) out.push_back(&p);
  }
  std::sort(out.begin(), out.end(),
            [](const Partition* a, const Partition* b) { return a->min < b->min; });
  return out;
}

std::vector<const Partition*> PartitionTree::Overlapping(
    const std::string& lo, const std::optional<std::string>& hi) const {
  std::vector<const Partition*> out;
  std::vector<const Partition*> stack = {&parts_.at("r")};
  while (!stack.empty()) {
    const Partition* p = stack.back();
    stack.pop_back();
    if (!p->Overlaps(lo, hi)) continue;
    out.push_back(p);
    if (!p->leaf) {
      stack.push_back(&parts_.at(p->id + "1"));
      stack.push_back(&parts_.at(p->id + "0"));
    }
  }
  return out;
}

const Partition* PartitionTree::Find(const std::string& id) const {
  auto it = parts_.find(id);
  return it == parts_.end() ? nullptr : &it->second;
}

Result<PartitionTree> PartitionTree::FromPartitions(std::vector<Partition> parts) {
  PartitionTree t;
  t.parts_.clear();
  for (auto& p : parts) t.parts_[p.id] = std::move(p);
  if (!t.parts_.count("r")) return Status::InvalidData("partition tree has no root 'r'");
  for (const auto& [id, p] : t.parts_) {
    if (!p.leaf && (!t.parts_.count(id + "0") || !t.parts_.count(id + "1"))) {
      return Status::InvalidData("partition '" + id + "' is split but lacks a child");
    }
  }
  return t;
}

}  // namespace lakepack::sorted
