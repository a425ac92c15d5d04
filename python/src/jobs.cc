// jobs.cc: the CLI verbs as Python functions (convert, inspect, generate, copy) plus
// read_batches / write_batches, which connect lakepack's readers and writers to Arrow streams.
//
// Each releases the GIL for its whole run and checks for Ctrl-C between batches or objects; an
// interrupted or failed write is aborted, so no partial output becomes visible.  generate is
// gen/generate_job.h; a recursive copy runs a few objects at once (RunCopyJobs).
#include <nanobind/nanobind.h>
#include <nanobind/stl/string.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "arrow_stream.h"
#include "errors.h"
#include "format/arrow_status.h"
#include "format/format.h"
#include "format/inspect.h"
#include "format/reader.h"
#include "format/schema_file.h"
#include "format/writer.h"
#include "gen/generate_job.h"
#include "pump.h"

namespace nb = nanobind;

namespace lakepack::py {
namespace {

using format::Format;

// Ctrl-C is polled at most this often: each poll takes the GIL.
constexpr auto kInterruptPollInterval = std::chrono::milliseconds(100);

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
  std::string on_schema_mismatch;  // "" = fail
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
      if (!a.schema.empty()) ro.schema_source = "the schema file " + a.schema;
      if (!a.on_schema_mismatch.empty()) {
        LP_ASSIGN_OR_RETURN(ro.on_schema_mismatch,
                            format::ParseSchemaMismatch(a.on_schema_mismatch));
      }
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

nb::dict Generate(const GenerateArgs& a) {
  Result<gen::GenerateReport> report = Status::Internal("unset");
  {
    nb::gil_scoped_release release;
    report = [&]() -> Result<gen::GenerateReport> {
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
      job.cancelled = InterruptPoller(kInterruptPollInterval);
      return gen::RunGenerateJob(job);
    }();
  }
  gen::GenerateReport r = ValueOrThrow(std::move(report));
  nb::dict d;
  d["uri"] = a.dst;
  d["format"] = format::FormatName(r.format);
  d["rows"] = r.rows;
  d["bytes"] = r.bytes;
  d["seconds"] = r.seconds;
  return d;
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
  int64_t size = 0;
};

// Objects copied at once by a recursive copy.  Each CopyObject already reads ranges in parallel
// (WriterOptions::max_parallel_parts), so a few objects at a time keep small-object copies from
// being bound by per-request latency while memory stays at a few × that window.
constexpr int kParallelObjects = 4;
// Failures described in full in the exception message; more are only counted.
constexpr size_t kFailuresShown = 5;
// A copy goes on past failed objects (so one error reports them all) until this many failed: a
// systemic failure (endpoint down, credentials) shows in a few, and more would only repeat it,
// each after its retries.
constexpr size_t kMaxFailures = 10;

// The objects to copy and where each goes.
Result<std::vector<CopyJob>> PlanCopy(const StoreLocation& src, const std::string& src_uri,
                                      const StoreLocation& dst, bool recursive) {
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
  std::vector<CopyJob> jobs;
  for (const ObjectInfo& obj : sources) {
    std::string dst_key = dst.key;
    if (recursive) {
      if (!dst_key.empty() && dst_key.back() != '/') dst_key += '/';
      dst_key += obj.key.substr(prefix.size());
    } else if (dst_key.empty() || dst_key.back() == '/') {
      size_t slash = obj.key.rfind('/');
      dst_key += slash == std::string::npos ? obj.key : obj.key.substr(slash + 1);
    }
    jobs.push_back({obj.key, std::move(dst_key), obj.size});
  }
  return jobs;
}

// Copies `jobs`, kParallelObjects at a time, on worker threads; the calling thread watches for
// Ctrl-C.  After kMaxFailures failures (or Ctrl-C) no new object starts; those in flight finish.
// Each object is committed atomically by the store, so a stopped copy leaves only whole objects.
// The error names the first failed object (in listing order) and reports the others.
Status RunCopyJobs(const StoreLocation& src, const StoreLocation& dst,
                   const std::vector<CopyJob>& jobs, int64_t* objects, int64_t* bytes) {
  const bool same_store = src.store->root_uri() == dst.store->root_uri();
  std::mutex mu;
  std::condition_variable cv;
  size_t next = 0;
  int running = 0;
  bool stop = false;
  std::vector<std::pair<size_t, Status>> failures;  // guarded by mu
  auto work = [&] {
    while (true) {
      size_t i;
      {
        std::lock_guard<std::mutex> lock(mu);
        if (stop || next >= jobs.size()) break;
        i = next++;
      }
      const CopyJob& job = jobs[i];
      Status st = same_store ? src.store->Copy(job.src_key, job.dst_key).status()
                             : CopyObject(*src.store, job.src_key, *dst.store, job.dst_key);
      std::lock_guard<std::mutex> lock(mu);
      if (st.ok()) {
        ++*objects;
        *bytes += job.size;
      } else {
        failures.emplace_back(i, st);
        if (failures.size() >= kMaxFailures) stop = true;
      }
    }
    std::lock_guard<std::mutex> lock(mu);
    --running;
    cv.notify_all();
  };
  std::vector<std::thread> workers;
  const int n = static_cast<int>(std::min<size_t>(kParallelObjects, jobs.size()));
  running = n;
  for (int t = 0; t < n; ++t) workers.emplace_back(work);
  Status interrupted;
  {
    std::unique_lock<std::mutex> lock(mu);
    while (running > 0) {
      if (cv.wait_for(lock, kInterruptPollInterval, [&] { return running == 0; })) break;
      lock.unlock();
      Status st = interrupted.ok() ? CheckInterrupt() : Status::OK();
      lock.lock();
      if (!st.ok()) {
        interrupted = st;
        stop = true;
      }
    }
  }
  for (auto& w : workers) w.join();
  if (!interrupted.ok()) return interrupted;
  if (failures.empty()) return Status::OK();
  std::sort(failures.begin(), failures.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  auto describe = [&](const std::pair<size_t, Status>& f) {
    const CopyJob& job = jobs[f.first];
    return "copying " + src.store->Uri(job.src_key) + " to " + dst.store->Uri(job.dst_key) + ": " +
           f.second.message();
  };
  std::string message = describe(failures[0]);
  if (failures.size() > 1) {
    message += " (and " + std::to_string(failures.size() - 1) + " more failed:";
    for (size_t k = 1; k < failures.size() && k < kFailuresShown; ++k) {
      message += (k > 1 ? "; " : " ") + describe(failures[k]);
    }
    if (failures.size() > kFailuresShown) message += "; ...";
    message += ")";
  }
  message += "; " + std::to_string(*objects) + " of " + std::to_string(jobs.size()) +
             " objects were copied";
  return Status(failures[0].second.code(), message);
}

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
      LP_ASSIGN_OR_RETURN(auto jobs, PlanCopy(src, src_uri, dst, recursive));
      return RunCopyJobs(src, dst, jobs, &objects, &bytes);
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
         const StoreOptions& so, const std::string& on_schema_mismatch) {
        return Convert(ConvertArgs{src, dst, in_format, out_format, compression, schema,
                                   on_schema_mismatch, batch_rows, row_group_rows, row_group_bytes,
                                   so});
      },
      nb::arg("src"), nb::arg("dst"), nb::arg("in_format"), nb::arg("out_format"),
      nb::arg("compression"), nb::arg("schema"), nb::arg("batch_rows"), nb::arg("row_group_rows"),
      nb::arg("row_group_bytes"), nb::arg("options"), nb::arg("on_schema_mismatch") = "");
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
