// `lakepack generate`: writes deterministic fake customer records (see gen/data_generator.h) as
// CSV, JSON Lines or Parquet to a local path or an s3:// URI.  The job itself is
// gen/generate_job.h (shared with the Python package); this file parses the arguments.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "cli/progress.h"
#include "cli/verbs.h"
#include "format/format.h"
#include "gen/generate_job.h"

namespace lakepack::cli {
namespace {

// Rows written when neither --rows nor --size is given.
constexpr int64_t kDefaultRows = 1000000;

Result<int64_t> ParseCount(const Args& args, const std::string& name, int64_t fallback,
                           int64_t min_value) {
  if (!args.Has(name)) return fallback;
  const std::string text = args.Get(name);
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno != 0 || v < min_value) {
    return Status::InvalidArgument("--" + name + " must be an integer >= " +
                                   std::to_string(min_value) + ", got '" + text + "'");
  }
  return static_cast<int64_t>(v);
}

int RunGenerate(const Args& args) {
  gen::GenerateJobOptions job;
  job.output_uri = args.positional()[0];
  if (args.Has("rows") && args.Has("size")) {
    return Usage(kGenerateVerb, "give --rows or --size, not both");
  }
  auto rows = ParseCount(args, "rows", kDefaultRows, 0);
  if (!rows.ok()) return Usage(kGenerateVerb, rows.status().message());
  job.rows = *rows;
  if (args.Has("size")) {
    auto size = ParseSize(args.Get("size"));
    if (!size.ok()) return Usage(kGenerateVerb, size.status().message());
    job.size_bytes = *size;
    job.rows = -1;
  }
  auto seed = ParseCount(args, "seed", static_cast<int64_t>(job.generator.seed), 0);
  auto threads = ParseCount(args, "threads", 0, 0);
  auto batch_rows = ParseCount(args, "batch-rows", job.generator.batch_rows, 1);
  for (const auto* r : {&seed, &threads, &batch_rows}) {
    if (!r->ok()) return Usage(kGenerateVerb, r->status().message());
  }
  job.generator.seed = static_cast<uint64_t>(*seed);
  job.generator.threads = static_cast<int>(*threads);
  job.generator.batch_rows = *batch_rows;
  job.format = args.Get("format");
  job.compression = args.Get("compression");
  // A bad codec, or a codec for a text format, is a usage error (exit 2), found before any work.
  auto fmt = format::ResolveFormat(job.output_uri, job.format);
  if (!fmt.ok()) return Fail(fmt.status());
  if (!job.compression.empty()) {
    auto codec = format::ParseCompression(job.compression);
    if (!codec.ok()) return Usage(kGenerateVerb, codec.status().message());
    if (*fmt != format::Format::kParquet && job.compression != "none") {
      return Usage(kGenerateVerb, "--compression applies to Parquet only (got '" + job.compression +
                                      "' for " + format::FormatName(*fmt) + ")");
    }
  }
  job.store = StoreOptionsFrom(args);

  Progress progress(ShowProgress(args), "generate", job.size_bytes > 0 ? job.size_bytes : 0);
  int64_t last_bytes = 0;
  job.on_progress = [&](int64_t, int64_t bytes) {
    progress.Add(bytes - last_bytes);
    last_bytes = bytes;
  };
  auto report = gen::RunGenerateJob(job);
  if (!report.ok()) return Fail(report.status());
  if (!args.Has("quiet")) {
    const double secs = report->seconds;
    std::printf("generated %lld rows, %s of %s in %.2f s (%.1f MB/s) -> %s\n",
                static_cast<long long>(report->rows), FormatBytes(report->bytes).c_str(),
                format::FormatName(report->format), secs,
                secs > 0 ? report->bytes / secs / 1e6 : 0.0, report->uri.c_str());
  }
  return kExitOk;
}

}  // namespace

const Verb kGenerateVerb = {
    "generate",
    "generate OUT [--rows N | --size SIZE] [--seed S] [--format csv|jsonl|parquet] "
    "[--compression C] [--threads N] [--batch-rows N]",
    "write deterministic fake customer records (CSV, JSON Lines or Parquet)",
    {},
    {"rows", "size", "seed", "format", "compression", "threads", "batch-rows"},
    1,
    1,
    RunGenerate};

}  // namespace lakepack::cli
