// block_writer_binding.cc: BlockWriter, the C++ format::ParquetBlockWriter for Python; the engine
// of lakepack.ParquetBlockWriter for Parquet outputs.
//
// Row groups have the enforced compressed size (row_group_bytes); the first block fixes the
// schema, and a block with another schema raises InvalidArgument naming the differing fields and
// writes nothing (the writer stays usable); any other failure aborts the object.  Nothing is
// visible until finish(); abort() or garbage collection before it leaves nothing.
#include <nanobind/nanobind.h>
#include <nanobind/stl/string.h>

#include <memory>
#include <string>

#include "arrow/table.h"
#include "arrow_stream.h"
#include "errors.h"
#include "format/arrow_status.h"
#include "format/block_writer.h"
#include "format/format.h"

namespace nb = nanobind;

namespace lakepack::py {
namespace {

class BlockWriter {
 public:
  BlockWriter(std::string uri, const std::string& compression, int64_t row_group_bytes,
              const StoreOptions& so)
      : uri_(std::move(uri)) {
    format::BlockWriterOptions options;
    if (!compression.empty()) {
      options.compression = ValueOrThrow(format::ParseCompression(compression));
    }
    if (row_group_bytes > 0) options.row_group_bytes = row_group_bytes;
    Result<std::unique_ptr<format::ParquetBlockWriter>> w = Status::Internal("unset");
    {
      nb::gil_scoped_release release;
      w = [&]() -> Result<std::unique_ptr<format::ParquetBlockWriter>> {
        LP_ASSIGN_OR_RETURN(StoreLocation loc, OpenStore(uri_, so));
        if (loc.key.empty() || loc.key.back() == '/') {
          return Status::InvalidArgument(uri_ + ": the output must name a file");
        }
        return format::ParquetBlockWriter::Start(loc.store, loc.key, options);
      }();
    }
    writer_ = ValueOrThrow(std::move(w));
  }

  // Writes every batch of `source` (any Arrow stream) as one block; returns its rows.
  int64_t Write(nb::handle source) {
    if (!writer_) ThrowIfError(Status::InvalidArgument(uri_ + ": the writer is closed"));
    std::shared_ptr<arrow::RecordBatchReader> reader = ImportStream(source);
    Status st;
    int64_t rows = 0;
    {
      nb::gil_scoped_release release;
      st = [&]() -> Status {
        LP_RETURN_NOT_OK(CheckInterrupt());
        auto table = reader->ToTable();
        LP_RETURN_NOT_OK(format::FromArrow(table.status(), uri_));
        rows = (*table)->num_rows();
        return writer_->WriteTable(**table);
      }();
    }
    ThrowIfError(st);
    return rows;
  }

  nb::dict Finish() {
    if (!writer_) ThrowIfError(Status::InvalidArgument(uri_ + ": the writer is closed"));
    Result<format::BlockWriterStats> stats = Status::Internal("unset");
    {
      nb::gil_scoped_release release;
      stats = writer_->Finish();
    }
    writer_.reset();
    format::BlockWriterStats s = ValueOrThrow(std::move(stats));
    nb::dict d;
    d["uri"] = s.uri;
    d["etag"] = s.etag;
    d["compression"] = s.compression;
    d["rows"] = s.rows;
    d["blocks"] = s.blocks;
    d["row_groups"] = s.row_groups;
    d["columns"] = s.columns;
    d["bytes"] = s.bytes;
    d["uncompressed_bytes"] = s.uncompressed_bytes;
    d["compressed_bytes"] = s.compressed_bytes;
    d["compression_ratio"] = s.compression_ratio;
    nb::list rg_rows, rg_bytes, block_seconds;
    for (int64_t v : s.row_group_rows) rg_rows.append(v);
    for (int64_t v : s.row_group_bytes) rg_bytes.append(v);
    for (double v : s.block_seconds) block_seconds.append(v);
    d["row_group_rows"] = rg_rows;
    d["row_group_bytes"] = rg_bytes;
    d["block_seconds"] = block_seconds;
    d["seconds"] = s.total_seconds;
    return d;
  }

  void Abort() {
    if (!writer_) return;
    Status st;
    {
      nb::gil_scoped_release release;
      st = writer_->Abort();
    }
    writer_.reset();
    ThrowIfError(st);
  }

  bool closed() const { return writer_ == nullptr; }

 private:
  std::string uri_;
  std::unique_ptr<format::ParquetBlockWriter> writer_;  // null once finished or aborted
};

}  // namespace

void RegisterBlockWriter(nb::module_& m) {
  nb::class_<BlockWriter>(m, "BlockWriter")
      .def(nb::init<std::string, const std::string&, int64_t, const StoreOptions&>(),
           nb::arg("uri"), nb::arg("compression"), nb::arg("row_group_bytes"), nb::arg("options"))
      .def("write", &BlockWriter::Write, nb::arg("source"))
      .def("finish", &BlockWriter::Finish)
      .def("abort", &BlockWriter::Abort)
      .def_prop_ro("closed", &BlockWriter::closed);
}

}  // namespace lakepack::py
