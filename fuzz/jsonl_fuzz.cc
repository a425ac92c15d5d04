// fuzz_jsonl: lakepack's own JSON Lines reader (format/jsonl_reader.h) on arbitrary text.
//
// Input: one flag byte (bit 0: worker threads; bit 1: read with the inferred schema, else with a
// fixed flat one of every supported kind), then the file's bytes.  Oracle: reading in 4 KiB blocks
// gives exactly what reading in one block gives, rows or error.
#include <memory>

#include "arrow/buffer.h"
#include "arrow/io/memory.h"
#include "arrow/table.h"
#include "format/jsonl_reader.h"
#include "fuzz_input.h"

namespace {

using lakepack::format::JsonlReaderOptions;

std::shared_ptr<arrow::Schema> FlatSchema() {
  return arrow::schema({arrow::field("a", arrow::int64()), arrow::field("b", arrow::float64()),
                        arrow::field("c", arrow::utf8()), arrow::field("d", arrow::boolean()),
                        arrow::field("e", arrow::timestamp(arrow::TimeUnit::SECOND)),
                        arrow::field("f", arrow::date32()), arrow::field("a", arrow::int32())});
}

// Rows (as text) or the error message of reading all of `text`.
std::string ReadAll(std::string_view text, std::shared_ptr<arrow::Schema> schema, bool strict,
                    bool threads, int64_t block_bytes) {
  auto file = std::make_shared<arrow::io::BufferReader>(
      std::make_shared<arrow::Buffer>(reinterpret_cast<const uint8_t*>(text.data()),
                                      static_cast<int64_t>(text.size())));
  JsonlReaderOptions o;
  o.block_bytes = block_bytes;
  o.use_threads = threads;
  o.strict_fields = strict;
  o.name = "fuzz.jsonl";
  auto reader = lakepack::format::OpenJsonlReader(file, schema, o);
  if (!reader.ok()) return "error: " + reader.status().ToString();
  auto table = (*reader)->ToTable();
  if (!table.ok()) return "error: " + table.status().ToString();
  lakepack::fuzz::Check((*table)->ValidateFull().ok(), "invalid table");
  return (*table)->ToString();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  lakepack::fuzz::Input in(data, size);
  const bool threads = in.Bit(0);
  std::shared_ptr<arrow::Schema> schema = FlatSchema();
  bool strict = false;
  if (in.Bit(1)) {
    auto file = std::make_shared<arrow::io::BufferReader>(std::make_shared<arrow::Buffer>(
        reinterpret_cast<const uint8_t*>(in.rest.data()), static_cast<int64_t>(in.rest.size())));
    auto inferred = lakepack::format::InferJsonlSchema(file, 1 << 20, "fuzz.jsonl");
    if (!inferred.ok() || inferred->nested) return 0;
    schema = inferred->schema;
    strict = true;
  }
  if (!lakepack::format::JsonlReaderSupports(*schema)) return 0;
  std::string whole = ReadAll(in.rest, schema, strict, threads, 1 << 20);
  std::string blocks = ReadAll(in.rest, schema, strict, threads, 4096);
  lakepack::fuzz::Check(whole == blocks, "one block:\n" + whole + "\n4 KiB blocks:\n" + blocks);
  return 0;
}
