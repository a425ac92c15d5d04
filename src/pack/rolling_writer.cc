// rolling_writer.cc: see rolling_writer.h.
#include "pack/rolling_writer.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "arrow/csv/writer.h"
#include "arrow/io/memory.h"
#include "arrow/table.h"
#include "arrow/util/byte_size.h"
#include "format/arrow_status.h"
#include "format/jsonl_writer.h"
#include "parquet/arrow/writer.h"
#include "parquet/properties.h"

namespace lakepack::pack {

std::vector<int64_t> CsvRowEnds(std::string_view text) {
  std::vector<int64_t> ends;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '"') {
      quoted = !quoted;  // "" inside a quoted value toggles twice
    } else if (c == '\n' && !quoted) {
      ends.push_back(static_cast<int64_t>(i + 1));
    }
  }
  return ends;
}

Status RollingWriter::CloseStream(format::ObjectOutputStream& stream, int64_t rows,
                                  int64_t row_groups) {
  LP_ARROW_RETURN_NOT_OK(stream.Close(), stream.uri());
  WrittenFile f;
  f.index = static_cast<int64_t>(files_.size());
  f.uri = stream.uri();
  f.rows = rows;
  f.bytes = stream.info().size;
  f.etag = stream.info().etag;
  f.row_groups = row_groups;
  files_.push_back(f);
  if (closed_) closed_(f);
  return Status::OK();
}

namespace {

// CSV and JSON Lines: serialize, find row ends, cut at the limit.
class TextRollingWriter final : public RollingWriter {
 public:
  TextRollingWriter(format::Format format, std::shared_ptr<arrow::Schema> schema, int64_t limit,
                    OpenFn open, ClosedFn closed)
      : RollingWriter(limit, std::move(open), std::move(closed)),
        format_(format),
        schema_(std::move(schema)) {}
  ~TextRollingWriter() override { Abort(); }

  Status Write(const std::shared_ptr<arrow::RecordBatch>& batch) override {
    if (batch->num_rows() == 0) return Status::OK();
    std::string text;
    std::vector<int64_t> ends;
    LP_RETURN_NOT_OK(Serialize(*batch, /*header=*/false, &text));
    ends = format_ == format::Format::kCsv ? CsvRowEnds(text) : LineEnds(text);
    if (static_cast<int64_t>(ends.size()) != batch->num_rows()) {
      return Status::Internal("serialized " + std::to_string(batch->num_rows()) + " rows as " +
                              std::to_string(ends.size()) + " lines");
    }
    size_t row = 0;   // next row to write
    int64_t pos = 0;  // its offset in text
    while (row < ends.size()) {
      if (!stream_) LP_RETURN_NOT_OK(OpenNext());
      int64_t avail = limit_ - written_;
      // Largest k: ends[row + k - 1] - pos <= avail.
      auto it = std::upper_bound(ends.begin() + row, ends.end(), pos + avail);
      size_t k = static_cast<size_t>(it - (ends.begin() + row));
      if (k == 0 && rows_ == 0) k = 1;  // a row larger than the limit gets a file of its own
      if (k > 0) {
        int64_t end = ends[row + k - 1];
        LP_ARROW_RETURN_NOT_OK(stream_->Write(text.data() + pos, end - pos), stream_->uri());
        written_ += end - pos;
        rows_ += static_cast<int64_t>(k);
        pos = end;
        row += k;
      }
      if (row < ends.size()) LP_RETURN_NOT_OK(CloseCurrent());  // the next row does not fit
    }
    return Status::OK();
  }

  Status Finish() override {
    if (stream_) LP_RETURN_NOT_OK(CloseCurrent());
    return Status::OK();
  }

  void Abort() override {
    if (stream_) (void)stream_->Abort();
    stream_.reset();
  }

 private:
  static std::vector<int64_t> LineEnds(std::string_view text) {
    std::vector<int64_t> ends;
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\n') ends.push_back(static_cast<int64_t>(i + 1));
    }
    return ends;
  }

  Status Serialize(const arrow::RecordBatch& batch, bool header, std::string* out) {
    if (format_ == format::Format::kJsonl) return format::FormatJsonLines(batch, out);
    auto options = arrow::csv::WriteOptions::Defaults();
    options.include_header = header;
    LP_ARROW_ASSIGN_OR_RETURN(auto sink, arrow::io::BufferOutputStream::Create(), "csv buffer");
    LP_ARROW_RETURN_NOT_OK(arrow::csv::WriteCSV(batch, options, sink.get()), "csv");
    LP_ARROW_ASSIGN_OR_RETURN(auto buf, sink->Finish(), "csv buffer");
    out->assign(reinterpret_cast<const char*>(buf->data()), buf->size());
    return Status::OK();
  }

  Status OpenNext() {
    LP_ASSIGN_OR_RETURN(stream_, open_(static_cast<int64_t>(files_.size())));
    written_ = 0;
    rows_ = 0;
    if (format_ == format::Format::kCsv) {
      if (header_.empty()) {
        LP_ARROW_ASSIGN_OR_RETURN(auto empty, arrow::RecordBatch::MakeEmpty(schema_), "csv");
        LP_RETURN_NOT_OK(Serialize(*empty, /*header=*/true, &header_));
      }
      LP_ARROW_RETURN_NOT_OK(stream_->Write(header_.data(), header_.size()), stream_->uri());
      written_ = static_cast<int64_t>(header_.size());
    }
    return Status::OK();
  }

  Status CloseCurrent() {
    auto stream = std::move(stream_);
    return CloseStream(*stream, rows_, 0);
  }

  format::Format format_;
  std::shared_ptr<arrow::Schema> schema_;
  std::string header_;
  std::shared_ptr<format::ObjectOutputStream> stream_;
  int64_t written_ = 0;
  int64_t rows_ = 0;
};

// Parquet: explicit row groups sized from measured compressed bytes per row.
class ParquetRollingWriter final : public RollingWriter {
 public:
  ParquetRollingWriter(std::shared_ptr<arrow::Schema> schema, int64_t limit, OpenFn open,
                       ClosedFn closed, arrow::Compression::type compression)
      : RollingWriter(limit, std::move(open), std::move(closed)), schema_(std::move(schema)) {
    parquet::WriterProperties::Builder b;
    b.compression(compression);
    // One WriteTable call is one row group: never let Parquet split it.
    b.max_row_group_length(std::numeric_limits<int64_t>::max() / 2);
    props_ = b.build();
    arrow_props_ = parquet::ArrowWriterProperties::Builder().store_schema()->build();
  }

  ~ParquetRollingWriter() override { Abort(); }

  Status Write(const std::shared_ptr<arrow::RecordBatch>& batch) override {
    int64_t n = batch->num_rows();
    if (n == 0) return Status::OK();
    if (!calibrated_) LP_RETURN_NOT_OK(Calibrate(*batch));
    double arrow_bpr = std::max(1.0, static_cast<double>(arrow::util::TotalBufferSize(*batch)) / n);
    max_rows_by_memory_ = std::max<int64_t>(1, kMaxRowGroupArrowBytes / arrow_bpr);
    int64_t offset = 0;
    while (offset < n) {
      if (!writer_) LP_RETURN_NOT_OK(OpenNext());
      int64_t take = std::min(n - offset, target_rows_ - pending_rows_);
      pending_.push_back(batch->Slice(offset, take));
      pending_rows_ += take;
      pending_bytes_ += static_cast<int64_t>(arrow_bpr * static_cast<double>(take));
      offset += take;
      if (pending_rows_ >= target_rows_) LP_RETURN_NOT_OK(FlushRowGroup());
    }
    return Status::OK();
  }

  Status Finish() override {
    if (pending_rows_ > 0) LP_RETURN_NOT_OK(FlushRowGroup());
    if (writer_) LP_RETURN_NOT_OK(CloseCurrent());
    return Status::OK();
  }

  int64_t pending_bytes() const override { return pending_bytes_; }

  Status FlushPending() override {
    if (pending_rows_ == 0 || !writer_) return Status::OK();
    return FlushRowGroup();
  }

  void Abort() override {
    // The stream goes first, so what the Parquet writer flushes while torn down goes nowhere.
    if (stream_) (void)stream_->Abort();
    writer_.reset();
    stream_.reset();
    pending_.clear();
    pending_rows_ = 0;
    pending_bytes_ = 0;
  }

 private:
  // Writes `sample` as 1 and as 3 row groups to memory: the footer sizes give the fixed and the
  // per-row-group footer bytes; the data bytes a first (pessimistic: small row groups compress
  // worse) bytes-per-row estimate.
  Status Calibrate(const arrow::RecordBatch& batch) {
    constexpr int64_t kSampleRows = 2000;  // enough rows for typical compression, cheap to write
    auto sample = batch.Slice(0, std::min(kSampleRows, batch.num_rows()));
    int64_t footer[2], data1 = 0;
    for (int k = 0; k < 2; ++k) {
      int groups = k == 0 ? 1 : 3;
      LP_ARROW_ASSIGN_OR_RETURN(auto sink, arrow::io::BufferOutputStream::Create(), "calibrate");
      LP_ARROW_ASSIGN_OR_RETURN(
          auto w,
          parquet::arrow::FileWriter::Open(*schema_, arrow::default_memory_pool(), sink, props_,
                                           arrow_props_),
          "calibrate");
      LP_ARROW_ASSIGN_OR_RETURN(auto table, arrow::Table::FromRecordBatches(schema_, {sample}),
                                "calibrate");
      for (int g = 0; g < groups; ++g) {
        LP_ARROW_RETURN_NOT_OK(w->WriteTable(*table, sample->num_rows()), "calibrate");
      }
      LP_ARROW_ASSIGN_OR_RETURN(int64_t data_end, sink->Tell(), "calibrate");
      LP_ARROW_RETURN_NOT_OK(w->Close(), "calibrate");
      LP_ARROW_ASSIGN_OR_RETURN(int64_t total, sink->Tell(), "calibrate");
      footer[k] = total - data_end;
      if (k == 0) data1 = data_end - 4;  // minus the leading "PAR1"
    }
    footer_per_group_ = std::max<double>(0, (footer[1] - footer[0]) / 2.0);
    footer_fixed_ = std::max<double>(0, footer[0] - footer_per_group_);
    bytes_per_row_ = std::max(1.0, static_cast<double>(data1) / sample->num_rows());
    calibrated_ = true;
    return Status::OK();
  }

  double FooterEstimate(int64_t groups) const {
    // 10% margin: statistics of later row groups may hold longer strings than the sample's.
    return 1.1 * (footer_fixed_ + footer_per_group_ * static_cast<double>(groups));
  }

  Status OpenNext() {
    LP_ASSIGN_OR_RETURN(stream_, open_(static_cast<int64_t>(files_.size())));
    LP_ARROW_ASSIGN_OR_RETURN(
        writer_,
        parquet::arrow::FileWriter::Open(*schema_, arrow::default_memory_pool(), stream_, props_,
                                         arrow_props_),
        stream_->uri());
    rows_ = 0;
    groups_ = 0;
    LP_RETURN_NOT_OK(PlanRowGroup());
    return Status::OK();
  }

  // Sets target_rows_ for the next row group, or closes the file when it is full enough.
  Status PlanRowGroup() {
    LP_ARROW_ASSIGN_OR_RETURN(int64_t written, stream_->Tell(), stream_->uri());
    double with_footer = written + FooterEstimate(groups_ + 1);
    if (groups_ > 0 && written + FooterEstimate(groups_) >= kParquetCloseAt * limit_) {
      return CloseCurrent();
    }
    double budget = kParquetAim * limit_ - with_footer;
    // Until a real row group has been measured, the calibration sample's bytes per row may be
    // low (its dictionaries are small): spend only half the budget on the first row group.
    if (total_group_rows_ == 0) budget /= 2;
    int64_t rows = static_cast<int64_t>(budget / bytes_per_row_);
    target_rows_ = std::clamp<int64_t>(rows, 1, max_rows_by_memory_);
    return Status::OK();
  }

  Status FlushRowGroup() {
    LP_ARROW_ASSIGN_OR_RETURN(int64_t before, stream_->Tell(), stream_->uri());
    LP_ARROW_ASSIGN_OR_RETURN(auto table, arrow::Table::FromRecordBatches(schema_, pending_),
                              stream_->uri());
    LP_ARROW_RETURN_NOT_OK(writer_->WriteTable(*table, pending_rows_), stream_->uri());
    LP_ARROW_ASSIGN_OR_RETURN(int64_t after, stream_->Tell(), stream_->uri());
    // Bytes per row from everything written so far; large row groups dominate, which is right
    // for the next large one and errs low (the tail's aim leaves room) for small ones.
    total_group_bytes_ += after - before;
    total_group_rows_ += pending_rows_;
    bytes_per_row_ = std::max(1e-3, static_cast<double>(total_group_bytes_) / total_group_rows_);
    rows_ += pending_rows_;
    ++groups_;
    pending_.clear();
    pending_rows_ = 0;
    pending_bytes_ = 0;
    return PlanRowGroup();
  }

  Status CloseCurrent() {
    LP_ARROW_RETURN_NOT_OK(writer_->Close(), stream_->uri());
    writer_.reset();
    auto stream = std::move(stream_);
    return CloseStream(*stream, rows_, groups_);
  }

  std::shared_ptr<arrow::Schema> schema_;
  std::shared_ptr<parquet::WriterProperties> props_;
  std::shared_ptr<parquet::ArrowWriterProperties> arrow_props_;
  bool calibrated_ = false;
  double footer_fixed_ = 0, footer_per_group_ = 0, bytes_per_row_ = 1;
  int64_t total_group_bytes_ = 0, total_group_rows_ = 0;
  int64_t max_rows_by_memory_ = 1;
  std::shared_ptr<format::ObjectOutputStream> stream_;
  std::unique_ptr<parquet::arrow::FileWriter> writer_;
  std::vector<std::shared_ptr<arrow::RecordBatch>> pending_;
  int64_t pending_rows_ = 0, pending_bytes_ = 0, target_rows_ = 1, rows_ = 0, groups_ = 0;
};

}  // namespace

Result<std::unique_ptr<RollingWriter>> RollingWriter::Make(format::Format format,
                                                           std::shared_ptr<arrow::Schema> schema,
                                                           int64_t limit, OpenFn open,
                                                           ClosedFn on_closed,
                                                           arrow::Compression::type compression) {
  if (limit <= 0) return Status::InvalidArgument("file limit must be positive");
  if (format == format::Format::kParquet) {
    return std::unique_ptr<RollingWriter>(std::make_unique<ParquetRollingWriter>(
        std::move(schema), limit, std::move(open), std::move(on_closed), compression));
  }
  return std::unique_ptr<RollingWriter>(std::make_unique<TextRollingWriter>(
      format, std::move(schema), limit, std::move(open), std::move(on_closed)));
}

}  // namespace lakepack::pack
