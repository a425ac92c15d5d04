// errors.cc: see errors.h.
#include "errors.h"

#include <Python.h>

#include <memory>
#include <string>

namespace nb = nanobind;

namespace lakepack::py {
namespace {

const char* ExceptionName(StatusCode code) {
  switch (code) {
    case StatusCode::kNotFound:
      return "NotFound";
    case StatusCode::kAlreadyExists:
      return "AlreadyExists";
    case StatusCode::kInvalidArgument:
      return "InvalidArgument";
    case StatusCode::kInvalidData:
      return "InvalidData";
    case StatusCode::kPermissionDenied:
      return "PermissionDenied";
    case StatusCode::kUnavailable:
      return "Unavailable";
    case StatusCode::kIOError:
      return "IOFailure";
    case StatusCode::kNotImplemented:
      return "Unsupported";
    case StatusCode::kCancelled:
      return "Cancelled";
    default:
      return "LakepackError";
  }
}

}  // namespace

void ThrowIfError(const Status& status) {
  if (status.ok()) return;
  if (status.code() == StatusCode::kCancelled && PyErr_Occurred()) {
    // The pending KeyboardInterrupt, with what the job said about stopping as a note (e.g. "pack
    // of t cancelled; the table is as it was before the run") where Python has notes (3.11+).
    nb::python_error interrupt;
    nb::handle exc = interrupt.value();
    if (PyObject_HasAttrString(exc.ptr(), "add_note")) {
      const std::string note = "lakepack: " + status.message();
      nb::object r = nb::steal(PyObject_CallMethod(exc.ptr(), "add_note", "s", note.c_str()));
      if (!r.is_valid()) PyErr_Clear();  // a note is a nicety; the interrupt is what matters
    }
    throw interrupt;
  }
  // Looked up at raise time (not cached): errors.py is plain Python, imported once by lakepack.
  nb::object cls = nb::module_::import_("lakepack.errors").attr(ExceptionName(status.code()));
  PyErr_SetString(cls.ptr(), status.message().c_str());
  throw nb::python_error();
}

Status CheckInterrupt() {
  nb::gil_scoped_acquire gil;
  if (PyErr_CheckSignals() != 0) return Status::Cancelled("interrupted");
  return Status::OK();
}

}  // namespace lakepack::py
