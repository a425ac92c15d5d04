// `lakepack pack`: packs the files of a table into evenly and exactly sized output files (see
// pack/packer.h), with a summary (or --json) of the files written.
#include <cstdio>
#include <string>

#include "base/size.h"
#include "cli/run_job.h"
#include "cli/verbs.h"
#include "format/schema_policy.h"
#include "pack/packer.h"
#include "pack/report_json.h"

namespace lakepack::cli {
namespace {

int RunPack(const Args& args) {
  pack::PackOptions o;
  o.input_base = args.positional()[0];
  o.output_base = args.positional()[1];
  o.table = args.positional()[2];
  o.suffix = args.Get("suffix");
  auto limit = args.GetSize("file-limit", o.file_limit_bytes);
  if (!limit.ok()) return Usage(args, limit.status());
  o.file_limit_bytes = *limit;
  o.in_ext = args.Get("in-ext");
  if (args.Has("out-ext")) o.out_ext = args.Get("out-ext");
  for (const auto& p : args.GetAll("partition")) {
    auto kv = pack::ParsePartitionArg(p);
    if (!kv.ok()) return Usage(args, kv.status());
    o.partition.push_back(*kv);
  }
  o.input_partition_name = args.Get("input-partition-name");
  o.schema_file = args.Get("schema");
  o.cast_parquet = args.Has("cast-parquet");
  if (args.Has("on-schema-mismatch")) {
    auto policy = format::ParseSchemaMismatch(args.Get("on-schema-mismatch"));
    if (!policy.ok()) {
      return Usage(args, Status::InvalidArgument("--on-schema-mismatch: " + policy.status().message()));
    }
    o.on_schema_mismatch = *policy;
  }
  if (args.Has("append-mode")) {
    const std::string mode = args.Get("append-mode");
    if (mode != "rewrite-latest" && mode != "new-file") {
      return Usage(args, Status::InvalidArgument("--append-mode is rewrite-latest or new-file, not '" +
                                                 mode + "'"));
    }
    o.append_new_file = mode == "new-file";
  }
  o.dry_run = args.Has("dry-run");
  auto lock_timeout = args.GetSeconds("lock-timeout", o.lock_timeout_seconds);
  if (!lock_timeout.ok()) return Usage(args, lock_timeout.status());
  o.lock_timeout_seconds = *lock_timeout;
  auto wait = args.GetSeconds("wait", o.wait_seconds);
  if (!wait.ok()) return Usage(args, wait.status());
  o.wait_seconds = *wait;
  o.store = StoreOptionsFrom(args);
  auto dialect = CsvDialectFrom(args);
  if (!dialect.ok()) return Usage(args, dialect.status());
  o.csv = *dialect;
  if (Status valid = o.Validate(); !valid.ok()) return Usage(args, valid);

  JobRun run(args, o.dry_run ? "" : "pack");
  o.on_file = [&](const std::string&, int64_t, int64_t bytes) { run.progress().Add(bytes); };
  o.cancelled = [&] { return run.cancel().cancelled(); };
  auto report = pack::Pack(o);
  if (!report.ok()) return run.Fail(report.status());
  const pack::PackReport& r = *report;
  std::string text;
  if (o.dry_run) {
    text = "dry run: nothing written\n" + r.plan_text;
  } else {
    int64_t bytes = 0;
    for (const auto& f : r.files) {
      text +=
          f.uri + "  " + std::to_string(f.rows) + " rows  " + std::to_string(f.bytes) + " bytes\n";
      bytes += f.bytes;
    }
    double mbps = r.seconds > 0 ? r.input_bytes / 1e6 / r.seconds : 0;
    char line[1024];
    std::snprintf(
        line, sizeof line,
        "packed %zu input(s) (%s; %lld already packed) into %zu file(s) (%s, %lld rows)%s%s "
        "in %.2f s, %.1f MB/s\n",
        r.inputs.size(), FormatBytes(r.input_bytes).c_str(),
        static_cast<long long>(r.already_packed), r.files.size(), FormatBytes(bytes).c_str(),
        static_cast<long long>(r.rows), r.rewrote_latest ? ", rewrote the latest file" : "",
        r.recovered ? ", recovered a crashed run" : "", r.seconds, mbps);
    text += line;
  }
  return run.Succeed(pack::ReportToJson(r, o.dry_run), text);
}

}  // namespace

const Verb kPackVerb = {
    "pack",
    "INPUT_BASE OUTPUT_BASE TABLE",
    "pack a table's files into evenly, exactly sized files (idempotent, crash-safe)",
    "Packs the csv/tsv/jsonl/parquet files (any case; csv/tsv/jsonl also .gz or .zst) under INPUT_BASE/TABLE/ into OUTPUT_BASE/TABLE/[k=v/...]\n"
    "TABLE[_SUFFIX]_N.EXT of --file-limit bytes each (±2%), filling the latest file first.  "
    "Inputs\n"
    "already packed are skipped; a crashed run is recovered by the next; Ctrl-C puts the table\n"
    "back as it was before the run.  Every CSV input of a run is read with the same dialect.",
    WithOptions({{"suffix", "S", "output names TABLE_S_N.EXT (default: none, TABLE_N.EXT)"},
     {"file-limit", "SIZE", "bytes per output file, e.g. 256MB, 1GiB (default 256MB, decimal)"},
     {"in-ext", "E",
      "pack only inputs whose names end with E, e.g. csv (any case; csv also takes .csv.gz and "
      ".csv.zst) (default: every file of a known format; others are listed as skipped)"},
     {"out-ext", "E",
      "output extension and format: snappy.parquet, parquet, csv, jsonl "
      "(default snappy.parquet)"},
     {"partition", "k=v",
      "write into the hive partition k=v; repeat for nested partitions (default: none, the "
      "table's root)"},
     {"input-partition-name", "K",
      "report the distinct values of the input partition K (default: none)"},
     {"schema", "FILE",
      "a lakepack JSON schema file for the target schema (default: the latest "
      "file's, else the first input's)"},
     {"cast-parquet", nullptr, "cast Parquet inputs of another schema to the target schema"},
     {"on-schema-mismatch", "fail|union|drop",
      "an input whose columns differ from the target's: fail naming both (default), union "
      "(new columns appended, null where absent) or drop (extra columns dropped, missing null)"},
     {"append-mode", "rewrite-latest|new-file",
      "a latest file under the limit is rewritten with the new rows first (rewrite-latest, "
      "the default) or kept, the new rows starting the next file (new-file: no old bytes "
      "re-read)"},
     {"dry-run", nullptr, "plan and print what would be written; write nothing"},
     {"lock-timeout", "SECONDS",
      "a crashed packer on another host is presumed dead after this "
      "long; 30, 90s, 15m (default 15m)"},
     {"wait", "SECONDS",
      "wait up to this long for another packer of TABLE to finish (default 0: "
      "fail at once)"}},
                CsvDialectOptions()),
    3,
    3,
    RunPack};

}  // namespace lakepack::cli
