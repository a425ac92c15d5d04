// errors.h: lakepack::Status → Python exceptions, and Ctrl-C checks from C++ loops.
//
// A failed Status becomes the exception class of its code, defined in python/lakepack/errors.py
// (NotFound, AlreadyExists, InvalidData, ...), with the Status message (which names the file and
// place).  A kCancelled status while a KeyboardInterrupt is pending (CheckInterrupt() saw Ctrl-C,
// e.g. polled by a job's CancelToken: job_binding.h) re-raises that KeyboardInterrupt instead, with the status message
// added as a note (Python 3.11+).
//
// Thread-safety: ThrowIfError requires the GIL; CheckInterrupt must be called WITHOUT the GIL
// (inside nb::gil_scoped_release), from the thread that called into the module.
#pragma once

#include <nanobind/nanobind.h>

#include <chrono>
#include <functional>

#include "lakepack/status.h"

namespace lakepack::py {

// Throws nb::python_error for a non-OK status.  REQUIRES: the GIL is held.
void ThrowIfError(const Status& status);

template <typename T>
T ValueOrThrow(Result<T> result) {
  if (!result.ok()) ThrowIfError(result.status());
  return std::move(result).ValueOrDie();
}

// Briefly takes the GIL and runs Python's signal handlers.  Returns Cancelled if one raised (the
// KeyboardInterrupt stays pending and ThrowIfError re-raises it).  REQUIRES: GIL released.
Status CheckInterrupt();

}  // namespace lakepack::py
