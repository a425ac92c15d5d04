// export_reader.cc: see export_reader.h.
#include "lake/export_reader.h"

#include <cmath>

#include "arrow/array.h"
#include "arrow/compute/api.h"
#include "arrow/json/api.h"
#include "format/arrow_io.h"
#include "format/arrow_status.h"
#include "format/compressed_input.h"
#include "format/format.h"
#include "format/reader.h"

namespace lakepack::lake {
namespace {

// Applies UnwrapDynamoDb to every batch of `inner`.
class DynamoDbReader final : public arrow::RecordBatchReader {
 public:
  DynamoDbReader(std::shared_ptr<arrow::RecordBatchReader> inner, std::string source)
      : inner_(std::move(inner)), source_(std::move(source)) {}
  std::shared_ptr<arrow::Schema> schema() const override { return schema_ ? schema_ : inner_->schema(); }
  arrow::Status ReadNext(std::shared_ptr<arrow::RecordBatch>* out) override {
    std::shared_ptr<arrow::RecordBatch> b;
    ARROW_RETURN_NOT_OK(inner_->ReadNext(&b));
    if (!b) {
      *out = nullptr;
      return arrow::Status::OK();
    }
    auto r = UnwrapDynamoDb(b, source_);
    if (!r.ok()) return format::ToArrow(r.status());
    *out = *r;
    schema_ = (*out)->schema();
    return arrow::Status::OK();
  }

 private:
  std::shared_ptr<arrow::RecordBatchReader> inner_;
  std::string source_;
  std::shared_ptr<arrow::Schema> schema_;
};

// One DynamoDB attribute value column (a struct of type keys) as a plain column.
Result<std::shared_ptr<arrow::Array>> UnwrapValue(const std::shared_ptr<arrow::Array>& col,
                                                  const std::string& name, const std::string& source) {
  if (col->type_id() != arrow::Type::STRUCT) return col;
  const auto& st = static_cast<const arrow::StructArray&>(*col);
  const auto& type = static_cast<const arrow::StructType&>(*col->type());
  std::shared_ptr<arrow::Array> s, n, b;
  for (int i = 0; i < type.num_fields(); ++i) {
    const std::string& k = type.field(i)->name();
    if (k == "S") s = st.field(i);
    if (k == "N") n = st.field(i);
    if (k == "BOOL") b = st.field(i);
  }
  if (s && !n && !b) return s;
  if (b && !s && !n) return b;
  if (n && !s && !b) {
    if (n->type_id() != arrow::Type::STRING) {
      LP_ARROW_ASSIGN_OR_RETURN(auto t, arrow::compute::Cast(*n, arrow::utf8()), source);
      n = t;
    }
    auto as_int = arrow::compute::Cast(*n, arrow::int64());
    if (as_int.ok()) return *as_int;
    LP_ARROW_ASSIGN_OR_RETURN(auto d, arrow::compute::Cast(*n, arrow::float64()),
                              source + ": attribute '" + name + "' (N)");
    return d;
  }
  if (s || n || b) {
    // Mixed types across items: the text of whichever is set.
    std::vector<arrow::Datum> parts;
    for (auto& a : {s, n, b}) {
      if (!a) continue;
      LP_ARROW_ASSIGN_OR_RETURN(auto t, arrow::compute::Cast(*a, arrow::utf8()), source);
      parts.emplace_back(t);
    }
    LP_ARROW_ASSIGN_OR_RETURN(auto merged, arrow::compute::CallFunction("coalesce", parts), source);
    return merged.make_array();
  }
  return col;  // M, L, SS, NS, B, NULL-only: kept as the reader gave them
}

}  // namespace

Result<std::shared_ptr<arrow::RecordBatch>> UnwrapDynamoDb(const std::shared_ptr<arrow::RecordBatch>& batch,
                                                           const std::string& source) {
  auto item = batch->GetColumnByName("Item");
  if (!item || item->type_id() != arrow::Type::STRUCT) {
    return Status::InvalidData(source + ": not a DynamoDB JSON export (no \"Item\" object per line)");
  }
  const auto& st = static_cast<const arrow::StructArray&>(*item);
  const auto& type = static_cast<const arrow::StructType&>(*item->type());
  std::vector<std::shared_ptr<arrow::Field>> fields;
  std::vector<std::shared_ptr<arrow::Array>> cols;
  for (int i = 0; i < type.num_fields(); ++i) {
    LP_ARROW_ASSIGN_OR_RETURN(auto child, st.GetFlattenedField(i), source);
    LP_ASSIGN_OR_RETURN(auto v, UnwrapValue(child, type.field(i)->name(), source));
    fields.push_back(arrow::field(type.field(i)->name(), v->type()));
    cols.push_back(v);
  }
  return arrow::RecordBatch::Make(arrow::schema(fields), batch->num_rows(), cols);
}

Result<std::shared_ptr<arrow::RecordBatchReader>> OpenExportFile(std::shared_ptr<ObjectStore> store,
                                                                 const std::string& key,
                                                                 const std::string& uri,
                                                                 const std::string& input_format) {
  const bool dynamodb = input_format == "dynamodb";
  // The name's compression suffix (".gz", ".zst") is stripped by the format's detection and
  // decompressed by the one decompressing input of format/compressed_input.h.
  LP_ASSIGN_OR_RETURN(format::Format fmt,
                      format::ResolveFormat(uri, dynamodb ? "jsonl" : input_format));
  std::shared_ptr<arrow::RecordBatchReader> reader;
  if (dynamodb) {
    // Arrow's JSON reader: nested objects as structs (lakepack's reader is for flat lines).
    LP_ASSIGN_OR_RETURN(auto file, format::OpenDecodedInput(store, key,
                                                            format::InputCompressionOf(key)));
    LP_ARROW_ASSIGN_OR_RETURN(auto r,
                              arrow::json::StreamingReader::Make(file, arrow::json::ReadOptions::Defaults(),
                                                                 arrow::json::ParseOptions::Defaults()),
                              uri);
    reader = r;
  } else {
    format::ReadOptions ro;
    ro.display_name = uri;
    LP_ASSIGN_OR_RETURN(reader, format::OpenBatchReader(store, key, fmt, ro));
  }
  if (dynamodb) return std::shared_ptr<arrow::RecordBatchReader>(std::make_shared<DynamoDbReader>(reader, uri));
  return reader;
}

}  // namespace lakepack::lake
