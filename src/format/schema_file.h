// schema_file.h: lakepack's JSON schema files, which fix the column types of CSV and JSON input.
//
//   {"columns": [{"name": "id", "type": "int64", "nullable": false},
//                {"name": "amount", "type": "decimal128(12,2)"},
//                {"name": "ts", "type": "timestamp[ms, tz=UTC]"},
//                {"name": "tags", "type": "list<string>"}]}
//
// Type names follow Arrow's spelling: bool, int8..int64, uint8..uint64, float16, float32 (float),
// float64 (double), string (utf8), large_string, binary, large_binary, date32, date64,
// time32[s|ms], time64[us|ns], timestamp[unit] / timestamp[unit, tz=ZONE] (also
// timestamp[unit, ZONE]), duration[unit], decimal128(p,s), decimal256(p,s), list<T>,
// large_list<T>, struct<name: T, ...>, null.  "nullable" defaults to true.
//
// Thread-safety: pure functions (LoadSchemaFile reads the store, which is thread-safe).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "arrow/type_fwd.h"
#include "lakepack/status.h"
#include "lakepack/store.h"

namespace lakepack::format {

// One type name, e.g. "decimal128(12,2)".  Errors say what is wrong with the name.
Result<std::shared_ptr<arrow::DataType>> ParseTypeName(std::string_view name);

// A schema document; errors are "<source>: line L: column #N ('name'): problem".
Result<std::shared_ptr<arrow::Schema>> ParseSchemaJson(std::string_view text,
                                                       const std::string& source);

// Reads and parses the schema file at `uri` (a path or s3:// URI).
Result<std::shared_ptr<arrow::Schema>> LoadSchemaFile(const std::string& uri,
                                                      const StoreOptions& options = {});

}  // namespace lakepack::format
