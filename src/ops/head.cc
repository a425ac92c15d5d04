#include "lakepack/head.h"

#include <arrow/table.h>

#include "base/json.h"
#include "format/arrow_status.h"
#include "format/reader.h"
#include "format/writer.h"
#include "store/memory_store.h"

namespace lakepack::ops {

Status ReadObject(ObjectStore& store, const std::string& key, int64_t limit,
                  const std::function<Status(std::string_view)>& sink, const JobContext& context) {
  std::string buf(static_cast<size_t>(kReadChunk), '\0');
  LP_RETURN_NOT_OK(store.Head(key).status());  // a missing object is NotFound, not empty
  for (int64_t offset = 0; limit < 0 || offset < limit;) {
    LP_RETURN_NOT_OK(context.CheckCancelled("reading " + store.Uri(key)));
    const int64_t want = limit < 0 ? kReadChunk : std::min(kReadChunk, limit - offset);
    LP_ASSIGN_OR_RETURN(int64_t n, store.ReadRange(key, offset, want, buf.data()));
    if (n > 0) LP_RETURN_NOT_OK(sink(std::string_view(buf.data(), static_cast<size_t>(n))));
    context.AddProgress(n);
    offset += n;
    if (n < want) break;
  }
  return Status::OK();
}

Status HeadOptions::Validate() const {
  if (uri.empty()) return Status::InvalidArgument("head: the URI is empty");
  if (rows < 0) return Status::InvalidArgument("--rows must be >= 0, not " + std::to_string(rows));
  if (!format.empty()) LP_RETURN_NOT_OK(format::ParseFormat(format).status());
  return Status::OK();
}

std::string HeadReport::ToJson() const {
  JsonWriter w;
  w.BeginObject();
  w.Key("uri").String(uri);
  w.Key("format").String(format::FormatName(format));
  w.Key("rows").Int(rows);
  w.Key("columns").BeginArray();
  for (const auto& c : columns) w.String(c);
  w.EndArray();
  std::string out = w.str();  // the rows are JSON objects already: splice them in
  out += ", \"data\": [";
  size_t start = 0;
  bool first = true;
  while (start < jsonl.size()) {
    size_t end = jsonl.find('\n', start);
    if (end == std::string::npos) end = jsonl.size();
    if (end > start) {
      out += (first ? "" : ", ") + jsonl.substr(start, end - start);
      first = false;
    }
    start = end + 1;
  }
  return out + "]}";
}

namespace {

// `table` written by the format writer for `format` into memory; the object's text.
Result<std::string> Render(const arrow::Table& table, format::Format format) {
  auto mem = MemoryStore::Make();
  LP_ASSIGN_OR_RETURN(auto writer, format::OpenBatchWriter(mem, "head", format, table.schema()));
  arrow::TableBatchReader batches(table);
  while (true) {
    std::shared_ptr<arrow::RecordBatch> batch;
    LP_RETURN_NOT_OK(format::FromArrow(batches.ReadNext(&batch), "head"));
    if (!batch) break;
    if (Status st = writer->Write(*batch); !st.ok()) {
      (void)writer->Abort();
      return st;
    }
  }
  LP_RETURN_NOT_OK(writer->Close().status());
  return mem->Get("head");
}

}  // namespace

Result<HeadReport> HeadRows(const HeadOptions& options, const JobContext& context) {
  LP_RETURN_NOT_OK(options.Validate());
  HeadReport report;
  report.uri = options.uri;
  LP_ASSIGN_OR_RETURN(report.format, format::ResolveFormat(options.uri, options.format));
  LP_ASSIGN_OR_RETURN(StoreLocation loc, OpenStore(options.uri, options.store));
  format::ReadOptions ro;
  ro.display_name = options.uri;
  // A few rows need no more than one small batch of a Parquet row group.
  ro.batch_rows = std::max<int64_t>(options.rows, 1);
  LP_ASSIGN_OR_RETURN(auto reader, format::OpenBatchReader(loc.store, loc.key, report.format, ro));
  std::vector<std::shared_ptr<arrow::RecordBatch>> batches;
  int64_t have = 0;
  while (have < options.rows) {
    LP_RETURN_NOT_OK(context.CheckCancelled("head"));
    std::shared_ptr<arrow::RecordBatch> batch;
    LP_RETURN_NOT_OK(format::FromArrow(reader->ReadNext(&batch), options.uri));
    if (!batch) break;
    if (have + batch->num_rows() > options.rows) batch = batch->Slice(0, options.rows - have);
    have += batch->num_rows();
    batches.push_back(std::move(batch));
  }
  (void)reader->Close();
  report.rows = have;
  for (const auto& f : reader->schema()->fields()) report.columns.push_back(f->name());
  LP_ASSIGN_OR_RETURN(
      auto table,
      format::FromArrow(arrow::Table::FromRecordBatches(reader->schema(), batches), options.uri));
  LP_ASSIGN_OR_RETURN(report.csv, Render(*table, format::Format::kCsv));
  LP_ASSIGN_OR_RETURN(report.jsonl, Render(*table, format::Format::kJsonl));
  return report;
}

}  // namespace lakepack::ops
