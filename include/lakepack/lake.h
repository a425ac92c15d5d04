// lakepack/lake.h: the snapshot-to-lake job (dbsnaplake's): database snapshot export files, listed
// by a snapshot manifest, into a hive-partitioned data lake of Parquet files of an exact size.
//
// Steps (each resumable, each safe to run by several workers at once):
//   1.1 PlanSnapshotToStaging  reads the snapshot manifest, groups its files (best-fit decreasing,
//                              every group <= target_db_snapshot_file_group_size) and writes one
//                              group manifest per group under
//                              STAGING/manifests/snapshot-file-groups/.
//   1.2 ProcessSnapshotGroups  per group: claim it, read its files as Arrow batches (or through
//                              the caller's read function), split rows by partition and write one
//                              snappy Parquet file per partition to STAGING/datalake/<k=v/...>/,
//                              a staging manifest, then the group's done record.
//   2.1 PlanStagingToDatalake  from the done records: one compaction group per partition, its
//                              manifest under STAGING/manifests/partition-file-groups/.
//   2.2 ProcessPartitionGroups per partition: claim, stream its staging files into Parquet files
//                              of target_parquet_file_size (±2%; the tail, if under half the
//                              target, goes into the previous file), done record.
//   3.1 ValidateDatalake       exact rows and a key checksum per partition, staged vs stored (the
//                              lake files' footers and key columns are read back); on success the
//                              lake's file set is published as one commit record,
//                              DATALAKE/_lakepack/log-000000000000.json, naming the lake manifest.
// Run() does them all.  On one machine (one_pass, no sort_by) it does steps 1.2 and 2.2 in one
// streaming pass instead: every group's rows are split by partition and written straight into the
// lake files (each partition's through its own exact-size writer, all under one memory budget),
// with no staging file, so every row is written once.  A partition whose last file would end short
// of half the target has that tail merged into its previous file; when the pass can tell early
// (what is left of the whole snapshot fits in 1.5 targets) the file is simply allowed to grow,
// otherwise the last two files are rewritten as one at the end (at most 1.5 targets of extra
// writes, reported as rewritten_bytes).  Its result is recorded like step 2.2's (the datalake plan,
// marked "one-pass", and one done record per partition), so step 3.1 validates it unchanged.  The
// staged steps remain for work spread over workers (several processes, or Ray tasks running
// ProcessSnapshotGroup / ProcessPartitionGroup, one group each, with the driver planning and
// validating).  State lives on the store only: put-if-absent claims and done records
// under STAGING/manifests/_lakepack/.  A claimed group whose owner died (same host: its process
// is gone; elsewhere: its lease expired) is redone; a done group is never redone.  Output names
// are deterministic (group fingerprints), so a redone group overwrites its own partial output.
//
// Thread-safety: a Project may be used from several threads at once (steps claim groups).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "arrow/record_batch.h"
#include "lakepack/status.h"
#include "lakepack/store.h"

namespace lakepack::lake {

struct ProjectOptions {
  std::string s3uri_db_snapshot_manifest_summary;  // URI of the snapshot manifest's summary
  std::string s3uri_staging;                       // staging root (a directory URI or path)
  std::string s3uri_datalake;                      // lake root
  // Step 1 groups: at most this many bytes of snapshot files each.  100 MB: the reference's.
  int64_t target_db_snapshot_file_group_size = 100'000'000;
  // Partition keys: column names, or year(col), month(col), day(col), bucket(n, col).
  std::vector<std::string> partition_keys;
  bool create_datalake = true;  // false: stop after step 1 (the staging area is the lake)
  std::vector<std::string> sort_by;
  std::vector<bool> descending;  // one per sort_by column, or one for all
  // Lake files: this many bytes each (±2%).  128 MB: the reference's default.
  int64_t target_parquet_file_size = 128'000'000;
  // Columns whose values make the checksum in validation; empty: sort_by, else the first column.
  std::vector<std::string> key_columns;
  // Snapshot file format: "" (from each file's extension), csv, jsonl, parquet, dynamodb.
  std::string input_format;
  // Threads working on groups in this process.
  int parallel = 2;
  // A claimed group's lease: renewed while the group is worked on; a group whose holder stopped
  // renewing this long ago (or, on this host, whose process is gone) is claimed again.  60 s: the
  // reference tracker's lock time.
  int64_t lease_ms = 60'000;
  // Run(): stage and compact in one streaming pass (see above) when there is no sort_by and no
  // worker has planned the staged compaction yet.  false: always the staged steps.
  bool one_pass = true;
  StoreOptions store;

  Status Validate() const;
};

struct StepReport {
  int64_t groups = 0;           // groups in this step's plan
  int64_t processed = 0;        // done by this call
  int64_t already_done = 0;     // skipped: done before
  int64_t busy = 0;             // skipped: claimed by a live worker
  int64_t rows = 0;             // rows this call moved
  int64_t bytes = 0;            // bytes this call wrote
  int64_t files = 0;            // files this call wrote
  int64_t rewritten_bytes = 0;  // one pass: bytes written a second time (short tails merged)
};

struct PartitionStat {
  std::string partition;  // "year=2021/month=01", "" when unpartitioned
  int64_t n_files = 0;
  int64_t total_size = 0;
  int64_t rows = 0;
  std::string checksum;  // hex
};

struct ValidateReport {
  int64_t before_n_files = 0;
  int64_t before_total_size = 0;
  int64_t before_total_n_record = -1;  // -1: the snapshot manifest does not say
  int64_t after_n_files = 0;
  int64_t after_total_size = 0;
  int64_t after_total_n_record = 0;
  int64_t n_partition = 0;
  std::vector<PartitionStat> partitions;
  std::string commit_uri;       // the published commit record
  std::string mode;             // "one-pass" or "staged": how the lake files were written
  int64_t staged_bytes = 0;     // bytes of staging files (0 in one pass)
  int64_t rewritten_bytes = 0;  // one pass: bytes written twice (short tails merged)
  std::string ToJson() const;
};

// Reads one snapshot file group (its manifest's files) as a stream of batches.
struct GroupManifest {
  int64_t index = 0;  // 1-based
  std::string summary_uri, data_uri, fingerprint;
  int64_t size = 0, rows = -1;
  std::vector<std::string> uris;
  std::vector<int64_t> sizes, n_records;
  std::vector<std::string> etags;
};
using ReadGroupFn =
    std::function<Result<std::shared_ptr<arrow::RecordBatchReader>>(const GroupManifest&)>;

class Project {
 public:
  // Checks the options (Validate) and opens the stores.  REQUIRES: nothing; bad options are
  // InvalidArgument naming the option.
  static Result<std::unique_ptr<Project>> Make(ProjectOptions options);
  virtual ~Project() = default;

  virtual Result<StepReport> PlanSnapshotToStaging() = 0;
  // `read` null: the built-in readers (by extension or input_format).  REQUIRES: `read`, if
  // given, is safe to call from options().parallel threads at once (one group each).
  virtual Result<StepReport> ProcessSnapshotGroups(const ReadGroupFn& read = {}) = 0;
  virtual Result<StepReport> PlanStagingToDatalake() = 0;
  virtual Result<StepReport> ProcessPartitionGroups() = 0;
  virtual Result<ValidateReport> ValidateDatalake() = 0;
  virtual Result<ValidateReport> Run(const ReadGroupFn& read = {}) = 0;
  // One group of step 1.2 / 2.2 (1-based `index` into the step's plan): claimed, processed and
  // marked done, or skipped when done before (already_done = 1) or held by a live worker (busy =
  // 1).  The steps above run exactly this per group on the shared executor; a distributed runner
  // (Ray) runs it as one task per group, and a retried task finds the group done.
  virtual Result<StepReport> ProcessSnapshotGroup(int64_t index, const ReadGroupFn& read = {}) = 0;
  virtual Result<StepReport> ProcessPartitionGroup(int64_t index) = 0;
  // What `step` ("plan" or "run") would do, as JSON, writing nothing: the snapshot's files, the
  // planned groups (from the plan on the store, or planned in memory), which are done, and for
  // "run" the path (one pass or staged) and the steps left.
  virtual Result<std::string> DryRunJson(const std::string& step) = 0;
  // Where every step stands, as JSON.
  virtual Result<std::string> StatusJson() = 0;

  const ProjectOptions& options() const { return options_; }

 protected:
  explicit Project(ProjectOptions o) : options_(std::move(o)) {}
  ProjectOptions options_;
};

// Builds a snapshot manifest of every data file under PREFIX (uri, size, etag; n_record read
// from Parquet footers when `count_rows`), written to SUMMARY_URI and DATA_URI.
Result<int64_t> BuildSnapshotManifest(const std::string& prefix, const std::string& summary_uri,
                                      const std::string& data_uri, bool count_rows,
                                      const StoreOptions& options = {});

}  // namespace lakepack::lake
