// sorted_binding.cc: sorted tables (lakepack/sorted.h) for lakepack.SleeperClient.
//
// Every call runs with the GIL released; rows come in as Arrow C streams (ImportStream) and
// results go out as lakepack Streams (zero-copy).  Key values from Python: int, str or bytes.
#include <nanobind/nanobind.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/vector.h>

#include <memory>
#include <string>
#include <vector>

#include "arrow/table.h"
#include "arrow_stream.h"
#include "errors.h"
#include "job_binding.h"
#include "lakepack/sorted.h"

namespace nb = nanobind;

namespace lakepack::py {
namespace {

using sorted::KeyValue;

KeyValue ToKey(nb::handle v) {
  if (nb::isinstance<nb::bool_>(v)) throw nb::type_error("a key value is an int, str or bytes");
  if (nb::isinstance<nb::int_>(v)) return nb::cast<int64_t>(v);
  if (nb::isinstance<nb::str>(v)) return nb::cast<std::string>(v);
  if (nb::isinstance<nb::bytes>(v)) {
    nb::bytes b = nb::borrow<nb::bytes>(v);
    return std::string(b.c_str(), b.size());
  }
  throw nb::type_error("a key value is an int, str or bytes");
}

sorted::TableOptions Options(const StoreOptions& so, int64_t buffer_bytes, int64_t row_group_rows) {
  sorted::TableOptions o;
  o.store = so;
  if (buffer_bytes > 0) o.buffer_bytes = buffer_bytes;
  if (row_group_rows > 0) o.row_group_rows = row_group_rows;
  return o;
}

nb::dict Report(const sorted::WriteReport& r) {
  nb::dict d;
  d["job_id"] = r.job_id;
  d["rows"] = r.rows;
  d["files"] = r.files;
  d["bytes"] = r.bytes;
  d["generation"] = r.generation;
  d["already_committed"] = r.already_committed;
  d["spilled_runs"] = r.spilled_runs;
  d["file_uris"] = r.file_uris;
  return d;
}

Stream ToStream(const std::shared_ptr<arrow::Table>& t) {
  return Stream(std::make_shared<arrow::TableBatchReader>(t));
}

std::shared_ptr<arrow::Table> ReadAllRows(nb::handle rows) {
  auto reader = ImportStream(rows);
  std::shared_ptr<arrow::Table> t;
  {
    nb::gil_scoped_release release;
    auto r = reader->ToTable();
    if (!r.ok()) {
      nb::gil_scoped_acquire acquire;
      ThrowIfError(Status::InvalidArgument("rows: " + r.status().ToString()));
    }
    t = *r;
  }
  return t;
}

class PyBatchWriter {
 public:
  explicit PyBatchWriter(std::unique_ptr<sorted::SortedBatchWriter> w) : w_(std::move(w)) {}
  void Write(nb::handle rows) {
    auto t = ReadAllRows(rows);
    Status st;
    {
      nb::gil_scoped_release release;
      st = w_->Write(*t);
    }
    ThrowIfError(st);
  }
  nb::dict Close() {
    Result<sorted::WriteReport> r = Status::Internal("unset");
    {
      nb::gil_scoped_release release;
      r = w_->Close();
    }
    return Report(ValueOrThrow(std::move(r)));
  }
  void Abort() { ThrowIfError(w_->Abort()); }
  int64_t rows() const { return w_->rows(); }

 private:
  std::unique_ptr<sorted::SortedBatchWriter> w_;
};

class PyTable {
 public:
  explicit PyTable(std::unique_ptr<sorted::Table> t) : t_(std::move(t)) {}

  static PyTable Create(const std::string& root, const std::string& name,
                        const std::string& schema_json, nb::list split_points,
                        const StoreOptions& so, int64_t buffer_bytes, int64_t row_group_rows) {
    auto schema = ValueOrThrow(sorted::TableSchema::FromSleeperJson(schema_json));
    std::vector<KeyValue> splits;
    for (nb::handle h : split_points) splits.push_back(ToKey(h));
    Result<std::unique_ptr<sorted::Table>> t = Status::Internal("unset");
    {
      nb::gil_scoped_release release;
      t = sorted::Table::Create(root, name, schema, splits,
                                Options(so, buffer_bytes, row_group_rows));
    }
    return PyTable(ValueOrThrow(std::move(t)));
  }

  static PyTable Open(const std::string& root, const std::string& name, const StoreOptions& so,
                      int64_t buffer_bytes, int64_t row_group_rows) {
    Result<std::unique_ptr<sorted::Table>> t = Status::Internal("unset");
    {
      nb::gil_scoped_release release;
      t = sorted::Table::Open(root, name, Options(so, buffer_bytes, row_group_rows));
    }
    return PyTable(ValueOrThrow(std::move(t)));
  }

  nb::dict Write(nb::handle rows, const std::string& job_id) {
    auto t = ReadAllRows(rows);
    sorted::WriteOptions wo;
    wo.job_id = job_id;
    Result<sorted::WriteReport> r = Status::Internal("unset");
    {
      nb::gil_scoped_release release;
      r = t_->Write(*t, wo);
    }
    return Report(ValueOrThrow(std::move(r)));
  }

  PyBatchWriter OpenBatchWriter(const std::string& job_id) {
    sorted::WriteOptions wo;
    wo.job_id = job_id;
    return PyBatchWriter(ValueOrThrow(t_->OpenBatchWriter(wo)));
  }

  nb::dict Ingest(const std::vector<std::string>& uris, const std::string& job_id) {
    sorted::WriteOptions wo;
    wo.job_id = job_id;
    Result<sorted::WriteReport> r = Status::Internal("unset");
    {
      nb::gil_scoped_release release;
      r = t_->IngestParquet(uris, wo);
    }
    return Report(ValueOrThrow(std::move(r)));
  }

  Stream Exact(nb::list keys) {
    std::vector<std::vector<KeyValue>> ks;
    for (nb::handle k : keys) {
      std::vector<KeyValue> fields;
      for (nb::handle f : nb::borrow<nb::list>(k)) fields.push_back(ToKey(f));
      ks.push_back(std::move(fields));
    }
    Result<std::shared_ptr<arrow::Table>> r = Status::Internal("unset");
    {
      nb::gil_scoped_release release;
      r = t_->ExactQuery(ks);
    }
    return ToStream(ValueOrThrow(std::move(r)));
  }

  // regions: [[(field, min|None, min_inclusive, max|None, max_inclusive), ...], ...]
  Stream Range(nb::list regions) {
    std::vector<sorted::Region> rs;
    for (nb::handle region : regions) {
      sorted::Region r;
      for (nb::handle fr : nb::borrow<nb::list>(region)) {
        nb::tuple t = nb::borrow<nb::tuple>(fr);
        sorted::FieldRange f;
        f.field = nb::cast<std::string>(t[0]);
        if (!t[1].is_none()) f.min = ToKey(t[1]);
        f.min_inclusive = nb::cast<bool>(t[2]);
        if (!t[3].is_none()) f.max = ToKey(t[3]);
        f.max_inclusive = nb::cast<bool>(t[4]);
        r.push_back(std::move(f));
      }
      rs.push_back(std::move(r));
    }
    Result<std::shared_ptr<arrow::Table>> r = Status::Internal("unset");
    {
      nb::gil_scoped_release release;
      r = t_->RangeQuery(rs);
    }
    return ToStream(ValueOrThrow(std::move(r)));
  }

  Stream All() {
    Result<std::shared_ptr<arrow::Table>> r = Status::Internal("unset");
    {
      nb::gil_scoped_release release;
      r = t_->ReadAll();
    }
    return ToStream(ValueOrThrow(std::move(r)));
  }

  Stream Empty() { return ToStream(ValueOrThrow(t_->ExactQuery({}))); }

  nb::object Compact(bool major, bool dry_run, double ratio, int max_files) {
    sorted::CompactOptions co;
    co.major = major;
    co.dry_run = dry_run;
    co.ratio = ratio;
    co.max_files = max_files;
    std::string json = RunJob([&](const JobContext& ctx) -> Result<std::string> {
      co.cancelled = [&ctx] { return ctx.cancelled(); };
      LP_ASSIGN_OR_RETURN(auto r, t_->Compact(co));
      return r.ToJson();
    });
    return JsonToPython(json);
  }

  nb::object Split(int64_t threshold, bool dry_run) {
    sorted::SplitOptions so;
    so.threshold = threshold;
    so.dry_run = dry_run;
    std::string json = RunJob([&](const JobContext&) -> Result<std::string> {
      LP_ASSIGN_OR_RETURN(auto r, t_->Split(so));
      return r.ToJson();
    });
    return JsonToPython(json);
  }

  nb::object CollectGarbage(double grace_seconds, bool dry_run) {
    sorted::GcOptions go;
    go.grace_ms = static_cast<int64_t>(grace_seconds * 1000);
    go.dry_run = dry_run;
    std::string json = RunJob([&](const JobContext&) -> Result<std::string> {
      LP_ASSIGN_OR_RETURN(auto r, t_->CollectGarbage(go));
      return r.ToJson();
    });
    return JsonToPython(json);
  }

  nb::dict Describe() {
    Result<sorted::TableStatus> r = Status::Internal("unset");
    {
      nb::gil_scoped_release release;
      r = t_->Describe();
    }
    auto s = ValueOrThrow(std::move(r));
    nb::dict d;
    d["name"] = s.name;
    d["uri"] = s.uri;
    d["generation"] = s.generation;
    d["files"] = s.files;
    d["rows"] = s.rows;
    d["bytes"] = s.bytes;
    d["jobs"] = s.jobs;
    d["intents"] = s.intents;
    d["schema"] = s.schema_json;
    nb::list parts;
    for (const auto& p : s.partitions) {
      nb::dict pd;
      pd["id"] = p.id;
      pd["parent"] = p.parent;
      pd["children"] = p.children;
      pd["min"] = p.min_text;
      pd["max"] = p.max_text;
      pd["files"] = p.files;
      pd["rows"] = p.rows;
      parts.append(pd);
    }
    d["partitions"] = parts;
    return d;
  }

 private:
  std::unique_ptr<sorted::Table> t_;
};

}  // namespace

void RegisterSorted(nb::module_& m) {
  nb::class_<PyBatchWriter>(m, "SortedBatchWriter")
      .def("write", &PyBatchWriter::Write)
      .def("close", &PyBatchWriter::Close)
      .def("abort", &PyBatchWriter::Abort)
      .def_prop_ro("rows", &PyBatchWriter::rows);
  nb::class_<PyTable>(m, "SortedTable")
      .def_static("create", &PyTable::Create, nb::arg("root"), nb::arg("name"),
                  nb::arg("schema_json"), nb::arg("split_points"), nb::arg("options"),
                  nb::arg("buffer_bytes") = 0, nb::arg("row_group_rows") = 0)
      .def_static("open", &PyTable::Open, nb::arg("root"), nb::arg("name"), nb::arg("options"),
                  nb::arg("buffer_bytes") = 0, nb::arg("row_group_rows") = 0)
      .def("write", &PyTable::Write, nb::arg("rows"), nb::arg("job_id") = "")
      .def("batch_writer", &PyTable::OpenBatchWriter, nb::arg("job_id") = "")
      .def("ingest", &PyTable::Ingest, nb::arg("uris"), nb::arg("job_id") = "")
      .def("exact", &PyTable::Exact)
      .def("range", &PyTable::Range)
      .def("all", &PyTable::All)
      .def("empty", &PyTable::Empty)
      .def("describe", &PyTable::Describe)
      .def("compact", &PyTable::Compact, nb::arg("major") = false, nb::arg("dry_run") = false,
           nb::arg("ratio") = 3.0, nb::arg("max_files") = 12)
      .def("split", &PyTable::Split, nb::arg("threshold") = 0, nb::arg("dry_run") = false)
      .def("collect_garbage", &PyTable::CollectGarbage, nb::arg("grace_seconds") = 600.0,
           nb::arg("dry_run") = false);
  m.def("sorted_list_tables", [](const std::string& root, const StoreOptions& so) {
    Result<std::vector<std::string>> r = Status::Internal("unset");
    {
      nb::gil_scoped_release release;
      r = sorted::Table::ListTables(root, Options(so, 0, 0));
    }
    return ValueOrThrow(std::move(r));
  });
  m.def("sorted_drop_table",
        [](const std::string& root, const std::string& name, const StoreOptions& so) {
          Status st;
          {
            nb::gil_scoped_release release;
            st = sorted::Table::Drop(root, name, Options(so, 0, 0));
          }
          ThrowIfError(st);
        });
}

}  // namespace lakepack::py
