// format.h: the file formats lakepack reads and writes, and their names.
//
// A format is detected from a file name's extension (".csv", ".jsonl", ".json", ".ndjson",
// ".parquet", ".pq", ".snappy.parquet"...) unless the caller names it explicitly.  Compression
// names the Parquet codecs lakepack offers.
//
// Thread-safety: pure functions; safe from any thread.
#pragma once

#include <string>
#include <string_view>

#include "arrow/util/type_fwd.h"
#include "lakepack/status.h"

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

}  // namespace lakepack::format
