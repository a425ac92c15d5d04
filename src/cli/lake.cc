// lake.cc: `lakepack lake plan|stage|compact|validate|run|status|manifest` — the snapshot-to-lake
// job (lakepack/lake.h).  The project comes from a JSON file (--project, keys named as
// dbsnaplake's Project parameters) and/or flags (flags win).
#include <algorithm>
#include <charconv>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "base/json.h"
#include "base/size.h"
#include "cli/run_job.h"
#include "cli/verbs.h"
#include "lakepack/lake.h"

namespace lakepack::cli {
namespace {

Status LoadProjectFile(const std::string& path, lake::ProjectOptions* o) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("project file " + path + " cannot be read");
  std::stringstream ss;
  ss << in.rdbuf();
  auto j = ParseJson(ss.str());
  if (!j.ok()) return Status::InvalidArgument(path + ": " + j.status().message());
  if (j->kind != JsonValue::Kind::kObject)
    return Status::InvalidArgument(path + ": not a JSON object");
  for (const auto& [k, v] : j->object) {
    auto str = [&]() -> Result<std::string> {
      if (v.kind != JsonValue::Kind::kString) {
        return Status::InvalidArgument(path + ": line " + std::to_string(v.line) + ": '" + k +
                                       "' must be a string");
      }
      return v.string;
    };
    auto num = [&]() -> Result<int64_t> {
      if (v.kind == JsonValue::Kind::kNumber) {
        double d = 0;
        auto [end, ec] = std::from_chars(v.string.data(), v.string.data() + v.string.size(), d);
        if (ec != std::errc() || end != v.string.data() + v.string.size() || !(d >= 0) ||
            d > 9e18) {
          return Status::InvalidArgument(path + ": line " + std::to_string(v.line) + ": '" + k +
                                         "' is not a size: " + v.string);
        }
        return static_cast<int64_t>(d);
      }
      if (v.kind == JsonValue::Kind::kString) return ParseSize(v.string);
      return Status::InvalidArgument(path + ": line " + std::to_string(v.line) + ": '" + k +
                                     "' must be a number");
    };
    auto strs = [&]() -> Result<std::vector<std::string>> {
      std::vector<std::string> out;
      if (v.kind == JsonValue::Kind::kNull) return out;
      if (v.kind == JsonValue::Kind::kString) return std::vector<std::string>{v.string};
      if (v.kind != JsonValue::Kind::kArray) {
        return Status::InvalidArgument(path + ": line " + std::to_string(v.line) + ": '" + k +
                                       "' must be a list");
      }
      for (const auto& e : v.array) out.push_back(e.string);
      return out;
    };
    if (k == "s3uri_db_snapshot_manifest_summary") {
      LP_ASSIGN_OR_RETURN(o->s3uri_db_snapshot_manifest_summary, str());
    } else if (k == "s3uri_staging") {
      LP_ASSIGN_OR_RETURN(o->s3uri_staging, str());
    } else if (k == "s3uri_datalake") {
      LP_ASSIGN_OR_RETURN(o->s3uri_datalake, str());
    } else if (k == "target_db_snapshot_file_group_size") {
      LP_ASSIGN_OR_RETURN(o->target_db_snapshot_file_group_size, num());
    } else if (k == "target_parquet_file_size") {
      LP_ASSIGN_OR_RETURN(o->target_parquet_file_size, num());
    } else if (k == "partition_keys") {
      LP_ASSIGN_OR_RETURN(o->partition_keys, strs());
    } else if (k == "sort_by") {
      LP_ASSIGN_OR_RETURN(o->sort_by, strs());
    } else if (k == "key_columns") {
      LP_ASSIGN_OR_RETURN(o->key_columns, strs());
    } else if (k == "descending") {
      o->descending.clear();
      if (v.kind == JsonValue::Kind::kBool) o->descending.push_back(v.boolean);
      for (const auto& e : v.array) o->descending.push_back(e.boolean);
    } else if (k == "create_datalake") {
      o->create_datalake = v.kind != JsonValue::Kind::kBool || v.boolean;
    } else if (k == "input_format") {
      LP_ASSIGN_OR_RETURN(o->input_format, str());
    } else if (k == "parallel") {
      LP_ASSIGN_OR_RETURN(int64_t n, num());
      o->parallel = static_cast<int>(n);
    }
    // Other keys (s3_client, tracker_table_name, aws_region, use_case_id, polars_writer,
    // gzip_compression, count_column) belong to the reference's AWS set-up: accepted, ignored.
  }
  return Status::OK();
}

void PrintStep(const char* name, const lake::StepReport& r, bool json, bool quiet) {
  if (json) {
    JsonWriter w;
    w.BeginObject().Key("step").String(name).Key("groups").Int(r.groups);
    w.Key("processed").Int(r.processed).Key("already_done").Int(r.already_done);
    w.Key("busy").Int(r.busy).Key("rows").Int(r.rows).Key("bytes").Int(r.bytes);
    w.Key("files").Int(r.files).EndObject();
    std::printf("%s\n", w.str().c_str());
    return;
  }
  if (quiet) return;
  std::printf(
      "%s: %lld groups, %lld done now, %lld done before, %lld busy; %lld rows, %lld files, %s\n",
      name, (long long)r.groups, (long long)r.processed, (long long)r.already_done,
      (long long)r.busy, (long long)r.rows, (long long)r.files, FormatBytes(r.bytes).c_str());
}

void PrintValidate(const lake::ValidateReport& v, bool json, bool quiet) {
  if (json) {
    std::printf("%s\n", v.ToJson().c_str());
    return;
  }
  if (quiet) return;
  std::printf("validated: %lld rows in %lld partitions, %lld files, %s; committed %s\n",
              (long long)v.after_total_n_record, (long long)v.n_partition,
              (long long)v.after_n_files, FormatBytes(v.after_total_size).c_str(),
              v.commit_uri.c_str());
}

int RunLake(const Args& args) {
  const std::string sub = args.positional()[0];
  static const char* const kSteps[] = {"plan",     "stage", "compact", "validate",
                                       "run",      "status", "manifest"};
  if (std::find(std::begin(kSteps), std::end(kSteps), sub) == std::end(kSteps)) {
    return Usage(args, Status::InvalidArgument(
                           "unknown lake step '" + sub +
                           "' (plan, stage, compact, validate, run, status, manifest)"));
  }
  const bool json = args.Has("json");
  if (sub == "manifest") {
    if (args.positional().size() != 2)
      return Usage(args, Status::InvalidArgument("lake manifest takes one PREFIX"));
    std::string prefix = args.positional()[1];
    if (!prefix.empty() && prefix.back() != '/') prefix += '/';
    std::string summary = args.Get("summary", prefix + "manifests/manifest-summary.json");
    std::string data = args.Get("data", prefix + "manifests/manifest-data.parquet");
    auto n = lake::BuildSnapshotManifest(prefix, summary, data, !args.Has("no-count-rows"),
                                         StoreOptionsFrom(args));
    if (!n.ok()) return Fail(args, n.status());
    if (json) {
      std::printf("{\"files\":%lld,\"summary\":%s}\n", (long long)*n, JsonQuote(summary).c_str());
    } else if (!args.quiet()) {
      std::printf("manifest of %lld files: %s\n", (long long)*n, summary.c_str());
    }
    return kExitOk;
  }
  lake::ProjectOptions o;
  if (args.Has("project")) {
    Status st = LoadProjectFile(args.Get("project"), &o);
    if (!st.ok()) return Fail(args, st);
  }
  if (args.Has("manifest")) o.s3uri_db_snapshot_manifest_summary = args.Get("manifest");
  if (args.Has("staging")) o.s3uri_staging = args.Get("staging");
  if (args.Has("datalake")) o.s3uri_datalake = args.Get("datalake");
  if (args.Has("partition-key")) o.partition_keys = args.GetAll("partition-key");
  if (args.Has("sort-by")) o.sort_by = args.GetAll("sort-by");
  if (args.Has("key-column")) o.key_columns = args.GetAll("key-column");
  if (args.Has("descending")) o.descending = {true};
  if (args.Has("no-datalake")) o.create_datalake = false;
  if (args.Has("staged")) o.one_pass = false;
  if (args.Has("input-format")) o.input_format = args.Get("input-format");
  auto group_size = args.GetSize("group-size", o.target_db_snapshot_file_group_size);
  if (!group_size.ok()) return Usage(args, group_size.status());
  o.target_db_snapshot_file_group_size = *group_size;
  auto file_size = args.GetSize("file-size", o.target_parquet_file_size);
  if (!file_size.ok()) return Usage(args, file_size.status());
  o.target_parquet_file_size = *file_size;
  auto parallel = args.GetInt("parallel", o.parallel, 1, 1024);
  if (!parallel.ok()) return Usage(args, parallel.status());
  o.parallel = static_cast<int>(*parallel);
  o.store = StoreOptionsFrom(args);
  auto project = lake::Project::Make(o);
  if (!project.ok()) return Fail(args, project.status());
  lake::Project& p = **project;
  if (args.Has("dry-run")) {
    if (sub != "plan" && sub != "run") {
      return Usage(args, Status::InvalidArgument(
                             "--dry-run is for lake plan and lake run, not lake " + sub));
    }
    auto d = p.DryRunJson(sub);
    if (!d.ok()) return Fail(args, d.status());
    if (!args.quiet() || json) std::printf("%s\n", d->c_str());
    return kExitOk;
  }
  if (sub == "plan") {
    auto r = p.PlanSnapshotToStaging();
    if (!r.ok()) return Fail(args, r.status());
    PrintStep("plan", *r, json, args.quiet());
  } else if (sub == "stage") {
    auto r = p.ProcessSnapshotGroups();
    if (!r.ok()) return Fail(args, r.status());
    PrintStep("stage", *r, json, args.quiet());
  } else if (sub == "compact") {
    auto plan = p.PlanStagingToDatalake();
    if (!plan.ok()) return Fail(args, plan.status());
    auto r = p.ProcessPartitionGroups();
    if (!r.ok()) return Fail(args, r.status());
    PrintStep("compact", *r, json, args.quiet());
  } else if (sub == "validate") {
    auto v = p.ValidateDatalake();
    if (!v.ok()) return Fail(args, v.status());
    PrintValidate(*v, json, args.quiet());
  } else if (sub == "run") {
    auto v = p.Run();
    if (!v.ok()) return Fail(args, v.status());
    PrintValidate(*v, json, args.quiet());
  } else if (sub == "status") {
    auto s = p.StatusJson();
    if (!s.ok()) return Fail(args, s.status());
    std::printf("%s\n", s->c_str());
  } else {
    return Usage(
        args, Status::InvalidArgument("unknown lake step '" + sub +
                                      "' (plan, stage, compact, validate, run, status, manifest)"));
  }
  return kExitOk;
}

}  // namespace

const Verb kLakeVerb = {
    "lake",
    "STEP [PREFIX]",
    "snapshot exports into a partitioned lake of exactly sized files (resumable, dbsnaplake's job)",
    "STEP is plan, stage, compact, validate, run (all four in order) or status, on the project\n"
    "given by --project (a JSON file with dbsnaplake's Project parameter names) and/or the flags\n"
    "(flags win).  `lake manifest PREFIX` writes the snapshot manifest of the export files under\n"
    "PREFIX.  Every step is resumable and safe for several workers at once: a killed run is\n"
    "re-run and does only what is not done (a kill -9 is safe; Ctrl-C simply stops it).\n"
    "`lake run` on one machine reads the snapshot once and writes the lake files straight away\n"
    "(no staging files); --staged, --sort-by (a partition's rows are sorted whole), or groups\n"
    "already staged by other workers take the staged steps.  --dry-run on plan or run prints what\n"
    "would be done and writes nothing.",
    {{"project", "FILE.json", "the project's parameters, dbsnaplake's names (default: flags only)"},
     {"manifest", "URI",
      "the snapshot manifest summary, s3uri_db_snapshot_manifest_summary (no default: here or "
      "in the project)"},
     {"staging", "URI", "the staging area, s3uri_staging (no default: here or in the project)"},
     {"datalake", "URI", "the lake, s3uri_datalake (no default: here or in the project)"},
     {"partition-key", "K",
      "a partition key: a column, year(ts), month(ts), day(ts) or bucket(n, col); repeat "
      "(default: none, one unpartitioned lake)"},
     {"group-size", "SIZE", "snapshot bytes per staging group (default 100MB)"},
     {"file-size", "SIZE", "bytes per lake Parquet file, within 2% (default 128MB)"},
     {"sort-by", "C", "sort each lake file by column C; repeat (default: no sort)"},
     {"descending", nullptr, "sort descending"},
     {"key-column", "C",
      "columns of the per-partition key checksum validate checks; repeat (default: none, rows "
      "and bytes only)"},
     {"input-format", "F",
      "the export files' format: parquet, csv, jsonl, dynamodb-json (default: from the names)"},
     {"parallel", "N", "groups worked on at once in this process (default 2)"},
     {"no-datalake", nullptr, "stage only; do not compact into the lake"},
     {"staged", nullptr,
      "run: always stage, then compact (default: off, one streaming pass when nothing is staged "
      "yet)"},
     {"dry-run", nullptr,
      "plan, run: print (JSON) what would be done (groups, path, steps left), writing nothing "
      "(default: off)"},
     {"summary", "URI",
      "manifest: the summary JSON (default PREFIX/manifests/manifest-summary.json)"},
     {"data", "URI", "manifest: the data Parquet (default PREFIX/manifests/manifest-data.parquet)"},
     {"no-count-rows", nullptr, "manifest: do not count each file's rows"}},
    1,
    2,
    RunLake};

}  // namespace lakepack::cli
