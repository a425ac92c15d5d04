// lakepack/block_writer.h: ParquetBlockWriter, one Parquet object written block by block with row
// groups of an enforced compressed size (the reference's PyArrowParquetBlockWriter, done right).
//
// Usage: Start(store, key, options) → WriteBlock(batch)… / WriteTable(table)… → Finish() → stats.
// The object streams straight into the store through an ObjectOutputStream (S3: a multipart upload
// with parallel parts; no local temp file) and becomes visible only when Finish() succeeds.
// Abort(), a failed write, or destroying the writer before Finish() leaves nothing behind (S3: the
// multipart upload is aborted).
//
// Row group size (the reference's block_size_mb, which it only logs) is enforced on the bytes
// actually written: blocks are accumulated, or split, so that every row group but the last holds
// about `row_group_bytes` of compressed Parquet data (within kRowGroupTolerance on steady data).
// How: incoming blocks are held (zero-copy) until their estimated compressed size reaches the
// target.  The estimate is (Arrow bytes) × (compressed bytes per Arrow byte); that ratio comes
// from the previous row group, measured exactly on the stream (each row group is closed, and its
// bytes counted, before the next is sized), and for the first row group from two in-memory
// calibration encodes of the first rows (see Calibrate(); this costs up to ~1.3 row groups of
// extra encoding once per file; the encoded bytes are only counted, not kept).  Memory: the Arrow
// data of one row group, plus one column chunk being encoded, plus the store's parts in flight
// (WriterOptions::part_size × max_parallel_parts on S3).
//
// Schema: the first block (or BlockWriterOptions::schema) fixes it, with its metadata (pandas
// keeps its index there).  Strings and binaries are written as plain string / binary whatever the
// block's flavour (large_string from pandas 3, string_view from polars, also as dictionary
// values), so blocks of one logical schema from different libraries mix.  A later block may order
// its columns differently (they are matched by name) and may mark a field nullable that the
// schema says is not null as long as that column holds no null.  Any other difference — a missing
// field, an extra field, a changed type — fails with InvalidArgument naming every differing field
// ("field amount: expected decimal128(12, 2), got double"); nothing of that block is written and
// the writer stays usable for conforming blocks.  Any other failure (the store, the encoder)
// poisons the writer: the object is aborted and every later call returns the same error.
//
// Thread-safety: a ParquetBlockWriter is used by one thread at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "arrow/record_batch.h"
#include "arrow/table.h"
#include "arrow/util/compression.h"
#include "lakepack/store.h"

namespace parquet::arrow {
class FileWriter;
}

namespace lakepack::format {

class ObjectOutputStream;

struct BlockWriterOptions {
  // Parquet codec: snappy (the reference's default), zstd, gzip, none (UNCOMPRESSED), lz4, brotli.
  arrow::Compression::type compression = arrow::Compression::SNAPPY;
  std::optional<int> compression_level;  // codec default when unset
  // Target compressed bytes per row group.  64 MB: large enough for efficient scans and S3
  // range reads, small enough that the writer's memory (one row group of Arrow data) stays modest.
  int64_t row_group_bytes = 64 * 1000 * 1000;
  // The schema, if known up front (else the first block fixes it).  With a schema, Finish() after
  // no block writes a valid file with no rows.
  std::shared_ptr<arrow::Schema> schema;
  // The store side: S3 part size and parts uploading in parallel, put-if-absent.
  WriterOptions object;
};

// What Finish() reports: the reference's statistics plus sizes and timings.
struct BlockWriterStats {
  std::string uri;
  std::string etag;
  std::string compression;  // "snappy", "zstd", ...
  int64_t rows = 0;
  int64_t blocks = 0;  // WriteBlock / WriteTable calls
  int64_t row_groups = 0;
  int64_t columns = 0;
  int64_t bytes = 0;               // the object's size as stored
  int64_t uncompressed_bytes = 0;  // column chunks' encoded size before the codec
  int64_t compressed_bytes = 0;    // column chunks' size after the codec (bytes minus footer)
  int64_t arrow_bytes = 0;         // in-memory Arrow size of the rows written
  double compression_ratio = 0;    // uncompressed_bytes / compressed_bytes (1.0 for none)
  std::vector<int64_t> row_group_rows;
  std::vector<int64_t> row_group_bytes;  // compressed bytes of each row group, from the footer
  std::vector<double> block_seconds;     // wall time of each WriteBlock / WriteTable call
  double total_seconds = 0;              // Start() to the end of Finish()

  double megabytes_per_second() const {
    return total_seconds > 0 ? static_cast<double>(bytes) / 1e6 / total_seconds : 0;
  }
};

class ParquetBlockWriter {
 public:
  // Every row group but the last lands within this fraction of row_group_bytes when the data's
  // compressibility is steady (tests check it); the first relies on a calibration sample.
  static constexpr double kRowGroupTolerance = 0.02;
  // Smallest accepted row_group_bytes: below this, page headers and per-column overhead dominate
  // and the size cannot be hit meaningfully.
  static constexpr int64_t kMinRowGroupBytes = 64 * 1024;
  // A calibration encode this close to the target is taken as the first row group's size.
  static constexpr double kCalibrationTolerance = 0.01;

  // Opens `key` for writing.  Fails with InvalidArgument for bad options.
  static Result<std::unique_ptr<ParquetBlockWriter>> Start(std::shared_ptr<ObjectStore> store,
                                                           const std::string& key,
                                                           BlockWriterOptions options = {});
  ~ParquetBlockWriter();  // aborts unless Finish() succeeded

  ParquetBlockWriter(const ParquetBlockWriter&) = delete;
  ParquetBlockWriter& operator=(const ParquetBlockWriter&) = delete;

  // Adds one block.  The writer keeps a zero-copy reference to the block's arrays until they are
  // written, so the caller may drop its batch at once.  REQUIRES: Finish()/Abort() not called.
  Status WriteBlock(const arrow::RecordBatch& block);
  // Adds a table as one block (its chunks in order).
  Status WriteTable(const arrow::Table& table);
  // Writes what is held, the footer, and commits the object.
  Result<BlockWriterStats> Finish();
  // Drops the object.  Idempotent; a no-op after a successful Finish().
  Status Abort();

  // The schema fixed so far (null before the first block when none was given).
  const std::shared_ptr<arrow::Schema>& schema() const { return schema_; }
  const std::string& uri() const { return uri_; }
  int64_t rows_accepted() const { return rows_; }

 private:
  struct Held {
    std::shared_ptr<arrow::RecordBatch> batch;
    int64_t arrow_bytes;
  };
  enum class RowGroupState { kNone, kOpenEmpty, kOpenFilled };

  ParquetBlockWriter(std::shared_ptr<ObjectOutputStream> stream, BlockWriterOptions options);

  Status Accept(const arrow::RecordBatch& block, int64_t block_index);
  Result<std::shared_ptr<arrow::RecordBatch>> Conform(const arrow::RecordBatch& block,
                                                      int64_t block_index) const;
  Status OpenFileWriter(std::shared_ptr<arrow::Schema> schema);
  // Writes row groups while the held data fills one; with `final`, writes all that is held.
  Status Drain(bool final);
  // Builds the size model for the first row group; sets *ready once it is built.
  Status Calibrate(bool* ready);
  // The first held rows, up to `max_bytes` of Arrow data (sets *bytes to what they hold).
  Result<std::vector<std::shared_ptr<arrow::RecordBatch>>> HeldPrefix(int64_t max_bytes,
                                                                      int64_t* bytes) const;
  // Compressed bytes of `batches` as one row group, encoded in memory.
  Result<int64_t> EncodedSize(
      const std::vector<std::shared_ptr<arrow::RecordBatch>>& batches) const;
  // Estimated compressed bytes of `arrow_bytes` of Arrow data as one row group.
  double Estimate(int64_t arrow_bytes) const { return fixed_ + ratio_ * arrow_bytes; }
  Status StartRowGroup();
  int64_t RowsForTarget() const;
  Status WriteRows(int64_t rows);
  // Aborts the object and remembers `st` for every later call.
  Status Poison(const Status& st);

  std::shared_ptr<ObjectOutputStream> stream_;
  BlockWriterOptions options_;
  std::string uri_;
  std::shared_ptr<arrow::Schema> schema_;
  std::unique_ptr<parquet::arrow::FileWriter> writer_;
  std::chrono::steady_clock::time_point started_;

  // Invariant: held_rows_ / held_bytes_ are the sums over held_.
  std::deque<Held> held_;
  int64_t held_rows_ = 0;
  int64_t held_bytes_ = 0;
  // The size model, compressed = fixed_ + ratio_ * arrow bytes: ratio_ is 0 until calibrated.
  double ratio_ = 0;
  double fixed_ = 0;
  bool calibrated_ = false;
  int64_t cal_arrow_ = 0;  // Arrow bytes of the first calibration sample
  int64_t cal_size_ = 0;   // its compressed size
  RowGroupState rg_state_ = RowGroupState::kNone;
  int64_t rg_start_ = 0;        // stream offset where the open row group began
  int64_t rg_arrow_bytes_ = 0;  // Arrow bytes written into the open row group

  int64_t rows_ = 0;
  int64_t arrow_bytes_ = 0;
  std::vector<double> block_seconds_;
  Status failed_;      // non-OK once poisoned
  bool done_ = false;  // finished or aborted
};

}  // namespace lakepack::format
