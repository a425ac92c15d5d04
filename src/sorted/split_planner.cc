// split_planner.cc: see split_planner.h.
#include "sorted/split_planner.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "sorted/key_codec.h"

namespace lakepack::sorted {
namespace {

// The 8 bytes of `s` from `at` as a big-endian number (missing bytes are 0).
double Position(const std::string& s, size_t at) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) {
    v <<= 8;
    if (at + i < s.size()) v |= static_cast<unsigned char>(s[at + i]);
  }
  return static_cast<double>(v);
}

// The share of `f`'s rows estimated below `key`.
double ShareBelow(const FileRef& f, const std::string& key) {
  if (f.max < key) return 1;
  if (!(f.min < key)) return 0;
  size_t common = 0;
  while (common < f.min.size() && common < f.max.size() && f.min[common] == f.max[common]) {
    ++common;
  }
  const double lo = Position(f.min, common), hi = Position(f.max, common);
  const double k = Position(key, common);
  if (!(hi > lo)) return 0.5;
  return std::clamp((k - lo) / (hi - lo), 0.0, 1.0);
}

}  // namespace

Status SplitterOptions::Validate() const {
  if (threshold < 1) return Status::InvalidArgument("split: the threshold must be at least 1 row");
  if (!(min_balance >= 0 && min_balance < 0.5)) {
    return Status::InvalidArgument("split: the minimum balance must be in [0, 0.5)");
  }
  return Status::OK();
}

std::string RowKeyPrefix(const std::string& key, const std::vector<KeyType>& key_types,
                         int num_row_keys) {
  size_t pos = 0;
  for (int i = 0; i < num_row_keys && i < static_cast<int>(key_types.size()); ++i) {
    if (!DecodeValue(key_types[i], key, &pos).ok()) return "";
  }
  return key.substr(0, pos);
}

SplitPlan PlanSplits(const PartitionTree& tree, const std::map<std::string, FileRef>& files,
                     const std::vector<KeyType>& key_types, int num_row_keys,
                     const SplitterOptions& options) {
  std::map<std::string, std::vector<const FileRef*>> by_leaf;
  for (const auto& [path, f] : files) {
    const Partition* p = tree.Find(f.partition);
    if (p && p->leaf) by_leaf[f.partition].push_back(&f);
  }
  SplitPlan plan;
  for (const auto& [id, fs] : by_leaf) {
    int64_t rows = 0;
    for (const FileRef* f : fs) rows += f->rows;
    if (rows <= options.threshold) continue;
    const Partition& leaf = *tree.Find(id);
    std::set<std::string> candidates;
    for (const FileRef* f : fs) {
      std::string c = RowKeyPrefix(f->min, key_types, num_row_keys);
      if (!c.empty() && leaf.min < c && (!leaf.has_max || c < leaf.max)) candidates.insert(c);
    }
    double best_diff = -1;
    SplitJob best;
    for (const std::string& c : candidates) {
      double below = 0;
      for (const FileRef* f : fs) below += ShareBelow(*f, c) * static_cast<double>(f->rows);
      const double diff = std::fabs(2 * below - static_cast<double>(rows));
      if (best_diff < 0 || diff < best_diff) {
        best_diff = diff;
        best.split = c;
        best.rows_left = static_cast<int64_t>(std::llround(below));
      }
    }
    if (best_diff < 0) {
      plan.skipped[id] = "no key inside the partition to split at";
      continue;
    }
    const int64_t smaller = std::min(best.rows_left, rows - best.rows_left);
    if (static_cast<double>(smaller) < options.min_balance * static_cast<double>(rows)) {
      plan.skipped[id] = "the best key from the files' bounds leaves " + std::to_string(smaller) +
                         " of " + std::to_string(rows) + " rows on one side";
      continue;
    }
    best.partition = id;
    best.rows = rows;
    best.files = static_cast<int64_t>(fs.size());
    plan.jobs.push_back(std::move(best));
  }
  return plan;
}

SplitPlan PlanSplits(const TableState& state, const SplitterOptions& options) {
  const TableSchema& s = state.schema();
  std::vector<KeyType> types;
  for (int i = 0; i < s.num_keys(); ++i) types.push_back(s.key_type(i));
  return PlanSplits(state.partitions(), state.files(), types, s.num_row_keys(), options);
}

}  // namespace lakepack::sorted
