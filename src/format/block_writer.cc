#include "format/block_writer.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <unordered_map>

#include "arrow/array.h"
#include "arrow/chunked_array.h"
#include "arrow/compute/cast.h"
#include "arrow/io/interfaces.h"
#include "arrow/util/byte_size.h"
#include "format/arrow_io.h"
#include "format/arrow_status.h"
#include "format/format.h"
#include "parquet/arrow/writer.h"
#include "parquet/file_writer.h"
#include "parquet/metadata.h"
#include "parquet/properties.h"

namespace lakepack::format {
namespace {

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

Result<int64_t> ArrowBytes(const arrow::RecordBatch& batch) {
  // Referenced, not total: a slice is charged only for the part of its buffers it uses.
  return FromArrow(arrow::util::ReferencedBufferSize(batch));
}

// The type a column has in the file.  Blocks come from pyarrow (string), pandas 3 (large_string)
// and polars (string_view): all are written as plain string (binary likewise, also as dictionary
// values), so blocks of one logical schema mix, readers see one type, and a block's Arrow size is
// what its rows hold (a string_view slice references its whole variadic buffers, so its size says
// nothing about the slice: polars row groups came out 3x too big, then shrinking).
std::shared_ptr<arrow::DataType> FileType(const std::shared_ptr<arrow::DataType>& t) {
  switch (t->id()) {
    case arrow::Type::STRING_VIEW:
    case arrow::Type::LARGE_STRING:
      return arrow::utf8();
    case arrow::Type::BINARY_VIEW:
    case arrow::Type::LARGE_BINARY:
      return arrow::binary();
    case arrow::Type::DICTIONARY: {
      const auto& d = static_cast<const arrow::DictionaryType&>(*t);
      auto values = FileType(d.value_type());
      if (values == d.value_type()) return t;
      return arrow::dictionary(d.index_type(), values, d.ordered());
    }
    default:
      return t;
  }
}

std::shared_ptr<arrow::Schema> FileSchema(const arrow::Schema& schema) {
  arrow::FieldVector fields;
  for (const auto& f : schema.fields()) fields.push_back(f->WithType(FileType(f->type())));
  // The metadata stays: pandas keeps its index there (a RangeIndex lives nowhere else).
  return arrow::schema(std::move(fields), schema.metadata());
}

// `column` as `type`, its file type.  REQUIRES: FileType(column->type())->Equals(*type).
Result<std::shared_ptr<arrow::Array>> ToFileType(const std::shared_ptr<arrow::Array>& column,
                                                 const std::shared_ptr<arrow::DataType>& type) {
  if (column->type()->Equals(*type)) return column;
  if (column->type_id() == arrow::Type::DICTIONARY) {  // Arrow casts no dictionary's values
    const auto& dict = static_cast<const arrow::DictionaryArray&>(*column);
    const auto& want = static_cast<const arrow::DictionaryType&>(*type);
    LP_ASSIGN_OR_RETURN(auto values, ToFileType(dict.dictionary(), want.value_type()));
    return FromArrow(arrow::DictionaryArray::FromArrays(type, dict.indices(), values));
  }
  LP_ASSIGN_OR_RETURN(auto cast, FromArrow(arrow::compute::Cast(*column, type)));
  return cast;
}

std::shared_ptr<parquet::WriterProperties> ParquetProperties(const BlockWriterOptions& options) {
  parquet::WriterProperties::Builder props;
  props.compression(options.compression);
  if (options.compression_level) props.compression_level(*options.compression_level);
  // Row groups are cut by this class, never by a row count.
  props.max_row_group_length(std::numeric_limits<int64_t>::max());
  return props.build();
}

std::shared_ptr<parquet::ArrowWriterProperties> ArrowProperties() {
  // The Arrow schema goes into the footer so time zones, decimals etc. read back exactly.
  return parquet::ArrowWriterProperties::Builder().store_schema()->build();
}

// Compressed bytes of row group `i` as the footer records them.
int64_t RowGroupCompressedBytes(const parquet::FileMetaData& md, int i) {
  auto rg = md.RowGroup(i);
  int64_t sum = 0;
  for (int c = 0; c < rg->num_columns(); ++c) sum += rg->ColumnChunk(c)->total_compressed_size();
  return sum;
}

int64_t RowGroupUncompressedBytes(const parquet::FileMetaData& md, int i) {
  auto rg = md.RowGroup(i);
  int64_t sum = 0;
  for (int c = 0; c < rg->num_columns(); ++c) {
    sum += rg->ColumnChunk(c)->total_uncompressed_size();
  }
  return sum;
}

// An OutputStream that only counts: calibration encodes need sizes, not bytes, and keeping the
// bytes would cost a row group's worth of memory next to the held data.
class CountingSink final : public arrow::io::OutputStream {
 public:
  arrow::Status Write(const void*, int64_t nbytes) override {
    position_ += nbytes;
    return arrow::Status::OK();
  }
  using arrow::io::OutputStream::Write;
  arrow::Status Close() override {
    closed_ = true;
    return arrow::Status::OK();
  }
  bool closed() const override { return closed_; }
  arrow::Result<int64_t> Tell() const override { return position_; }

 private:
  int64_t position_ = 0;
  bool closed_ = false;
};

bool HasUniqueNames(const arrow::Schema& schema) {
  std::unordered_map<std::string, int> seen;
  for (const auto& f : schema.fields()) {
    if (++seen[f->name()] > 1) return false;
  }
  return true;
}

}  // namespace

Result<std::unique_ptr<ParquetBlockWriter>> ParquetBlockWriter::Start(
    std::shared_ptr<ObjectStore> store, const std::string& key, BlockWriterOptions options) {
  if (options.row_group_bytes < kMinRowGroupBytes) {
    return Status::InvalidArgument(
        store->Uri(key) + ": row group size " + std::to_string(options.row_group_bytes) +
        " bytes is below the minimum of " + std::to_string(kMinRowGroupBytes));
  }
  if (!arrow::util::Codec::IsAvailable(options.compression)) {
    return Status::InvalidArgument(store->Uri(key) + ": compression " +
                                   CompressionName(options.compression) +
                                   " is not available in this build");
  }
  auto start = std::chrono::steady_clock::now();
  LP_ASSIGN_OR_RETURN(auto stream, OpenOutputStream(store, key, options.object));
  std::unique_ptr<ParquetBlockWriter> w(
      new ParquetBlockWriter(std::move(stream), std::move(options)));
  w->started_ = start;
  if (w->options_.schema) LP_RETURN_NOT_OK(w->OpenFileWriter(FileSchema(*w->options_.schema)));
  return w;
}

ParquetBlockWriter::ParquetBlockWriter(std::shared_ptr<ObjectOutputStream> stream,
                                       BlockWriterOptions options)
    : stream_(std::move(stream)), options_(std::move(options)), uri_(stream_->uri()) {}

ParquetBlockWriter::~ParquetBlockWriter() { (void)Abort(); }

Status ParquetBlockWriter::Abort() {
  if (done_) return Status::OK();
  done_ = true;
  // The stream goes first: the Parquet writer's destructor would write a footer, which then goes
  // nowhere.
  Status st = FromArrow(stream_->Abort(), uri_);
  writer_.reset();
  held_.clear();
  held_rows_ = held_bytes_ = 0;
  return st;
}

Status ParquetBlockWriter::Poison(const Status& st) {
  (void)Abort();
  failed_ = st;
  return st;
}

Status ParquetBlockWriter::OpenFileWriter(std::shared_ptr<arrow::Schema> schema) {
  auto w = parquet::arrow::FileWriter::Open(*schema, arrow::default_memory_pool(), stream_,
                                            ParquetProperties(options_), ArrowProperties());
  // A schema Parquet cannot hold is the caller's mistake; nothing was written yet.
  if (!w.ok()) return Status::InvalidArgument(FromArrow(w.status(), uri_).message());
  writer_ = std::move(w).ValueUnsafe();
  schema_ = std::move(schema);
  return Status::OK();
}

Status ParquetBlockWriter::WriteBlock(const arrow::RecordBatch& block) {
  if (!failed_.ok()) return failed_;
  if (done_) return Status::Internal(uri_ + ": WriteBlock after Finish or Abort");
  auto start = std::chrono::steady_clock::now();
  int64_t index = static_cast<int64_t>(block_seconds_.size());
  LP_RETURN_NOT_OK(Accept(block, index));
  Status st = Drain(false);
  if (!st.ok()) return Poison(st.WithContext(uri_));
  block_seconds_.push_back(SecondsSince(start));
  return Status::OK();
}

Status ParquetBlockWriter::WriteTable(const arrow::Table& table) {
  if (!failed_.ok()) return failed_;
  if (done_) return Status::Internal(uri_ + ": WriteTable after Finish or Abort");
  auto start = std::chrono::steady_clock::now();
  int64_t index = static_cast<int64_t>(block_seconds_.size());
  // Check the whole table's schema before holding any of it, so a bad table adds nothing.
  auto empty = arrow::RecordBatch::MakeEmpty(table.schema());
  if (!empty.ok()) return FromArrow(empty.status(), uri_);
  if (schema_) LP_RETURN_NOT_OK(Conform(**empty, index).status());
  arrow::TableBatchReader reader(table);
  bool any = false;
  while (true) {
    std::shared_ptr<arrow::RecordBatch> batch;
    arrow::Status ast = reader.ReadNext(&batch);
    if (!ast.ok()) return Poison(FromArrow(ast, uri_));
    if (!batch) break;
    any = true;
    LP_RETURN_NOT_OK(Accept(*batch, index));
    Status st = Drain(false);
    if (!st.ok()) return Poison(st.WithContext(uri_));
  }
  if (!any) LP_RETURN_NOT_OK(Accept(**empty, index));  // an empty table still fixes the schema
  block_seconds_.push_back(SecondsSince(start));
  return Status::OK();
}

Result<std::shared_ptr<arrow::RecordBatch>> ParquetBlockWriter::Conform(
    const arrow::RecordBatch& block, int64_t block_index) const {
  const arrow::Schema& want = *schema_;
  const arrow::Schema& got = *block.schema();
  std::vector<std::string> problems;
  std::vector<std::shared_ptr<arrow::Array>> columns;
  auto check_field = [&](const arrow::Field& w, const arrow::Field& g, int got_index) {
    if (!w.type()->Equals(*FileType(g.type()))) {
      problems.push_back("field " + w.name() + ": expected " + w.type()->ToString() + ", got " +
                         g.type()->ToString());
      return;
    }
    const auto& column = block.column(got_index);
    if (!w.nullable() && column->null_count() > 0) {
      problems.push_back("field " + w.name() + ": expected not null, got " +
                         std::to_string(column->null_count()) + " nulls");
      return;
    }
    auto cast = ToFileType(column, w.type());
    if (!cast.ok()) {
      problems.push_back("field " + w.name() + ": " + cast.status().message());
      return;
    }
    columns.push_back(*std::move(cast));
  };
  if (HasUniqueNames(want) && HasUniqueNames(got)) {
    for (const auto& w : want.fields()) {
      int i = got.GetFieldIndex(w->name());
      if (i < 0) {
        problems.push_back("missing field " + w->name() + " (" + w->type()->ToString() + ")");
      } else {
        check_field(*w, *got.field(i), i);
      }
    }
    for (const auto& g : got.fields()) {
      if (want.GetFieldIndex(g->name()) < 0) {
        problems.push_back("extra field " + g->name() + " (" + g->type()->ToString() + ")");
      }
    }
  } else {  // duplicate names: only a positional match is meaningful
    if (want.num_fields() != got.num_fields()) {
      problems.push_back("expected " + std::to_string(want.num_fields()) + " fields, got " +
                         std::to_string(got.num_fields()));
    } else {
      for (int i = 0; i < want.num_fields(); ++i) {
        if (want.field(i)->name() != got.field(i)->name()) {
          problems.push_back("field " + std::to_string(i) + ": expected name " +
                             want.field(i)->name() + ", got " + got.field(i)->name());
        } else {
          check_field(*want.field(i), *got.field(i), i);
        }
      }
    }
  }
  if (!problems.empty()) {
    std::string msg = uri_ + ": block " + std::to_string(block_index) +
                      " does not match the schema fixed by the first block (schema mismatch): ";
    for (size_t i = 0; i < problems.size(); ++i) msg += (i ? "; " : "") + problems[i];
    return Status::InvalidArgument(msg);
  }
  return arrow::RecordBatch::Make(schema_, block.num_rows(), std::move(columns));
}

Status ParquetBlockWriter::Accept(const arrow::RecordBatch& block, int64_t block_index) {
  if (!schema_) {
    LP_RETURN_NOT_OK(OpenFileWriter(FileSchema(*block.schema())));
  }
  LP_ASSIGN_OR_RETURN(auto batch, Conform(block, block_index));
  if (batch->num_rows() == 0) return Status::OK();
  LP_ASSIGN_OR_RETURN(int64_t bytes, ArrowBytes(*batch));
  held_.push_back(Held{std::move(batch), bytes});
  held_rows_ += held_.back().batch->num_rows();
  held_bytes_ += bytes;
  rows_ += held_.back().batch->num_rows();
  arrow_bytes_ += bytes;
  return Status::OK();
}

Status ParquetBlockWriter::Drain(bool final) {
  const double target = static_cast<double>(options_.row_group_bytes);
  while (held_rows_ > 0) {
    if (!final) {
      if (!calibrated_) {
        // Compression shrinks data, so a row group holds at least `target` Arrow bytes: no need
        // to estimate before that much is held.
        if (held_bytes_ < options_.row_group_bytes) return Status::OK();
        bool ready = false;
        LP_RETURN_NOT_OK(Calibrate(&ready));
        if (!ready) return Status::OK();
      }
      if (Estimate(held_bytes_) < target) return Status::OK();
    }
    if (rg_state_ != RowGroupState::kOpenEmpty) {
      // Closes the previous row group (if any), whose exact size then refines the ratio.
      LP_RETURN_NOT_OK(StartRowGroup());
      if (!final && Estimate(held_bytes_) < target) return Status::OK();
    }
    LP_RETURN_NOT_OK(WriteRows(final ? held_rows_ : RowsForTarget()));
  }
  return Status::OK();
}

Result<std::vector<std::shared_ptr<arrow::RecordBatch>>> ParquetBlockWriter::HeldPrefix(
    int64_t max_bytes, int64_t* bytes) const {
  std::vector<std::shared_ptr<arrow::RecordBatch>> out;
  *bytes = 0;
  for (const Held& h : held_) {
    if (*bytes >= max_bytes) break;
    int64_t want = max_bytes - *bytes;
    if (h.arrow_bytes <= want) {
      out.push_back(h.batch);
      *bytes += h.arrow_bytes;
    } else {
      int64_t rows = std::max<int64_t>(
          1, static_cast<int64_t>(static_cast<double>(h.batch->num_rows()) * want / h.arrow_bytes));
      auto part = h.batch->Slice(0, rows);
      LP_ASSIGN_OR_RETURN(int64_t part_bytes, ArrowBytes(*part));
      out.push_back(std::move(part));
      *bytes += part_bytes;
    }
  }
  return out;
}

Result<int64_t> ParquetBlockWriter::EncodedSize(
    const std::vector<std::shared_ptr<arrow::RecordBatch>>& batches) const {
  LP_ARROW_ASSIGN_OR_RETURN(auto table, arrow::Table::FromRecordBatches(schema_, batches), uri_);
  auto sink = std::make_shared<CountingSink>();
  LP_ARROW_ASSIGN_OR_RETURN(
      auto w,
      parquet::arrow::FileWriter::Open(*schema_, arrow::default_memory_pool(), sink,
                                       ParquetProperties(options_), ArrowProperties()),
      uri_);
  LP_ARROW_RETURN_NOT_OK(w->WriteTable(*table, std::max<int64_t>(1, table->num_rows())), uri_);
  LP_ARROW_RETURN_NOT_OK(w->Close(), uri_);
  const auto& md = *w->metadata();
  int64_t compressed = 0;
  for (int i = 0; i < md.num_row_groups(); ++i) compressed += RowGroupCompressedBytes(md, i);
  return compressed;
}

Status ParquetBlockWriter::Calibrate(bool* ready) {
  // Sizes the first row group by encoding held rows in memory: first all that is held (at least
  // `target` Arrow bytes), then — unless that already hit the target — the prefix that one ratio
  // predicts, once that much is held.  The line through the two points (a secant close to the
  // target) is the size model.  One ratio alone misses by several percent because size is not
  // proportional to rows: dictionaries stop growing or fall back to plain encoding.
  const double target = static_cast<double>(options_.row_group_bytes);
  *ready = false;
  if (ratio_ <= 0) {
    LP_ASSIGN_OR_RETURN(auto sample, HeldPrefix(held_bytes_, &cal_arrow_));
    LP_ASSIGN_OR_RETURN(cal_size_, EncodedSize(sample));
    ratio_ = std::max(1e-6, static_cast<double>(cal_size_) / std::max<int64_t>(1, cal_arrow_));
    fixed_ = 0;
    if (std::abs(cal_size_ - target) <= kCalibrationTolerance * target) {
      calibrated_ = *ready = true;
      return Status::OK();
    }
  }
  int64_t want = static_cast<int64_t>(std::ceil(target / ratio_));
  if (held_bytes_ < want) return Status::OK();  // not enough held yet for the second point
  int64_t arrow2 = 0;
  LP_ASSIGN_OR_RETURN(auto sample, HeldPrefix(want, &arrow2));
  LP_ASSIGN_OR_RETURN(int64_t size2, EncodedSize(sample));
  ratio_ = std::max(1e-6, static_cast<double>(size2) / std::max<int64_t>(1, arrow2));
  fixed_ = 0;
  if (arrow2 != cal_arrow_) {
    double slope =
        static_cast<double>(size2 - cal_size_) / static_cast<double>(arrow2 - cal_arrow_);
    double fixed = static_cast<double>(size2) - slope * arrow2;
    if (slope > 1e-6 && fixed < target) {  // a plausible line: grows with the data
      ratio_ = slope;
      fixed_ = fixed;
    }
  }
  calibrated_ = *ready = true;
  return Status::OK();
}

Status ParquetBlockWriter::StartRowGroup() {
  LP_ARROW_RETURN_NOT_OK(writer_->NewRowGroup(), uri_);
  LP_ARROW_ASSIGN_OR_RETURN(int64_t pos, stream_->Tell(), uri_);
  if (rg_state_ == RowGroupState::kOpenFilled && rg_arrow_bytes_ > 0) {
    // The previous row group is now closed: every byte of it is in the stream.
    ratio_ = std::max(1e-6, static_cast<double>(pos - rg_start_) / rg_arrow_bytes_);
    fixed_ = 0;  // measured at the target size itself, so no extrapolation is needed
  }
  rg_start_ = pos;
  rg_arrow_bytes_ = 0;
  rg_state_ = RowGroupState::kOpenEmpty;
  return Status::OK();
}

int64_t ParquetBlockWriter::RowsForTarget() const {
  // Arrow bytes that should compress to the target; rows are assumed equally wide within a block.
  const double need = (static_cast<double>(options_.row_group_bytes) - fixed_) / ratio_;
  double acc = 0;
  int64_t rows = 0;
  for (const Held& h : held_) {
    int64_t n = h.batch->num_rows();
    if (acc + h.arrow_bytes >= need) {
      double per_row = static_cast<double>(h.arrow_bytes) / n;
      int64_t take = static_cast<int64_t>(std::ceil((need - acc) / per_row));
      return rows + std::clamp<int64_t>(take, 1, n);
    }
    acc += h.arrow_bytes;
    rows += n;
  }
  return held_rows_;
}

Status ParquetBlockWriter::WriteRows(int64_t rows) {
  // Take `rows` rows off the front of held_, splitting a block if needed.
  std::vector<std::shared_ptr<arrow::RecordBatch>> take;
  int64_t taken_bytes = 0;
  int64_t remaining = rows;
  while (remaining > 0) {
    Held& h = held_.front();
    int64_t n = h.batch->num_rows();
    if (n <= remaining) {
      taken_bytes += h.arrow_bytes;
      take.push_back(std::move(h.batch));
      held_.pop_front();
      remaining -= n;
      continue;
    }
    auto head = h.batch->Slice(0, remaining);
    auto tail = h.batch->Slice(remaining);
    LP_ASSIGN_OR_RETURN(int64_t tail_bytes, ArrowBytes(*tail));
    int64_t head_bytes = std::max<int64_t>(0, h.arrow_bytes - tail_bytes);
    taken_bytes += head_bytes;
    take.push_back(std::move(head));
    h.batch = std::move(tail);
    h.arrow_bytes = tail_bytes;
    remaining = 0;
  }
  held_rows_ -= rows;
  held_bytes_ = 0;
  for (const Held& h : held_) held_bytes_ += h.arrow_bytes;

  for (int c = 0; c < schema_->num_fields(); ++c) {
    arrow::ArrayVector chunks;
    chunks.reserve(take.size());
    for (const auto& b : take) chunks.push_back(b->column(c));
    auto column =
        std::make_shared<arrow::ChunkedArray>(std::move(chunks), schema_->field(c)->type());
    LP_ARROW_RETURN_NOT_OK(writer_->WriteColumnChunk(column), uri_);
  }
  rg_arrow_bytes_ += taken_bytes;
  rg_state_ = RowGroupState::kOpenFilled;
  return Status::OK();
}

Result<BlockWriterStats> ParquetBlockWriter::Finish() {
  if (!failed_.ok()) return failed_;
  if (done_) return Status::Internal(uri_ + ": Finish after Finish or Abort");
  if (!schema_) {
    (void)Abort();
    return Status::InvalidArgument(uri_ +
                                   ": no block was written and no schema given, so there is no "
                                   "schema to write; nothing was stored");
  }
  Status st = Drain(true);
  if (st.ok()) st = FromArrow(writer_->Close(), uri_);
  if (st.ok()) st = FromArrow(stream_->Close(), uri_);
  if (!st.ok()) return Poison(st.WithContext(uri_));
  done_ = true;

  BlockWriterStats s;
  s.uri = uri_;
  s.etag = stream_->info().etag;
  s.bytes = stream_->info().size;
  s.compression = CompressionName(options_.compression);
  s.rows = rows_;
  s.blocks = static_cast<int64_t>(block_seconds_.size());
  s.columns = schema_->num_fields();
  s.arrow_bytes = arrow_bytes_;
  const auto& md = *writer_->metadata();
  s.row_groups = md.num_row_groups();
  for (int i = 0; i < md.num_row_groups(); ++i) {
    s.row_group_rows.push_back(md.RowGroup(i)->num_rows());
    s.row_group_bytes.push_back(RowGroupCompressedBytes(md, i));
    s.compressed_bytes += s.row_group_bytes.back();
    s.uncompressed_bytes += RowGroupUncompressedBytes(md, i);
  }
  s.compression_ratio = s.compressed_bytes > 0 ? static_cast<double>(s.uncompressed_bytes) /
                                                     static_cast<double>(s.compressed_bytes)
                                               : 1.0;
  s.block_seconds = std::move(block_seconds_);
  writer_.reset();
  s.total_seconds = SecondsSince(started_);
  return s;
}

}  // namespace lakepack::format
