// convert: rewrite a data file in another format (csv, jsonl, parquet), streaming batch by batch.
#include <chrono>
#include <cstdio>

#include "cli/verbs.h"
#include "format/arrow_status.h"
#include "format/format.h"
#include "format/reader.h"
#include "format/schema_file.h"
#include "format/writer.h"

namespace lakepack::cli {
namespace {

using format::Format;

struct Plan {
  StoreLocation in, out;
  Format in_format, out_format;
  format::ReadOptions read;
  format::WriteOptions write;
};

Result<Plan> MakePlan(const Args& args) {
  const std::string& in_uri = args.positional()[0];
  const std::string& out_uri = args.positional()[1];
  Plan p;
  StoreOptions store_options = StoreOptionsFrom(args);
  LP_ASSIGN_OR_RETURN(p.in_format, format::ResolveFormat(in_uri, args.Get("in-format")));
  LP_ASSIGN_OR_RETURN(p.out_format, format::ResolveFormat(out_uri, args.Get("out-format")));
  LP_ASSIGN_OR_RETURN(p.in, OpenStore(in_uri, store_options));
  LP_ASSIGN_OR_RETURN(p.out, OpenStore(out_uri, store_options));
  if (p.out.key.empty() || p.out.key.back() == '/') {
    return Status::InvalidArgument(out_uri + ": the output must name a file, not a directory");
  }
  p.read.display_name = in_uri;
  if (args.Has("schema")) {
    LP_ASSIGN_OR_RETURN(p.read.schema, format::LoadSchemaFile(args.Get("schema"), store_options));
    p.read.schema_source = "the schema file " + args.Get("schema");
  }
  if (args.Has("on-schema-mismatch")) {
    LP_ASSIGN_OR_RETURN(p.read.on_schema_mismatch,
                        format::ParseSchemaMismatch(args.Get("on-schema-mismatch")));
  }
  if (args.Has("batch-rows")) {
    try {
      p.read.batch_rows = std::stoll(args.Get("batch-rows"));
    } catch (...) {
      p.read.batch_rows = 0;
    }
    if (p.read.batch_rows <= 0) {
      return Status::InvalidArgument("--batch-rows: not a positive number: " +
                                     args.Get("batch-rows"));
    }
  }
  if (args.Has("compression")) {
    LP_ASSIGN_OR_RETURN(p.write.compression, format::ParseCompression(args.Get("compression")));
  }
  if (args.Has("row-group-size")) {
    // "500000rows" counts rows; anything else is a byte size ("64MB").
    std::string v = args.Get("row-group-size");
    constexpr std::string_view kRows = "rows";
    if (v.size() > kRows.size() && v.compare(v.size() - kRows.size(), kRows.size(), kRows) == 0) {
      LP_ASSIGN_OR_RETURN(p.write.row_group_rows, ParseSize(v.substr(0, v.size() - kRows.size())));
      p.write.row_group_bytes = 0;
    } else {
      LP_ASSIGN_OR_RETURN(p.write.row_group_bytes, ParseSize(v));
    }
    if (p.write.row_group_rows <= 0 && p.write.row_group_bytes <= 0) {
      return Status::InvalidArgument("--row-group-size must be positive");
    }
  }
  return p;
}

int RunConvert(const Args& args) {
  auto start = std::chrono::steady_clock::now();
  auto plan = MakePlan(args);
  if (!plan.ok()) return Fail(plan.status());
  Plan& p = *plan;
  auto reader = format::OpenBatchReader(p.in.store, p.in.key, p.in_format, p.read);
  if (!reader.ok()) return Fail(reader.status());
  auto writer =
      format::OpenBatchWriter(p.out.store, p.out.key, p.out_format, (*reader)->schema(), p.write);
  if (!writer.ok()) return Fail(writer.status());
  while (true) {
    std::shared_ptr<arrow::RecordBatch> batch;
    Status st = format::FromArrow((*reader)->ReadNext(&batch));
    if (st.ok() && batch) st = (*writer)->Write(*batch);
    if (!st.ok()) {
      (void)(*writer)->Abort();  // nothing of the output is left behind
      return Fail(st);
    }
    if (!batch) break;
  }
  auto info = (*writer)->Close();
  if (!info.ok()) return Fail(info.status());
  if (!args.Has("quiet")) {
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    int64_t in_bytes = 0;
    if (auto head = p.in.store->Head(p.in.key); head.ok()) in_bytes = head->size;
    std::printf("converted %lld rows: %s (%s, %s) -> %s (%s, %s) in %.2f s, %.1f MB/s\n",
                static_cast<long long>((*writer)->rows_written()), args.positional()[0].c_str(),
                format::FormatName(p.in_format), FormatBytes(in_bytes).c_str(),
                args.positional()[1].c_str(), format::FormatName(p.out_format),
                FormatBytes(info->size).c_str(), secs,
                secs > 0 ? static_cast<double>(in_bytes) / 1e6 / secs : 0.0);
  }
  return kExitOk;
}

}  // namespace

const Verb kConvertVerb = {
    "convert",
    "convert IN OUT [--in-format F] [--out-format F] [--compression C] [--schema FILE] "
    "[--on-schema-mismatch fail|union|drop] "
    "[--row-group-size SIZE|Nrows] [--batch-rows N]",
    "convert a data file between csv, jsonl and parquet (local paths or s3:// URIs)",
    {},
    {"in-format", "out-format", "compression", "schema", "on-schema-mismatch", "row-group-size",
     "batch-rows"},
    2,
    2,
    RunConvert};

}  // namespace lakepack::cli
