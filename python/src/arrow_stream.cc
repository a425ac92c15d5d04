// arrow_stream.cc: see arrow_stream.h.
#include "arrow_stream.h"

#include <Python.h>

#include <cstdlib>

#include "arrow/c/abi.h"
#include "arrow/c/bridge.h"
#include "errors.h"
#include "format/arrow_status.h"

namespace nb = nanobind;

namespace lakepack::py {
namespace {

constexpr const char* kCapsuleName = "arrow_array_stream";

// Frees a capsule's stream; releases it first unless a consumer moved it out (release == null).
void ReleaseStreamCapsule(PyObject* capsule) {
  auto* stream = static_cast<ArrowArrayStream*>(PyCapsule_GetPointer(capsule, kCapsuleName));
  if (stream == nullptr) {
    PyErr_Clear();
    return;
  }
  if (stream->release != nullptr) stream->release(stream);
  std::free(stream);
}

}  // namespace

nb::object Stream::ArrowCStream(nb::object requested_schema) {
  if (!requested_schema.is_none()) {
    throw nb::type_error(
        "lakepack streams are exported in their own schema (requested_schema must be None)");
  }
  if (!reader_) {
    ThrowIfError(Status::InvalidArgument("this lakepack stream was already consumed"));
  }
  // malloc'd, as the C stream interface's capsule convention expects of producers.
  auto* stream = static_cast<ArrowArrayStream*>(std::malloc(sizeof(ArrowArrayStream)));
  if (stream == nullptr) throw std::bad_alloc();
  stream->release = nullptr;
  arrow::Status st = arrow::ExportRecordBatchReader(reader_, stream);
  if (!st.ok()) {
    std::free(stream);
    ThrowIfError(format::FromArrow(st, "exporting an Arrow stream"));
  }
  reader_.reset();
  PyObject* capsule = PyCapsule_New(stream, kCapsuleName, ReleaseStreamCapsule);
  if (capsule == nullptr) {
    stream->release(stream);
    std::free(stream);
    throw nb::python_error();
  }
  return nb::steal(capsule);
}

std::shared_ptr<arrow::RecordBatchReader> Stream::Take() {
  if (!reader_) ThrowIfError(Status::InvalidArgument("this lakepack stream was already consumed"));
  return std::move(reader_);
}

std::shared_ptr<arrow::RecordBatchReader> ImportStream(nb::handle source) {
  if (nb::isinstance<Stream>(source)) return nb::cast<Stream&>(source).Take();
  if (!nb::hasattr(source, "__arrow_c_stream__")) {
    throw nb::type_error(
        ("expected an Arrow stream (an object with __arrow_c_stream__, e.g. a pyarrow Table or "
         "RecordBatchReader, a polars DataFrame, a DuckDB relation), got " +
         std::string(
             nb::str(nb::handle(reinterpret_cast<PyObject*>(Py_TYPE(source.ptr())))).c_str()))
            .c_str());
  }
  nb::object capsule = source.attr("__arrow_c_stream__")();
  auto* stream = static_cast<ArrowArrayStream*>(PyCapsule_GetPointer(capsule.ptr(), kCapsuleName));
  if (stream == nullptr) throw nb::python_error();
  // Moves the stream out of the capsule (its release becomes null), so the capsule's
  // destructor only frees the struct.
  auto reader = arrow::ImportRecordBatchReader(stream);
  if (!reader.ok()) ThrowIfError(format::FromArrow(reader.status(), "importing an Arrow stream"));
  return *reader;
}

void RegisterArrowStream(nb::module_& m) {
  nb::class_<Stream>(m, "Stream", "A one-shot Arrow record batch stream produced by lakepack.")
      .def("__arrow_c_stream__", &Stream::ArrowCStream, nb::arg("requested_schema") = nb::none(),
           "Exports the batches as an 'arrow_array_stream' PyCapsule (consumes the stream).")
      .def_prop_ro("consumed", &Stream::consumed);
  m.def(
      "stream_from", [](nb::handle src) { return Stream(ImportStream(src)); }, nb::arg("source"),
      "Imports any Arrow stream producer as a lakepack Stream (zero-copy pass-through).");
}

}  // namespace lakepack::py
