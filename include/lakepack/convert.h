// lakepack/convert.h: the convert job — one data file rewritten in another format (csv, jsonl,
// parquet), streaming batch by batch with bounded memory.  The one implementation behind
// `lakepack convert` and the Python `lakepack.convert()`; PumpAndClose is the loop every
// streaming write shares (convert, Python's write_batches).
//
// The output appears only when complete: a failure or a cancellation (checked between batches)
// aborts the writer, so nothing is left behind.  Progress counts rows written (the total is
// unknown until the input is read), so the caller sets Progress::unit to "rows".
//
// Thread-safety: Convert may run concurrently on different outputs.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "arrow/record_batch.h"
#include "lakepack/format.h"
#include "lakepack/job.h"
#include "lakepack/reader.h"
#include "lakepack/status.h"
#include "lakepack/store.h"
#include "lakepack/writer.h"

namespace lakepack::ops {

struct ConvertOptions {
  std::string src;         // a path or URI of a data file
  std::string src_name;    // how errors and the report name the input ("stdin"); "" means src
  std::string dst;         // a path or URI naming a file (not a directory)
  std::string in_format;   // csv, jsonl, parquet; "" means from src's extension
  std::string out_format;  // "" means from dst's extension
  std::string schema;      // a lakepack JSON schema file fixing CSV/JSONL types; "" infers
  // A later block or file whose columns differ from the first: "fail" (the default), "union"
  // (new columns appended, null before), "drop" (columns not in the first block dropped).
  std::string on_schema_mismatch;
  int64_t batch_rows = 0;   // rows per batch read (Parquet); 0 means the reader's default
  std::string compression;  // Parquet codec (snappy, zstd, gzip, lz4, brotli, none); "" snappy
  // Parquet row groups: row_group_rows > 0 caps the rows (and drops the default byte limit);
  // row_group_bytes > 0 caps the in-memory bytes.  Both 0: the writer's default (128 MB).
  int64_t row_group_rows = 0;
  int64_t row_group_bytes = 0;
  // How a CSV input is read (delimiter, header, quoting, null strings; a ".tsv" name means tabs).
  // A compressed input (".gz", ".zst" after the extension) is decompressed as it streams.
  format::CsvDialect csv;
  // The field separator of a CSV output; unset: a tab for a ".tsv" name, else ','.  An output is
  // never compressed: a dst named ".gz" or ".zst" is refused.
  std::optional<char> out_delimiter;
  StoreOptions store;

  // InvalidArgument naming the option (codec, negative numbers).  Formats are resolved by
  // Convert (a name without a known extension is the file's problem, not the options').
  Status Validate() const;
};

struct ConvertReport {
  std::string src, dst;
  format::Format in_format = format::Format::kCsv;
  format::Format out_format = format::Format::kParquet;
  int64_t rows = 0;
  int64_t in_bytes = 0;  // the input's size
  int64_t bytes = 0;     // the output's size
  double seconds = 0;
  std::vector<StoreTraffic> stores;  // the S3 stores' requests and bytes during the convert

  // {"uri": dst, "format": out, "rows", "bytes", "seconds", "src", "in_format", "in_bytes",
  //  "stores": [{"uri", "requests", "retries", "bytes_sent", "bytes_received"}]}
  std::string ToJson() const;
};

// Opens the stores, reads `src` and writes `dst`.  Bad options are InvalidArgument (Convert
// calls options.Validate() itself); a bad input is InvalidData naming the file and place.
// REQUIRES: `context`'s cancel token and progress (if set) outlive the call.
Result<ConvertReport> Convert(const ConvertOptions& options, const JobContext& context);

// Rewrites each batch before it is written (e.g. timestamps as CSV text); may be empty.
using BatchTransform =
    std::function<Result<std::shared_ptr<arrow::RecordBatch>>(std::shared_ptr<arrow::RecordBatch>)>;

// Writes every batch of `reader` into `writer` and closes (commits) it, checking `context`
// between batches and counting rows into its progress.  REQUIRES: `writer` is open (neither
// closed nor aborted) with the schema of the batches as `transform` returns them.  `source` names
// the input in errors.  On failure or cancellation the writer is aborted and the error returned.
Result<ObjectInfo> PumpAndClose(arrow::RecordBatchReader& reader, format::BatchWriter& writer,
                                const std::string& source, const JobContext& context,
                                const BatchTransform& transform = {});

}  // namespace lakepack::ops
