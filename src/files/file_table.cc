// file_table.cc: FileTable, its Arrow import, and the small shared pieces of files.h.
#include <unordered_set>

#include "arrow/api.h"
#include "lakepack/files.h"

namespace lakepack::files {

std::string FileTable::IdOf(int64_t row) const {
  return has_id ? ids[static_cast<size_t>(row)] : std::to_string(row);
}

namespace {

Status CheckName(const std::string& what, const std::string& name) {
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos ||
      name.find('\0') != std::string::npos) {
    return Status::InvalidArgument(what + " '" + name +
                                   "' cannot name a file (empty, '.', '..' or has '/')");
  }
  return Status::OK();
}

}  // namespace

Status FileTable::Validate() const {
  std::unordered_set<std::string> seen;
  for (const auto& c : columns) {
    LP_RETURN_NOT_OK(CheckName("file column", c));
    if (!seen.insert(c).second) return Status::InvalidArgument("file column '" + c + "' twice");
  }
  if (has_id && ids.size() != urls.size()) {
    return Status::InvalidArgument("the id column has " + std::to_string(ids.size()) +
                                   " values for " + std::to_string(urls.size()) + " rows");
  }
  for (size_t r = 0; r < urls.size(); ++r) {
    if (urls[r].size() != columns.size()) {
      return Status::InvalidArgument("row " + std::to_string(r) + " has " +
                                     std::to_string(urls[r].size()) + " files for " +
                                     std::to_string(columns.size()) + " file columns");
    }
  }
  return Status::OK();
}

// Ids name directories of into_path: one per row, each a valid file name.
Status ValidateIdsForWrite(const FileTable& table) {
  std::unordered_set<std::string> seen;
  for (int64_t r = 0; r < table.num_rows(); ++r) {
    const std::string id = table.IdOf(r);
    Status st = CheckName("id", id);
    if (!st.ok()) return Status::InvalidArgument("row " + std::to_string(r) + ": " + st.message());
    if (!seen.insert(id).second) {
      return Status::InvalidArgument("row " + std::to_string(r) + ": id '" + id +
                                     "' is used by an earlier row (outputs go to into_path/id/)");
    }
  }
  return Status::OK();
}

Result<FileTable> FileTableFromArrow(const arrow::Table& table, const std::string& id_column) {
  FileTable out;
  const int64_t rows = table.num_rows();
  out.urls.assign(static_cast<size_t>(rows), {});
  for (int c = 0; c < table.num_columns(); ++c) {
    const std::string& name = table.schema()->field(c)->name();
    const auto& column = table.column(c);
    if (name == id_column) {
      out.has_id = true;
      out.ids.reserve(static_cast<size_t>(rows));
      for (const auto& chunk : column->chunks()) {
        for (int64_t i = 0; i < chunk->length(); ++i) {
          if (chunk->IsNull(i)) {
            return Status::InvalidArgument("id column '" + id_column + "': null at row " +
                                           std::to_string(out.ids.size()));
          }
          auto scalar = chunk->GetScalar(i);
          if (!scalar.ok()) return Status::InvalidArgument(scalar.status().ToString());
          const auto& s = **scalar;
          if (s.type->id() == arrow::Type::STRING || s.type->id() == arrow::Type::LARGE_STRING) {
            out.ids.push_back(std::string(static_cast<const arrow::BaseBinaryScalar&>(s).view()));
          } else {
            out.ids.push_back(s.ToString());
          }
        }
      }
      continue;
    }
    const auto type = column->type()->id();
    if (type != arrow::Type::STRING && type != arrow::Type::LARGE_STRING &&
        type != arrow::Type::NA) {
      return Status::InvalidArgument("file column '" + name + "' holds " +
                                     column->type()->ToString() +
                                     "; file columns hold URLs or paths (strings)");
    }
    out.columns.push_back(name);
    int64_t r = 0;
    for (const auto& chunk : column->chunks()) {
      for (int64_t i = 0; i < chunk->length(); ++i, ++r) {
        std::string v;
        if (!chunk->IsNull(i)) {
          if (type == arrow::Type::STRING) {
            v = static_cast<const arrow::StringArray&>(*chunk).GetString(i);
          } else {
            v = static_cast<const arrow::LargeStringArray&>(*chunk).GetString(i);
          }
        }
        out.urls[static_cast<size_t>(r)].push_back(std::move(v));
      }
    }
  }
  LP_RETURN_NOT_OK(out.Validate());
  return out;
}

std::shared_ptr<arrow::Table> FileTableToArrow(const FileTable& table) {
  arrow::FieldVector fields;
  arrow::ArrayVector columns;
  for (size_t c = 0; c < table.columns.size(); ++c) {
    arrow::StringBuilder b;
    for (const auto& row : table.urls) {
      (void)(row[c].empty() ? b.AppendNull() : b.Append(row[c]));
    }
    fields.push_back(arrow::field(table.columns[c], arrow::utf8()));
    columns.push_back(b.Finish().ValueOr(nullptr));
  }
  if (table.has_id) {
    arrow::StringBuilder b;
    for (const auto& id : table.ids) (void)b.Append(id);
    fields.push_back(arrow::field("id", arrow::utf8(), false));
    columns.push_back(b.Finish().ValueOr(nullptr));
  }
  return arrow::Table::Make(arrow::schema(fields), columns, table.num_rows());
}

std::shared_ptr<arrow::Table> FailureTable(const FileTable& table,
                                           const std::vector<RowOutcome>& outcomes) {
  arrow::StringBuilder id, column, stage, error, code;
  arrow::Int64Builder row;
  arrow::Int32Builder attempts;
  for (size_t r = 0; r < outcomes.size(); ++r) {
    const RowOutcome& o = outcomes[r];
    if (o.ok) continue;
    (void)id.Append(table.IdOf(static_cast<int64_t>(r)));
    (void)row.Append(static_cast<int64_t>(r));
    (void)column.Append(o.column);
    (void)stage.Append(o.stage == Stage::kNone ? "fetch" : StageName(o.stage));
    (void)error.Append(o.error.message());
    (void)code.Append(StatusCodeName(o.error.code()));
    (void)attempts.Append(o.attempts);
  }
  auto schema =
      arrow::schema({arrow::field("id", arrow::utf8()), arrow::field("row", arrow::int64()),
                     arrow::field("column", arrow::utf8()), arrow::field("stage", arrow::utf8()),
                     arrow::field("error", arrow::utf8()), arrow::field("code", arrow::utf8()),
                     arrow::field("attempts", arrow::int32())});
  return arrow::Table::Make(schema,
                            {id.Finish().ValueOr(nullptr), row.Finish().ValueOr(nullptr),
                             column.Finish().ValueOr(nullptr), stage.Finish().ValueOr(nullptr),
                             error.Finish().ValueOr(nullptr), code.Finish().ValueOr(nullptr),
                             attempts.Finish().ValueOr(nullptr)});
}

const char* StageName(Stage stage) {
  switch (stage) {
    case Stage::kFetch:
      return "fetch";
    case Stage::kFn:
      return "fn";
    case Stage::kUpload:
      return "upload";
    case Stage::kNone:
      break;
  }
  return "";
}

RunSummary Summarize(const std::vector<RowOutcome>& outcomes) {
  RunSummary s;
  for (const auto& o : outcomes) {
    ++s.rows;
    (o.ok ? s.succeeded : s.failed) += 1;
    if (o.skipped) ++s.skipped;
    s.bytes += o.bytes;
  }
  return s;
}

Status FilesOptions::Validate() const {
  if (parallel_rows < 1) return Status::InvalidArgument("parallel_rows must be >= 1");
  if (parallel_files < 1) return Status::InvalidArgument("parallel_files must be >= 1");
  if (max_bytes_in_flight < 1) return Status::InvalidArgument("max_bytes_in_flight must be >= 1");
  if (max_attempts < 1) return Status::InvalidArgument("max_attempts must be >= 1");
  return Status::OK();
}

std::string OutputUri(const std::string& into_path, const std::string& id,
                      const std::string& name) {
  std::string out = into_path;
  if (!out.empty() && out.back() != '/') out += '/';
  return out + id + "/" + name;
}

}  // namespace lakepack::files
