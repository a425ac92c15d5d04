// lake/partition_spec.h: partition keys as expressions — a column, year(col), month(col),
// day(col) or bucket(n, col) — evaluated on record batches into hive partition paths.
//
// Names in the path: a column keeps its name; year/month/day(col) are "year", "month", "day";
// bucket(n, col) is "col_bucket".  Values: a column's value as text (null: Hive's
// __HIVE_DEFAULT_PARTITION__); year as a number, month and day with two digits ("01"), so that
// partitions sort as text; a bucket as 0..n-1 from a stable hash of the value.  A plain column
// used as a key is dropped from the written rows (its value is in the path), as dbsnaplake does;
// the source column of an expression stays.  Timestamps given as text are parsed (ISO 8601).
//
// Thread-safety: a PartitionSpec is immutable after Parse; Split is const.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "arrow/record_batch.h"
#include "lakepack/status.h"

namespace lakepack::lake {

struct PartitionKey {
  enum class Kind { kColumn, kYear, kMonth, kDay, kBucket };
  Kind kind = Kind::kColumn;
  std::string column;  // source column
  std::string name;    // name in the path
  int64_t buckets = 0;
};

// Rows of one batch that share a partition.
struct PartitionSlice {
  std::string path;  // "year=2021/month=01" ("" without keys)
  std::shared_ptr<arrow::RecordBatch> batch;
};

class PartitionSpec {
 public:
  // Parses "col", "year(ts)", "bucket(16, id)"...  InvalidArgument names the bad spec.
  static Result<PartitionSpec> Parse(const std::vector<std::string>& specs);

  const std::vector<PartitionKey>& keys() const { return keys_; }
  bool empty() const { return keys_.empty(); }
  // The written schema of `input` (plain key columns dropped).
  std::shared_ptr<arrow::Schema> OutputSchema(const arrow::Schema& input) const;
  // Checks that `schema` has every key's source column.
  Status Check(const arrow::Schema& schema, const std::string& source) const;
  // Splits `batch` into one slice per partition, in order of first appearance; the slices have
  // OutputSchema's columns.
  Result<std::vector<PartitionSlice>> Split(const std::shared_ptr<arrow::RecordBatch>& batch,
                                            const std::string& source) const;

 private:
  std::vector<PartitionKey> keys_;
};

// Order-independent checksum of rows: the wrapping sum of a 64-bit hash per row over the
// `columns` (all of them if empty).  Same values and types give the same sum in any order.
Result<uint64_t> KeyChecksum(const arrow::RecordBatch& batch, const std::vector<std::string>& columns);
std::string ChecksumHex(uint64_t sum);

}  // namespace lakepack::lake
