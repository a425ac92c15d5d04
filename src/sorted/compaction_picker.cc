// compaction_picker.cc: see compaction_picker.h.
#include "sorted/compaction_picker.h"

#include <algorithm>
#include <cmath>

namespace lakepack::sorted {
namespace {

// FNV-1a, 64 bits: stable across processes and builds (std::hash is not).
uint64_t Fnv1a(uint64_t h, std::string_view s) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

std::string JobId(const std::string& partition, const std::vector<std::string>& inputs) {
  uint64_t h = Fnv1a(14695981039346656037ull, partition);
  for (const std::string& p : inputs) {
    h = Fnv1a(h, "\n");
    h = Fnv1a(h, p);
  }
  static const char* kDigits = "0123456789abcdef";
  std::string id = "c";
  for (int i = 15; i >= 0; --i) id.push_back(kDigits[(h >> (4 * i)) & 15]);
  return id;
}

CompactionJob MakeJob(const std::string& partition, bool split, std::vector<const FileRef*> files) {
  std::sort(files.begin(), files.end(), [](const FileRef* a, const FileRef* b) {
    return a->generation != b->generation ? a->generation < b->generation : a->path < b->path;
  });
  CompactionJob job;
  job.partition = partition;
  job.split = split;
  for (const FileRef* f : files) {
    job.inputs.push_back(f->path);
    job.rows += f->rows;
    job.bytes += f->bytes;
  }
  job.id = JobId(partition, job.inputs);
  return job;
}

bool Qualifies(const std::vector<const FileRef*>& window, double ratio) {
  // window is ascending: the last file is the largest.
  int64_t others = 0;
  for (size_t i = 0; i + 1 < window.size(); ++i) others += window[i]->rows;
  return static_cast<double>(others) >= ratio * static_cast<double>(window.back()->rows);
}

void SizeRatio(const std::string& partition, std::vector<const FileRef*> files,
               const PickerOptions& o, std::vector<CompactionJob>* out) {
  std::sort(files.begin(), files.end(), [](const FileRef* a, const FileRef* b) {
    if (a->rows != b->rows) return a->rows < b->rows;
    if (a->bytes != b->bytes) return a->bytes < b->bytes;
    return a->path < b->path;
  });
  size_t start = 0;
  while (files.size() - start >= 2) {
    size_t n = std::min(files.size() - start, static_cast<size_t>(o.max_files));
    bool picked = false;
    for (; n >= 2; --n) {
      std::vector<const FileRef*> window(files.begin() + start, files.begin() + start + n);
      if (!Qualifies(window, o.ratio)) continue;
      out->push_back(MakeJob(partition, false, window));
      files.erase(files.begin() + start, files.begin() + start + n);
      picked = true;
      break;
    }
    if (!picked) ++start;  // the smallest file cannot join a qualifying window: go on without it
  }
}

}  // namespace

Status PickerOptions::Validate() const {
  if (!(ratio >= 0) || !std::isfinite(ratio)) {
    return Status::InvalidArgument("compaction: the size ratio must be a number >= 0");
  }
  if (max_files < 2) {
    return Status::InvalidArgument("compaction: at most N files per job needs N >= 2");
  }
  return Status::OK();
}

std::vector<const Partition*> LeavesUnder(const PartitionTree& tree, const std::string& id) {
  std::vector<const Partition*> out;
  std::vector<std::string> stack = {id};
  while (!stack.empty()) {
    const Partition* p = tree.Find(stack.back());
    stack.pop_back();
    if (!p) continue;
    if (p->leaf) {
      out.push_back(p);
      continue;
    }
    stack.push_back(p->id + "1");
    stack.push_back(p->id + "0");
  }
  return out;  // depth first, left child first: key order
}

std::vector<CompactionJob> PickCompactions(const PartitionTree& tree,
                                           const std::map<std::string, FileRef>& files,
                                           const PickerOptions& options) {
  std::map<std::string, std::vector<const FileRef*>> by_partition;
  for (const auto& [path, f] : files) {
    if (tree.Find(f.partition)) by_partition[f.partition].push_back(&f);
  }
  std::vector<CompactionJob> out;
  for (auto& [id, list] : by_partition) {
    const Partition& p = *tree.Find(id);
    if (!p.leaf) {
      // Rows of a split partition's files move to its leaves, however few the files.
      for (size_t i = 0; i < list.size(); i += static_cast<size_t>(options.max_files)) {
        size_t end = std::min(list.size(), i + static_cast<size_t>(options.max_files));
        if (options.major) end = list.size();
        out.push_back(MakeJob(id, true, {list.begin() + i, list.begin() + end}));
        if (options.major) break;
      }
      continue;
    }
    if (options.major) {
      if (list.size() >= 2) out.push_back(MakeJob(id, false, list));
      continue;
    }
    SizeRatio(id, list, options, &out);
  }
  return out;
}

}  // namespace lakepack::sorted
