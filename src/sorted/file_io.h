// file_io.h: a sorted table's data files — writing one sorted Parquet file, and reading the
// rows of given key ranges from one, with footers cached per process.
//
// Files: Parquet through Arrow's writer, zstd, row groups of TableOptions::row_group_rows and
// pages of page_rows rows, page index and column statistics on, plain string/binary types (no
// string_view), no dictionary on key columns.  DuckDB, polars and pyarrow read them and filter on
// their keys.
//
// Reading: row groups are chosen by the min/max statistics of the first row key column; in a
// chosen row group the rows of a range are found by binary search on the encoded key (rows are
// sorted).  Local files are read with pread; S3 objects with one ranged GET per row group (Arrow
// pre-buffering coalesces its columns), the footer once per process.
//
// Thread-safety: functions may be called from many threads; the footer cache is guarded.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "arrow/io/interfaces.h"
#include "arrow/record_batch.h"
#include "lakepack/sorted.h"
#include "lakepack/store.h"

namespace lakepack::sorted {

struct WrittenFile {
  int64_t rows = 0;
  int64_t bytes = 0;
  std::string min, max;  // encoded full keys of the first and last rows
};

// One sorted Parquet object written batch by batch (the compactor's output): row groups are
// flushed as they fill, so memory holds at most one row group.  The object appears at Finish();
// a writer destroyed before it leaves nothing.  Batches must be conformed, and sorted across
// calls.  Not thread-safe.
class SortedFileWriter {
 public:
  static Result<std::unique_ptr<SortedFileWriter>> Open(std::shared_ptr<ObjectStore> store,
                                                        const std::string& key,
                                                        const TableSchema& schema,
                                                        const TableOptions& options);
  ~SortedFileWriter();
  Status Write(const std::shared_ptr<arrow::RecordBatch>& batch);
  // Closes the object.  InvalidArgument when no row was written (nothing is left then).
  Result<WrittenFile> Finish();
  int64_t rows() const { return out_.rows; }

  struct State;
  explicit SortedFileWriter(std::unique_ptr<State> s);

 private:
  std::unique_ptr<State> s_;
  WrittenFile out_;
};

// Writes `rows` (sorted, conformed) as one Parquet object at `key` (a SortedFileWriter).
Result<WrittenFile> WriteSortedFile(std::shared_ptr<ObjectStore> store, const std::string& key,
                                    const TableSchema& schema,
                                    const std::vector<std::shared_ptr<arrow::RecordBatch>>& rows,
                                    const TableOptions& options);

// A key range over encoded full keys: [lo, hi), hi unset = +infinity.
struct KeyRange {
  std::string lo;
  std::optional<std::string> hi;
  // Optional extra test per row (multi-field regions); null = every row of the range.
  std::function<bool(const arrow::RecordBatch&, int64_t)> filter;
};

// The rows of the file that fall in any of `ranges` (each row once), in file order.
Result<std::vector<std::shared_ptr<arrow::RecordBatch>>> ReadRanges(
    std::shared_ptr<ObjectStore> store, const std::string& key, int64_t size,
    const TableSchema& schema, const std::vector<KeyRange>& ranges);

// A data file for reading: pread for local files, ranged GETs (no Head: `size` is known) else.
Result<std::shared_ptr<arrow::io::RandomAccessFile>> OpenDataFile(
    const std::shared_ptr<ObjectStore>& store, const std::string& key, int64_t size);

// Drops every cached footer (tests).
void ClearFooterCache();

}  // namespace lakepack::sorted
