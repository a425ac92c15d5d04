// arrow_stream.h: record batches across the Python boundary through the Arrow C stream interface.
//
// Out: a Stream wraps an arrow::RecordBatchReader and hands it to any consumer (pyarrow, polars,
// DuckDB) through `__arrow_c_stream__`, a PyCapsule named "arrow_array_stream".  In:
// ImportStream() takes any object with `__arrow_c_stream__` and imports its stream as an
// arrow::RecordBatchReader.  Both directions move buffer ownership, never copy buffers.
//
// Thread-safety: a Stream is consumed once, by one consumer; the Python-facing methods need the
// GIL (nanobind holds it for them).
#pragma once

#include <nanobind/nanobind.h>

#include <memory>

#include "arrow/record_batch.h"

namespace lakepack::py {

class Stream {
 public:
  explicit Stream(std::shared_ptr<arrow::RecordBatchReader> reader) : reader_(std::move(reader)) {}

  // Exports the reader into a new "arrow_array_stream" capsule; the Stream is then consumed.
  // `requested_schema` is accepted for the protocol but a cast is not offered (None expected).
  nanobind::object ArrowCStream(nanobind::object requested_schema);
  bool consumed() const { return reader_ == nullptr; }
  // The reader, leaving the Stream consumed (for passing to lakepack writers directly).
  std::shared_ptr<arrow::RecordBatchReader> Take();

 private:
  std::shared_ptr<arrow::RecordBatchReader> reader_;
};

// Imports `source.__arrow_c_stream__()`.  Raises TypeError if it has no such method.
// A lakepack Stream is taken directly (no export/import round trip).
std::shared_ptr<arrow::RecordBatchReader> ImportStream(nanobind::handle source);

void RegisterArrowStream(nanobind::module_& m);

}  // namespace lakepack::py
