// rows.cc: see rows.h.
#include "sorted/rows.h"

#include <set>

#include "arrow/array.h"
#include "arrow/compute/api.h"
#include "arrow/compute/initialize.h"
#include "format/arrow_status.h"
#include "sorted/key_codec.h"

namespace lakepack::sorted {
namespace {

std::string RowText(int64_t row) { return "row " + std::to_string(row); }

// The first row whose single value fails to cast (for the error message), or -1.
int64_t FirstBadRow(const std::shared_ptr<arrow::Array>& col,
                    const std::shared_ptr<arrow::DataType>& type) {
  for (int64_t i = 0; i < col->length(); ++i) {
    auto r = arrow::compute::Cast(*col->Slice(i, 1), type);
    if (!r.ok()) return i;
  }
  return -1;
}

}  // namespace

Result<std::shared_ptr<arrow::RecordBatch>> Conform(const TableSchema& schema,
                                                     const arrow::RecordBatch& rows,
                                                     const std::string& what, int64_t first_row) {
  const auto& target = *schema.arrow_schema();
  for (int i = 0; i < rows.num_columns(); ++i) {
    if (target.GetFieldIndex(rows.schema()->field(i)->name()) < 0) {
      return Status::InvalidArgument(what + ": column '" + rows.schema()->field(i)->name() +
                                     "' is not in the table's schema");
    }
  }
  arrow::ArrayVector cols;
  for (int f = 0; f < target.num_fields(); ++f) {
    const auto& field = target.field(f);
    const bool key = f < schema.num_keys();
    int idx = rows.schema()->GetFieldIndex(field->name());
    std::shared_ptr<arrow::Array> col;
    if (idx < 0) {
      if (key) {
        return Status::InvalidArgument(what + ": key field '" + field->name() + "' is missing");
      }
      auto nulls = arrow::MakeArrayOfNull(field->type(), rows.num_rows());
      LP_ARROW_RETURN_NOT_OK(nulls.status(), what);
      col = *nulls;
    } else {
      col = rows.column(idx);
      if (!col->type()->Equals(*field->type())) {
        // A column of only nulls (pyarrow infers type null) becomes nulls of the field's type.
        auto cast = arrow::compute::Cast(*col, field->type());
        if (!cast.ok()) {
          int64_t bad = FirstBadRow(col, field->type());
          return Status::InvalidArgument(
              what + ": " + (bad >= 0 ? RowText(first_row + bad) + ", " : std::string()) +
              "field '" + field->name() + "': a " + col->type()->ToString() +
              " value where the schema has " + field->type()->ToString() + " (" +
              cast.status().message() + ")");
        }
        col = *cast;
      }
    }
    if (key && col->null_count() > 0) {
      int64_t bad = 0;
      while (bad < col->length() && !col->IsNull(bad)) ++bad;
      return Status::InvalidArgument(what + ": " + RowText(first_row + bad) + ", key field '" +
                                     field->name() + "' is null");
    }
    cols.push_back(std::move(col));
  }
  return arrow::RecordBatch::Make(schema.arrow_schema(), rows.num_rows(), std::move(cols));
}

Status CheckInputSchema(const TableSchema& schema, const arrow::Schema& input,
                        const std::string& file) {
  const auto& target = *schema.arrow_schema();
  for (const auto& f : input.fields()) {
    int t = target.GetFieldIndex(f->name());
    if (t < 0) {
      return Status::InvalidArgument(file + ": column '" + f->name() +
                                     "' is not in the table's schema");
    }
    const auto& want = target.field(t)->type();
    if (!f->type()->Equals(*want) && !arrow::compute::CanCast(*f->type(), *want)) {
      return Status::InvalidArgument(file + ": column '" + f->name() + "' is " +
                                     f->type()->ToString() + ", the table has " +
                                     want->ToString());
    }
    // Numbers and strings do not mix: only same-kind casts are accepted.
    auto kind = [](const arrow::DataType& d) {
      if (arrow::is_integer(d.id())) return 1;
      if (arrow::is_floating(d.id())) return 2;
      if (arrow::is_base_binary_like(d.id()) || arrow::is_binary_view_like(d.id())) return 3;
      return 4 + static_cast<int>(d.id());
    };
    if (!f->type()->Equals(*want) && kind(*f->type()) != kind(*want) &&
        !(kind(*f->type()) == 1 && kind(*want) == 2)) {
      return Status::InvalidArgument(file + ": column '" + f->name() + "' is " +
                                     f->type()->ToString() + ", the table has " +
                                     want->ToString());
    }
  }
  for (int k = 0; k < schema.num_keys(); ++k) {
    if (input.GetFieldIndex(target.field(k)->name()) < 0) {
      return Status::InvalidArgument(file + ": key column '" + target.field(k)->name() +
                                     "' is missing");
    }
  }
  return Status::OK();
}

std::string EncodeRow(const arrow::RecordBatch& batch, int fields, int64_t row) {
  std::string out;
  for (int f = 0; f < fields; ++f) AppendArrayValue(*batch.column(f), row, &out);
  return out;
}

Result<std::shared_ptr<arrow::RecordBatch>> SortBatch(
    const TableSchema& schema, const std::shared_ptr<arrow::RecordBatch>& batch) {
  // sort_indices lives in libarrow_compute, whose kernels register on Initialize().
  static const arrow::Status init = arrow::compute::Initialize();
  LP_ARROW_RETURN_NOT_OK(init, "arrow compute");
  std::vector<arrow::compute::SortKey> keys;
  for (int k = 0; k < schema.num_keys(); ++k) keys.emplace_back(schema.field_name(k));
  arrow::compute::SortOptions opts(keys);
  // Arrow's sort is stable and compares strings and binaries byte-wise, like the key codec.
  auto idx = arrow::compute::SortIndices(arrow::Datum(batch), opts);
  LP_ARROW_RETURN_NOT_OK(idx.status(), "sort");
  auto taken = arrow::compute::Take(arrow::Datum(batch), arrow::Datum(*idx));
  LP_ARROW_RETURN_NOT_OK(taken.status(), "sort");
  return taken->record_batch();
}

int64_t LowerBound(const arrow::RecordBatch& sorted, int fields, int64_t begin, int64_t end,
                   const std::string& key) {
  while (begin < end) {
    int64_t mid = begin + (end - begin) / 2;
    if (EncodeRow(sorted, fields, mid) < key) {
      begin = mid + 1;
    } else {
      end = mid;
    }
  }
  return begin;
}

KeyValue ValueAt(const arrow::Array& array, int64_t row) {
  switch (array.type_id()) {
    case arrow::Type::INT32:
      return static_cast<int64_t>(static_cast<const arrow::Int32Array&>(array).Value(row));
    case arrow::Type::INT64: return static_cast<const arrow::Int64Array&>(array).Value(row);
    default: return std::string(static_cast<const arrow::BinaryArray&>(array).GetView(row));
  }
}

}  // namespace lakepack::sorted
