// rows.h: rows in a sorted table's shape — conform input to the schema, encode keys, sort.
//
// Conform is the one gate every write passes: columns matched by name (any order), cast to the
// schema's types, value columns that are missing become nulls; a missing key column, an extra
// column, a null key or a value that does not cast is InvalidArgument naming the row (0-based,
// counting from `first_row`) and the field.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "arrow/record_batch.h"
#include "arrow/table.h"
#include "lakepack/sorted.h"

namespace lakepack::sorted {

// `rows` as a batch of exactly schema.arrow_schema().  `what` names the input in errors
// ("write", a file's URI).
Result<std::shared_ptr<arrow::RecordBatch>> Conform(const TableSchema& schema,
                                                     const arrow::RecordBatch& rows,
                                                     const std::string& what, int64_t first_row);

// Checks that a file's schema can feed the table (every key column present, every column known,
// types castable); InvalidArgument names the file and the column.
Status CheckInputSchema(const TableSchema& schema, const arrow::Schema& input,
                        const std::string& file);

// The encoded key of row `row`: the first `fields` key fields (row keys then sort keys).
std::string EncodeRow(const arrow::RecordBatch& batch, int fields, int64_t row);

// `batch` sorted by (row key, sort key); stable, so equal keys keep their order.
Result<std::shared_ptr<arrow::RecordBatch>> SortBatch(const TableSchema& schema,
                                                      const std::shared_ptr<arrow::RecordBatch>& batch);

// The first row in [begin, end) of a sorted batch whose full key is >= key.
int64_t LowerBound(const arrow::RecordBatch& sorted, int fields, int64_t begin, int64_t end,
                   const std::string& key);

// One row key value of `batch` as a KeyValue.
KeyValue ValueAt(const arrow::Array& array, int64_t row);

}  // namespace lakepack::sorted
