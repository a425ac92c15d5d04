#include "format/writer.h"

#include <algorithm>

#include "arrow/type.h"
#include "arrow/util/byte_size.h"
#include "format/arrow_io.h"
#include "format/arrow_status.h"
#include "format/csv_writer.h"
#include "format/jsonl_writer.h"
#include "format/memory_pool.h"
#include "parquet/arrow/writer.h"
#include "parquet/properties.h"

namespace lakepack::format {
namespace {

// The parts every format shares: the object stream, commit and abort.
class WriterBase : public BatchWriter {
 public:
  explicit WriterBase(std::shared_ptr<ObjectOutputStream> stream) : stream_(std::move(stream)) {}

  Status Abort() override {
    if (done_) return Status::OK();
    done_ = true;
    // The stream goes first: whatever the format writer flushes while it is torn down (Parquet
    // writes a footer from its destructor) then goes nowhere.
    Status st = FromArrow(stream_->Abort(), stream_->uri());
    DropFormatWriter();
    return st;
  }

  Result<ObjectInfo> Close() override {
    if (done_) return Status::Internal(stream_->uri() + ": Close on a closed or aborted writer");
    Status st = CloseFormatWriter();
    if (st.ok()) st = FromArrow(stream_->Close(), stream_->uri());
    if (!st.ok()) {
      (void)Abort();
      return st;
    }
    done_ = true;
    DropFormatWriter();
    return stream_->info();
  }

  int64_t rows_written() const override { return rows_; }
  int64_t bytes_written() const override { return stream_->stored_bytes(); }

 protected:
  // Subclasses' destructors must call Abort() first.
  virtual Status CloseFormatWriter() = 0;
  virtual void DropFormatWriter() = 0;

  Status Failed(const Status& st) {
    (void)Abort();
    return st.WithContext(stream_->uri());
  }

  std::shared_ptr<ObjectOutputStream> stream_;
  int64_t rows_ = 0;
  bool done_ = false;
};

class ParquetWriter final : public WriterBase {
 public:
  ParquetWriter(std::shared_ptr<ObjectOutputStream> stream, std::shared_ptr<arrow::Schema> schema,
                WriteOptions options)
      : WriterBase(std::move(stream)), schema_(std::move(schema)), options_(std::move(options)) {}
  ~ParquetWriter() override { (void)Abort(); }

  Status Write(const arrow::RecordBatch& batch) override {
    if (done_) return Status::Internal(stream_->uri() + ": write after Close or Abort");
    if (!writer_) {
      Status st = Open(batch);
      if (!st.ok()) return Failed(st);
    }
    arrow::Status st = writer_->WriteRecordBatch(batch);
    if (!st.ok()) return Failed(FromArrow(st));
    rows_ += batch.num_rows();
    return Status::OK();
  }

 private:
  // Opened at the first batch, whose size per row sets the rows per row group.
  Status Open(const arrow::RecordBatch& first) {
    int64_t rows = options_.row_group_rows > 0 ? options_.row_group_rows
                                               : parquet::DEFAULT_MAX_ROW_GROUP_LENGTH;
    if (options_.row_group_bytes > 0 && first.num_rows() > 0) {
      // Counts shared buffers once, so a slice is not charged for its whole parent.
      int64_t bytes = arrow::util::TotalBufferSize(first);
      int64_t per_row = std::max<int64_t>(1, bytes / first.num_rows());
      rows = std::min(rows, std::max<int64_t>(1, options_.row_group_bytes / per_row));
    }
    parquet::WriterProperties::Builder props;
    props.compression(options_.compression.value_or(arrow::Compression::SNAPPY));
    props.max_row_group_length(rows);
    props.memory_pool(StreamPool());
    auto arrow_props = parquet::ArrowWriterProperties::Builder()
                           .store_schema()
                           ->set_use_threads(options_.use_threads)
                           ->build();
    auto w = parquet::arrow::FileWriter::Open(*schema_, StreamPool(), stream_, props.build(),
                                              arrow_props);
    if (!w.ok()) return FromArrow(w.status());
    writer_ = std::move(w).ValueUnsafe();
    return Status::OK();
  }

  Status CloseFormatWriter() override {
    if (!writer_) {  // no batch came: still write a valid, empty file
      auto empty = arrow::RecordBatch::MakeEmpty(schema_);
      if (!empty.ok()) return FromArrow(empty.status());
      LP_RETURN_NOT_OK(Open(**empty));
    }
    return FromArrow(writer_->Close());
  }
  void DropFormatWriter() override { writer_.reset(); }

  std::shared_ptr<arrow::Schema> schema_;
  WriteOptions options_;
  std::unique_ptr<parquet::arrow::FileWriter> writer_;
};

// CSV and JSON Lines: a text writer of ours (CsvWriter, JsonlWriter) over the object stream.
template <typename TextWriter>
class TextBatchWriter final : public WriterBase {
 public:
  TextBatchWriter(std::shared_ptr<ObjectOutputStream> stream, std::unique_ptr<TextWriter> writer)
      : WriterBase(std::move(stream)), writer_(std::move(writer)) {}
  ~TextBatchWriter() override { (void)Abort(); }

  Status Write(const arrow::RecordBatch& batch) override {
    if (done_) return Status::Internal(stream_->uri() + ": write after Close or Abort");
    Status st = writer_->Write(batch);
    if (!st.ok()) return Failed(st);
    rows_ += batch.num_rows();
    return Status::OK();
  }

 private:
  Status CloseFormatWriter() override { return writer_->Flush(); }
  void DropFormatWriter() override { writer_.reset(); }
  std::unique_ptr<TextWriter> writer_;
};

bool IsNested(const arrow::DataType& t) {
  return t.id() == arrow::Type::LIST || t.id() == arrow::Type::LARGE_LIST ||
         t.id() == arrow::Type::FIXED_SIZE_LIST || t.id() == arrow::Type::STRUCT ||
         t.id() == arrow::Type::MAP || t.id() == arrow::Type::LIST_VIEW ||
         t.id() == arrow::Type::LARGE_LIST_VIEW || t.id() == arrow::Type::SPARSE_UNION ||
         t.id() == arrow::Type::DENSE_UNION;
}

}  // namespace

Result<std::unique_ptr<BatchWriter>> OpenBatchWriter(std::shared_ptr<ObjectStore> store,
                                                     const std::string& key, Format format,
                                                     std::shared_ptr<arrow::Schema> schema,
                                                     const WriteOptions& options) {
  const std::string uri = store->Uri(key);
  if (format == Format::kCsv) {
    for (const auto& f : schema->fields()) {
      if (IsNested(*f->type())) {
        return Status::InvalidArgument(uri + ": column '" + f->name() + "' of type " +
                                       f->type()->ToString() +
                                       " cannot be written as CSV (use jsonl or parquet)");
      }
    }
  }
  LP_ASSIGN_OR_RETURN(auto stream, OpenOutputStream(store, key, options.object));
  switch (format) {
    case Format::kParquet:
      return std::unique_ptr<BatchWriter>(
          std::make_unique<ParquetWriter>(std::move(stream), std::move(schema), options));
    case Format::kCsv: {
      auto w = CsvWriter::Make(stream, schema, options.csv_header, options.csv_delimiter);
      if (!w.ok()) {
        (void)stream->Abort();
        return w.status().WithContext(uri);
      }
      return std::unique_ptr<BatchWriter>(
          std::make_unique<TextBatchWriter<CsvWriter>>(std::move(stream), std::move(w).ValueOrDie()));
    }
    case Format::kJsonl: {
      auto w = JsonlWriter::Make(stream, schema);
      if (!w.ok()) {
        (void)stream->Abort();
        return w.status();
      }
      return std::unique_ptr<BatchWriter>(
          std::make_unique<TextBatchWriter<JsonlWriter>>(std::move(stream), std::move(w).ValueOrDie()));
    }
  }
  return Status::InvalidArgument("unknown format");
}

}  // namespace lakepack::format
