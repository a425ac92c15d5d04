// module.cc: the private extension module lakepack._lakepack.  The public API is the Python
// package python/lakepack/, which wraps these functions with docstrings, defaults and stubs.
#include <nanobind/nanobind.h>

#include "arrow_stream.h"

namespace nb = nanobind;

namespace lakepack::py {
void RegisterStore(nb::module_& m);
void RegisterJobs(nb::module_& m);
void RegisterGenerator(nb::module_& m);
void RegisterPack(nb::module_& m);
void RegisterFileWriter(nb::module_& m);
void RegisterBlockWriter(nb::module_& m);
void RegisterS3Admin(nb::module_& m);
void RegisterSorted(nb::module_& m);
void RegisterFiles(nb::module_& m);
void RegisterLake(nb::module_& m);
}  // namespace lakepack::py

NB_MODULE(_lakepack, m) {
  m.doc() = "lakepack's C++ core (private: use the lakepack package)";
  lakepack::py::RegisterArrowStream(m);
  lakepack::py::RegisterStore(m);
  lakepack::py::RegisterJobs(m);
  lakepack::py::RegisterGenerator(m);
  lakepack::py::RegisterPack(m);
  lakepack::py::RegisterFileWriter(m);
  lakepack::py::RegisterBlockWriter(m);
  lakepack::py::RegisterS3Admin(m);
  lakepack::py::RegisterSorted(m);
  lakepack::py::RegisterFiles(m);
  lakepack::py::RegisterLake(m);
}
