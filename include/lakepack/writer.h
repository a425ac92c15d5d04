// lakepack/writer.h: writing record batches to an object as CSV, JSON Lines or Parquet.
//
// A BatchWriter streams batches into one object of a store.  The object appears only when Close()
// succeeds; Abort(), or destroying the writer before Close(), leaves nothing behind (the store's
// ObjectWriter is aborted: no partial file, no multipart upload).
//   Parquet: parquet::arrow::FileWriter, compression per WriteOptions (snappy by default), the
//            Arrow schema stored in the file, row groups cut by rows or by estimated bytes.
//   CSV:     lakepack's CsvWriter, Arrow's CSV text (header by default; null is an empty
//            field, "" is quoted).
//   JSONL:   lakepack's JsonlWriter (one JSON object per line).
//
// Thread-safety: a BatchWriter is used by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "arrow/record_batch.h"
#include "arrow/util/type_fwd.h"
#include "lakepack/format.h"
#include "lakepack/store.h"

namespace lakepack::format {

struct WriteOptions {
  // Parquet codec; unset means snappy.  Ignored by CSV and JSONL.
  std::optional<arrow::Compression::type> compression;
  // Parquet row groups: at most this many rows (0: no row limit) ...
  int64_t row_group_rows = 0;
  // ... and about this many bytes of in-memory (uncompressed) data.  128 MB keeps row groups
  // large enough for efficient scans while bounding the writer's memory (it buffers one group).
  int64_t row_group_bytes = 128 * 1000 * 1000;
  bool csv_header = true;
  // The CSV field separator (a tab for TSV); values holding it are quoted.
  char csv_delimiter = ',';
  // Parquet: encode a row group's columns in parallel on Arrow's CPU pool.  On 2 cores ~15-20%
  // less wall time for csv/jsonl -> parquet, for ~20-40 MB more peak memory (columns' pages in
  // flight at once).
  bool use_threads = true;
  // Passed to the store (S3 part size, put-if-absent).
  WriterOptions object;
};

class BatchWriter {
 public:
  virtual ~BatchWriter() = default;
  // REQUIRES: batch.schema() equals the schema the writer was opened with.
  virtual Status Write(const arrow::RecordBatch& batch) = 0;
  // Finishes the file and commits the object.
  virtual Result<ObjectInfo> Close() = 0;
  // Drops the object.  Idempotent; a no-op after a successful Close().
  virtual Status Abort() = 0;
  virtual int64_t rows_written() const = 0;
  // Bytes handed to the store so far (the object's size once Close() succeeded).  Format writers
  // buffer: Parquet holds the open row group, CSV and JSONL up to ~1 MB of text.
  virtual int64_t bytes_written() const = 0;
};

// Opens a writer for `key` with `schema`.  Fails early (InvalidArgument naming the column) for a
// schema the format cannot hold, e.g. nested columns in CSV.  REQUIRES: `store` and `schema` are
// not null.
Result<std::unique_ptr<BatchWriter>> OpenBatchWriter(std::shared_ptr<ObjectStore> store,
                                                     const std::string& key, Format format,
                                                     std::shared_ptr<arrow::Schema> schema,
                                                     const WriteOptions& options = {});

}  // namespace lakepack::format
