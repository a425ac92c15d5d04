// lake_binding.cc: the snapshot-to-lake job (lakepack/lake.h) for lakepack.dbsnaplake.Project.
//
// Steps run with the GIL released.  A user read function (the Project's
// batch_read_snapshot_data_file override) is called with the GIL taken, from whichever worker
// thread processes the group; what it returns is imported as an Arrow C stream.
#include <nanobind/nanobind.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <memory>
#include <string>
#include <vector>

#include "arrow_stream.h"
#include "errors.h"
#include "lakepack/lake.h"

namespace nb = nanobind;

namespace lakepack::py {
namespace {

nb::dict StepDict(const lake::StepReport& r) {
  nb::dict d;
  d["groups"] = r.groups;
  d["processed"] = r.processed;
  d["already_done"] = r.already_done;
  d["busy"] = r.busy;
  d["rows"] = r.rows;
  d["bytes"] = r.bytes;
  d["files"] = r.files;
  return d;
}

nb::dict ValidateDict(const lake::ValidateReport& v) {
  nb::dict d;
  d["before_n_files"] = v.before_n_files;
  d["before_total_size"] = v.before_total_size;
  d["before_total_n_record"] =
      v.before_total_n_record >= 0 ? nb::cast(v.before_total_n_record) : nb::none();
  d["after_n_files"] = v.after_n_files;
  d["after_total_size"] = v.after_total_size;
  d["after_total_n_record"] = v.after_total_n_record;
  d["n_partition"] = v.n_partition;
  nb::list parts;
  for (const auto& p : v.partitions) {
    nb::dict e;
    e["partition"] = p.partition;
    e["n_files"] = p.n_files;
    e["total_size"] = p.total_size;
    e["total_n_record"] = p.rows;
    e["checksum"] = p.checksum;
    parts.append(e);
  }
  d["partitions"] = parts;
  d["commit"] = v.commit_uri;
  d["mode"] = v.mode;
  d["staged_bytes"] = v.staged_bytes;
  d["rewritten_bytes"] = v.rewritten_bytes;
  return d;
}

// Wraps a Python callable(group: dict) -> object with __arrow_c_stream__.
lake::ReadGroupFn ReadFn(nb::object fn) {
  if (fn.is_none()) return {};
  auto holder = std::make_shared<nb::object>(fn);
  return
      [holder](const lake::GroupManifest& g) -> Result<std::shared_ptr<arrow::RecordBatchReader>> {
        nb::gil_scoped_acquire gil;
        try {
          nb::dict d;
          d["index"] = g.index;
          d["uri_summary"] = g.summary_uri;
          d["uri"] = g.data_uri;
          d["fingerprint"] = g.fingerprint;
          d["size"] = g.size;
          d["n_record"] = g.rows >= 0 ? nb::cast(g.rows) : nb::none();
          nb::list files;
          for (size_t i = 0; i < g.uris.size(); ++i) {
            nb::dict f;
            f["uri"] = g.uris[i];
            f["etag"] = g.etags[i];
            f["size"] = g.sizes[i];
            f["n_record"] = g.n_records[i] >= 0 ? nb::cast(g.n_records[i]) : nb::none();
            files.append(f);
          }
          d["data_file_list"] = files;
          nb::object result = (*holder)(d);
          return ImportStream(result);
        } catch (nb::python_error& e) {
          // "RuntimeError: boom", not the whole traceback.
          std::string what = nb::cast<std::string>(nb::str(e.type().attr("__name__"))) + ": " +
                             nb::cast<std::string>(nb::str(e.value()));
          return Status::InvalidData("group " + std::to_string(g.index) +
                                     ": batch_read_snapshot_data_file raised: " + what);
        } catch (const std::exception& e) {
          return Status::InvalidData("group " + std::to_string(g.index) +
                                     ": batch_read_snapshot_data_file: " + e.what());
        }
      };
}

class PyProject {
 public:
  explicit PyProject(lake::ProjectOptions o) {
    project_ = ValueOrThrow(lake::Project::Make(std::move(o)));
  }
  nb::dict Plan() {
    return StepDict(Call([&] { return project_->PlanSnapshotToStaging(); }));
  }
  nb::dict Stage(nb::object fn) {
    auto read = ReadFn(fn);
    return StepDict(Call([&] { return project_->ProcessSnapshotGroups(read); }));
  }
  nb::dict PlanLake() {
    return StepDict(Call([&] { return project_->PlanStagingToDatalake(); }));
  }
  nb::dict Compact() {
    return StepDict(Call([&] { return project_->ProcessPartitionGroups(); }));
  }
  nb::dict Validate() {
    return ValidateDict(Call([&] { return project_->ValidateDatalake(); }));
  }
  nb::dict Run(nb::object fn) {
    auto read = ReadFn(fn);
    return ValidateDict(Call([&] { return project_->Run(read); }));
  }
  std::string StatusJson() {
    return Call([&] { return project_->StatusJson(); });
  }
  // One group (what a Ray task runs); the GIL is released while the C++ core works.
  nb::dict StageGroup(int64_t index, nb::object fn) {
    auto read = ReadFn(fn);
    return StepDict(Call([&] { return project_->ProcessSnapshotGroup(index, read); }));
  }
  nb::dict CompactGroup(int64_t index) {
    return StepDict(Call([&] { return project_->ProcessPartitionGroup(index); }));
  }
  std::string DryRun(const std::string& step) {
    return Call([&] { return project_->DryRunJson(step); });
  }

 private:
  template <class F>
  auto Call(F f) -> decltype(ValueOrThrow(f())) {
    decltype(f()) r = Status::Internal("unset");
    {
      nb::gil_scoped_release release;
      r = f();
    }
    return ValueOrThrow(std::move(r));
  }
  std::unique_ptr<lake::Project> project_;
};

}  // namespace

void RegisterLake(nb::module_& m) {
  nb::class_<PyProject>(m, "LakeProject")
      .def(
          "__init__",
          [](PyProject* self, const std::string& manifest, const std::string& staging,
             const std::string& datalake, int64_t group_size, const std::vector<std::string>& keys,
             bool create_datalake, const std::vector<std::string>& sort_by,
             const std::vector<bool>& descending, int64_t file_size,
             const std::vector<std::string>& key_columns, const std::string& input_format,
             int parallel, bool one_pass, const StoreOptions& so) {
            lake::ProjectOptions o;
            o.s3uri_db_snapshot_manifest_summary = manifest;
            o.s3uri_staging = staging;
            o.s3uri_datalake = datalake;
            o.target_db_snapshot_file_group_size = group_size;
            o.partition_keys = keys;
            o.create_datalake = create_datalake;
            o.sort_by = sort_by;
            o.descending = descending;
            o.target_parquet_file_size = file_size;
            o.key_columns = key_columns;
            o.input_format = input_format;
            o.parallel = parallel;
            o.one_pass = one_pass;
            o.store = so;
            new (self) PyProject(std::move(o));
          },
          nb::arg("manifest"), nb::arg("staging"), nb::arg("datalake"), nb::arg("group_size"),
          nb::arg("partition_keys"), nb::arg("create_datalake"), nb::arg("sort_by"),
          nb::arg("descending"), nb::arg("file_size"), nb::arg("key_columns"),
          nb::arg("input_format"), nb::arg("parallel"), nb::arg("one_pass"),
          nb::arg("store_options"))
      .def("plan_snapshot", &PyProject::Plan)
      .def("stage", &PyProject::Stage, nb::arg("read").none())
      .def("plan_datalake", &PyProject::PlanLake)
      .def("compact", &PyProject::Compact)
      .def("validate", &PyProject::Validate)
      .def("run", &PyProject::Run, nb::arg("read").none())
      .def("status_json", &PyProject::StatusJson)
      .def("stage_group", &PyProject::StageGroup, nb::arg("index"), nb::arg("read").none())
      .def("compact_group", &PyProject::CompactGroup, nb::arg("index"))
      .def("dry_run", &PyProject::DryRun, nb::arg("step"));
  m.def(
      "lake_manifest",
      [](const std::string& prefix, const std::string& summary, const std::string& data,
         bool count_rows, const StoreOptions& so) {
        Result<int64_t> r = Status::Internal("unset");
        {
          nb::gil_scoped_release release;
          r = lake::BuildSnapshotManifest(prefix, summary, data, count_rows, so);
        }
        return ValueOrThrow(std::move(r));
      },
      nb::arg("prefix"), nb::arg("summary"), nb::arg("data"), nb::arg("count_rows"),
      nb::arg("store_options"));
}

}  // namespace lakepack::py
