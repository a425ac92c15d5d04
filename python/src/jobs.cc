// jobs.cc: the CLI verbs as Python functions (convert, inspect, generate, copy) plus
// read_batches / write_batches, which connect lakepack's readers and writers to Arrow streams.
//
// Only argument handling lives here: the jobs are ops/convert.h, ops/copy.h, gen/generate_job.h
// and format/inspect.h, each run through RunJob (job_binding.h: GIL released, Ctrl-C into the
// CancelToken, errors mapped).  An interrupted or failed write is aborted, so no partial output
// becomes visible.
#include <nanobind/nanobind.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <chrono>
#include <memory>
#include <string>
#include <utility>

#include "arrow_stream.h"
#include "base/json.h"
#include "errors.h"
#include "format/arrow_status.h"
#include "format/format.h"
#include "format/inspect.h"
#include "format/reader.h"
#include "format/schema_file.h"
#include "format/writer.h"
#include "gen/generate_job.h"
#include "job_binding.h"
#include "ops/convert.h"
#include "ops/copy.h"

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

// The report of one written file, as generate's and convert's begin.
nb::object WriteReport(const std::string& uri, Format fmt, int64_t rows, const ObjectInfo& info,
                       double seconds) {
  JsonWriter w;
  w.BeginObject();
  format::WriteFileReport(w, uri, fmt, rows, info.size, seconds);
  w.EndObject();
  return JsonToPython(w.str());
}

nb::object Convert(const ops::ConvertOptions& o) {
  ops::ConvertReport r = RunJob([&](const JobContext& ctx) { return ops::Convert(o, ctx); });
  return JsonToPython(r.ToJson());
}

struct GenerateArgs {
  std::string dst, format, compression;
  int64_t rows = -1, size = -1, seed = 42, batch_rows = 0;
  int threads = 0;
  StoreOptions store;
};

nb::object Generate(const GenerateArgs& a) {
  gen::GenerateReport r = RunJob([&](const JobContext& ctx) -> Result<gen::GenerateReport> {
    if (a.seed < 0) return Status::InvalidArgument("generate: seed must be >= 0");
    if (a.batch_rows < 0) return Status::InvalidArgument("generate: batch_rows must be >= 0");
    gen::GenerateJobOptions job;
    job.output_uri = a.dst;
    job.format = a.format;
    job.compression = a.compression;
    job.rows = a.rows;
    job.size_bytes = a.size;
    job.generator.seed = static_cast<uint64_t>(a.seed);
    job.generator.threads = a.threads;
    if (a.batch_rows > 0) job.generator.batch_rows = a.batch_rows;
    job.store = a.store;
    job.cancelled = [&ctx] { return ctx.cancelled(); };
    return gen::RunGenerateJob(job);
  });
  nb::object d = JsonToPython(r.ToJson());
  d["uri"] = a.dst;  // the Python report names the output as the caller did
  return d;
}

std::string Inspect(const std::string& uri, const std::string& fmt_name, const StoreOptions& so,
                    const format::CsvDialect& csv) {
  return RunJob([&](const JobContext&) -> Result<std::string> {
    LP_ASSIGN_OR_RETURN(Format fmt, format::ResolveFormat(uri, fmt_name));
    LP_ASSIGN_OR_RETURN(StoreLocation loc, OpenStore(uri, so));
    format::ReadOptions ro;
    ro.display_name = uri;
    ro.csv = csv;
    LP_ASSIGN_OR_RETURN(auto facts, format::InspectFile(loc.store, loc.key, fmt, ro));
    return format::RenderJson(facts);
  });
}

Stream ReadBatches(const std::string& uri, const std::string& fmt_name,
                   const std::string& schema_uri, int64_t batch_rows, const StoreOptions& so,
                   const format::CsvDialect& csv) {
  return Stream(RunJob([&](const JobContext&) -> Result<std::shared_ptr<arrow::RecordBatchReader>> {
    LP_ASSIGN_OR_RETURN(Format fmt, format::ResolveFormat(uri, fmt_name));
    LP_ASSIGN_OR_RETURN(StoreLocation loc, OpenStore(uri, so));
    LP_ASSIGN_OR_RETURN(auto ro, MakeReadOptions(uri, schema_uri, batch_rows, so));
    ro.csv = csv;
    return format::OpenBatchReader(loc.store, loc.key, fmt, ro);
  }));
}

nb::object WriteBatches(nb::handle source, const std::string& uri, const std::string& fmt_name,
                        const std::string& compression, int64_t row_group_rows,
                        int64_t row_group_bytes, bool if_absent, const StoreOptions& so) {
  const auto start = std::chrono::steady_clock::now();
  std::shared_ptr<arrow::RecordBatchReader> reader = ImportStream(source);
  int64_t rows = 0;
  Format fmt = Format::kParquet;
  ObjectInfo info = RunJob([&](const JobContext& ctx) -> Result<ObjectInfo> {
    LP_ASSIGN_OR_RETURN(fmt, format::ResolveFormat(uri, fmt_name));
    LP_ASSIGN_OR_RETURN(StoreLocation out, OpenOutput(uri, so));
    LP_ASSIGN_OR_RETURN(auto wo, MakeWriteOptions(compression, row_group_rows, row_group_bytes));
    wo.object.put.if_absent = if_absent;
    LP_ASSIGN_OR_RETURN(auto writer,
                        format::OpenBatchWriter(out.store, out.key, fmt, reader->schema(), wo));
    auto result = ops::PumpAndClose(*reader, *writer, "the Arrow stream written to " + uri, ctx);
    rows = writer->rows_written();
    return result;
  });
  return WriteReport(uri, fmt, rows, info, SecondsSince(start));
}

nb::object Copy(const ops::CopyOptions& o) {
  ops::CopyReport r = RunJob([&](const JobContext& ctx) { return ops::Copy(o, ctx); });
  // Ctrl-C: RunJob's ThrowIfError re-raises the pending KeyboardInterrupt.
  ThrowIfError(r.ToStatus());
  return JsonToPython(r.ToJson());
}

}  // namespace

// A one-character Python string as a char; ValueError otherwise.
char OneChar(const std::string& what, const std::string& v) {
  if (v.size() != 1) throw nb::value_error((what + " must be one character, not '" + v + "'").c_str());
  return v[0];
}

void RegisterCsvDialect(nb::module_& m) {
  // format::CsvDialect (lakepack/reader.h): delimiter None means ',' (a tab for .tsv names);
  // quote None means no quoting.
  nb::class_<format::CsvDialect>(m, "CsvDialect")
      .def(nb::init<>())
      .def_prop_rw(
          "delimiter",
          [](const format::CsvDialect& d) -> nb::object {
            if (!d.delimiter) return nb::none();
            return nb::str(std::string(1, *d.delimiter).c_str());
          },
          [](format::CsvDialect& d, nb::object v) {
            if (v.is_none()) {
              d.delimiter.reset();
            } else {
              d.delimiter = OneChar("delimiter", nb::cast<std::string>(v));
            }
          },
          nb::arg("value").none())
      .def_rw("header", &format::CsvDialect::header)
      .def_prop_rw(
          "quote",
          [](const format::CsvDialect& d) -> nb::object {
            if (!d.quoting) return nb::none();
            return nb::str(std::string(1, d.quote).c_str());
          },
          [](format::CsvDialect& d, nb::object v) {
            d.quoting = !v.is_none();
            if (d.quoting) d.quote = OneChar("quote", nb::cast<std::string>(v));
          },
          nb::arg("value").none())
      .def_rw("null_values", &format::CsvDialect::null_values)
      .def("validate", [](const format::CsvDialect& d) { ThrowIfError(d.Validate()); });
}

void RegisterJobs(nb::module_& m) {
  RegisterCsvDialect(m);
  // The options of ops/ as classes: each field list is written once in C++ (ops/*.h) and set by
  // name from python/lakepack/streams.py.
  nb::class_<ops::ConvertOptions>(m, "ConvertOptions")
      .def(nb::init<>())
      .def_rw("src", &ops::ConvertOptions::src)
      .def_rw("dst", &ops::ConvertOptions::dst)
      .def_rw("in_format", &ops::ConvertOptions::in_format)
      .def_rw("out_format", &ops::ConvertOptions::out_format)
      .def_rw("schema", &ops::ConvertOptions::schema)
      .def_rw("on_schema_mismatch", &ops::ConvertOptions::on_schema_mismatch)
      .def_rw("batch_rows", &ops::ConvertOptions::batch_rows)
      .def_rw("compression", &ops::ConvertOptions::compression)
      .def_rw("row_group_rows", &ops::ConvertOptions::row_group_rows)
      .def_rw("row_group_bytes", &ops::ConvertOptions::row_group_bytes)
      .def_rw("csv", &ops::ConvertOptions::csv)
      .def_prop_rw(
          "out_delimiter",
          [](const ops::ConvertOptions& o) -> nb::object {
            if (!o.out_delimiter) return nb::none();
            return nb::str(std::string(1, *o.out_delimiter).c_str());
          },
          [](ops::ConvertOptions& o, nb::object v) {
            if (v.is_none()) {
              o.out_delimiter.reset();
            } else {
              o.out_delimiter = OneChar("out_delimiter", nb::cast<std::string>(v));
            }
          },
          nb::arg("value").none())
      .def_rw("store", &ops::ConvertOptions::store);
  nb::class_<ops::CopyOptions>(m, "CopyOptions")
      .def(nb::init<>())
      .def_rw("src", &ops::CopyOptions::src)
      .def_rw("dst", &ops::CopyOptions::dst)
      .def_rw("recursive", &ops::CopyOptions::recursive)
      .def_rw("jobs", &ops::CopyOptions::jobs)
      .def_rw("parallel", &ops::CopyOptions::parallel)
      .def_rw("part_size", &ops::CopyOptions::part_size)
      .def_rw("max_failures", &ops::CopyOptions::max_failures)
      .def_rw("store", &ops::CopyOptions::store);
  m.def("convert", &Convert, nb::arg("options"));
  m.def("copy", &Copy, nb::arg("options"));
  m.def(
      "generate",
      [](const std::string& dst, int64_t rows, int64_t size, int64_t seed, const std::string& fmt,
         const std::string& compression, int threads, int64_t batch_rows, const StoreOptions& so) {
        return Generate(
            GenerateArgs{dst, fmt, compression, rows, size, seed, batch_rows, threads, so});
      },
      nb::arg("dst"), nb::arg("rows"), nb::arg("size"), nb::arg("seed"), nb::arg("format"),
      nb::arg("compression"), nb::arg("threads"), nb::arg("batch_rows"), nb::arg("options"));
  m.def("inspect", &Inspect, nb::arg("uri"), nb::arg("format"), nb::arg("options"),
        nb::arg("csv") = format::CsvDialect());
  m.def("read_batches", &ReadBatches, nb::arg("uri"), nb::arg("format"), nb::arg("schema"),
        nb::arg("batch_rows"), nb::arg("options"), nb::arg("csv") = format::CsvDialect());
  m.def("write_batches", &WriteBatches, nb::arg("source"), nb::arg("uri"), nb::arg("format"),
        nb::arg("compression"), nb::arg("row_group_rows"), nb::arg("row_group_bytes"),
        nb::arg("if_absent"), nb::arg("options"));
}

}  // namespace lakepack::py
