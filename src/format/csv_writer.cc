#include "format/csv_writer.h"

#include <cstring>

#include "arrow/array.h"
#include "arrow/compute/cast.h"
#include "arrow/compute/exec.h"
#include "arrow/type.h"
#include "format/arrow_status.h"
#include "format/memory_pool.h"
#include "format/timestamp_text.h"

namespace lakepack::format {
namespace {

// Text gathered before it goes to the sink: large enough that the sink sees few calls, small
// enough to stay well inside the memory one batch takes anyway.
constexpr size_t kFlushBytes = 1 << 20;
// Rows formatted per pass over the columns' text; bounds the text held for a slice of a batch.
constexpr int64_t kSliceRows = 16 * 1024;

bool IsStringLike(const arrow::DataType& t) {
  switch (t.id()) {
    case arrow::Type::STRING:
    case arrow::Type::LARGE_STRING:
    case arrow::Type::STRING_VIEW:
    case arrow::Type::BINARY:
    case arrow::Type::LARGE_BINARY:
    case arrow::Type::BINARY_VIEW:
    case arrow::Type::FIXED_SIZE_BINARY:
      return true;
    case arrow::Type::DICTIONARY:
      return IsStringLike(*static_cast<const arrow::DictionaryType&>(t).value_type());
    default:
      return false;
  }
}

// One column of a slice as text: offsets (32- or 64-bit) into `data`, and validity.
struct TextColumn {
  std::shared_ptr<arrow::Array> holder;  // keeps the buffers alive
  const uint8_t* data = nullptr;
  const int32_t* offsets32 = nullptr;
  const int64_t* offsets64 = nullptr;
  bool quoted = false;

  std::string_view Value(int64_t i) const {
    int64_t b = offsets32 ? offsets32[i] : offsets64[i];
    int64_t e = offsets32 ? offsets32[i + 1] : offsets64[i + 1];
    return {reinterpret_cast<const char*>(data) + b, static_cast<size_t>(e - b)};
  }
};

Result<TextColumn> ToText(const std::shared_ptr<arrow::Array>& column, bool quoted) {
  std::shared_ptr<arrow::Array> text = column;
  const auto id = column->type_id();
  if (id != arrow::Type::STRING && id != arrow::Type::LARGE_STRING) {
    if (IsUtcTimestamp(*column->type())) {
      LP_ASSIGN_OR_RETURN(text, UtcTimestampText(*column, StreamPool()));
    } else if (id == arrow::Type::DATE32) {
      LP_ASSIGN_OR_RETURN(text, Date32Text(*column, StreamPool()));
    } else {
      arrow::compute::ExecContext ctx(StreamPool());
      LP_ARROW_ASSIGN_OR_RETURN(
          text,
          arrow::compute::Cast(*column, arrow::utf8(), arrow::compute::CastOptions::Safe(), &ctx),
          "CSV text");
    }
  }
  TextColumn t;
  t.quoted = quoted;
  t.holder = text;
  if (text->type_id() == arrow::Type::STRING) {
    const auto& s = static_cast<const arrow::StringArray&>(*text);
    t.offsets32 = s.raw_value_offsets();
    t.data = s.raw_data();
  } else {
    const auto& s = static_cast<const arrow::LargeStringArray&>(*text);
    t.offsets64 = s.raw_value_offsets();
    t.data = s.raw_data();
  }
  return t;
}

void AppendQuoted(std::string& out, std::string_view v) {
  out.push_back('"');
  while (true) {
    const void* q = std::memchr(v.data(), '"', v.size());
    if (!q) break;
    size_t n = static_cast<const char*>(q) - v.data() + 1;
    out.append(v.data(), n);
    out.push_back('"');
    v.remove_prefix(n);
  }
  out.append(v);
  out.push_back('"');
}

}  // namespace

Result<std::unique_ptr<CsvWriter>> CsvWriter::Make(std::shared_ptr<arrow::io::OutputStream> sink,
                                                   std::shared_ptr<arrow::Schema> schema,
                                                   bool include_header, char delimiter) {
  if (delimiter == '"' || delimiter == '\n' || delimiter == '\r') {
    return Status::InvalidArgument("the CSV output delimiter cannot be a quote or a line break");
  }
  for (const auto& f : schema->fields()) {
    if (!IsStringLike(*f->type()) && !arrow::compute::CanCast(*f->type(), *arrow::utf8())) {
      return Status::InvalidArgument("column '" + f->name() + "' of type " + f->type()->ToString() +
                                     " has no CSV text");
    }
  }
  std::unique_ptr<CsvWriter> w(new CsvWriter(std::move(sink), std::move(schema), delimiter));
  if (include_header) LP_RETURN_NOT_OK(w->WriteHeader());
  return w;
}

Status CsvWriter::WriteHeader() {
  if (schema_->num_fields() == 0) return Status::OK();
  for (int i = 0; i < schema_->num_fields(); ++i) {
    if (i > 0) buffer_.push_back(delimiter_);
    AppendQuoted(buffer_, schema_->field(i)->name());
  }
  buffer_.push_back('\n');
  return Status::OK();
}

Status CsvWriter::Write(const arrow::RecordBatch& batch) {
  const int cols = batch.num_columns();
  if (cols == 0) return Status::OK();
  std::vector<TextColumn> text(cols);
  for (int64_t start = 0; start < batch.num_rows(); start += kSliceRows) {
    const int64_t rows = std::min(kSliceRows, batch.num_rows() - start);
    for (int c = 0; c < cols; ++c) {
      LP_ASSIGN_OR_RETURN(text[c], ToText(batch.column(c)->Slice(start, rows),
                                          IsStringLike(*batch.column(c)->type())));
    }
    for (int64_t r = 0; r < rows; ++r) {
      for (int c = 0; c < cols; ++c) {
        if (c > 0) buffer_.push_back(delimiter_);
        const auto& col = *text[c].holder;
        if (col.IsNull(r)) continue;
        std::string_view v = text[c].Value(r);  // raw_value_offsets() include the offset
        if (text[c].quoted || (delimiter_ != ',' && v.find(delimiter_) != v.npos)) {
          AppendQuoted(buffer_, v);
        } else {
          buffer_.append(v);
        }
      }
      buffer_.push_back('\n');
      if (buffer_.size() >= kFlushBytes) LP_RETURN_NOT_OK(Flush());
    }
  }
  return Status::OK();
}

Status CsvWriter::Flush() {
  if (buffer_.empty()) return Status::OK();
  LP_ARROW_RETURN_NOT_OK(sink_->Write(buffer_.data(), static_cast<int64_t>(buffer_.size())), "CSV");
  buffer_.clear();
  return Status::OK();
}

}  // namespace lakepack::format
