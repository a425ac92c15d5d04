// lakepack/sorted.h: sorted tables — a key-value table store on object storage.
//
// A sorted table (Sleeper's model) is a range-partitioned log-structured merge tree of sorted
// Parquet files.  Rows have row key fields (>= 1), sort key fields (>= 0) and value fields; every
// data file is sorted by (row key, sort key) and belongs to one partition of a tree of key ranges
// [min, max).  The table's state — schema, partitions, file references, committed job ids — is a
// transaction log of numbered records on the store itself (put-if-absent, src/txlog), plus
// checkpoints: no database but the bucket.
//
// Layout under an instance root (a local directory or s3://bucket/prefix):
//   ROOT/NAME/log/log-<G>.json, checkpoint-<G>.json   the table's log (record 0 creates it)
//   ROOT/NAME/data/<session>/<n>-<partition>.parquet   data files, zstd, readable by any engine
//   ROOT/NAME/compaction/<job>/claim-*, lease-*, done.json   claims of compaction jobs (txlog)
// A session (one Table handle's writes) logs an intent naming its data prefix before it writes
// its first file, so a crash between a file and its commit leaves a file that an intent names:
// nothing on the bucket is ever untracked, and CollectGarbage deletes such files (and files a
// compaction replaced) once they are past a grace period.
//
// Writes are durable when they return, and queries first read the log's tail (one LIST), so a
// query sees every write that returned before it started (read-your-writes).  Rows with equal
// keys are all kept, in commit order.  Every write has a job id; a job id that committed makes a
// re-run a no-op.
//
// Thread-safety: a Table may be used from many threads at once (its state is guarded); many
// Tables in many processes and hosts may write one table at once (commits retry on conflict and
// never lose one).  A SortedBatchWriter is used by one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "arrow/record_batch.h"
#include "arrow/table.h"
#include "arrow/type_fwd.h"
#include "lakepack/status.h"
#include "lakepack/store.h"

namespace lakepack::sorted {

// Key field types (Sleeper's IntType, LongType, StringType, ByteArrayType).
enum class KeyType { kInt, kLong, kString, kBytes };

// One key field's value: int64 for int and long fields, the bytes for string and bytes fields.
using KeyValue = std::variant<int64_t, std::string>;

// Row key fields, sort key fields, value fields.  As Arrow: row keys, then sort keys, then values,
// in that order; keys are not nullable, values are.
class TableSchema {
 public:
  // Sleeper's schema JSON: {"rowKeyFields":[{"name":"key","type":"StringType"}],
  // "sortKeyFields":[...], "valueFields":[...]}; types IntType, LongType, StringType,
  // ByteArrayType, and for values also DoubleType, BooleanType, {"ListType":{"elementType":T}},
  // {"MapType":{"keyType":K,"valueType":V}} (also accepted: "type":"ListType" with the members
  // beside it).  Errors name the field and the line.
  static Result<TableSchema> FromSleeperJson(std::string_view json);
  // An Arrow schema and which of its fields are keys.  String/binary variants (large, view) are
  // stored as plain string/binary.
  static Result<TableSchema> FromArrow(const arrow::Schema& schema,
                                       const std::vector<std::string>& row_keys,
                                       const std::vector<std::string>& sort_keys = {});

  std::string ToSleeperJson() const;
  const std::shared_ptr<arrow::Schema>& arrow_schema() const { return schema_; }
  int num_row_keys() const { return num_row_keys_; }
  int num_sort_keys() const { return num_sort_keys_; }
  int num_keys() const { return num_row_keys_ + num_sort_keys_; }
  // REQUIRES: i < num_keys().
  KeyType key_type(int i) const { return key_types_[i]; }
  const std::string& field_name(int i) const;
  // The index of a field, or -1.
  int FieldIndex(std::string_view name) const;

 private:
  std::shared_ptr<arrow::Schema> schema_;
  int num_row_keys_ = 0;
  int num_sort_keys_ = 0;
  std::vector<KeyType> key_types_;
};

// A range of one row key field.  Unset min: from the start; unset max: to the end.
// Defaults as in Sleeper: the minimum inclusive, the maximum exclusive.
struct FieldRange {
  std::string field;
  std::optional<KeyValue> min;
  bool min_inclusive = true;
  std::optional<KeyValue> max;
  bool max_inclusive = false;
};
// A region: ranges of row key fields, all of which a row must satisfy (fields not named are
// unbounded).
using Region = std::vector<FieldRange>;

struct TableOptions {
  StoreOptions store;
  // Rows per Parquet row group and per page.  8192-row groups keep a point lookup to one small
  // decompression (~100 KB on the Sleeper schema) while scans still read large column chunks.
  int64_t row_group_rows = 8192;
  int64_t page_rows = 1024;
  int zstd_level = 3;
  // Batch writer and ingest: Arrow memory buffered before a sorted run is spilled to local disk.
  int64_t buffer_bytes = 256ll << 20;  // Sleeper's 256 MB working buffer
  // Where runs are spilled ("" = $TMPDIR or /tmp).
  std::string spill_dir;
  // Records per checkpoint of the log.
  int64_t checkpoint_every = 100;
  // Create only: rows above which a leaf partition splits, stored in the table (0: Sleeper's
  // default, 1,000,000,000).
  int64_t split_threshold = 0;

  Status Validate() const;
};

struct WriteOptions {
  // Identifies the job: a job id that committed makes a re-run of it a no-op.  "" = a new random
  // id.
  std::string job_id;
  // Called with rows read so far (ingest), from the writing thread.
  std::function<void(int64_t rows)> on_progress;
  // Polled between batches; true stops the job with kCancelled, nothing committed.
  std::function<bool()> cancelled;
};

struct WriteReport {
  std::string job_id;
  int64_t rows = 0;
  int64_t files = 0;
  int64_t bytes = 0;
  int64_t generation = -1;         // the log record that committed it (-1: nothing to commit)
  bool already_committed = false;  // the job id had committed before: nothing done
  int64_t spilled_runs = 0;
  std::vector<std::string> file_uris;
};

struct PartitionInfo {
  std::string id;
  std::string parent;                 // "" for the root
  std::vector<std::string> children;  // empty for a leaf
  std::string min_text, max_text;     // readable bounds ("" / "+inf" at the ends)
  int64_t files = 0, rows = 0;
};

struct TableStatus {
  std::string name;
  std::string uri;
  int64_t generation = -1;
  int64_t files = 0, rows = 0, bytes = 0;
  int64_t jobs = 0, intents = 0;
  std::vector<PartitionInfo> partitions;
  std::string schema_json;
};

// Compaction (Table::Compact): Sleeper's size-ratio strategy or a major compaction per
// partition; files of a split partition move to its leaves.  Each job merges its files (a
// streaming k-way merge: no re-sort, bounded memory) into one file per leaf and replaces their
// references by the output's in one log record.  A job is claimed first (a claim with a lease
// on the store, under ROOT/NAME/compaction/), so two workers never compact the same files; a job
// whose inputs another commit replaced first loses: its output is deleted (or, after a crash,
// left for GC) and no row is lost or doubled.
struct CompactOptions {
  bool major = false;    // every file of each partition, not just those the size ratio picks
  bool dry_run = false;  // plan and report the jobs; claim, write and commit nothing
  double ratio = 3;      // the size ratio (Sleeper's default)
  int max_files = 12;    // files per job (size ratio; Sleeper's batch size)
  int64_t max_jobs = 0;  // jobs to run (0: every job planned)
  // A claim's lease: renewed while the job runs; a crashed worker's job is free again after it.
  int64_t lease_ms = 60'000;
  // Called with rows merged so far, from the compacting thread.
  std::function<void(int64_t rows)> on_progress;
  // Polled between output batches; true stops the job with kCancelled, nothing committed.
  std::function<bool()> cancelled;
};

struct CompactionJobReport {
  std::string id;
  std::string partition;
  // "planned" (dry run), "committed", "lost" (another commit replaced an input first) or
  // "claimed" (another worker holds the job).
  std::string outcome;
  std::vector<std::string> inputs, outputs;  // paths under the table
  int64_t rows = 0, bytes_in = 0, bytes_out = 0;
  int64_t generation = -1;  // the record that committed it
  double seconds = 0;
};

struct CompactReport {
  bool dry_run = false;
  int64_t planned = 0, committed = 0, lost = 0, claimed = 0;
  int64_t rows = 0, files_in = 0, files_out = 0, bytes_in = 0, bytes_out = 0;
  double seconds = 0;
  std::vector<CompactionJobReport> jobs;

  // The report as one JSON object (the CLI's --json, the Python dict).
  std::string ToJson() const;
};

// Garbage collection (Table::CollectGarbage): deletes the data objects no file reference names
// (replaced by a compaction, or written by a writer that crashed or lost before its commit)
// once they are older than the grace period, counted from the replace for replaced files and
// from the object's time otherwise, so queries that started before still read them; and the
// claims of finished compaction jobs older than the grace period.  Afterwards every object under
// the table is referenced, state (log, claims of live jobs), or younger than the grace period.
struct GcOptions {
  int64_t grace_ms = 10 * 60'000;  // 10 min
  bool dry_run = false;            // list what would be deleted; delete nothing
};

struct GcReport {
  bool dry_run = false;
  std::vector<std::string> deleted;  // URIs (with dry_run: those that would be)
  int64_t bytes = 0;
  int64_t kept_young = 0;  // unreferenced objects not yet past the grace period
  int64_t claims_deleted = 0;
  int64_t generation = -1;  // the delete_files record (-1: none)

  std::string ToJson() const;
};

// Partition splitting (Table::Split): every leaf whose files hold more rows than the threshold
// splits at an estimate of its median row key (src/sorted/split_planner.h), each in one
// split_partition record.  The leaf's files keep their reference (to the partition, now internal)
// until a compaction moves their rows into the children, so a query returns every row once, and
// a write racing the split still commits its files (they too reference the old leaf).
struct SplitOptions {
  int64_t threshold = 0;  // rows (0: the table's, set at create; else 1,000,000,000)
  bool dry_run = false;   // plan and report; commit nothing
};

struct SplitJobReport {
  std::string partition;
  std::string split_text;  // the split key, readable
  // "planned" (dry run), "committed", or "lost" (another commit split the leaf first).
  std::string outcome;
  int64_t rows = 0, rows_left = 0, files = 0;
  int64_t generation = -1;
};

struct SplitReport {
  bool dry_run = false;
  int64_t threshold = 0;
  int64_t planned = 0, committed = 0, lost = 0;
  std::vector<SplitJobReport> jobs;
  // Leaves over the threshold not split, with why: "partition: reason".
  std::vector<std::string> skipped;

  std::string ToJson() const;
};

class SortedBatchWriter;

class Table {
 public:
  // Creates table `name` under `root` (a directory or s3://bucket/prefix) with one root leaf, or
  // with leaves split at `split_points` (values of the first row key field, any order).
  // AlreadyExists if the table exists.
  static Result<std::unique_ptr<Table>> Create(const std::string& root, const std::string& name,
                                               const TableSchema& schema,
                                               const std::vector<KeyValue>& split_points = {},
                                               const TableOptions& options = {});
  // NotFound if there is no such table.
  static Result<std::unique_ptr<Table>> Open(const std::string& root, const std::string& name,
                                             const TableOptions& options = {});
  static Result<std::vector<std::string>> ListTables(const std::string& root,
                                                     const TableOptions& options = {});
  // Deletes the table: its first record first (so it stops existing at once), then the rest.
  static Status Drop(const std::string& root, const std::string& name,
                     const TableOptions& options = {});

  ~Table();

  const TableSchema& schema() const;
  const std::string& name() const;
  std::string uri() const;

  // Writes rows (any column order; columns cast to the schema's types) as one sorted file per
  // leaf partition touched, committed in one log record.  Durable on return.  Null keys, missing
  // columns and values of the wrong type are InvalidArgument naming the row and field; nothing
  // is written then.
  Result<WriteReport> Write(const arrow::Table& rows, const WriteOptions& options = {});
  Result<WriteReport> Write(const arrow::RecordBatch& rows, const WriteOptions& options = {});
  // A writer that buffers, sorts and spills (bounded memory) and commits once at Close().
  Result<std::unique_ptr<SortedBatchWriter>> OpenBatchWriter(const WriteOptions& options = {});
  // Streams Parquet files (URIs, or directories/prefixes ending in '/': their *.parquet files)
  // through a batch writer; one commit.  A file of another schema is InvalidArgument naming the
  // file and the column.
  Result<WriteReport> IngestParquet(const std::vector<std::string>& uris,
                                    const WriteOptions& options = {});

  // Rows whose row key equals one of `keys` (each the first N >= 1 row key fields, in order), in
  // key order; rows with equal keys in commit order.
  Result<std::shared_ptr<arrow::Table>> ExactQuery(const std::vector<std::vector<KeyValue>>& keys);
  // Rows in any of the regions, in key order, each row once.
  Result<std::shared_ptr<arrow::Table>> RangeQuery(const std::vector<Region>& regions);
  // Every row, in key order.
  Result<std::shared_ptr<arrow::Table>> ReadAll();

  Result<TableStatus> Describe();

  // Plans and runs compaction jobs (see CompactOptions).
  Result<CompactReport> Compact(const CompactOptions& options = {});
  // Deletes unreferenced data objects past the grace period (see GcOptions).
  Result<GcReport> CollectGarbage(const GcOptions& options = {});
  // Splits the leaves over the threshold (see SplitOptions).
  Result<SplitReport> Split(const SplitOptions& options = {});

  struct Impl;
  explicit Table(std::unique_ptr<Impl> impl);
  Impl* impl() { return impl_.get(); }

 private:
  std::unique_ptr<Impl> impl_;
};

class SortedBatchWriter {
 public:
  virtual ~SortedBatchWriter() = default;  // aborts unless closed: nothing committed
  virtual Status Write(const arrow::RecordBatch& batch) = 0;
  virtual Status Write(const arrow::Table& rows) = 0;
  // Merges the runs, writes one sorted file per leaf partition touched, commits once.
  virtual Result<WriteReport> Close() = 0;
  // Drops the buffered and spilled rows; commits nothing.
  virtual Status Abort() = 0;
  virtual int64_t rows() const = 0;
};

}  // namespace lakepack::sorted
