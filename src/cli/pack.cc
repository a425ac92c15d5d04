// `lakepack pack`: packs the files of a table into evenly and exactly sized output files (see
// pack/packer.h), with a summary (or --json) of the files written.
#include <signal.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "base/json.h"
#include "cli/progress.h"
#include "cli/verbs.h"
#include "pack/packer.h"
#include "pack/state.h"

namespace lakepack::cli {
namespace {

Result<int64_t> ParseSeconds(const std::string& name, const std::string& text) {
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno != 0 || v < 0) {
    return Status::InvalidArgument("--" + name + " must be a number of seconds, got '" + text +
                                   "'");
  }
  return static_cast<int64_t>(v);
}

void PrintJson(const pack::PackReport& r, bool dry_run) {
  std::string s = "{\"dry_run\":" + std::string(dry_run ? "true" : "false");
  s += ",\"files\":[";
  for (size_t i = 0; i < r.files.size(); ++i) {
    s += std::string(i ? "," : "") + "{\"uri\":" + JsonQuote(r.files[i].uri) +
         ",\"rows\":" + std::to_string(r.files[i].rows) +
         ",\"bytes\":" + std::to_string(r.files[i].bytes) + "}";
  }
  s += "],\"inputs\":[";
  for (size_t i = 0; i < r.inputs.size(); ++i) {
    s += std::string(i ? "," : "") + JsonQuote(r.inputs[i]);
  }
  s += "],\"input_partition_values\":[";
  for (size_t i = 0; i < r.input_partition_values.size(); ++i) {
    s += std::string(i ? "," : "") + JsonQuote(r.input_partition_values[i]);
  }
  s += "],\"already_packed\":" + std::to_string(r.already_packed);
  s += ",\"input_bytes\":" + std::to_string(r.input_bytes);
  s += ",\"rows\":" + std::to_string(r.rows);
  s += ",\"rewrote_latest\":" + std::string(r.rewrote_latest ? "true" : "false");
  s += ",\"recovered\":" + std::string(r.recovered ? "true" : "false");
  s += ",\"generation\":" + std::to_string(r.generation);
  s += ",\"seconds\":" + std::to_string(r.seconds);
  s += ",\"plan\":" + JsonQuote(r.plan_text) + "}";
  std::printf("%s\n", s.c_str());
}

// Set by the first SIGINT / SIGTERM: the pack run stops between batches and puts the table back
// (PackOptions::cancelled).  The handler is reset by its first signal, so a second one kills.
std::atomic<bool> g_interrupted{false};

void OnInterrupt(int) { g_interrupted.store(true); }

void CatchInterrupts() {
  struct sigaction sa = {};
  sa.sa_handler = OnInterrupt;
  sa.sa_flags = SA_RESETHAND;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

int RunPack(const Args& args) {
  pack::PackOptions o;
  o.input_base = args.positional()[0];
  o.output_base = args.positional()[1];
  o.table = args.positional()[2];
  o.suffix = args.Get("suffix");
  if (args.Has("file-limit")) {
    auto size = ParseSize(args.Get("file-limit"));
    if (!size.ok()) return Usage(kPackVerb, size.status().message());
    o.file_limit_bytes = *size;
  }
  o.in_ext = args.Get("in-ext");
  if (args.Has("out-ext")) o.out_ext = args.Get("out-ext");
  for (const auto& p : args.GetAll("partition")) {
    auto kv = pack::ParsePartitionArg(p);
    if (!kv.ok()) return Usage(kPackVerb, kv.status().message());
    o.partition.push_back(*kv);
  }
  o.input_partition_name = args.Get("input-partition-name");
  o.schema_file = args.Get("schema");
  o.cast_parquet = args.Has("cast-parquet");
  if (args.Has("on-schema-mismatch")) {
    auto policy = format::ParseSchemaMismatch(args.Get("on-schema-mismatch"));
    if (!policy.ok()) return Usage(kPackVerb, "--on-schema-mismatch: " + policy.status().message());
    o.on_schema_mismatch = *policy;
  }
  o.dry_run = args.Has("dry-run");
  if (args.Has("lock-timeout")) {
    auto s = ParseSeconds("lock-timeout", args.Get("lock-timeout"));
    if (!s.ok()) return Usage(kPackVerb, s.status().message());
    o.lock_timeout_seconds = *s;
  }
  if (args.Has("wait")) {
    auto s = ParseSeconds("wait", args.Get("wait"));
    if (!s.ok()) return Usage(kPackVerb, s.status().message());
    o.wait_seconds = *s;
  }
  o.store = StoreOptionsFrom(args);
  Status valid = o.Validate();
  if (!valid.ok()) return Usage(kPackVerb, valid.message());

  const bool json = args.Has("json");
  Progress progress(ShowProgress(args) && !json && !o.dry_run, "pack", 0);
  o.on_file = [&](const std::string&, int64_t, int64_t bytes) { progress.Add(bytes); };
  o.cancelled = [] { return g_interrupted.load(); };
  CatchInterrupts();
  auto report = pack::Pack(o);
  if (!report.ok()) return Fail(report.status());
  const pack::PackReport& r = *report;
  if (json) {
    PrintJson(r, o.dry_run);
    return kExitOk;
  }
  if (o.dry_run) {
    std::printf("dry run: nothing written\n%s", r.plan_text.c_str());
    return kExitOk;
  }
  int64_t bytes = 0;
  for (const auto& f : r.files) {
    std::printf("%s  %lld rows  %lld bytes\n", f.uri.c_str(), static_cast<long long>(f.rows),
                static_cast<long long>(f.bytes));
    bytes += f.bytes;
  }
  double mbps = r.seconds > 0 ? r.input_bytes / 1e6 / r.seconds : 0;
  std::printf(
      "packed %zu input(s) (%s; %lld already packed) into %zu file(s) (%s, %lld rows)%s%s "
      "in %.2f s, %.1f MB/s\n",
      r.inputs.size(), FormatBytes(r.input_bytes).c_str(), static_cast<long long>(r.already_packed),
      r.files.size(), FormatBytes(bytes).c_str(), static_cast<long long>(r.rows),
      r.rewrote_latest ? ", rewrote the latest file" : "",
      r.recovered ? ", recovered a crashed run" : "", r.seconds, mbps);
  return kExitOk;
}

}  // namespace

const Verb kPackVerb = {
    "pack",
    "pack INPUT_BASE OUTPUT_BASE TABLE [--suffix S] [--file-limit SIZE] [--in-ext E] "
    "[--out-ext E] [--partition k=v]... [--input-partition-name K] [--schema FILE] "
    "[--cast-parquet] [--on-schema-mismatch fail|union|drop] [--dry-run] [--json] "
    "[--lock-timeout SECONDS] [--wait SECONDS]",
    "pack a table's files into evenly, exactly sized files (idempotent, crash-safe)",
    {"cast-parquet", "dry-run", "json"},
    {"suffix", "file-limit", "in-ext", "out-ext", "partition", "input-partition-name", "schema",
     "on-schema-mismatch", "lock-timeout", "wait"},
    3,
    3,
    RunPack};

}  // namespace lakepack::cli
