// cpp_consumer: generates a table of fake customer records as CSV files, packs them into Parquet
// files of an exact size on local disk, reads every packed file back and prints what it found.
//
//   cpp_consumer WORK_DIR [ROWS_PER_INPUT]
//
// Output (one line each): "generated FILE rows N bytes B", "packed FILE rows N bytes B",
// "read FILE rows N row_groups G", then "total inputs I rows R files F read_rows R".  Exits 1 when
// anything fails or the rows read back differ from the rows generated.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "arrow/record_batch.h"
#include "lakepack/lakepack.h"

namespace {

int Fail(const std::string& what, const lakepack::Status& st) {
  std::fprintf(stderr, "cpp_consumer: %s: %s\n", what.c_str(), st.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: cpp_consumer WORK_DIR [ROWS_PER_INPUT]\n");
    return 2;
  }
  const std::filesystem::path work = std::filesystem::absolute(argv[1]);
  const int64_t rows_per_input = argc > 2 ? std::atoll(argv[2]) : 5000;
  constexpr int kInputs = 3;
  std::filesystem::remove_all(work);

  // 1. Three CSV inputs of the table "customers" (different seeds, so different rows).
  int64_t generated = 0;
  for (int i = 0; i < kInputs; ++i) {
    lakepack::gen::GenerateJobOptions g;
    g.output_uri = (work / "in" / "customers" / ("part-" + std::to_string(i) + ".csv")).string();
    g.rows = rows_per_input;
    g.generator.seed = 100 + i;
    g.generator.threads = 1;
    auto r = lakepack::gen::RunGenerateJob(g);
    if (!r.ok()) return Fail("generate " + g.output_uri, r.status());
    std::printf("generated %s rows %lld bytes %lld\n", r->uri.c_str(),
                static_cast<long long>(r->rows), static_cast<long long>(r->bytes));
    generated += r->rows;
  }

  // 2. Pack them into snappy Parquet files of 256 kB each (the last one shorter).
  lakepack::pack::PackOptions p;
  p.input_base = (work / "in").string();
  p.output_base = (work / "out").string();
  p.table = "customers";
  p.file_limit_bytes = 256'000;
  p.force = true;  // a limit under 1 MB is refused unless forced: small files for a quick example
  auto packed = lakepack::pack::Pack(p);
  if (!packed.ok()) return Fail("pack", packed.status());
  for (const auto& f : packed->files) {
    std::printf("packed %s rows %lld bytes %lld\n", f.uri.c_str(), static_cast<long long>(f.rows),
                static_cast<long long>(f.bytes));
  }

  // 3. Read every packed file back, batch by batch, and inspect its footer.
  int64_t read_rows = 0;
  for (const auto& f : packed->files) {
    auto loc = lakepack::OpenStore(f.uri);
    if (!loc.ok()) return Fail("open " + f.uri, loc.status());
    auto reader =
        lakepack::format::OpenBatchReader(loc->store, loc->key, lakepack::format::Format::kParquet);
    if (!reader.ok()) return Fail("read " + f.uri, reader.status());
    int64_t rows = 0;
    while (true) {
      std::shared_ptr<arrow::RecordBatch> batch;
      arrow::Status st = (*reader)->ReadNext(&batch);
      if (!st.ok()) return Fail("read " + f.uri, lakepack::Status::IOError(st.ToString()));
      if (!batch) break;
      rows += batch->num_rows();
    }
    auto facts =
        lakepack::format::InspectFile(loc->store, loc->key, lakepack::format::Format::kParquet);
    if (!facts.ok()) return Fail("inspect " + f.uri, facts.status());
    std::printf("read %s rows %lld row_groups %zu\n", f.uri.c_str(), static_cast<long long>(rows),
                facts->row_groups.size());
    read_rows += rows;
  }

  std::printf("total inputs %d rows %lld files %zu read_rows %lld\n", kInputs,
              static_cast<long long>(generated), packed->files.size(),
              static_cast<long long>(read_rows));
  if (read_rows != generated || packed->rows != generated) {
    std::fprintf(stderr, "cpp_consumer: generated %lld rows, packed %lld, read back %lld\n",
                 static_cast<long long>(generated), static_cast<long long>(packed->rows),
                 static_cast<long long>(read_rows));
    return 1;
  }
  return 0;
}
