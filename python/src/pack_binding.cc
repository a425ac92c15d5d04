// pack_binding.cc: the pack job (pack/packer.h) for S3DataPacker.pack_data() and lakepack.pack().
//
// Pack runs through RunJob (job_binding.h): GIL released, its `cancelled` hook reads the job's
// CancelToken, which polls for Ctrl-C; on Ctrl-C Pack stops, takes back what it wrote (see
// PackOptions::cancelled) and returns kCancelled, and the binding re-raises the KeyboardInterrupt.
// Pack is also crash-safe, so a killed run is recovered by the next one.  The report is the same
// JSON object `lakepack pack --json` prints (pack/report_json.h).
#include <nanobind/nanobind.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <string>
#include <utility>
#include <vector>

#include "errors.h"
#include "format/schema_policy.h"
#include "job_binding.h"
#include "lakepack/pack_admin.h"
#include "pack/packer.h"
#include "pack/report_json.h"

namespace nb = nanobind;

namespace lakepack::py {
namespace {

nb::object RunPack(pack::PackOptions o) {
  pack::PackReport r = RunJob([&](const JobContext& ctx) {
    o.cancelled = [&ctx] { return ctx.cancelled(); };
    return pack::Pack(o);
  });
  return JsonToPython(pack::ReportToJson(r, o.dry_run));
}

// The state verbs (lakepack/pack_admin.h) through RunJob (GIL released); their reports are the
// JSON objects `lakepack pack --status / --unlock / --gc --json` print.
nb::object RunPackStatus(const pack::PackStateOptions& o) {
  return JsonToPython(RunJob([&](const JobContext&) { return pack::PackStatus(o); }).ToJson());
}

nb::object RunPackUnlock(const pack::PackStateOptions& o, bool yes, bool force) {
  return JsonToPython(RunJob([&](const JobContext&) {
                        return pack::PackUnlock(o, {yes, force});
                      }).ToJson());
}

nb::object RunPackGc(const pack::PackStateOptions& o, bool dry_run) {
  return JsonToPython(
      RunJob([&](const JobContext&) { return pack::PackGc(o, {dry_run}); }).ToJson());
}

}  // namespace

void RegisterPack(nb::module_& m) {
  // The options as a class: the field list is PackOptions itself (packer.h), set by name from
  // python/lakepack/packer.py; the callbacks stay C++ (RunPack sets `cancelled`).
  using pack::PackOptions;
  nb::class_<PackOptions>(m, "PackOptions")
      .def(nb::init<>())
      .def_rw("input_base", &PackOptions::input_base)
      .def_rw("output_base", &PackOptions::output_base)
      .def_rw("table", &PackOptions::table)
      .def_rw("suffix", &PackOptions::suffix)
      .def_rw("file_limit_bytes", &PackOptions::file_limit_bytes)
      .def_rw("force", &PackOptions::force)
      .def_rw("in_ext", &PackOptions::in_ext)
      .def_rw("out_ext", &PackOptions::out_ext)
      .def_rw("partition", &PackOptions::partition)
      .def_rw("input_partition_name", &PackOptions::input_partition_name)
      .def_rw("schema_file", &PackOptions::schema_file)
      .def_rw("cast_parquet", &PackOptions::cast_parquet)
      .def_rw("read_block_bytes", &PackOptions::read_block_bytes)
      .def_rw("append_new_file", &PackOptions::append_new_file)
      .def_rw("dry_run", &PackOptions::dry_run)
      .def_rw("lock_timeout_seconds", &PackOptions::lock_timeout_seconds)
      .def_rw("wait_seconds", &PackOptions::wait_seconds)
      // "fail" (the default), "union" or "drop": format/schema_policy.h names the rule.
      .def_prop_rw(
          "on_schema_mismatch",
          [](const PackOptions& o) {
            return std::string(format::SchemaMismatchName(o.on_schema_mismatch));
          },
          [](PackOptions& o, const std::string& name) {
            o.on_schema_mismatch = ValueOrThrow(format::ParseSchemaMismatch(name));
          })
      .def_rw("csv", &PackOptions::csv)
      .def_rw("store", &PackOptions::store);
  m.def("pack", &RunPack, nb::arg("options"));
  using pack::PackStateOptions;
  nb::class_<PackStateOptions>(m, "PackStateOptions")
      .def(nb::init<>())
      .def_rw("output_base", &PackStateOptions::output_base)
      .def_rw("table", &PackStateOptions::table)
      .def_rw("suffix", &PackStateOptions::suffix)
      .def_rw("out_ext", &PackStateOptions::out_ext)
      .def_rw("partition", &PackStateOptions::partition)
      .def_rw("store", &PackStateOptions::store);
  m.def("pack_status", &RunPackStatus, nb::arg("options"));
  m.def("pack_unlock", &RunPackUnlock, nb::arg("options"), nb::arg("yes"), nb::arg("force"));
  m.def("pack_gc", &RunPackGc, nb::arg("options"), nb::arg("dry_run"));
  m.attr("DEFAULT_FILE_LIMIT_BYTES") = pack::kDefaultFileLimitBytes;
  m.attr("DEFAULT_LOCK_TIMEOUT_SECONDS") = pack::kDefaultLockTimeoutSeconds;
}

}  // namespace lakepack::py
