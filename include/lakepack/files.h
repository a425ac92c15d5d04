// lakepack/files.h: tables of file URLs — fetch rows into directories, blob and size tables,
// write files to `into_path/id/name`, and per-row pipelines that account for every row.
//
// A FileTable has an optional id column and file columns named like files ("image.mha") whose
// values are URLs ("s3://bucket/key", "file:///abs/path") or local paths; "" means "no file".
// Every operation processes all rows and returns one RowOutcome per input row: a row either
// succeeded or failed at a named stage (fetch / fn / upload) with its error, the file column and
// the attempts made.  Operations fail as a whole (a non-OK Result) only for bad arguments or
// cancellation; per-row failures are outcomes, never dropped rows.
//
// Parallelism: rows run in parallel (`parallel_rows`), each row's files in parallel
// (`parallel_files`), and the bytes held in memory by transfers are bounded by
// `max_bytes_in_flight`.  Small objects are read with one GET (no HEAD first); large ones by
// parallel ranged reads.  Sizes are checked after every transfer; uploads to S3 carry
// Content-MD5 and the returned ETag is compared with the local MD5.  Transient errors
// (Unavailable) are retried per file up to `max_attempts` times.
//
// Stores are shared: one ObjectStore (one S3 connection pool) per bucket and options, per
// process, resolved again in each process from the AWS environment.
//
// Thread-safety: the functions are safe to call from many threads; callbacks (the pipeline's
// `fn`) are called from several threads at once.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "lakepack/status.h"
#include "lakepack/store.h"

namespace arrow {
class Table;
}

namespace lakepack::files {

struct FileTable {
  // File columns, each a file name (no '/', not "." or "..").
  std::vector<std::string> columns;
  // One per row; empty when the table has no id column (`has_id` false).
  std::vector<std::string> ids;
  bool has_id = false;
  // urls[row][column]; "" = no file in that cell.
  std::vector<std::vector<std::string>> urls;

  int64_t num_rows() const { return static_cast<int64_t>(urls.size()); }
  // The id of `row`, or its index as text when the table has no ids.
  std::string IdOf(int64_t row) const;
  // Column names valid, every row as wide as `columns`, ids present when has_id (non-empty,
  // unique, no "/" other than as a path inside into_path, not "." / "..").
  Status Validate() const;
};

// From an Arrow table: `id_column` (if present; any type, formatted as text) and every other
// column as a file column (string / large_string; nulls are "no file").
Result<FileTable> FileTableFromArrow(const arrow::Table& table,
                                     const std::string& id_column = "id");

// The table as Arrow: one utf8 column per file column ("" cells as nulls), then "id" (utf8)
// when the table has ids.
std::shared_ptr<arrow::Table> FileTableToArrow(const FileTable& table);

enum class Stage { kNone = 0, kFetch, kFn, kUpload };
const char* StageName(Stage stage);  // "", "fetch", "fn", "upload"

struct RowOutcome {
  bool ok = true;
  Stage stage = Stage::kNone;  // where it failed
  std::string column;          // the file column that failed ("" for the row as a whole)
  Status error;
  int attempts = 0;      // attempts of the failing (or, on success, the last) transfer
  int64_t bytes = 0;     // bytes transferred for the row
  bool skipped = false;  // pipeline: already done by an earlier run (resume)
};

// One row per failed input row: id (utf8), row (int64, position in the input), column, stage,
// error, code (utf8), attempts (int32).
std::shared_ptr<arrow::Table> FailureTable(const FileTable& table,
                                           const std::vector<RowOutcome>& outcomes);

struct RunSummary {
  int64_t rows = 0, succeeded = 0, failed = 0, skipped = 0;
  int64_t bytes = 0;
};
RunSummary Summarize(const std::vector<RowOutcome>& outcomes);

struct FilesOptions {
  StoreOptions store;
  // Rows in flight at once (they wait on I/O, not on CPU).
  int parallel_rows = 32;
  // Files of one row transferred at once.
  int parallel_files = 8;
  // Bytes held in memory by transfers at once (a transfer larger than this runs alone).
  int64_t max_bytes_in_flight = int64_t{512} << 20;
  // Attempts per file for transient errors, on top of the S3 client's own request retries.
  int max_attempts = 3;
  // Called (from worker threads) after each row finishes; for progress.  May be empty.
  std::function<void(int64_t row, const RowOutcome&)> on_row;
  // Polled between rows; true stops starting new rows (the rest fail with Cancelled).
  std::function<bool()> cancelled;

  Status Validate() const;
};

// ---- fetch -----------------------------------------------------------------------------------

// Fetches each row's files into dirs[row]/<column> (dirs must exist).  A file written is
// complete: it is written under a temp name and renamed when its size checked out.
// REQUIRES: dirs.size() == table.num_rows().
Result<std::vector<RowOutcome>> FetchToDirs(const FileTable& table,
                                            const std::vector<std::string>& dirs,
                                            const FilesOptions& options);

struct BlobTableResult {
  // One binary column per file column (null for "no file" and for failed rows), then "id"
  // when the input has ids.  Every input row, in order.
  std::shared_ptr<arrow::Table> table;
  std::vector<RowOutcome> outcomes;
};
Result<BlobTableResult> FetchBlobTable(const FileTable& table, const FilesOptions& options);

struct SizeTableResult {
  // One int64 column per file column (null for "no file" and failed cells), then "id".
  std::shared_ptr<arrow::Table> table;
  std::vector<RowOutcome> outcomes;
};
// Sizes from the store (HEAD per object; stat on local disk); nothing is downloaded.
Result<SizeTableResult> FetchSizeTable(const FileTable& table, const FilesOptions& options);

// ---- write -----------------------------------------------------------------------------------

// The destination of file `name` of row `id` under `into_path`: into_path/id/name.
std::string OutputUri(const std::string& into_path, const std::string& id, const std::string& name);

struct WriteResult {
  FileTable written;  // the same shape as the input, values the new locations ("" if failed)
  std::vector<RowOutcome> outcomes;
};
// Writes each row's files (local paths or URLs) to into_path/id/<column>.
Result<WriteResult> WriteFiles(const FileTable& table, const std::string& into_path,
                               const FilesOptions& options);

// ---- pipeline --------------------------------------------------------------------------------

// What a row's function produced: output name → local path (or URL) of the file.
using FnOutputs = std::vector<std::pair<std::string, std::string>>;
// Called once per row with fresh, empty directories: in_dir holds the row's files.
using RowFn = std::function<Result<FnOutputs>(int64_t row, const std::string& in_dir,
                                              const std::string& out_dir)>;

struct PipelineOptions {
  std::string into_path;  // required: outputs go to into_path/id/name
  // Parent of the per-row temp directories; "" = the system temp directory.
  std::string temp_dir;
  // Keep a manifest under into_path/_lakepack/ and skip rows a previous run finished.
  bool resume = true;
  // Rows running `fn` at once ( <= 0: parallel_rows ).
  int parallel_fn = 0;
};

struct PipelineResult {
  // Output columns (every name any row produced, first-seen order), values the uploaded
  // locations; one row per input row ("" where a row failed or lacked that output).
  FileTable outputs;
  std::vector<RowOutcome> outcomes;
  int64_t objects_written = 0;  // PUTs of outputs and manifest records by this run
};
Result<PipelineResult> RunPipeline(const FileTable& table, const RowFn& fn,
                                   const PipelineOptions& pipeline, const FilesOptions& options);

// The key prefix, relative to into_path, of the resume manifest: one record per finished row,
// `_lakepack/rows/<id, percent-encoded>.json`, written after all the row's outputs.
inline constexpr const char* kManifestDir = "_lakepack/rows/";

// Ids name directories of into_path: each must be a file name, used by one row only.
Status ValidateIdsForWrite(const FileTable& table);

}  // namespace lakepack::files
