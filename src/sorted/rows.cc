// rows.cc: see rows.h.
#include "sorted/rows.h"

#include <algorithm>
#include <cstring>
#include <set>

#include "arrow/array.h"
#include "arrow/builder.h"
#include "arrow/compute/api.h"
#include "arrow/compute/initialize.h"
#include "base/tasks.h"
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
                                     f->type()->ToString() + ", the table has " + want->ToString());
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
                                     f->type()->ToString() + ", the table has " + want->ToString());
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

namespace {

// One key column's raw values, read without virtual calls in the sort's inner loop.
struct KeyColumn {
  arrow::Type::type id;
  const int32_t* i32 = nullptr;
  const int64_t* i64 = nullptr;
  const int32_t* offsets = nullptr;  // string / binary
  const uint8_t* data = nullptr;
};

// Whether every key column is one KeyPrefix and CompareKeys read (the table schema's key types;
// large_string / large_binary fall back to Arrow's sort).
bool ReadKeyColumns(const arrow::RecordBatch& batch, int fields, std::vector<KeyColumn>* out) {
  for (int f = 0; f < fields; ++f) {
    const arrow::Array& a = *batch.column(f);
    KeyColumn c{a.type_id()};
    switch (c.id) {
      case arrow::Type::INT32:
        c.i32 = static_cast<const arrow::Int32Array&>(a).raw_values();
        break;
      case arrow::Type::INT64:
        c.i64 = static_cast<const arrow::Int64Array&>(a).raw_values();
        break;
      case arrow::Type::STRING:
      case arrow::Type::BINARY: {
        const auto& b = static_cast<const arrow::BinaryArray&>(a);
        c.offsets = b.raw_value_offsets();
        c.data = b.raw_data();
        break;
      }
      default:
        return false;
    }
    out->push_back(c);
  }
  return true;
}

// The first 8 bytes of row r's encoded key (key_codec.h), zero-padded, as a big-endian integer.
// Wherever two rows' prefixes differ, their order is the keys' order; equal prefixes need
// CompareKeys.  (Zero padding keeps this true for encodings shorter than 8 bytes: 0 is the
// smallest byte.)
uint64_t KeyPrefix(const std::vector<KeyColumn>& cols, int64_t r) {
  uint8_t buf[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int n = 0;
  for (const KeyColumn& c : cols) {
    if (c.id == arrow::Type::INT32 || c.id == arrow::Type::INT64) {
      const int width = c.id == arrow::Type::INT32 ? 4 : 8;
      const uint64_t u = c.id == arrow::Type::INT32
                             ? static_cast<uint64_t>(static_cast<uint32_t>(c.i32[r]) ^ 0x80000000u)
                             : static_cast<uint64_t>(c.i64[r]) ^ 0x8000000000000000ull;
      for (int i = width - 1; i >= 0 && n < 8; --i) buf[n++] = static_cast<uint8_t>(u >> (8 * i));
    } else {
      const uint8_t* p = c.data + c.offsets[r];
      const int32_t len = c.offsets[r + 1] - c.offsets[r];
      for (int32_t i = 0; i < len && n < 8; ++i) {
        buf[n++] = p[i];
        if (p[i] == 0 && n < 8) buf[n++] = 0xff;  // the codec's escape of a 0x00 byte
      }
      if (n < 8) buf[n++] = 0;  // the terminator 0x00 0x00
      if (n < 8) buf[n++] = 0;
    }
    if (n == 8) break;
  }
  uint64_t v = 0;
  for (uint8_t b : buf) v = (v << 8) | b;
  return v;
}

// <0, 0, >0 as rows a and b compare field by field: the order of their encoded keys.
int CompareKeys(const std::vector<KeyColumn>& cols, int64_t a, int64_t b) {
  for (const KeyColumn& c : cols) {
    switch (c.id) {
      case arrow::Type::INT32:
        if (c.i32[a] != c.i32[b]) return c.i32[a] < c.i32[b] ? -1 : 1;
        break;
      case arrow::Type::INT64:
        if (c.i64[a] != c.i64[b]) return c.i64[a] < c.i64[b] ? -1 : 1;
        break;
      default: {
        const int32_t la = c.offsets[a + 1] - c.offsets[a], lb = c.offsets[b + 1] - c.offsets[b];
        const int m = std::memcmp(c.data + c.offsets[a], c.data + c.offsets[b],
                                  static_cast<size_t>(std::min(la, lb)));
        if (m != 0) return m;
        if (la != lb) return la < lb ? -1 : 1;
      }
    }
  }
  return 0;
}

struct SortEntry {
  uint64_t prefix;
  int64_t row;
};

// Rows in key order, ties in row order (a stable sort): sorted on the 8-byte prefixes, the full
// key compared only where prefixes tie.  Contiguous slices sort in parallel on the shared
// executor, then merge.  Arrow's SortIndices on the same batch compares every pair through
// memcmp in a merge sort: 3-5x the CPU (a profile of `table ingest` had it at 28%).
std::vector<SortEntry> SortedRows(const std::vector<KeyColumn>& cols, int64_t n) {
  std::vector<SortEntry> rows(static_cast<size_t>(n));
  auto less = [&cols](const SortEntry& x, const SortEntry& y) {
    if (x.prefix != y.prefix) return x.prefix < y.prefix;
    const int c = CompareKeys(cols, x.row, y.row);
    return c != 0 ? c < 0 : x.row < y.row;
  };
  // Slices of at least 64 Ki rows: below that the tasks cost more than they save.
  const int64_t slices = std::max<int64_t>(1, std::min<int64_t>(CpuCount(), n >> 16));
  std::vector<int64_t> bounds;
  for (int64_t s = 0; s <= slices; ++s) bounds.push_back(n * s / slices);
  TaskPolicy policy;
  policy.parallel = static_cast<int>(slices);
  (void)RunTasks(slices, policy, JobContext{}, [&](int64_t s) -> Status {
    for (int64_t r = bounds[s]; r < bounds[s + 1]; ++r) rows[r] = {KeyPrefix(cols, r), r};
    std::sort(rows.begin() + bounds[s], rows.begin() + bounds[s + 1], less);
    return Status::OK();
  });
  for (int64_t s = 1; s < slices; ++s) {
    std::inplace_merge(rows.begin(), rows.begin() + bounds[s], rows.begin() + bounds[s + 1], less);
  }
  return rows;
}

}  // namespace

Result<std::shared_ptr<arrow::RecordBatch>> SortBatch(
    const TableSchema& schema, const std::shared_ptr<arrow::RecordBatch>& batch) {
  // sort_indices and take live in libarrow_compute, whose kernels register on Initialize().
  static const arrow::Status init = arrow::compute::Initialize();
  LP_ARROW_RETURN_NOT_OK(init, "arrow compute");
  const int64_t n = batch->num_rows();
  std::vector<KeyColumn> cols;
  std::shared_ptr<arrow::Array> indices;
  if (ReadKeyColumns(*batch, schema.num_keys(), &cols)) {
    std::vector<SortEntry> sorted = SortedRows(cols, n);
    arrow::Int64Builder b;
    LP_ARROW_RETURN_NOT_OK(b.Reserve(n), "sort");
    for (const SortEntry& e : sorted) b.UnsafeAppend(e.row);
    LP_ARROW_RETURN_NOT_OK(b.Finish(&indices), "sort");
  } else {
    std::vector<arrow::compute::SortKey> keys;
    for (int k = 0; k < schema.num_keys(); ++k) keys.emplace_back(schema.field_name(k));
    arrow::compute::SortOptions opts(keys);
    // Arrow's sort is stable and compares strings and binaries byte-wise, like the key codec.
    auto idx = arrow::compute::SortIndices(arrow::Datum(batch), opts);
    LP_ARROW_RETURN_NOT_OK(idx.status(), "sort");
    indices = *idx;
  }
  // Each column taken on its own task: Take on a record batch goes column by column on one thread.
  std::vector<std::shared_ptr<arrow::Array>> columns(batch->num_columns());
  TaskPolicy policy;
  policy.parallel = CpuCount();
  TaskReport taken = RunTasks(batch->num_columns(), policy, JobContext{}, [&](int64_t c) -> Status {
    auto t = arrow::compute::Take(*batch->column(static_cast<int>(c)), *indices);
    LP_ARROW_RETURN_NOT_OK(t.status(), "sort");
    columns[c] = *t;
    return Status::OK();
  });
  LP_RETURN_NOT_OK(taken.FirstError("sort"));
  return arrow::RecordBatch::Make(batch->schema(), n, std::move(columns));
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
    case arrow::Type::INT64:
      return static_cast<const arrow::Int64Array&>(array).Value(row);
    default:
      return std::string(static_cast<const arrow::BinaryArray&>(array).GetView(row));
  }
}

}  // namespace lakepack::sorted
