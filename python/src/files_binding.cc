// files_binding.cc: lakepack._lakepack.files_* — the files jobs (include/lakepack/files.h) for
// lakepack.file_dataset.
//
// Tables cross as Arrow C streams both ways (blob buffers are handed over, never copied into
// Python bytes).  Every job runs without the GIL; the pipeline's row function is a Python
// callable that the engine calls from its worker threads, taking the GIL only for that call.
// Per-row outcomes come back as a dict of equal-length lists (one entry per input row).
#include <nanobind/nanobind.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "arrow/api.h"
#include "arrow_stream.h"
#include "errors.h"
#include "job_binding.h"
#include "lakepack/files.h"

namespace nb = nanobind;

namespace lakepack::py {
namespace {

using files::FilesOptions;
using files::FileTable;
using files::RowOutcome;


template <typename T>
void Set(const nb::dict& d, const char* key, T* out) {
  if (d.contains(key) && !d[key].is_none()) *out = nb::cast<T>(d[key]);
}

FilesOptions OptionsFrom(const nb::dict& d) {
  FilesOptions o;
  Set(d, "endpoint_url", &o.store.endpoint_url);
  Set(d, "region", &o.store.region);
  Set(d, "profile", &o.store.profile);
  Set(d, "ca_bundle", &o.store.ca_bundle);
  Set(d, "max_retries", &o.store.max_retries);
  Set(d, "parallel_rows", &o.parallel_rows);
  Set(d, "parallel_files", &o.parallel_files);
  Set(d, "max_bytes_in_flight", &o.max_bytes_in_flight);
  Set(d, "max_attempts", &o.max_attempts);
  ThrowIfError(o.Validate());
  return o;
}

FileTable TableFrom(nb::handle source) {
  std::shared_ptr<arrow::RecordBatchReader> reader = ImportStream(source);
  auto table = reader->ToTable();
  if (!table.ok())
    ThrowIfError(Status::InvalidData("reading the file table: " + table.status().ToString()));
  return ValueOrThrow(files::FileTableFromArrow(**table));
}

nb::dict OutcomesDict(const std::vector<RowOutcome>& outcomes) {
  nb::list ok, stage, column, error, code, attempts, bytes, skipped;
  for (const auto& o : outcomes) {
    ok.append(o.ok);
    stage.append(files::StageName(o.stage));
    column.append(o.column);
    error.append(o.ok ? std::string() : o.error.message());
    code.append(o.ok ? std::string() : std::string(StatusCodeName(o.error.code())));
    attempts.append(o.attempts);
    bytes.append(o.bytes);
    skipped.append(o.skipped);
  }
  nb::dict d;
  d["ok"] = ok;
  d["stage"] = stage;
  d["column"] = column;
  d["error"] = error;
  d["code"] = code;
  d["attempts"] = attempts;
  d["bytes"] = bytes;
  d["skipped"] = skipped;
  return d;
}

Stream StreamOf(std::shared_ptr<arrow::Table> table) {
  return Stream(std::make_shared<arrow::TableBatchReader>(std::move(table)));
}

// Runs `job` through job_binding.h's RunJob (no GIL, Ctrl-C polled into the token), with the
// token stopping new rows; returns its value or raises.
template <typename F>
auto RunFilesJob(FilesOptions* o, F&& job) {
  auto value = RunJob([&](const JobContext& ctx) {
    o->cancelled = [&ctx] { return ctx.cancelled(); };
    return job();
  });
  // Ctrl-C: rows not started are reported Cancelled; the KeyboardInterrupt still pending wins.
  if (PyErr_Occurred()) throw nb::python_error();
  return value;
}

nb::tuple BlobTable(nb::handle source, const nb::dict& options) {
  FileTable t = TableFrom(source);
  FilesOptions o = OptionsFrom(options);
  auto r = RunFilesJob(&o, [&] { return files::FetchBlobTable(t, o); });
  return nb::make_tuple(StreamOf(r.table), OutcomesDict(r.outcomes));
}

nb::tuple SizeTable(nb::handle source, const nb::dict& options) {
  FileTable t = TableFrom(source);
  FilesOptions o = OptionsFrom(options);
  auto r = RunFilesJob(&o, [&] { return files::FetchSizeTable(t, o); });
  return nb::make_tuple(StreamOf(r.table), OutcomesDict(r.outcomes));
}

nb::dict Fetch(nb::handle source, const std::vector<std::string>& dirs, const nb::dict& options) {
  FileTable t = TableFrom(source);
  FilesOptions o = OptionsFrom(options);
  auto r = RunFilesJob(&o, [&] { return files::FetchToDirs(t, dirs, o); });
  return OutcomesDict(r);
}

nb::tuple Write(nb::handle source, const std::string& into_path, const nb::dict& options) {
  FileTable t = TableFrom(source);
  FilesOptions o = OptionsFrom(options);
  auto r = RunFilesJob(&o, [&] { return files::WriteFiles(t, into_path, o); });
  return nb::make_tuple(StreamOf(files::FileTableToArrow(r.written)), OutcomesDict(r.outcomes));
}

// fn(row, in_dir, out_dir) returns a list of (name, path) pairs, or a str: the error of the row.
nb::tuple Pipeline(nb::handle source, nb::object fn, const std::string& into_path,
                   const std::string& temp_dir, bool resume, int parallel_fn,
                   const nb::dict& options) {
  FileTable t = TableFrom(source);
  FilesOptions o = OptionsFrom(options);
  files::PipelineOptions p;
  p.into_path = into_path;
  p.temp_dir = temp_dir;
  p.resume = resume;
  p.parallel_fn = parallel_fn;
  files::RowFn row_fn = [&fn](int64_t row, const std::string& in,
                              const std::string& out) -> Result<files::FnOutputs> {
    nb::gil_scoped_acquire gil;
    try {
      nb::object res = fn(row, in, out);
      if (nb::isinstance<nb::str>(res)) return Status::InvalidData(nb::cast<std::string>(res));
      files::FnOutputs outs;
      for (nb::handle item : res) {
        nb::tuple pair = nb::cast<nb::tuple>(item);
        outs.emplace_back(nb::cast<std::string>(pair[0]), nb::cast<std::string>(pair[1]));
      }
      return outs;
    } catch (nb::python_error& e) {
      return Status::InvalidData(e.what());
    } catch (const std::exception& e) {
      return Status::InvalidData(e.what());
    }
  };
  auto r = RunFilesJob(&o, [&] { return files::RunPipeline(t, row_fn, p, o); });
  return nb::make_tuple(StreamOf(files::FileTableToArrow(r.outputs)), OutcomesDict(r.outcomes),
                        r.objects_written);
}

}  // namespace

void RegisterFiles(nb::module_& m) {
  m.def("files_blob_table", &BlobTable, nb::arg("source"), nb::arg("options"));
  m.def("files_size_table", &SizeTable, nb::arg("source"), nb::arg("options"));
  m.def("files_fetch", &Fetch, nb::arg("source"), nb::arg("dirs"), nb::arg("options"));
  m.def("files_write", &Write, nb::arg("source"), nb::arg("into_path"), nb::arg("options"));
  m.def("files_pipeline", &Pipeline, nb::arg("source"), nb::arg("fn"), nb::arg("into_path"),
        nb::arg("temp_dir"), nb::arg("resume"), nb::arg("parallel_fn"), nb::arg("options"));
}

}  // namespace lakepack::py
