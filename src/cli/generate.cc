// `lakepack generate`: writes deterministic fake customer records (see gen/data_generator.h) as
// CSV, JSON Lines or Parquet to a local path or an s3:// URI.  The job itself is
// gen/generate_job.h (shared with the Python package); this file parses the arguments.
#include <cstdio>
#include <string>

#include "base/size.h"
#include "cli/run_job.h"
#include "cli/verbs.h"
#include "format/format.h"
#include "gen/generate_job.h"

namespace lakepack::cli {
namespace {

// Rows written when neither --rows nor --size is given.
constexpr int64_t kDefaultRows = 1000000;

int RunGenerate(const Args& args) {
  gen::GenerateJobOptions job;
  job.output_uri = args.positional()[0];
  if (args.Has("rows") && args.Has("size")) {
    return Usage(args, Status::InvalidArgument("give --rows or --size, not both"));
  }
  auto rows = args.GetInt("rows", kDefaultRows, 0);
  if (!rows.ok()) return Usage(args, rows.status());
  job.rows = *rows;
  if (args.Has("size")) {
    auto size = args.GetSize("size", 0);
    if (!size.ok()) return Usage(args, size.status());
    job.size_bytes = *size;
    job.rows = -1;
  }
  auto seed = args.GetInt("seed", static_cast<int64_t>(job.generator.seed), 0);
  auto threads = args.GetInt("threads", 0, 0, 1024);
  auto batch_rows = args.GetInt("batch-rows", job.generator.batch_rows, 1);
  for (const auto* r : {&seed, &threads, &batch_rows}) {
    if (!r->ok()) return Usage(args, r->status());
  }
  job.generator.seed = static_cast<uint64_t>(*seed);
  job.generator.threads = static_cast<int>(*threads);
  job.generator.batch_rows = *batch_rows;
  job.format = args.Get("format");
  job.compression = args.Get("compression");
  // A bad codec, or a codec for a text format, is a usage error, found before any work; a name
  // whose format cannot be told is the output's problem (exit 1, naming it).
  auto fmt = format::ResolveFormat(job.output_uri, job.format);
  if (!fmt.ok()) return Fail(args, fmt.status());
  if (!job.compression.empty()) {
    auto codec = format::ParseCompression(job.compression);
    if (!codec.ok()) return Usage(args, codec.status());
    if (*fmt != format::Format::kParquet && job.compression != "none") {
      return Usage(args, Status::InvalidArgument("--compression applies to Parquet only (got '" +
                                                 job.compression + "' for " +
                                                 format::FormatName(*fmt) + ")"));
    }
  }
  job.store = StoreOptionsFrom(args);

  const bool by_size = job.size_bytes > 0;
  JobRun run(args, "generate", by_size ? "bytes" : "rows");
  run.progress().SetTotal(by_size ? job.size_bytes : job.rows);
  int64_t last = 0;
  job.on_progress = [&](int64_t rows_done, int64_t bytes_done) {
    const int64_t now = by_size ? bytes_done : rows_done;
    run.progress().Add(now - last);
    last = now;
  };
  job.cancelled = [&] { return run.cancel().cancelled(); };
  auto report = gen::RunGenerateJob(job);
  if (!report.ok()) return run.Fail(report.status());
  const double secs = report->seconds;
  char text[1024];
  std::snprintf(text, sizeof text, "generated %lld rows, %s of %s in %.2f s (%.1f MB/s) -> %s\n",
                static_cast<long long>(report->rows), FormatBytes(report->bytes).c_str(),
                format::FormatName(report->format), secs,
                secs > 0 ? report->bytes / secs / 1e6 : 0.0, report->uri.c_str());
  return run.Succeed(report->ToJson(), text);
}

}  // namespace

const Verb kGenerateVerb = {
    "generate",
    "OUT",
    "write deterministic fake customer records (CSV, JSON Lines or Parquet)",
    "Writes one file OUT (a path or s3:// URI).  The same --seed gives the same rows for any\n"
    "--threads.  OUT appears only when complete: a failure or Ctrl-C leaves nothing.",
    {{"rows", "N", "rows to write (default 1000000)"},
     {"size", "SIZE",
      "write about SIZE bytes instead of a row count, e.g. 50MB, 1GiB (the file "
      "lands within a few % above it; default: by --rows)"},
     {"seed", "S", "random seed, an integer >= 0 (default 42)"},
     {"format", "F", "csv, jsonl or parquet (default: from OUT's extension)"},
     {"compression", "C",
      "Parquet codec: snappy, zstd, gzip, lz4, brotli or none (default snappy)"},
     {"threads", "N", "generator threads (default 0: one per core)"},
     {"batch-rows", "N", "rows per generated batch (default 65536)"}},
    1,
    1,
    RunGenerate};

}  // namespace lakepack::cli
