// pack_binding.cc: the pack job (pack/packer.h) for S3DataPacker.pack_data() and lakepack.pack().
//
// Pack runs with the GIL released.  Its `cancelled` hook polls for Ctrl-C (taking the GIL at
// most every 100 ms); on Ctrl-C Pack stops, takes back what it wrote (see PackOptions::cancelled)
// and returns kCancelled, and the binding re-raises the KeyboardInterrupt.  Pack is also
// crash-safe, so a killed run is recovered by the next one.
#include <nanobind/nanobind.h>
#include <nanobind/stl/pair.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "errors.h"
#include "pack/packer.h"

namespace nb = nanobind;

namespace lakepack::py {
namespace {

// Ctrl-C is polled at most this often: each poll takes the GIL.
constexpr auto kInterruptPollInterval = std::chrono::milliseconds(100);

nb::dict RunPack(pack::PackOptions o) {
  Result<pack::PackReport> report = Status::Internal("unset");
  {
    nb::gil_scoped_release release;
    o.cancelled = InterruptPoller(kInterruptPollInterval);
    report = pack::Pack(o);
  }
  pack::PackReport r = ValueOrThrow(std::move(report));
  nb::list files;
  for (const auto& f : r.files) {
    nb::dict d;
    d["uri"] = f.uri;
    d["rows"] = f.rows;
    d["bytes"] = f.bytes;
    files.append(d);
  }
  nb::dict d;
  d["dry_run"] = o.dry_run;
  d["files"] = files;
  d["inputs"] = r.inputs;
  d["input_partition_values"] = r.input_partition_values;
  d["already_packed"] = r.already_packed;
  d["input_bytes"] = r.input_bytes;
  d["rows"] = r.rows;
  d["rewrote_latest"] = r.rewrote_latest;
  d["recovered"] = r.recovered;
  d["generation"] = r.generation;
  d["seconds"] = r.seconds;
  d["plan"] = r.plan_text;
  return d;
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
         const StoreOptions& so, const std::string& on_schema_mismatch) {
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
        if (!on_schema_mismatch.empty()) {
          o.on_schema_mismatch = ValueOrThrow(format::ParseSchemaMismatch(on_schema_mismatch));
        }
        return RunPack(std::move(o));
      },
      nb::arg("input_base"), nb::arg("output_base"), nb::arg("table"), nb::arg("suffix"),
      nb::arg("file_limit_bytes"), nb::arg("in_ext"), nb::arg("out_ext"), nb::arg("partition"),
      nb::arg("input_partition_name"), nb::arg("schema_file"), nb::arg("cast_parquet"),
      nb::arg("dry_run"), nb::arg("lock_timeout_seconds"), nb::arg("wait_seconds"),
      nb::arg("read_block_bytes"), nb::arg("options"), nb::arg("on_schema_mismatch") = "");
  m.attr("DEFAULT_FILE_LIMIT_BYTES") = pack::kDefaultFileLimitBytes;
  m.attr("DEFAULT_LOCK_TIMEOUT_SECONDS") = pack::kDefaultLockTimeoutSeconds;
}

}  // namespace lakepack::py
