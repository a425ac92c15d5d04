// `lakepack generate`: writes deterministic fake customer records (see gen/data_generator.h) as
// CSV, JSON Lines or Parquet to a local path or an s3:// URI.
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "arrow/csv/writer.h"
#include "arrow/ipc/writer.h"
#include "arrow/record_batch.h"
#include "arrow/util/compression.h"
#include "cli/progress.h"
#include "cli/verbs.h"
#include "format/arrow_io.h"
#include "format/arrow_status.h"
#include "format/format.h"
#include "gen/data_generator.h"
#include "gen/generating_reader.h"
#include "parquet/arrow/writer.h"
#include "parquet/properties.h"

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

// Where the batches go: one output object in one format.
class BatchSink {
 public:
  virtual ~BatchSink() = default;
  virtual Status Write(const std::shared_ptr<arrow::RecordBatch>& batch) = 0;
  // Bytes written to the object so far.
  virtual int64_t bytes_written() const = 0;
  virtual Status Close() = 0;
};

// CSV or Parquet through Arrow's writers onto an ObjectOutputStream.
class ArrowSink : public BatchSink {
 public:
  static Result<std::unique_ptr<ArrowSink>> Make(const StoreLocation& out, format::Format fmt,
                                                 const std::string& compression,
                                                 std::shared_ptr<arrow::Schema> schema) {
    std::unique_ptr<ArrowSink> sink(new ArrowSink());
    const std::string uri = out.store->Uri(out.key);
    sink->uri_ = uri;
    if (fmt == format::Format::kJsonl) {
      return Status::NotImplemented("generate: JSON Lines output needs the format writer layer");
    }
    if (fmt == format::Format::kCsv && !compression.empty() && compression != "none") {
      return Status::InvalidArgument("generate: --compression applies to Parquet only (got '" +
                                     compression + "' for CSV " + uri + ")");
    }
    LP_ASSIGN_OR_RETURN(sink->stream_, format::OpenOutputStream(out.store, out.key));
    if (fmt == format::Format::kCsv) {
      auto options = arrow::csv::WriteOptions::Defaults();
      LP_ARROW_ASSIGN_OR_RETURN(sink->csv_,
                                arrow::csv::MakeCSVWriter(sink->stream_, schema, options), uri);
    } else {
      parquet::WriterProperties::Builder props;
      LP_ASSIGN_OR_RETURN(auto codec,
                          format::ParseCompression(compression.empty() ? "snappy" : compression));
      props.compression(codec);
      LP_ARROW_ASSIGN_OR_RETURN(
          sink->parquet_,
          parquet::arrow::FileWriter::Open(*schema, arrow::default_memory_pool(), sink->stream_,
                                           props.build()),
          uri);
    }
    return sink;
  }
  ~ArrowSink() override {
    if (stream_ && !stream_->closed()) (void)stream_->Abort();
  }

  Status Write(const std::shared_ptr<arrow::RecordBatch>& batch) override {
    if (csv_) LP_ARROW_RETURN_NOT_OK(csv_->WriteRecordBatch(*batch), uri_);
    if (parquet_) LP_ARROW_RETURN_NOT_OK(parquet_->WriteRecordBatch(*batch), uri_);
    return Status::OK();
  }
  int64_t bytes_written() const override {
    auto pos = stream_->Tell();
    return pos.ok() ? *pos : 0;
  }
  Status Close() override {
    if (csv_) LP_ARROW_RETURN_NOT_OK(csv_->Close(), uri_);
    if (parquet_) LP_ARROW_RETURN_NOT_OK(parquet_->Close(), uri_);
    LP_ARROW_RETURN_NOT_OK(stream_->Close(), uri_);
    return Status::OK();
  }

 private:
  ArrowSink() = default;
  std::string uri_;
  std::shared_ptr<format::ObjectOutputStream> stream_;
  std::shared_ptr<arrow::ipc::RecordBatchWriter> csv_;
  std::unique_ptr<parquet::arrow::FileWriter> parquet_;
};

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
  auto sink = ArrowSink::Make(*out, *fmt, args.Get("compression"), (*generator)->schema());
  if (!sink.ok()) return Fail(sink.status());

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
      auto part = batch->Slice(off, slice);
      Status ws = (*sink)->Write(part);
      if (!ws.ok()) return Fail(ws);
      rows_written += part->num_rows();
      const int64_t bytes = (*sink)->bytes_written();
      progress.Add(bytes - last_bytes);
      last_bytes = bytes;
      done = size_limit >= 0 && bytes >= size_limit;
    }
  }
  (void)(*reader)->Close();
  Status cs = (*sink)->Close();
  if (!cs.ok()) return Fail(cs);
  const int64_t bytes = (*sink)->bytes_written();
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
