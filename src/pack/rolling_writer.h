// rolling_writer.h: writes a stream of record batches into a sequence of output objects, each
// cut at the size limit — the "exact sizes" of the pack job.
//
// Sizes are the bytes actually stored.  Every file but the last is within ±2% of the limit
// (kSizeTolerance) and none exceeds it by more than that:
//   - CSV / JSON Lines are byte-exact: each batch is serialized once, its row boundaries found
//     (JSON Lines: '\n'; CSV: '\n' outside double quotes, as Arrow quotes embedded newlines), and
//     a file is closed just before the first row that would take it past the limit (the CSV header
//     counts).  A single row larger than the limit gets a file of its own.
//   - Parquet (snappy unless told otherwise): row groups are written explicitly, one WriteTable per
//   row group.  After
//     each, the stream position gives the bytes written; compressed bytes per row are measured
//     (the first estimate comes from a small in-memory calibration file, which also measures the
//     footer's fixed and per-row-group bytes).  The next row group is sized to end the file at
//     kParquetAim of the limit, minus the footer; the file is closed once less than
//     kParquetCloseBelow of the limit remains.  So row groups shrink near the end of a file.
//     Row groups are bounded (kMaxRowGroupArrowBytes of Arrow data) so memory stays bounded.
// Files are opened lazily through a callback (the caller names them) and each is committed
// atomically by the store when closed; an unfinished file is aborted (nothing visible).
//
// Thread-safety: one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "arrow/record_batch.h"
#include "format/arrow_io.h"
#include "format/format.h"
#include "lakepack/status.h"

namespace lakepack::pack {

struct WrittenFile {
  int64_t index = 0;  // 0 for the first file of this writer
  std::string uri;
  int64_t rows = 0;
  int64_t bytes = 0;
  std::string etag;
  int64_t row_groups = 0;  // Parquet only
};

class RollingWriter {
 public:
  // Parquet: the footer is aimed to end at this fraction of the limit (leaves room for error).
  static constexpr double kParquetAim = 0.992;
  // Parquet: a file is closed once it holds this fraction of the limit (within the tolerance).
  static constexpr double kParquetCloseAt = 0.985;
  // Arrow bytes per row group at most: bounds memory (pending batches of one row group, and as
  // much again queued by the pack job's reader).  ~130k rows of typical tables, about DuckDB's
  // 122,880; 16 MB cost ~5% more CPU, 64 MB ~60 MB more peak memory for no speed.
  static constexpr int64_t kMaxRowGroupArrowBytes = 32LL << 20;

  using OpenFn = std::function<Result<std::shared_ptr<format::ObjectOutputStream>>(int64_t index)>;
  using ClosedFn = std::function<void(const WrittenFile&)>;

  // REQUIRES: limit > 0; every batch given to Write has `schema`'s fields.  `compression` is the
  // Parquet codec (ignored by CSV / JSON Lines).
  static Result<std::unique_ptr<RollingWriter>> Make(
      format::Format format, std::shared_ptr<arrow::Schema> schema, int64_t limit, OpenFn open,
      ClosedFn on_closed = {}, arrow::Compression::type compression = arrow::Compression::SNAPPY);
  // Aborts the open file (if any).
  virtual ~RollingWriter() = default;

  virtual Status Write(const std::shared_ptr<arrow::RecordBatch>& batch) = 0;
  // Closes the last file.  No file at all is written if no row was.
  virtual Status Finish() = 0;
  // Drops the open file: nothing of it becomes visible.  Files already closed stay.  Idempotent.
  virtual void Abort() = 0;
  // Arrow bytes of the rows given to Write but not yet encoded (Parquet: the pending row group;
  // CSV / JSON Lines: 0, they are written at once).
  virtual int64_t pending_bytes() const { return 0; }
  // Parquet: writes the pending rows as a row group now (a smaller one), so that a caller holding
  // many writers at once (lake's fan-out, one per partition) keeps them all under one memory
  // budget.  The file sizes keep their guarantee.  No-op when nothing is pending.
  virtual Status FlushPending() { return Status::OK(); }
  const std::vector<WrittenFile>& files() const { return files_; }
  // Changes the size limit from the next row group planned on (a file opened by the OpenFn
  // callback gets it at once).  Lake uses it to put a partition's short tail into its last file.
  // REQUIRES: limit > 0.
  void set_limit(int64_t limit) { limit_ = limit; }

 protected:
  RollingWriter(int64_t limit, OpenFn open, ClosedFn closed)
      : limit_(limit), open_(std::move(open)), closed_(std::move(closed)) {}
  // Commits `stream` and records the file.
  Status CloseStream(format::ObjectOutputStream& stream, int64_t rows, int64_t row_groups);

  int64_t limit_;
  OpenFn open_;
  ClosedFn closed_;
  std::vector<WrittenFile> files_;
};

// The end offset of every row in `text` (CSV body as Arrow writes it: rows end with '\n' outside
// double quotes).  Exposed for tests.
std::vector<int64_t> CsvRowEnds(std::string_view text);

}  // namespace lakepack::pack
