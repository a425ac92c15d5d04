// `lakepack convert`: rewrite a data file in another format (ops/convert.h).
#include "ops/convert.h"

#include <cstdio>

#include "base/size.h"
#include "cli/run_job.h"
#include "cli/verbs.h"

namespace lakepack::cli {
namespace {

int RunConvert(const Args& args) {
  ops::ConvertOptions o;
  o.src = args.positional()[0];
  o.dst = args.positional()[1];
  o.in_format = args.Get("in-format");
  o.out_format = args.Get("out-format");
  o.schema = args.Get("schema");
  o.on_schema_mismatch = args.Get("on-schema-mismatch");
  o.compression = args.Get("compression");
  o.store = StoreOptionsFrom(args);
  auto dialect = CsvDialectFrom(args);
  if (!dialect.ok()) return Usage(args, dialect.status());
  o.csv = *dialect;
  if (args.Has("out-delimiter")) {
    const std::string v = args.Get("out-delimiter");
    if (v == "tab" || v == "\\t" || v == "\t") {
      o.out_delimiter = '\t';
    } else if (v.size() == 1) {
      o.out_delimiter = v[0];
    } else {
      return Usage(args, Status::InvalidArgument("--out-delimiter: one character (or tab), not '" +
                                                 v + "'"));
    }
  }
  auto batch_rows = args.GetInt("batch-rows", 0, 1);
  if (!batch_rows.ok()) return Usage(args, batch_rows.status());
  o.batch_rows = *batch_rows;
  if (args.Has("row-group-size")) {
    // "500000rows" counts rows; anything else is a byte size ("64MB").
    std::string v = args.Get("row-group-size");
    constexpr std::string_view kRows = "rows";
    Result<int64_t> n = Status::OK();
    if (v.size() > kRows.size() && v.compare(v.size() - kRows.size(), kRows.size(), kRows) == 0) {
      n = ParseCount(v.substr(0, v.size() - kRows.size()), 1);
      if (n.ok()) o.row_group_rows = *n;
    } else {
      n = ParseSize(v);
      if (n.ok()) o.row_group_bytes = *n;
    }
    if (!n.ok())
      return Usage(args, Status::InvalidArgument("--row-group-size: " + n.status().message()));
    if (o.row_group_rows <= 0 && o.row_group_bytes <= 0) {
      return Usage(args, Status::InvalidArgument("--row-group-size must be positive"));
    }
  }
  if (Status valid = o.Validate(); !valid.ok()) return Usage(args, valid);

  JobRun run(args, "convert", "rows");
  auto report = ops::Convert(o, run.context());
  if (!report.ok()) return run.Fail(report.status());
  const ops::ConvertReport& r = *report;
  char text[1024];
  std::snprintf(text, sizeof text,
                "converted %lld rows: %s (%s, %s) -> %s (%s, %s) in %.2f s, %.1f MB/s\n",
                static_cast<long long>(r.rows), r.src.c_str(), format::FormatName(r.in_format),
                FormatBytes(r.in_bytes).c_str(), r.dst.c_str(), format::FormatName(r.out_format),
                FormatBytes(r.bytes).c_str(), r.seconds,
                r.seconds > 0 ? static_cast<double>(r.in_bytes) / 1e6 / r.seconds : 0.0);
  return run.Succeed(r.ToJson(), text);
}

}  // namespace

const Verb kConvertVerb = {
    "convert",
    "IN OUT",
    "convert a data file between csv, jsonl and parquet (local paths or s3:// URIs)",
    "Streams IN batch by batch (bounded memory) into OUT, which names a file.  Formats come from\n"
    "the extensions (.csv, .tsv, .jsonl/.ndjson/.json, .parquet; any case) unless given.  A CSV or\n"
    "JSON Lines IN may be compressed: .gz or .zst after its extension (x.csv.gz), decompressed as\n"
    "it streams.  OUT appears only when complete: a failure or Ctrl-C leaves nothing.",
    WithOptions({{"in-format", "F", "csv, jsonl or parquet (default: from IN's extension)"},
     {"out-format", "F", "csv, jsonl or parquet (default: from OUT's extension)"},
     {"compression", "C",
      "Parquet codec: snappy, zstd, gzip, lz4, brotli or none (default snappy)"},
     {"schema", "FILE",
      "a lakepack JSON schema file fixing CSV/JSONL column types (default: "
      "inferred from the first block, 4 MiB)"},
     {"on-schema-mismatch", "fail|union|drop",
      "a later block whose columns differ from the first's: fail naming both (default), union "
      "(new columns appended, null before) or drop (extra columns dropped, missing null)"},
     {"row-group-size", "SIZE|Nrows",
      "Parquet row groups of about SIZE in-memory bytes (e.g. 64MB) "
      "or of N rows (e.g. 500000rows) (default 128MB)"},
     {"batch-rows", "N", "rows per batch read from Parquet (default 65536)"},
     {"out-delimiter", "C",
      "CSV output field separator: one character, or tab (default ',', a tab for .tsv names)"}},
                CsvDialectOptions()),
    2,
    2,
    RunConvert};

}  // namespace lakepack::cli
