// lakepack/format.h: the file formats lakepack reads and writes, the Parquet codecs it offers, and
// the schema-mismatch policy — the names a caller picks from.
//
// A format is detected from a file name's extension (".csv", ".tsv", ".jsonl", ".json", ".ndjson",
// ".parquet", ".pq", ".snappy.parquet"...), case-insensitively, unless the caller names it
// explicitly.  A CSV or JSON Lines input may be compressed as a whole: ".gz" / ".gzip" (gzip) or
// ".zst" / ".zstd" (zstd) after the format's extension ("x.csv.gz", "x.JSONL.ZST"); it is
// decompressed as it streams.  Parquet is never read through an outer compression (its pages are
// compressed already): "x.parquet.gz" is an error.
//
// Schema mismatch (what happens when an input's columns differ from the target schema; the one
// policy of pack and convert, the same for CSV, JSON Lines and Parquet inputs).  Columns are
// matched by exact name ("ID" is not "id").  Under every policy a column whose type is Arrow
// `null` (all values null) takes the other side's type: null widens to any type, losslessly.
// Beyond that:
//   kFail  (the default) an input with a column the target lacks, or lacking one of the target's,
//          is an error naming the input, the columns, where the target came from, and the remedy;
//   kUnion an input's new columns are appended to the target (nullable, the input's type); rows
//          of inputs that lack a column hold null there;
//   kDrop  the target is kept: an input's extra columns are dropped, missing ones are null.
//
// Thread-safety: pure functions; safe from any thread.  None has a precondition: every name is
// checked, and an unknown one is InvalidArgument naming it.
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

// The format of `name` (a key, path or URI) from its extension, case-insensitively, after any
// compression suffix (InputCompressionOf) is stripped; ".tsv" is CSV (tab-separated).  Fails with
// InvalidArgument naming the file if the extension is unknown, or if it is a compressed Parquet
// name.
Result<Format> DetectFormat(std::string_view name);

// The outer compression of a whole input file (not Parquet's page codecs).
enum class InputCompression { kNone, kGzip, kZstd };

// From the last suffix of `name`'s last path segment, case-insensitively: ".gz" and ".gzip" are
// gzip, ".zst" and ".zstd" are zstd, anything else none.
InputCompression InputCompressionOf(std::string_view name);

// `name` without the suffix InputCompressionOf recognised ("x.csv.gz" -> "x.csv").
std::string_view StripCompressionSuffix(std::string_view name);

// "none", "gzip", "zstd".
const char* InputCompressionName(InputCompression compression);

// Parses "none", "gzip" (also "gz"), "zstd" (also "zst"); InvalidArgument otherwise.
Result<InputCompression> ParseInputCompression(std::string_view name);

// True when `name` (after the compression suffix) ends in ".tsv": CSV read with tabs unless a
// delimiter is given.
bool IsTsvName(std::string_view name);

// `explicit_name` if given (non-empty), else detection from `name`.
Result<Format> ResolveFormat(std::string_view name, std::string_view explicit_name);

// Parses a compression name: snappy, zstd, gzip, lz4, brotli, none (also "uncompressed").
Result<arrow::Compression::type> ParseCompression(std::string_view name);

// "snappy", "zstd", ... as accepted by ParseCompression.
std::string CompressionName(arrow::Compression::type codec);

enum class SchemaMismatch { kFail, kUnion, kDrop };

// "fail", "union", "drop".  InvalidArgument otherwise.
Result<SchemaMismatch> ParseSchemaMismatch(std::string_view name);
const char* SchemaMismatchName(SchemaMismatch policy);

}  // namespace lakepack::format
