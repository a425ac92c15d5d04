// lakepack/data_generator.h: deterministic fake customer records as Arrow record batches.
//
// DataGenerator produces rows shaped like a small CRM export (names, e-mail, address, company,
// dates, money, flags, free-text notes); see Schema() for the exact columns.  It exists to feed
// benchmarks and tests of the writers and the packer with realistic, reproducible data at
// hundreds of MB/s.
//
// Determinism: batch `i` holds rows [i * batch_rows, (i + 1) * batch_rows), and its contents
// depend only on (seed, batch_rows, null_fraction, i): every column of every batch draws from
// its own PRNG stream keyed by (seed, i, column).  So batches can be made in any order, on any
// thread, and a data set is identical whatever the thread count.  A shortened batch (the last
// one of a data set) is a prefix of the full batch.
//
// Thread-safety: a DataGenerator is immutable after Make(); MakeBatch() is safe from any number
// of threads at once.
#pragma once

#include <cstdint>
#include <memory>

#include "arrow/record_batch.h"
#include "arrow/type.h"
#include "lakepack/status.h"

namespace lakepack::gen {

struct DataGeneratorOptions {
  uint64_t seed = 42;
  // Rows per batch.  Invariant: 1 <= batch_rows <= kMaxBatchRows.
  int64_t batch_rows = 64 * 1024;
  // Threads that make batches in a GeneratingReader; 0 means one per hardware thread.
  int threads = 0;
  // Batches a GeneratingReader may make ahead of its consumer; 0 means 2 * threads.
  int lookahead = 0;
  // Probability that a value of a nullable column (last_login, referrer_id, notes) is null.
  double null_fraction = 0.2;
};

class DataGenerator {
 public:
  // Bounds batch_rows so one batch's string data stays far below the 2 GiB that int32 offsets
  // can address (the widest column averages under 100 bytes a row).
  static constexpr int64_t kMaxBatchRows = int64_t{1} << 22;

  // Fails with InvalidArgument for out-of-range options.
  static Result<std::shared_ptr<DataGenerator>> Make(const DataGeneratorOptions& options);

  // The columns, in order:
  //   id int64 (row number from 0), first_name, last_name, email, phone, street_address, city,
  //   country, postcode, company, job, category (8 values) — all utf8, not null;
  //   signup_date date32 (2015..2024), last_login timestamp[us, UTC] (nullable, after signup),
  //   amount decimal128(12, 2) (>= 0), score float64 (0..100, two decimals), is_active bool,
  //   referrer_id int64 (nullable; an earlier id), notes utf8 (nullable free text).
  static std::shared_ptr<arrow::Schema> Schema();
  std::shared_ptr<arrow::Schema> schema() const { return schema_; }
  const DataGeneratorOptions& options() const { return options_; }

  // Batch `batch_index`: rows [batch_index * batch_rows, ...), batch_rows of them.
  // REQUIRES: batch_index >= 0.
  Result<std::shared_ptr<arrow::RecordBatch>> MakeBatch(int64_t batch_index) const {
    return MakeBatch(batch_index, options_.batch_rows);
  }
  // The first `num_rows` rows of batch `batch_index`.  REQUIRES: 0 <= num_rows <= batch_rows.
  Result<std::shared_ptr<arrow::RecordBatch>> MakeBatch(int64_t batch_index,
                                                        int64_t num_rows) const;

 private:
  explicit DataGenerator(const DataGeneratorOptions& options);

  DataGeneratorOptions options_;
  std::shared_ptr<arrow::Schema> schema_;
  uint64_t null_threshold_;  // Rng::Chance threshold for a null in a nullable column
};

}  // namespace lakepack::gen
