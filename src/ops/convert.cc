#include "ops/convert.h"

#include <chrono>

#include "base/json.h"
#include "format/arrow_status.h"
#include "format/reader.h"
#include "format/schema_file.h"
#include "store/traffic.h"

namespace lakepack::ops {

Status ConvertOptions::Validate() const {
  if (src.empty()) return Status::InvalidArgument("convert: the input is empty");
  if (dst.empty()) return Status::InvalidArgument("convert: the output is empty");
  if (!compression.empty()) LP_RETURN_NOT_OK(format::ParseCompression(compression).status());
  if (!on_schema_mismatch.empty()) {
    LP_RETURN_NOT_OK(format::ParseSchemaMismatch(on_schema_mismatch).status());
  }
  if (batch_rows < 0) return Status::InvalidArgument("batch_rows must be positive");
  LP_RETURN_NOT_OK(csv.Validate());
  if (format::InputCompressionOf(dst) != format::InputCompression::kNone) {
    return Status::InvalidArgument(dst + ": lakepack does not compress its output files; name it "
                                   "without ." +
                                   std::string(dst.substr(dst.rfind('.') + 1)) +
                                   " (Parquet compresses its pages: --compression)");
  }
  if (out_delimiter && (*out_delimiter == '"' || *out_delimiter == '\n' || *out_delimiter == '\r')) {
    return Status::InvalidArgument("the CSV output delimiter cannot be a quote or a line break");
  }
  if (row_group_rows < 0 || row_group_bytes < 0) {
    return Status::InvalidArgument("the row group size must be positive");
  }
  return Status::OK();
}

std::string ConvertReport::ToJson() const {
  JsonWriter w;
  w.BeginObject();
  format::WriteFileReport(w, dst, out_format, rows, bytes, seconds);
  w.Key("src").String(src);
  w.Key("in_format").String(format::FormatName(in_format));
  w.Key("in_bytes").Int(in_bytes);
  WriteTrafficJson(w, stores);
  w.EndObject();
  return w.str();
}

Result<ObjectInfo> PumpAndClose(arrow::RecordBatchReader& reader, format::BatchWriter& writer,
                                const std::string& source, const JobContext& context,
                                const BatchTransform& transform) {
  auto run = [&]() -> Status {
    while (true) {
      LP_RETURN_NOT_OK(context.CheckCancelled("writing " + source));
      std::shared_ptr<arrow::RecordBatch> batch;
      LP_RETURN_NOT_OK(format::FromArrow(reader.ReadNext(&batch), source));
      if (!batch) return Status::OK();
      if (transform) {
        LP_ASSIGN_OR_RETURN(batch, transform(std::move(batch)));
      }
      LP_RETURN_NOT_OK(writer.Write(*batch));
      context.AddProgress(batch->num_rows());
    }
  };
  Status st = run();
  if (!st.ok()) {
    (void)writer.Abort();  // the failure is what the caller needs to see
    (void)reader.Close();
    return st;
  }
  return writer.Close();
}

Result<ConvertReport> Convert(const ConvertOptions& o, const JobContext& context) {
  const auto start = std::chrono::steady_clock::now();
  LP_RETURN_NOT_OK(o.Validate());
  ConvertReport report;
  const std::string& src_name = o.src_name.empty() ? o.src : o.src_name;
  report.src = src_name;
  report.dst = o.dst;
  LP_ASSIGN_OR_RETURN(report.in_format, format::ResolveFormat(o.src, o.in_format));
  LP_ASSIGN_OR_RETURN(report.out_format, format::ResolveFormat(o.dst, o.out_format));
  LP_ASSIGN_OR_RETURN(StoreLocation in, OpenStore(o.src, o.store));
  LP_ASSIGN_OR_RETURN(StoreLocation out, OpenStore(o.dst, o.store));
  TrafficMeter traffic;
  traffic.Watch(in.store);
  traffic.Watch(out.store);
  if (out.key.empty() || out.key.back() == '/') {
    return Status::InvalidArgument(o.dst + ": the output must name a file, not a directory");
  }
  format::ReadOptions ro;
  ro.display_name = src_name;
  ro.csv = o.csv;
  if (!o.schema.empty()) {
    LP_ASSIGN_OR_RETURN(ro.schema, format::LoadSchemaFile(o.schema, o.store));
    ro.schema_source = "the schema file " + o.schema;
  }
  if (!o.on_schema_mismatch.empty()) {
    LP_ASSIGN_OR_RETURN(ro.on_schema_mismatch, format::ParseSchemaMismatch(o.on_schema_mismatch));
  }
  if (o.batch_rows > 0) ro.batch_rows = o.batch_rows;
  format::WriteOptions wo;
  wo.csv_delimiter = o.out_delimiter.value_or(format::IsTsvName(o.dst) ? '\t' : ',');
  if (!o.compression.empty()) {
    LP_ASSIGN_OR_RETURN(wo.compression, format::ParseCompression(o.compression));
  }
  // A row limit replaces the byte default ("row groups of N rows" means exactly that); a byte
  // size given as well applies too.
  if (o.row_group_rows > 0) {
    wo.row_group_rows = o.row_group_rows;
    wo.row_group_bytes = 0;
  }
  if (o.row_group_bytes > 0) wo.row_group_bytes = o.row_group_bytes;
  LP_ASSIGN_OR_RETURN(auto reader, format::OpenBatchReader(in.store, in.key, report.in_format, ro));
  LP_ASSIGN_OR_RETURN(auto writer, format::OpenBatchWriter(out.store, out.key, report.out_format,
                                                           reader->schema(), wo));
  LP_ASSIGN_OR_RETURN(ObjectInfo info, PumpAndClose(*reader, *writer, src_name, context));
  report.rows = writer->rows_written();
  report.bytes = info.size;
  if (auto head = in.store->Head(in.key); head.ok()) report.in_bytes = head->size;
  report.stores = traffic.Read();
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace lakepack::ops
