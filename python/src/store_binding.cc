// store_binding.cc: lakepack._lakepack.Store and ObjectWriter, the ObjectStore seen from Python.
//
// A Store is bound to a location (a URI prefix): keys given to its methods are relative to it, so
// open_store("s3://b/data").put("x", ...) writes s3://b/data/x.  Every call releases the GIL.
#include <nanobind/nanobind.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <memory>
#include <string>
#include <vector>

#include "errors.h"
#include "lakepack/store.h"

namespace nb = nanobind;

namespace lakepack::py {
namespace {

nb::dict InfoDict(const ObjectInfo& info, const std::string& key) {
  nb::dict d;
  d["key"] = key;
  d["size"] = info.size;
  d["etag"] = info.etag;
  d["mtime_ns"] = info.mtime_ns;
  return d;
}

class PyObjectWriter {
 public:
  PyObjectWriter(std::unique_ptr<ObjectWriter> w, std::string key)
      : writer_(std::move(w)), key_(std::move(key)) {}

  void Write(nb::bytes data) {
    Status st = Open();
    if (st.ok()) {
      nb::gil_scoped_release release;
      st = writer_->Write(data.c_str(), data.size());
    }
    ThrowIfError(st);
  }
  nb::dict Finish() {
    ThrowIfError(Open());
    Result<ObjectInfo> info = Status::Internal("unset");
    {
      nb::gil_scoped_release release;
      info = writer_->Finish();
    }
    done_ = true;
    return InfoDict(ValueOrThrow(std::move(info)), key_);
  }
  void Abort() {
    if (done_) return;
    Status st;
    {
      nb::gil_scoped_release release;
      st = writer_->Abort();
    }
    done_ = true;
    ThrowIfError(st);
  }
  int64_t bytes_written() const { return writer_->bytes_written(); }
  bool closed() const { return done_; }

 private:
  Status Open() const {
    return done_ ? Status::InvalidArgument("writer for " + key_ + " is already closed") : Status();
  }
  std::unique_ptr<ObjectWriter> writer_;
  std::string key_;
  bool done_ = false;
};

// Runs `f` (returning a Result) without the GIL; its value, or raises its error.
template <typename F>
auto Call(F&& f) {
  decltype(f()) result = Status::Internal("unset");
  {
    nb::gil_scoped_release release;
    result = f();
  }
  return ValueOrThrow(std::move(result));
}

class PyStore {
 public:
  static PyStore Open(const std::string& uri, const StoreOptions& options) {
    Result<StoreLocation> loc = Status::Internal("unset");
    {
      nb::gil_scoped_release release;
      loc = OpenStore(uri, options);
    }
    return PyStore(ValueOrThrow(std::move(loc)));
  }

  // The full key of a relative one.
  std::string Key(const std::string& rel) const {
    if (base_.empty()) return rel;
    if (rel.empty()) return base_;
    return base_.back() == '/' ? base_ + rel : base_ + "/" + rel;
  }
  // The relative key of a full one.
  std::string Rel(const std::string& key) const {
    std::string prefix = base_.empty() || base_.back() == '/' ? base_ : base_ + "/";
    return key.compare(0, prefix.size(), prefix) == 0 ? key.substr(prefix.size()) : key;
  }

  std::string uri() const { return loc_.store->Uri(base_); }
  std::string Uri(const std::string& rel) const { return loc_.store->Uri(Key(rel)); }

  nb::dict Head(const std::string& rel) {
    return InfoDict(Call([&] { return loc_.store->Head(Key(rel)); }), rel);
  }
  nb::bytes Get(const std::string& rel) {
    std::string data = Call([&] { return loc_.store->Get(Key(rel)); });
    return nb::bytes(data.data(), data.size());
  }
  nb::bytes GetRange(const std::string& rel, int64_t offset, int64_t length) {
    if (offset < 0 || length < 0) {
      ThrowIfError(Status::InvalidArgument("get_range: offset and length must be >= 0"));
    }
    std::string data = Call([&] { return loc_.store->GetRange(Key(rel), offset, length); });
    return nb::bytes(data.data(), data.size());
  }
  nb::dict Put(const std::string& rel, nb::bytes data, bool if_absent) {
    std::string_view view(data.c_str(), data.size());
    PutOptions o;
    o.if_absent = if_absent;
    return InfoDict(Call([&] { return loc_.store->Put(Key(rel), view, o); }), rel);
  }
  nb::list List(const std::string& rel_prefix, bool recursive) {
    std::string prefix = Key(rel_prefix);
    // The store's own location is a directory: list inside it, not its siblings.
    if (rel_prefix.empty() && !prefix.empty() && prefix.back() != '/') prefix += '/';
    ListOptions o;
    if (!recursive) o.delimiter = "/";
    std::vector<ObjectInfo> objects;
    std::vector<std::string> prefixes;
    Status st;
    {
      nb::gil_scoped_release release;
      while (true) {
        auto page = loc_.store->List(prefix, o);
        if (!page.ok()) {
          st = page.status();
          break;
        }
        for (auto& obj : page->objects) objects.push_back(std::move(obj));
        for (auto& p : page->common_prefixes) prefixes.push_back(std::move(p));
        if (page->next_continuation.empty()) break;
        o.continuation = page->next_continuation;
        if (Status s = CheckInterrupt(); !s.ok()) {
          st = s;
          break;
        }
      }
    }
    ThrowIfError(st);
    nb::list out;
    for (const auto& p : prefixes) {
      nb::dict d;
      d["key"] = Rel(p);
      d["prefix"] = true;
      out.append(d);
    }
    for (const auto& obj : objects) out.append(InfoDict(obj, Rel(obj.key)));
    return out;
  }
  void Delete(const std::vector<std::string>& rels) {
    std::vector<std::string> keys;
    for (const auto& r : rels) keys.push_back(Key(r));
    Status st;
    {
      nb::gil_scoped_release release;
      st = loc_.store->Delete(keys);
    }
    ThrowIfError(st);
  }
  nb::dict Copy(const std::string& src, const std::string& dst) {
    return InfoDict(Call([&] { return loc_.store->Copy(Key(src), Key(dst)); }), dst);
  }
  PyObjectWriter OpenWriter(const std::string& rel, bool if_absent, int64_t part_size) {
    WriterOptions o;
    o.put.if_absent = if_absent;
    if (part_size > 0) o.part_size = part_size;
    auto w = Call([&] { return loc_.store->OpenWriter(Key(rel), o); });
    return PyObjectWriter(std::move(w), rel);
  }
  bool is_local() const { return loc_.store->is_local(); }

 private:
  explicit PyStore(StoreLocation loc) : loc_(std::move(loc)), base_(loc_.key) {}

  StoreLocation loc_;
  std::string base_;
};

}  // namespace

void RegisterStore(nb::module_& m) {
  // Credentials are not among the fields: they are resolved when a store is opened.
  nb::class_<StoreOptions>(m, "StoreOptions")
      .def(nb::init<>())
      .def_rw("endpoint_url", &StoreOptions::endpoint_url)
      .def_rw("region", &StoreOptions::region)
      .def_rw("profile", &StoreOptions::profile)
      .def_rw("ca_bundle", &StoreOptions::ca_bundle)
      .def_rw("max_retries", &StoreOptions::max_retries);
  nb::class_<PyObjectWriter>(m, "ObjectWriter")
      .def("write", &PyObjectWriter::Write, nb::arg("data"))
      .def("finish", &PyObjectWriter::Finish)
      .def("abort", &PyObjectWriter::Abort)
      .def_prop_ro("bytes_written", &PyObjectWriter::bytes_written)
      .def_prop_ro("closed", &PyObjectWriter::closed);
  nb::class_<PyStore>(m, "Store")
      .def_static("open", &PyStore::Open, nb::arg("uri"), nb::arg("options"))
      .def_prop_ro("uri", &PyStore::uri)
      .def_prop_ro("is_local", &PyStore::is_local)
      .def("key_uri", &PyStore::Uri, nb::arg("key"))
      .def("head", &PyStore::Head, nb::arg("key"))
      .def("get", &PyStore::Get, nb::arg("key"))
      .def("get_range", &PyStore::GetRange, nb::arg("key"), nb::arg("offset"), nb::arg("length"))
      .def("put", &PyStore::Put, nb::arg("key"), nb::arg("data"), nb::arg("if_absent"))
      .def("list", &PyStore::List, nb::arg("prefix"), nb::arg("recursive"))
      .def("delete", &PyStore::Delete, nb::arg("keys"))
      .def("copy", &PyStore::Copy, nb::arg("src"), nb::arg("dst"))
      .def("open_writer", &PyStore::OpenWriter, nb::arg("key"), nb::arg("if_absent"),
           nb::arg("part_size"));
}

}  // namespace lakepack::py
