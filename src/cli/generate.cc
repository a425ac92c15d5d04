// `lakepack generate`: writes deterministic fake customer records (see gen/data_generator.h) as
// CSV, JSON Lines or Parquet to a local path or an s3:// URI.
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "arrow/record_batch.h"
#include "cli/counting_store.h"
#include "cli/progress.h"
#include "cli/verbs.h"
#include "format/arrow_status.h"
#include "format/format.h"
#include "format/timestamp_text.h"
#include "format/writer.h"
#include "gen/data_generator.h"
#include "gen/generating_reader.h"

namespace lakepack::cli {
namespace {

// Rows written when neither --rows nor --size is given.
constexpr int64_t kDefaultRows = 1000000;
// With --size, batches are written in slices of this many rows so the output overshoots SIZE by
// at most one slice (a few MB of CSV) rather than one whole batch.
constexpr int64_t kSizeSliceRows = 8192;

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

// With --size, Parquet row groups are cut at about SIZE / kRowGroupsPerSize bytes (bounded by the
// writer's default), because the output only grows when a row group is flushed.
constexpr int64_t kRowGroupsPerSize = 8;
// ... but no smaller than this, so small files still have sensibly sized row groups.
constexpr int64_t kMinRowGroupBytes = 1000 * 1000;

int RunGenerate(const Args& args) {
  const std::string out_uri = args.positional()[0];
  if (args.Has("rows") && args.Has("size")) {
    return Usage(kGenerateVerb, "give --rows or --size, not both");
  }
  auto rows = ParseCount(args, "rows", kDefaultRows, 0);
  if (!rows.ok()) return Usage(kGenerateVerb, rows.status().message());
  int64_t size_limit = -1;
  if (args.Has("size")) {
    auto size = ParseSize(args.Get("size"));
    if (!size.ok()) return Usage(kGenerateVerb, size.status().message());
    size_limit = *size;
  }
  gen::DataGeneratorOptions go;
  auto seed = ParseCount(args, "seed", static_cast<int64_t>(go.seed), 0);
  auto threads = ParseCount(args, "threads", 0, 0);
  auto batch_rows = ParseCount(args, "batch-rows", go.batch_rows, 1);
  for (const auto* r : {&seed, &threads, &batch_rows}) {
    if (!r->ok()) return Usage(kGenerateVerb, r->status().message());
  }
  go.seed = static_cast<uint64_t>(*seed);
  go.threads = static_cast<int>(*threads);
  go.batch_rows = *batch_rows;

  auto fmt = format::ResolveFormat(out_uri, args.Get("format"));
  if (!fmt.ok()) return Fail(fmt.status());
  auto generator = gen::DataGenerator::Make(go);
  if (!generator.ok()) return Fail(generator.status());
  auto out = OpenStore(out_uri, StoreOptionsFrom(args));
  if (!out.ok()) return Fail(out.status());
  if (out->key.empty() || out->key.back() == '/') {
    return Fail(Status::InvalidArgument("generate: " + out_uri + " names a directory, not a file"));
  }
  format::WriteOptions wo;
  const std::string compression = args.Get("compression");
  if (*fmt == format::Format::kParquet) {
    if (!compression.empty()) {
      auto codec = format::ParseCompression(compression);
      if (!codec.ok()) return Usage(kGenerateVerb, codec.status().message());
      wo.compression = *codec;
    }
    if (size_limit >= 0) {
      wo.row_group_bytes =
          std::clamp(size_limit / kRowGroupsPerSize, kMinRowGroupBytes, wo.row_group_bytes);
    }
  } else if (!compression.empty() && compression != "none") {
    return Usage(kGenerateVerb, "--compression applies to Parquet only (got '" + compression +
                                    "' for " + format::FormatName(*fmt) + ")");
  }
  // CSV: hand the writer UTC timestamps as text (same characters, ~30x cheaper than Arrow's
  // zone-aware formatting; see format/timestamp_text.h).
  const bool timestamps_as_text = *fmt == format::Format::kCsv;
  auto schema = (*generator)->schema();
  if (timestamps_as_text) schema = format::SchemaWithUtcTimestampsAsText(*schema);
  auto counting = std::make_shared<CountingStore>(out->store);
  auto writer = format::OpenBatchWriter(counting, out->key, *fmt, schema, wo);
  if (!writer.ok()) return Fail(writer.status());

  auto reader = gen::GeneratingReader::Make(
      *generator, size_limit >= 0 ? gen::GeneratingReader::kUnbounded : *rows);
  if (!reader.ok()) return Fail(reader.status());

  Progress progress(ShowProgress(args), "generate", size_limit > 0 ? size_limit : 0);
  const auto start = std::chrono::steady_clock::now();
  int64_t rows_written = 0, last_bytes = 0;
  bool done = size_limit == 0;
  while (!done) {
    std::shared_ptr<arrow::RecordBatch> batch;
    auto st = (*reader)->ReadNext(&batch);
    if (!st.ok()) return Fail(format::FromArrow(st, "generate"));
    if (!batch) break;
    const int64_t slice = size_limit >= 0 ? kSizeSliceRows : batch->num_rows();
    for (int64_t off = 0; off < batch->num_rows() && !done; off += slice) {
      std::shared_ptr<arrow::RecordBatch> part = batch->Slice(off, slice);
      if (timestamps_as_text) {
        auto text = format::WithUtcTimestampsAsText(part);
        if (!text.ok()) return Fail(text.status());
        part = *text;
      }
      Status ws = (*writer)->Write(*part);
      if (!ws.ok()) return Fail(ws);
      rows_written += part->num_rows();
      const int64_t bytes = counting->bytes_written();
      progress.Add(bytes - last_bytes);
      last_bytes = bytes;
      done = size_limit >= 0 && bytes >= size_limit;
    }
  }
  (void)(*reader)->Close();
  auto info = (*writer)->Close();
  if (!info.ok()) return Fail(info.status());
  const int64_t bytes = info->size;
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!args.Has("quiet")) {
    std::printf("generated %lld rows, %s of %s in %.2f s (%.1f MB/s) -> %s\n",
                static_cast<long long>(rows_written), FormatBytes(bytes).c_str(),
                format::FormatName(*fmt), secs, secs > 0 ? bytes / secs / 1e6 : 0.0,
                out->store->Uri(out->key).c_str());
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
