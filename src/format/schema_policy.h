// schema_policy.h: what happens when an input's columns differ from the target schema — the one
// schema-evolution policy of pack and convert, the same for CSV, JSON Lines and Parquet inputs.
//
// Columns are matched by exact name ("ID" is not "id").  Under every policy a column whose type is
// Arrow `null` (all values null, e.g. an all-empty Parquet column, or a CSV / JSON Lines column
// with no value in the block types are inferred from) takes the other side's type: null widens
// to any type, losslessly.  Beyond that:
//   kFail  (the default) an input with a column the target lacks, or lacking one of the target's,
//          is an error naming the input, the columns, where the target came from, and the remedy;
//   kUnion an input's new columns are appended to the target (nullable, the input's type); rows
//          of inputs that lack a column hold null there;
//   kDrop  the target is kept: an input's extra columns are dropped, missing ones are null.
// Nothing is ever dropped or null-filled except under kDrop / kUnion, which the caller asked for.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "arrow/record_batch.h"
#include "lakepack/format.h"
#include "lakepack/status.h"

namespace lakepack::format {

// SchemaMismatch, ParseSchemaMismatch and SchemaMismatchName are public: lakepack/format.h.

// Folds `input` (an input's own columns, as its reader infers or stores them) into `*target`
// (non-null).  `input_name` names the input in errors, `target_source` says where the target came
// from ("the schema file x.json", "the latest output file t_3.csv", "the first input a.csv").
// kFail: InvalidData when the column names differ (either way).  Every policy: a target column of
// type null takes the input's type.  kUnion: the input's new columns are appended.
Status MergeSchema(const arrow::Schema& input, std::string_view input_name,
                   std::string_view target_source, SchemaMismatch policy,
                   std::shared_ptr<arrow::Schema>* target);

// The schema to read a CSV / JSON Lines input with when the target is `target`: the input's own
// columns in its order, each with the target's type when the target has the column with a type
// other than null, else the input's own type.  (So nothing of the input is projected away by the
// reader; ConformBatch then applies the policy.)
std::shared_ptr<arrow::Schema> ReadSchemaFor(const arrow::Schema& input,
                                             const arrow::Schema& target);

struct ConformOptions {
  SchemaMismatch policy = SchemaMismatch::kFail;
  // Cast a column whose type differs (other than from null) to the target's type; when false such
  // a column is InvalidArgument, with `cast_hint` appended to the message.
  bool allow_cast = true;
  std::string cast_hint;
  std::string name;       // the input, in errors
  int64_t first_row = 0;  // of `batch` in the input, in errors (0-based)
};

// `batch` with exactly `target`'s columns, in its order and with its types: a missing column is
// all null (kUnion / kDrop; kFail: InvalidData), an extra one is dropped (kDrop; otherwise
// InvalidData), a null-typed column becomes nulls of the target type, another type is cast (see
// ConformOptions::allow_cast; a value that does not cast is InvalidData naming the rows).
Result<std::shared_ptr<arrow::RecordBatch>> ConformBatch(
    const std::shared_ptr<arrow::RecordBatch>& batch, const std::shared_ptr<arrow::Schema>& target,
    const ConformOptions& options);

// "id, name" style list of `schema`'s columns with their types, on one line.
std::string DescribeColumns(const arrow::Schema& schema);

}  // namespace lakepack::format
