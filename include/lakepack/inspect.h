// lakepack/inspect.h: facts about one data file: its format, schema, rows and, for Parquet, its
// layout.
//
// For Parquet everything comes from the footer (no data pages are read).  For CSV and JSON Lines
// the rows are counted by streaming the whole file (types are inferred from the first block, as
// when reading).
//
// Thread-safety: pure functions over a thread-safe store.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "arrow/type_fwd.h"
#include "lakepack/format.h"
#include "lakepack/reader.h"
#include "lakepack/store.h"

namespace lakepack::format {

struct ColumnChunkFacts {
  std::string path;   // dotted column path
  std::string codec;  // "snappy", "zstd", "none"...
  int64_t compressed_bytes = 0;
  int64_t uncompressed_bytes = 0;
};

struct RowGroupFacts {
  int64_t rows = 0;
  int64_t compressed_bytes = 0;
  int64_t uncompressed_bytes = 0;
  std::vector<ColumnChunkFacts> columns;
};

struct FileFacts {
  std::string name;
  Format format = Format::kCsv;
  int64_t size = 0;
  std::shared_ptr<arrow::Schema> schema;
  int64_t rows = 0;
  // Parquet only.
  std::string created_by;
  std::string format_version;
  int64_t footer_bytes = 0;  // the serialized footer (FileMetaData), as pyarrow's serialized_size
  std::vector<RowGroupFacts> row_groups;
  std::vector<std::pair<std::string, std::string>> metadata;  // key-value metadata
};

// REQUIRES: `store` is not null.
Result<FileFacts> InspectFile(std::shared_ptr<ObjectStore> store, const std::string& key,
                              Format format, const ReadOptions& options = {});

// A human-readable multi-line report.
std::string RenderText(const FileFacts& facts);
// One JSON object (single line, trailing newline).
std::string RenderJson(const FileFacts& facts);

}  // namespace lakepack::format
