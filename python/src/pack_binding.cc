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
#include "job_binding.h"
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

}  // namespace

void RegisterPack(nb::module_& m) {
  m.def(
      "pack",
      [](const std::string& input_base, const std::string& output_base, const std::string& table,
         const std::string& suffix, int64_t file_limit_bytes, const std::string& in_ext,
         const std::string& out_ext, const std::vector<std::pair<std::string, std::string>>& part,
         const std::string& input_partition_name, const std::string& schema_file, bool cast_parquet,
         bool dry_run, int64_t lock_timeout_seconds, int64_t wait_seconds, int64_t read_block_bytes,
         const StoreOptions& so) {
        pack::PackOptions o;
        o.input_base = input_base;
        o.output_base = output_base;
        o.table = table;
        o.suffix = suffix;
        o.file_limit_bytes = file_limit_bytes;
        o.in_ext = in_ext;
        o.out_ext = out_ext;
        o.partition = part;
        o.input_partition_name = input_partition_name;
        o.schema_file = schema_file;
        o.cast_parquet = cast_parquet;
        o.dry_run = dry_run;
        o.lock_timeout_seconds = lock_timeout_seconds;
        o.wait_seconds = wait_seconds;
        o.read_block_bytes = read_block_bytes;
        o.store = so;
        return RunPack(std::move(o));
      },
      nb::arg("input_base"), nb::arg("output_base"), nb::arg("table"), nb::arg("suffix"),
      nb::arg("file_limit_bytes"), nb::arg("in_ext"), nb::arg("out_ext"), nb::arg("partition"),
      nb::arg("input_partition_name"), nb::arg("schema_file"), nb::arg("cast_parquet"),
      nb::arg("dry_run"), nb::arg("lock_timeout_seconds"), nb::arg("wait_seconds"),
      nb::arg("read_block_bytes"), nb::arg("options"));
  m.attr("DEFAULT_FILE_LIMIT_BYTES") = pack::kDefaultFileLimitBytes;
  m.attr("DEFAULT_LOCK_TIMEOUT_SECONDS") = pack::kDefaultLockTimeoutSeconds;
}

}  // namespace lakepack::py
