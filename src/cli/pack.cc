// `lakepack pack`: packs the files of a table into evenly and exactly sized output files (see
// pack/packer.h), with a summary (or --json) of the files written.
#include <cstdio>
#include <string>

#include "base/size.h"
#include "cli/run_job.h"
#include "cli/verbs.h"
#include "format/schema_policy.h"
#include "lakepack/pack_admin.h"
#include "pack/packer.h"
#include "pack/report_json.h"

namespace lakepack::cli {
namespace {

// --partition k=v (repeatable) into `partition`; false (after printing the usage error into *rc)
// when one is malformed.
bool ParsePartitions(const Args& args, pack::Partition* partition, int* rc) {
  for (const auto& p : args.GetAll("partition")) {
    auto kv = pack::ParsePartitionArg(p);
    if (!kv.ok()) {
      *rc = Usage(args, kv.status());
      return false;
    }
    partition->push_back(*kv);
  }
  return true;
}

// --status, --unlock, --gc: the table's pack state (lakepack/pack_admin.h).  Positionals:
// OUTPUT_BASE TABLE, or the pack command's own INPUT_BASE OUTPUT_BASE TABLE (INPUT_BASE unused).
int RunPackAdmin(const Args& args) {
  const int modes = args.Has("status") + args.Has("unlock") + args.Has("gc");
  if (modes > 1) {
    return Usage(args, Status::InvalidArgument("give one of --status, --unlock and --gc"));
  }
  const auto& pos = args.positional();
  pack::PackStateOptions o;
  o.output_base = pos[pos.size() - 2];
  o.table = pos.back();
  o.suffix = args.Get("suffix");
  if (args.Has("out-ext")) o.out_ext = args.Get("out-ext");
  int rc = 0;
  if (!ParsePartitions(args, &o.partition, &rc)) return rc;
  o.store = StoreOptionsFrom(args);
  if (Status valid = o.Validate(); !valid.ok()) return Usage(args, valid);
  JobRun run(args, "");
  if (args.Has("status")) {
    auto r = pack::PackStatus(o);
    if (!r.ok()) return run.Fail(r.status());
    return run.Succeed(r->ToJson(), r->ToText());
  }
  if (args.Has("unlock")) {
    pack::PackUnlockOptions u;
    u.confirmed = args.Has("yes");
    u.force = args.Has("force");
    auto r = pack::PackUnlock(o, u);
    if (!r.ok()) return run.Fail(r.status());
    return run.Succeed(r->ToJson(), r->message + "\n");
  }
  pack::PackGcOptions g;
  g.dry_run = args.Has("dry-run") || !args.Has("yes");
  auto r = pack::PackGc(o, g);
  if (!r.ok()) return run.Fail(r.status());
  return run.Succeed(r->ToJson(), r->ToText());
}

int RunPack(const Args& args) {
  if (args.Has("status") || args.Has("unlock") || args.Has("gc")) return RunPackAdmin(args);
  if (args.positional().size() != 3) {
    return Usage(args, Status::InvalidArgument(
                           "wrong number of arguments: INPUT_BASE OUTPUT_BASE TABLE (OUTPUT_BASE "
                           "TABLE only with --status, --unlock or --gc)"));
  }
  if (args.Has("yes")) {
    return Usage(args, Status::InvalidArgument("--yes goes with --unlock or --gc"));
  }
  pack::PackOptions o;
  o.input_base = args.positional()[0];
  o.output_base = args.positional()[1];
  o.table = args.positional()[2];
  o.suffix = args.Get("suffix");
  auto limit = args.GetSize("file-limit", o.file_limit_bytes);
  if (!limit.ok()) return Usage(args, limit.status());
  o.file_limit_bytes = *limit;
  o.force = args.Has("force");
  o.in_ext = args.Get("in-ext");
  if (args.Has("out-ext")) o.out_ext = args.Get("out-ext");
  int rc = 0;
  if (!ParsePartitions(args, &o.partition, &rc)) return rc;
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
    "back as it was before the run.  Every CSV input of a run is read with the same dialect.\n"
    "`lakepack pack OUTPUT_BASE TABLE --status | --unlock | --gc` shows and tidies the table's pack\n"
    "state (INPUT_BASE may be given too; it is unused).\n"
    "Exit codes: 0 done, 1 failed (nothing half-written is left visible), 2 usage error.",
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
     {"dry-run", nullptr,
      "plan and print what would be written; write nothing (with --gc: list only, the default)"},
     {"lock-timeout", "SECONDS",
      "a crashed packer on another host is presumed dead after this "
      "long; 30, 90s, 15m (default 15m)"},
     {"wait", "SECONDS",
      "wait up to this long for another packer of TABLE to finish (default 0: "
      "fail at once)"},
     {"force", nullptr,
      "accept a --file-limit under 1 MB; with --unlock, also release a live lock (default: "
      "off)"},
     {"status", nullptr,
      "show the pack state of OUTPUT_BASE TABLE (for this --partition, --suffix, --out-ext): "
      "generations, the lock and its owner, the last run's inputs and files; writes nothing"},
     {"unlock", nullptr,
      "release the lock of a crashed run so the next run recovers it now; shows the owner and "
      "needs --yes (a live lock also --force) (default: refuse)"},
     {"gc", nullptr,
      "remove old intents, leases and base copies no committed state needs; lists them only "
      "(dry run) unless --yes is given (default: dry run)"},
     {"yes", nullptr, "confirm --unlock or --gc (default: not confirmed)"}},
                CsvDialectOptions()),
    2,
    3,
    RunPack};

}  // namespace lakepack::cli
