// generate_job.cc: see generate_job.h.
#include "gen/generate_job.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <utility>

#include "arrow/util/byte_size.h"
#include "base/json.h"
#include "format/arrow_status.h"
#include "format/timestamp_text.h"
#include "format/writer.h"
#include "gen/generating_reader.h"
#include "store/forwarding_store.h"

namespace lakepack::gen {

std::string GenerateReport::ToJson() const {
  JsonWriter w;
  w.BeginObject();
  format::WriteFileReport(w, uri, format, rows, bytes, seconds);
  w.EndObject();
  return w.str();
}

namespace {

// By size, rows are written in slices of at most this many, so the byte check between writes
// stops the output within one slice (a few MB of CSV) even when the estimate is off.
constexpr int64_t kSizeSliceRows = 8192;
// Rows encoded into memory to learn the bytes per row: enough that the average over random rows
// (and, for Parquet, several row groups and the footer) is stable to well under 1%, few enough
// to cost a few tens of milliseconds.  Parquet rounds it up to whole row groups.
constexpr int64_t kCalibrationRows = 16384;
// Rows of the batch whose in-memory size per row sets the rows per Parquet row group.
constexpr int64_t kRowWidthSampleRows = 4096;
// The row estimate aims this far past the size, so that an estimate a little low still gives a
// file of at least the size.
constexpr double kSizeMargin = 0.005;
// By size, Parquet row groups are cut at about SIZE / kRowGroupsPerSize bytes (bounded by the
// writer's default), so a file of SIZE has several row groups ...
constexpr int64_t kRowGroupsPerSize = 8;
// ... but no smaller than this, so small files still have sensibly sized row groups.
constexpr int64_t kMinRowGroupBytes = 1000 * 1000;

// An ObjectWriter that counts the bytes and drops them (the calibration sample).
class DiscardingWriter : public ObjectWriter {
 public:
  explicit DiscardingWriter(std::string key) : key_(std::move(key)) {}
  Status Write(const void* data, size_t size) override {
    bytes_ += static_cast<int64_t>(size);
    return Status::OK();
  }
  Result<ObjectInfo> Finish() override {
    ObjectInfo info;
    info.key = key_;
    info.size = bytes_;
    return info;
  }
  Status Abort() override { return Status::OK(); }
  int64_t bytes_written() const override { return bytes_; }

 private:
  std::string key_;
  int64_t bytes_ = 0;
};

// Writers opened through it count and discard; nothing reaches the inner store.
class DiscardingStore : public ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  Result<std::unique_ptr<ObjectWriter>> OpenWriter(const std::string& key,
                                                   const WriterOptions& options = {}) override {
    return std::unique_ptr<ObjectWriter>(std::make_unique<DiscardingWriter>(key));
  }
};

struct Limits {
  int64_t rows = 0;        // stop after this many rows
  int64_t bytes = -1;      // ... or once the store has this many bytes (-1: no byte limit)
  int64_t slice_rows = 0;  // rows per write (0: whole batches)
};

// Everything a write loop needs; the same for the calibration sample and the real output.
struct Plan {
  std::shared_ptr<DataGenerator> generator;
  std::shared_ptr<arrow::Schema> schema;  // as written
  format::Format format = format::Format::kCsv;
  format::WriteOptions write;
  bool timestamps_as_text = false;
};

// Streams the generator's rows into `writer` up to `limits`; returns the rows written.
Result<int64_t> WriteRows(const Plan& plan, const Limits& limits, format::BatchWriter& writer,
                          const GenerateJobOptions& o, bool report_progress) {
  LP_ASSIGN_OR_RETURN(auto reader, GeneratingReader::Make(plan.generator, limits.rows));
  int64_t rows = 0;
  auto loop = [&]() -> Status {
    while (true) {
      std::shared_ptr<arrow::RecordBatch> batch;
      LP_RETURN_NOT_OK(format::FromArrow(reader->ReadNext(&batch), "generate"));
      if (!batch) return Status::OK();
      const int64_t slice = limits.slice_rows > 0 ? limits.slice_rows : batch->num_rows();
      for (int64_t off = 0; off < batch->num_rows(); off += slice) {
        if (o.cancelled && o.cancelled()) {
          return Status::Cancelled("generate " + o.output_uri + ": cancelled after " +
                                   std::to_string(rows) + " rows");
        }
        std::shared_ptr<arrow::RecordBatch> part = batch->Slice(off, slice);
        if (plan.timestamps_as_text) {
          LP_ASSIGN_OR_RETURN(part, format::WithUtcTimestampsAsText(part));
        }
        LP_RETURN_NOT_OK(writer.Write(*part));
        rows += part->num_rows();
        if (report_progress && o.on_progress) o.on_progress(rows, writer.bytes_written());
        if (limits.bytes >= 0 && writer.bytes_written() >= limits.bytes) return Status::OK();
      }
    }
  };
  Status st = loop();
  (void)reader->Close();
  LP_RETURN_NOT_OK(st);
  return rows;
}

// The rows that make a file of about `size` bytes, from a sample encoded into memory.
Result<int64_t> RowsForSize(const Plan& plan, int64_t size, const GenerateJobOptions& o,
                            const std::shared_ptr<ObjectStore>& store) {
  auto discard = std::make_shared<DiscardingStore>(store);
  LP_ASSIGN_OR_RETURN(auto writer, format::OpenBatchWriter(discard, "calibration", plan.format,
                                                           plan.schema, plan.write));
  int64_t sample_rows = kCalibrationRows;
  if (plan.write.row_group_rows > 0) {  // whole row groups, as the output will have
    const int64_t groups =
        (sample_rows + plan.write.row_group_rows - 1) / plan.write.row_group_rows;
    sample_rows = groups * plan.write.row_group_rows;
  }
  Limits sample{sample_rows, -1, kSizeSliceRows};
  LP_ASSIGN_OR_RETURN(int64_t rows, WriteRows(plan, sample, *writer, o, false));
  LP_ASSIGN_OR_RETURN(ObjectInfo info, writer->Close());
  if (rows == 0 || info.size == 0) return int64_t{1};
  const double bytes_per_row = static_cast<double>(info.size) / static_cast<double>(rows);
  return std::max<int64_t>(1, static_cast<int64_t>(std::ceil(static_cast<double>(size) *
                                                             (1 + kSizeMargin) / bytes_per_row)));
}

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

Result<GenerateReport> RunGenerateJob(const GenerateJobOptions& o) {
  const auto start = std::chrono::steady_clock::now();
  if ((o.rows >= 0) == (o.size_bytes >= 0)) {
    return Status::InvalidArgument("generate " + o.output_uri +
                                   ": give exactly one of rows or size");
  }
  Plan plan;
  LP_ASSIGN_OR_RETURN(plan.format, format::ResolveFormat(o.output_uri, o.format));
  LP_ASSIGN_OR_RETURN(plan.generator, DataGenerator::Make(o.generator));
  if (plan.format == format::Format::kParquet) {
    if (!o.compression.empty()) {
      LP_ASSIGN_OR_RETURN(plan.write.compression, format::ParseCompression(o.compression));
    }
    if (o.size_bytes >= 0) {
      // Fixed rows per group (not the writer's estimate from the first batch written, which a
      // slice of a larger batch skews), so the calibration sample has the output's row groups.
      const int64_t group_bytes = std::clamp(o.size_bytes / kRowGroupsPerSize, kMinRowGroupBytes,
                                             plan.write.row_group_bytes);
      LP_ASSIGN_OR_RETURN(
          auto batch,
          plan.generator->MakeBatch(0, std::min(kRowWidthSampleRows, o.generator.batch_rows)));
      const int64_t row_width = std::max<int64_t>(
          1, arrow::util::TotalBufferSize(*batch) / std::max<int64_t>(1, batch->num_rows()));
      plan.write.row_group_rows = std::max<int64_t>(1, group_bytes / row_width);
      plan.write.row_group_bytes = 0;
    }
  } else if (!o.compression.empty() && o.compression != "none") {
    return Status::InvalidArgument("compression applies to Parquet only (got '" + o.compression +
                                   "' for " + format::FormatName(plan.format) + ")");
  }
  LP_ASSIGN_OR_RETURN(StoreLocation out, OpenStore(o.output_uri, o.store));
  if (out.key.empty() || out.key.back() == '/') {
    return Status::InvalidArgument("generate: " + o.output_uri + " names a directory, not a file");
  }
  // CSV: the writer gets UTC timestamps as text (same characters, ~30x cheaper than Arrow's
  // zone-aware formatting; see format/timestamp_text.h).
  plan.timestamps_as_text = plan.format == format::Format::kCsv;
  plan.schema = plan.generator->schema();
  if (plan.timestamps_as_text) plan.schema = format::SchemaWithUtcTimestampsAsText(*plan.schema);

  Limits limits{o.rows, -1, 0};
  if (o.size_bytes >= 0) {
    limits.bytes = o.size_bytes;
    limits.slice_rows = kSizeSliceRows;
    limits.rows = 0;
    if (o.size_bytes > 0) {
      LP_ASSIGN_OR_RETURN(limits.rows, RowsForSize(plan, o.size_bytes, o, out.store));
    }
  }
  LP_ASSIGN_OR_RETURN(auto writer, format::OpenBatchWriter(out.store, out.key, plan.format,
                                                           plan.schema, plan.write));
  Result<int64_t> rows =
      limits.rows > 0 ? WriteRows(plan, limits, *writer, o, true) : Result<int64_t>(int64_t{0});
  if (!rows.ok()) {
    (void)writer->Abort();  // the failure is what the caller needs to see
    return rows.status();
  }
  LP_ASSIGN_OR_RETURN(ObjectInfo info, writer->Close());
  GenerateReport report;
  report.uri = out.store->Uri(out.key);
  report.format = plan.format;
  report.rows = *rows;
  report.bytes = info.size;
  report.seconds = SecondsSince(start);
  return report;
}

}  // namespace lakepack::gen
