// file_writer.cc: FileWriter, one CSV / JSON Lines / Parquet object written block by block
// (format/writer.h); the engine of lakepack.ParquetBlockWriter.
//
// The first block fixes the schema; a later block with another schema is rejected with
// InvalidArgument (a ValueError) naming the block, and the writer stays usable.  Nothing is
// visible until close(); abort(), an error or garbage collection before close() leaves nothing.
#include <nanobind/nanobind.h>
#include <nanobind/stl/string.h>

#include <memory>
#include <string>

#include "arrow/type.h"
#include "arrow_stream.h"
#include "errors.h"
#include "format/arrow_status.h"
#include "format/format.h"
#include "format/writer.h"

namespace nb = nanobind;

namespace lakepack::py {
namespace {

class FileWriter {
 public:
  FileWriter(std::string uri, const std::string& fmt, const std::string& compression,
             int64_t row_group_rows, int64_t row_group_bytes, const StoreOptions& so)
      : uri_(std::move(uri)) {
    format_ = ValueOrThrow(format::ResolveFormat(uri_, fmt));
    if (!compression.empty()) {
      options_.compression = ValueOrThrow(format::ParseCompression(compression));
    }
    if (row_group_rows > 0) {
      options_.row_group_rows = row_group_rows;
      options_.row_group_bytes = 0;
    }
    if (row_group_bytes > 0) options_.row_group_bytes = row_group_bytes;
    Result<StoreLocation> loc = Status::Internal("unset");
    {
      nb::gil_scoped_release release;
      loc = OpenStore(uri_, so);
    }
    location_ = ValueOrThrow(std::move(loc));
    if (location_.key.empty() || location_.key.back() == '/') {
      ThrowIfError(Status::InvalidArgument(uri_ + ": the output must name a file"));
    }
  }

  // Writes every batch of `source` (any Arrow stream).  Returns the rows written by this call.
  int64_t Write(nb::handle source) {
    if (closed_) ThrowIfError(Status::InvalidArgument(uri_ + ": the writer is closed"));
    std::shared_ptr<arrow::RecordBatchReader> reader = ImportStream(source);
    const int64_t block = blocks_ + 1;
    if (schema_ && !schema_->Equals(*reader->schema(), /*check_metadata=*/false)) {
      ThrowIfError(Status::InvalidArgument(
          uri_ + ": block " + std::to_string(block) +
          " has a schema different from the first block's:\n  first: " + schema_->ToString() +
          "\n  this:  " + reader->schema()->ToString()));
    }
    int64_t rows = 0;
    Status st;
    {
      nb::gil_scoped_release release;
      st = [&]() -> Status {
        if (!writer_) {
          schema_ = reader->schema();
          LP_ASSIGN_OR_RETURN(writer_, format::OpenBatchWriter(location_.store, location_.key,
                                                               format_, schema_, options_));
        }
        while (true) {
          LP_RETURN_NOT_OK(CheckInterrupt());
          std::shared_ptr<arrow::RecordBatch> batch;
          LP_RETURN_NOT_OK(format::FromArrow(reader->ReadNext(&batch),
                                             uri_ + ": block " + std::to_string(block)));
          if (!batch) return Status::OK();
          LP_RETURN_NOT_OK(writer_->Write(*batch));
          rows += batch->num_rows();
        }
      }();
    }
    if (!st.ok()) {
      // A half-written block cannot be taken back: the file is dropped.
      AbortQuietly();
      ThrowIfError(st);
    }
    ++blocks_;
    return rows;
  }

  // Commits the object; returns {"uri", "rows", "bytes", "blocks"}.
  nb::dict Close() {
    if (closed_) ThrowIfError(Status::InvalidArgument(uri_ + ": the writer is closed"));
    if (!writer_) {
      ThrowIfError(
          Status::InvalidArgument(uri_ + ": no block was written (the schema is unknown)"));
    }
    Result<ObjectInfo> info = Status::Internal("unset");
    {
      nb::gil_scoped_release release;
      info = writer_->Close();
    }
    closed_ = true;
    ObjectInfo i = ValueOrThrow(std::move(info));
    nb::dict d;
    d["uri"] = uri_;
    d["format"] = format::FormatName(format_);
    d["rows"] = writer_->rows_written();
    d["bytes"] = i.size;
    d["blocks"] = blocks_;
    return d;
  }

  void Abort() {
    closed_ = true;
    if (writer_) {
      Status st;
      {
        nb::gil_scoped_release release;
        st = writer_->Abort();
      }
      ThrowIfError(st);
    }
  }

  int64_t rows() const { return writer_ ? writer_->rows_written() : 0; }
  int64_t blocks() const { return blocks_; }
  bool closed() const { return closed_; }

 private:
  void AbortQuietly() {
    closed_ = true;
    if (writer_) {
      nb::gil_scoped_release release;
      (void)writer_->Abort();
    }
  }

  std::string uri_;
  format::Format format_ = format::Format::kParquet;
  format::WriteOptions options_;
  StoreLocation location_;
  std::shared_ptr<arrow::Schema> schema_;  // of the first block
  std::unique_ptr<format::BatchWriter> writer_;
  int64_t blocks_ = 0;
  bool closed_ = false;
};

}  // namespace

void RegisterFileWriter(nb::module_& m) {
  nb::class_<FileWriter>(m, "FileWriter")
      .def(nb::init<std::string, const std::string&, const std::string&, int64_t, int64_t,
                    const StoreOptions&>(),
           nb::arg("uri"), nb::arg("format"), nb::arg("compression"), nb::arg("row_group_rows"),
           nb::arg("row_group_bytes"), nb::arg("options"))
      .def("write", &FileWriter::Write, nb::arg("source"))
      .def("close", &FileWriter::Close)
      .def("abort", &FileWriter::Abort)
      .def_prop_ro("rows", &FileWriter::rows)
      .def_prop_ro("blocks", &FileWriter::blocks)
      .def_prop_ro("closed", &FileWriter::closed);
}

}  // namespace lakepack::py
