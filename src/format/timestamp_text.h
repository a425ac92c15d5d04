// timestamp_text.h: fast text for UTC timestamps (and dates), exactly as Arrow's cast to string
// writes it.
//
// Why: Arrow formats time-zone-aware timestamps through iostreams and the vendored date library,
// about 0.3-1 M values/s here, against ~25 M/s for zone-less ones: in a Parquet -> CSV convert
// of generated data that one cast was over half of the CPU.  UtcTimestampText produces the text
// Arrow's cast gives for timestamp[unit, tz=UTC] ("2021-07-21 02:09:43.416245Z" for microseconds;
// no fraction for seconds, 3 digits for ms, 9 for ns) many times faster.  Used by the CSV writer
// (csv_writer.h) and by `lakepack generate`.
//
// Thread-safety: pure functions; safe from any thread.
#pragma once

#include <memory>

#include "arrow/array.h"
#include "arrow/memory_pool.h"
#include "arrow/record_batch.h"
#include "lakepack/status.h"

namespace lakepack::format {

// True for the timestamps UtcTimestampText handles: any unit, zone "UTC".
bool IsUtcTimestamp(const arrow::DataType& type);

// The column as utf8 text (nulls stay null).  REQUIRES: IsUtcTimestamp(array.type()).
// Values outside years 0001..9999 fall back to Arrow's own cast (same text, slower).
Result<std::shared_ptr<arrow::Array>> UtcTimestampText(
    const arrow::Array& array, arrow::MemoryPool* pool = arrow::default_memory_pool());

// The date32 column as utf8 text, "YYYY-MM-DD" as Arrow's cast gives it (which formats dates
// through iostreams too, ~10x slower).  Nulls stay null; years outside 0001..9999 fall back to
// Arrow's cast.  REQUIRES: array.type() is date32.
Result<std::shared_ptr<arrow::Array>> Date32Text(
    const arrow::Array& array, arrow::MemoryPool* pool = arrow::default_memory_pool());

// `batch` with every IsUtcTimestamp column replaced by its text (same names, nullability);
// other columns are shared, not copied.
Result<std::shared_ptr<arrow::RecordBatch>> WithUtcTimestampsAsText(
    const std::shared_ptr<arrow::RecordBatch>& batch);
// The schema WithUtcTimestampsAsText gives for batches of `schema`.
std::shared_ptr<arrow::Schema> SchemaWithUtcTimestampsAsText(const arrow::Schema& schema);

}  // namespace lakepack::format
