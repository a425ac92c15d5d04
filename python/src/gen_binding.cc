// gen_binding.cc: the deterministic fake-data generator (gen/data_generator.h) as Arrow streams.
#include <nanobind/nanobind.h>
#include <nanobind/stl/string.h>

#include "arrow_stream.h"
#include "errors.h"
#include "gen/data_generator.h"
#include "gen/generating_reader.h"

namespace nb = nanobind;

namespace lakepack::py {
namespace {

// `rows` rows (-1: without end) in batches of `batch_rows`, made by `threads` threads.
Stream GenerateStream(int64_t seed, int64_t rows, int64_t batch_rows, int threads,
                      double null_fraction) {
  if (seed < 0) ThrowIfError(Status::InvalidArgument("seed must be >= 0"));
  if (rows < -1) ThrowIfError(Status::InvalidArgument("rows must be >= 0"));
  gen::DataGeneratorOptions o;
  o.seed = static_cast<uint64_t>(seed);
  if (batch_rows > 0) o.batch_rows = batch_rows;
  o.threads = threads;
  o.null_fraction = null_fraction;
  auto generator = ValueOrThrow(gen::DataGenerator::Make(o));
  auto reader = ValueOrThrow(
      gen::GeneratingReader::Make(generator, rows < 0 ? gen::GeneratingReader::kUnbounded : rows));
  return Stream(std::move(reader));
}

}  // namespace

void RegisterGenerator(nb::module_& m) {
  m.def("generate_stream", &GenerateStream, nb::arg("seed"), nb::arg("rows"), nb::arg("batch_rows"),
        nb::arg("threads"), nb::arg("null_fraction"));
  m.attr("MAX_BATCH_ROWS") = gen::DataGenerator::kMaxBatchRows;
}

}  // namespace lakepack::py
