// jobs.cc: the CLI verbs as Python functions (convert, inspect, generate, copy) plus
// read_batches / write_batches, which connect lakepack's readers and writers to Arrow streams.
//
// Each releases the GIL for its whole run and checks for Ctrl-C between batches or objects; an
// interrupted or failed write is aborted, so no partial output becomes visible.
#include <nanobind/nanobind.h>
#include <nanobind/stl/string.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>

#include "arrow_stream.h"
#include "cli/counting_store.h"
#include "errors.h"
#include "format/arrow_status.h"
#include "format/format.h"
#include "format/inspect.h"
#include "format/reader.h"
#include "format/schema_file.h"
#include "format/timestamp_text.h"
#include "format/writer.h"
#include "gen/data_generator.h"
#include "gen/generating_reader.h"
#include "pump.h"

namespace nb = nanobind;

namespace lakepack::py {
namespace {

using format::Format;

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// Where an output goes: a store and a key that names a file.
Result<StoreLocation> OpenOutput(const std::string& uri, const StoreOptions& so) {
  LP_ASSIGN_OR_RETURN(StoreLocation out, OpenStore(uri, so));
  if (out.key.empty() || out.key.back() == '/') {
    return Status::InvalidArgument(uri + ": the output must name a file, not a directory");
  }
  return out;
}

Result<format::WriteOptions> MakeWriteOptions(const std::string& compression,
                                              int64_t row_group_rows, int64_t row_group_bytes) {
  format::WriteOptions wo;
  if (!compression.empty()) {
    LP_ASSIGN_OR_RETURN(wo.compression, format::ParseCompression(compression));
  }
  if (row_group_rows > 0) {
    wo.row_group_rows = row_group_rows;
    wo.row_group_bytes = 0;
  }
  if (row_group_bytes > 0) wo.row_group_bytes = row_group_bytes;
  return wo;
}

Result<format::ReadOptions> MakeReadOptions(const std::string& uri, const std::string& schema_uri,
                                            int64_t batch_rows, const StoreOptions& so) {
  format::ReadOptions ro;
  ro.display_name = uri;
  if (!schema_uri.empty()) {
    LP_ASSIGN_OR_RETURN(ro.schema, format::LoadSchemaFile(schema_uri, so));
  }
  if (batch_rows < 0) return Status::InvalidArgument("batch_rows must be positive");
  if (batch_rows > 0) ro.batch_rows = batch_rows;
  return ro;
}

nb::dict WriteReport(const std::string& uri, Format fmt, int64_t rows, const ObjectInfo& info,
                     double seconds) {
  nb::dict d;
  d["uri"] = uri;
  d["format"] = format::FormatName(fmt);
  d["rows"] = rows;
  d["bytes"] = info.size;
  d["seconds"] = seconds;
  return d;
}

struct ConvertArgs {
  std::string src, dst, in_format, out_format, compression, schema;
  int64_t batch_rows = 0, row_group_rows = 0, row_group_bytes = 0;
  StoreOptions store;
};

nb::dict Convert(const ConvertArgs& a) {
  const auto start = std::chrono::steady_clock::now();
  int64_t rows = 0;
  Format out_format = Format::kParquet;
  Result<ObjectInfo> info = Status::Internal("unset");
  {
    nb::gil_scoped_release release;
    info = [&]() -> Result<ObjectInfo> {
      LP_ASSIGN_OR_RETURN(Format in_format, format::ResolveFormat(a.src, a.in_format));
      LP_ASSIGN_OR_RETURN(out_format, format::ResolveFormat(a.dst, a.out_format));
      LP_ASSIGN_OR_RETURN(StoreLocation in, OpenStore(a.src, a.store));
      LP_ASSIGN_OR_RETURN(StoreLocation out, OpenOutput(a.dst, a.store));
      LP_ASSIGN_OR_RETURN(auto ro, MakeReadOptions(a.src, a.schema, a.batch_rows, a.store));
      LP_ASSIGN_OR_RETURN(auto wo,
                          MakeWriteOptions(a.compression, a.row_group_rows, a.row_group_bytes));
      LP_ASSIGN_OR_RETURN(auto reader, format::OpenBatchReader(in.store, in.key, in_format, ro));
      LP_ASSIGN_OR_RETURN(auto writer, format::OpenBatchWriter(out.store, out.key, out_format,
                                                               reader->schema(), wo));
      auto result = PumpAndClose(*reader, *writer, a.src);
      rows = writer->rows_written();
      return result;
    }();
  }
  return WriteReport(a.dst, out_format, rows, ValueOrThrow(std::move(info)), SecondsSince(start));
}

struct GenerateArgs {
  std::string dst, format, compression;
  int64_t rows = -1, size = -1, seed = 42, batch_rows = 0;
  int threads = 0;
  StoreOptions store;
};

// With `size`, batches are written in slices of this many rows so the output overshoots the
// size by at most one slice (as the CLI does).
constexpr int64_t kSizeSliceRows = 8192;
// With `size`, Parquet row groups are cut at about size / 8 bytes (the output only grows when a
// row group is flushed), but no smaller than 1 MB.
constexpr int64_t kRowGroupsPerSize = 8;
constexpr int64_t kMinRowGroupBytes = 1000 * 1000;

nb::dict Generate(const GenerateArgs& a) {
  const auto start = std::chrono::steady_clock::now();
  int64_t rows_written = 0;
  Format fmt = Format::kParquet;
  Result<ObjectInfo> info = Status::Internal("unset");
  {
    nb::gil_scoped_release release;
    info = [&]() -> Result<ObjectInfo> {
      if ((a.rows >= 0) == (a.size >= 0)) {
        return Status::InvalidArgument("generate: give exactly one of rows= or size=");
      }
      LP_ASSIGN_OR_RETURN(fmt, format::ResolveFormat(a.dst, a.format));
      gen::DataGeneratorOptions go;
      if (a.seed < 0) return Status::InvalidArgument("generate: seed must be >= 0");
      go.seed = static_cast<uint64_t>(a.seed);
      go.threads = a.threads;
      if (a.batch_rows > 0) go.batch_rows = a.batch_rows;
      LP_ASSIGN_OR_RETURN(auto generator, gen::DataGenerator::Make(go));
      LP_ASSIGN_OR_RETURN(StoreLocation out, OpenOutput(a.dst, a.store));
      format::WriteOptions wo;
      if (fmt == Format::kParquet) {
        if (!a.compression.empty()) {
          LP_ASSIGN_OR_RETURN(wo.compression, format::ParseCompression(a.compression));
        }
        if (a.size >= 0) {
          wo.row_group_bytes =
              std::clamp(a.size / kRowGroupsPerSize, kMinRowGroupBytes, wo.row_group_bytes);
        }
      } else if (!a.compression.empty() && a.compression != "none") {
        return Status::InvalidArgument("generate: compression applies to Parquet only");
      }
      const bool timestamps_as_text = fmt == Format::kCsv;
      auto schema = generator->schema();
      if (timestamps_as_text) schema = format::SchemaWithUtcTimestampsAsText(*schema);
      auto counting = std::make_shared<cli::CountingStore>(out.store);
      LP_ASSIGN_OR_RETURN(auto writer, format::OpenBatchWriter(counting, out.key, fmt, schema, wo));
      LP_ASSIGN_OR_RETURN(auto reader,
                          gen::GeneratingReader::Make(
                              generator, a.size >= 0 ? gen::GeneratingReader::kUnbounded : a.rows));
      auto loop = [&]() -> Status {
        bool done = a.size == 0;
        while (!done) {
          LP_RETURN_NOT_OK(CheckInterrupt());
          std::shared_ptr<arrow::RecordBatch> batch;
          LP_RETURN_NOT_OK(format::FromArrow(reader->ReadNext(&batch), "generate"));
          if (!batch) break;
          const int64_t slice = a.size >= 0 ? kSizeSliceRows : batch->num_rows();
          for (int64_t off = 0; off < batch->num_rows() && !done; off += slice) {
            std::shared_ptr<arrow::RecordBatch> part = batch->Slice(off, slice);
            if (timestamps_as_text) {
              LP_ASSIGN_OR_RETURN(part, format::WithUtcTimestampsAsText(part));
            }
            LP_RETURN_NOT_OK(writer->Write(*part));
            rows_written += part->num_rows();
            done = a.size >= 0 && counting->bytes_written() >= a.size;
          }
        }
        return Status::OK();
      };
      Status st = loop();
      (void)reader->Close();
      if (!st.ok()) {
        (void)writer->Abort();
        return st;
      }
      return writer->Close();
    }();
  }
  return WriteReport(a.dst, fmt, rows_written, ValueOrThrow(std::move(info)), SecondsSince(start));
}

std::string Inspect(const std::string& uri, const std::string& fmt_name, const StoreOptions& so) {
  Result<std::string> json = Status::Internal("unset");
  {
    nb::gil_scoped_release release;
    json = [&]() -> Result<std::string> {
      LP_ASSIGN_OR_RETURN(Format fmt, format::ResolveFormat(uri, fmt_name));
      LP_ASSIGN_OR_RETURN(StoreLocation loc, OpenStore(uri, so));
      format::ReadOptions ro;
      ro.display_name = uri;
      LP_ASSIGN_OR_RETURN(auto facts, format::InspectFile(loc.store, loc.key, fmt, ro));
      return format::RenderJson(facts);
    }();
  }
  return ValueOrThrow(std::move(json));
}

Stream ReadBatches(const std::string& uri, const std::string& fmt_name,
                   const std::string& schema_uri, int64_t batch_rows, const StoreOptions& so) {
  Result<std::shared_ptr<arrow::RecordBatchReader>> reader = Status::Internal("unset");
  {
    nb::gil_scoped_release release;
    reader = [&]() -> Result<std::shared_ptr<arrow::RecordBatchReader>> {
      LP_ASSIGN_OR_RETURN(Format fmt, format::ResolveFormat(uri, fmt_name));
      LP_ASSIGN_OR_RETURN(StoreLocation loc, OpenStore(uri, so));
      LP_ASSIGN_OR_RETURN(auto ro, MakeReadOptions(uri, schema_uri, batch_rows, so));
      return format::OpenBatchReader(loc.store, loc.key, fmt, ro);
    }();
  }
  return Stream(ValueOrThrow(std::move(reader)));
}

nb::dict WriteBatches(nb::handle source, const std::string& uri, const std::string& fmt_name,
                      const std::string& compression, int64_t row_group_rows,
                      int64_t row_group_bytes, bool if_absent, const StoreOptions& so) {
  const auto start = std::chrono::steady_clock::now();
  std::shared_ptr<arrow::RecordBatchReader> reader = ImportStream(source);
  int64_t rows = 0;
  Format fmt = Format::kParquet;
  Result<ObjectInfo> info = Status::Internal("unset");
  {
    nb::gil_scoped_release release;
    info = [&]() -> Result<ObjectInfo> {
      LP_ASSIGN_OR_RETURN(fmt, format::ResolveFormat(uri, fmt_name));
      LP_ASSIGN_OR_RETURN(StoreLocation out, OpenOutput(uri, so));
      LP_ASSIGN_OR_RETURN(auto wo, MakeWriteOptions(compression, row_group_rows, row_group_bytes));
      wo.object.put.if_absent = if_absent;
      LP_ASSIGN_OR_RETURN(auto writer,
                          format::OpenBatchWriter(out.store, out.key, fmt, reader->schema(), wo));
      auto result = PumpAndClose(*reader, *writer, "the Arrow stream written to " + uri);
      rows = writer->rows_written();
      return result;
    }();
  }
  return WriteReport(uri, fmt, rows, ValueOrThrow(std::move(info)), SecondsSince(start));
}

struct CopyJob {
  std::string src_key, dst_key;
};

nb::dict Copy(const std::string& src_uri, const std::string& dst_uri, bool recursive,
              const StoreOptions& so) {
  const auto start = std::chrono::steady_clock::now();
  int64_t objects = 0, bytes = 0;
  Status st;
  {
    nb::gil_scoped_release release;
    st = [&]() -> Status {
      LP_ASSIGN_OR_RETURN(StoreLocation src, OpenStore(src_uri, so));
      LP_ASSIGN_OR_RETURN(StoreLocation dst, OpenStore(dst_uri, so));
      std::vector<ObjectInfo> sources;
      std::string prefix = src.key;
      if (recursive) {
        if (!prefix.empty() && prefix.back() != '/') prefix += '/';
        LP_ASSIGN_OR_RETURN(sources, src.store->ListAll(prefix));
        if (sources.empty()) return Status::NotFound("no objects under " + src_uri);
      } else {
        if (prefix.empty() || prefix.back() == '/') {
          return Status::InvalidArgument(src_uri + " is a prefix; use recursive=True");
        }
        LP_ASSIGN_OR_RETURN(ObjectInfo head, src.store->Head(prefix));
        sources.push_back(head);
      }
      const bool same_store = src.store->root_uri() == dst.store->root_uri();
      for (const ObjectInfo& obj : sources) {
        LP_RETURN_NOT_OK(CheckInterrupt());
        std::string dst_key = dst.key;
        if (recursive) {
          if (!dst_key.empty() && dst_key.back() != '/') dst_key += '/';
          dst_key += obj.key.substr(prefix.size());
        } else if (dst_key.empty() || dst_key.back() == '/') {
          size_t slash = obj.key.rfind('/');
          dst_key += slash == std::string::npos ? obj.key : obj.key.substr(slash + 1);
        }
        if (same_store) {
          LP_RETURN_NOT_OK(src.store->Copy(obj.key, dst_key));
        } else {
          LP_RETURN_NOT_OK(CopyObject(*src.store, obj.key, *dst.store, dst_key));
        }
        ++objects;
        bytes += obj.size;
      }
      return Status::OK();
    }();
  }
  ThrowIfError(st);
  nb::dict d;
  d["objects"] = objects;
  d["bytes"] = bytes;
  d["seconds"] = SecondsSince(start);
  return d;
}

}  // namespace

void RegisterJobs(nb::module_& m) {
  m.def(
      "convert",
      [](const std::string& src, const std::string& dst, const std::string& in_format,
         const std::string& out_format, const std::string& compression, const std::string& schema,
         int64_t batch_rows, int64_t row_group_rows, int64_t row_group_bytes,
         const StoreOptions& so) {
        return Convert(ConvertArgs{src, dst, in_format, out_format, compression, schema, batch_rows,
                                   row_group_rows, row_group_bytes, so});
      },
      nb::arg("src"), nb::arg("dst"), nb::arg("in_format"), nb::arg("out_format"),
      nb::arg("compression"), nb::arg("schema"), nb::arg("batch_rows"), nb::arg("row_group_rows"),
      nb::arg("row_group_bytes"), nb::arg("options"));
  m.def(
      "generate",
      [](const std::string& dst, int64_t rows, int64_t size, int64_t seed, const std::string& fmt,
         const std::string& compression, int threads, int64_t batch_rows, const StoreOptions& so) {
        return Generate(
            GenerateArgs{dst, fmt, compression, rows, size, seed, batch_rows, threads, so});
      },
      nb::arg("dst"), nb::arg("rows"), nb::arg("size"), nb::arg("seed"), nb::arg("format"),
      nb::arg("compression"), nb::arg("threads"), nb::arg("batch_rows"), nb::arg("options"));
  m.def("inspect", &Inspect, nb::arg("uri"), nb::arg("format"), nb::arg("options"));
  m.def("read_batches", &ReadBatches, nb::arg("uri"), nb::arg("format"), nb::arg("schema"),
        nb::arg("batch_rows"), nb::arg("options"));
  m.def("write_batches", &WriteBatches, nb::arg("source"), nb::arg("uri"), nb::arg("format"),
        nb::arg("compression"), nb::arg("row_group_rows"), nb::arg("row_group_bytes"),
        nb::arg("if_absent"), nb::arg("options"));
  m.def("copy", &Copy, nb::arg("src"), nb::arg("dst"), nb::arg("recursive"), nb::arg("options"));
}

}  // namespace lakepack::py
