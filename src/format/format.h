// format.h: the file formats lakepack reads and writes, and their names.
//
// A format is detected from a file name's extension (".csv", ".jsonl", ".json", ".ndjson",
// ".parquet", ".pq", ".snappy.parquet"...) unless the caller names it explicitly.  Compression
// names the Parquet codecs lakepack offers.
//
// Thread-safety: pure functions; safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "arrow/util/type_fwd.h"
#include "lakepack/status.h"

namespace lakepack {
class JsonWriter;
}

namespace lakepack::format {

enum class Format { kCsv, kJsonl, kParquet };

// "csv", "jsonl", "parquet".
const char* FormatName(Format format);

// Parses a format name as given on a command line: csv, jsonl (also json, ndjson), parquet (pq).
Result<Format> ParseFormat(std::string_view name);

// The format of `name` (a key, path or URI) from its extension, case-insensitively.  Fails with
// InvalidArgument naming the file if the extension is unknown.
Result<Format> DetectFormat(std::string_view name);

// `explicit_name` if given (non-empty), else detection from `name`.
Result<Format> ResolveFormat(std::string_view name, std::string_view explicit_name);

// Parses a compression name: snappy, zstd, gzip, lz4, brotli, none (also "uncompressed").
Result<arrow::Compression::type> ParseCompression(std::string_view name);

// "snappy", "zstd", ... as accepted by ParseCompression.
std::string CompressionName(arrow::Compression::type codec);

// The members every report of one written file starts with — "uri", "format", "rows", "bytes",
// "seconds" — written into the open JSON object `w` (generate, convert, write_batches).
void WriteFileReport(JsonWriter& w, std::string_view uri, Format format, int64_t rows,
                     int64_t bytes, double seconds);

}  // namespace lakepack::format
