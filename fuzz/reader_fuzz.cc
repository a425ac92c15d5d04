// fuzz_reader: the streaming batch readers (format/reader.h) on an arbitrary file: CSV with type
// inference, and JSON Lines with a nested schema (the path through Arrow's JSON reader).
//
// Input: one flag byte, then the file.  Bit 0: JSON Lines (else CSV); bit 1: worker threads;
// bit 2: ';' as the CSV delimiter; bit 3: 4 KiB blocks (else the default).  Oracle: the batches
// are valid Arrow data and an error names the file.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "arrow/table.h"
#include "format/reader.h"
#include "fuzz_input.h"
#include "lakepack/store.h"

namespace {

// One file per process, rewritten for each input (in the temp dir, normally tmpfs-fast enough).
const std::string& InputPath() {
  static const std::string path = (std::filesystem::temp_directory_path() /
                                   ("lakepack-fuzz-reader-" + std::to_string(::getpid())))
                                      .string();
  static const bool cleanup = [] {
    return std::atexit([] {
      std::remove((path + ".csv").c_str());
      std::remove((path + ".jsonl").c_str());
    }) == 0;
  }();
  (void)cleanup;
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  lakepack::fuzz::Input in(data, size);
  const bool jsonl = in.Bit(0);
  const std::string path = InputPath() + (jsonl ? ".jsonl" : ".csv");
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(in.rest.data(), in.rest.size());
  lakepack::format::ReadOptions o;
  o.use_threads = in.Bit(1);
  o.csv_delimiter = in.Bit(2) ? ';' : ',';
  if (in.Bit(3)) o.block_size = 4096;
  o.display_name = "fuzz-input";
  if (jsonl) {
    o.schema = arrow::schema({arrow::field("a", arrow::list(arrow::int64())),
                              arrow::field("b", arrow::struct_({arrow::field("c", arrow::utf8())})),
                              arrow::field("d", arrow::float64())});
  }
  auto loc = lakepack::OpenStore(path);
  lakepack::fuzz::Check(loc.ok(), "OpenStore failed");
  auto reader = lakepack::format::OpenBatchReader(
      loc->store, loc->key,
      jsonl ? lakepack::format::Format::kJsonl : lakepack::format::Format::kCsv, o);
  if (reader.ok()) {
    while (true) {
      std::shared_ptr<arrow::RecordBatch> batch;
      arrow::Status st = (*reader)->ReadNext(&batch);
      if (!st.ok()) {
        lakepack::fuzz::Check(st.message().find("fuzz-input") != std::string::npos,
                              "error does not name the file: " + st.ToString());
        break;
      }
      if (!batch) break;
      lakepack::fuzz::Check(batch->ValidateFull().ok(), "invalid batch");
    }
  } else {
    lakepack::fuzz::Check(reader.status().message().find("fuzz-input") != std::string::npos,
                          "error does not name the file: " + reader.status().ToString());
  }
  return 0;
}
