// table_state.h: a sorted table's state, folded from its log records.  Pure: no I/O.
//
// Records (JSON objects, "type" first; unknown members ignored, so txlog's writer token is too):
//   create          {"schema": <Sleeper schema JSON>, "partitions": [...],       always record 0
//                    "split_threshold": N}   (optional: rows above which a leaf splits)
//   intent          {"prefix": "data/<session>/", "owner": "...", "time_ms": N}  before any file
//                   under the prefix is written: every object of the table is named by the log
//   add_files       {"job_id": "...", "files": [FILE...]}                        one commit
//   replace_files   {"job_id", "partition", "remove": [path...], "add": [FILE...],
//                    "time_ms": N}                                               compaction
//   split_partition {"partition": id, "split": hex}                              the leaf splits
//                   (its files keep referencing it, now an internal node: queries read them
//                   for either child's range, and compaction moves their rows into the
//                   children; add_files may still name it, so a write racing a split commits)
//   delete_files    {"paths": [path...]}                                         GC deleted them
// FILE = {"path", "partition", "rows", "bytes", "min": hex, "max": hex} (min/max: encoded full
// keys of the first and last rows).  A file's generation is the record that added it, or the one
// its FILE names ("generation": a compaction's output takes its newest input's, so the merged
// rows keep their place among the files committed around them): rows with equal keys come out in
// generation order.
//
// Apply rejects a record that breaks an invariant (a file added twice, a replace of a file not
// referenced, a split of a non-leaf) with InvalidData naming the record; a committer builds
// records from the state it read, so a valid record never fails.
//
// Invariant: every path in files() is referenced by exactly one partition; a job id is in jobs()
// exactly when a record carrying it was applied.
//
// Thread-safety: a value; one writer at a time.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/json.h"
#include "lakepack/sorted.h"
#include "sorted/partition_tree.h"

namespace lakepack::sorted {

struct FileRef {
  std::string path;  // relative to the table's prefix, e.g. "data/<session>/3-r0.parquet"
  std::string partition;
  int64_t rows = 0;
  int64_t bytes = 0;
  std::string min, max;  // encoded keys
  int64_t generation = -1;
};

struct Intent {
  std::string prefix;
  std::string owner;
  int64_t time_ms = 0;
  int64_t generation = -1;
};

class TableState {
 public:
  TableState() = default;
  static Result<TableState> FromCheckpoint(std::string_view text);
  Status Apply(int64_t g, std::string_view record);
  std::string Checkpoint() const;

  bool created() const { return schema_.has_value(); }
  // REQUIRES: created().
  const TableSchema& schema() const { return *schema_; }
  const PartitionTree& partitions() const { return tree_; }
  const std::map<std::string, FileRef>& files() const { return files_; }
  const std::set<std::string>& jobs() const { return jobs_; }
  const std::vector<Intent>& intents() const { return intents_; }
  // The create record's split threshold (rows), or 0 when it set none (the default applies).
  int64_t split_threshold() const { return split_threshold_; }
  // Files no longer referenced (replaced) and not yet deleted, with the time of the replace
  // (Unix ms; 0 when the record did not say).
  const std::map<std::string, int64_t>& unreferenced() const { return unreferenced_; }

  // Files whose partition overlaps [lo, hi) and whose [min, max] does too, by generation.
  std::vector<const FileRef*> FilesOverlapping(const std::string& lo,
                                               const std::optional<std::string>& hi) const;

 private:
  Status ApplyObject(int64_t g, const JsonValue& rec, const std::string& source);

  std::optional<TableSchema> schema_;
  PartitionTree tree_;
  std::map<std::string, FileRef> files_;
  std::set<std::string> jobs_;
  std::vector<Intent> intents_;
  std::map<std::string, int64_t> unreferenced_;
  int64_t split_threshold_ = 0;
};

// Record builders (the only writers of the formats above).
std::string CreateRecord(const TableSchema& schema, const PartitionTree& tree,
                         int64_t split_threshold = 0);
std::string IntentRecord(const std::string& prefix, const std::string& owner, int64_t time_ms);
std::string AddFilesRecord(const std::string& job_id, const std::vector<FileRef>& files);
std::string ReplaceFilesRecord(const std::string& job_id, const std::string& partition,
                               const std::vector<std::string>& remove,
                               const std::vector<FileRef>& add, int64_t time_ms = 0);
std::string SplitRecord(const std::string& partition, const std::string& split);
std::string DeleteFilesRecord(const std::vector<std::string>& paths);

}  // namespace lakepack::sorted
