#include "format/format.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include "arrow/util/compression.h"
#include "base/json.h"

namespace lakepack::format {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

const char* FormatName(Format format) {
  switch (format) {
    case Format::kCsv:
      return "csv";
    case Format::kJsonl:
      return "jsonl";
    case Format::kParquet:
      return "parquet";
  }
  return "?";
}

Result<Format> ParseFormat(std::string_view name) {
  std::string n = Lower(name);
  if (n == "csv") return Format::kCsv;
  if (n == "jsonl" || n == "json" || n == "ndjson") return Format::kJsonl;
  if (n == "parquet" || n == "pq") return Format::kParquet;
  return Status::InvalidArgument("unknown format '" + std::string(name) +
                                 "' (use csv, jsonl or parquet)");
}

// The last path segment of a lower-cased name.
std::string_view BaseName(std::string_view n) {
  size_t slash = n.rfind('/');
  return slash == std::string_view::npos ? n : n.substr(slash + 1);
}

InputCompression InputCompressionOf(std::string_view name) {
  std::string base(BaseName(Lower(name)));
  if (EndsWith(base, ".gz") || EndsWith(base, ".gzip")) return InputCompression::kGzip;
  if (EndsWith(base, ".zst") || EndsWith(base, ".zstd")) return InputCompression::kZstd;
  return InputCompression::kNone;
}

std::string_view StripCompressionSuffix(std::string_view name) {
  if (InputCompressionOf(name) == InputCompression::kNone) return name;
  return name.substr(0, name.rfind('.'));
}

const char* InputCompressionName(InputCompression compression) {
  switch (compression) {
    case InputCompression::kNone:
      return "none";
    case InputCompression::kGzip:
      return "gzip";
    case InputCompression::kZstd:
      return "zstd";
  }
  return "?";
}

Result<InputCompression> ParseInputCompression(std::string_view name) {
  std::string n = Lower(name);
  if (n == "none") return InputCompression::kNone;
  if (n == "gzip" || n == "gz") return InputCompression::kGzip;
  if (n == "zstd" || n == "zst") return InputCompression::kZstd;
  return Status::InvalidArgument("unknown input compression '" + std::string(name) +
                                 "' (use none, gzip or zstd)");
}

bool IsTsvName(std::string_view name) {
  return EndsWith(BaseName(Lower(StripCompressionSuffix(name))), ".tsv");
}

Result<Format> DetectFormat(std::string_view name) {
  const InputCompression compression = InputCompressionOf(name);
  std::string n = Lower(StripCompressionSuffix(name));
  // Only the last path segment counts, so "s3://b/dir.csv/x" is not a CSV.
  std::string_view base = BaseName(n);
  std::optional<Format> found;
  if (EndsWith(base, ".csv") || EndsWith(base, ".tsv")) found = Format::kCsv;
  for (std::string_view ext : {".jsonl", ".json", ".ndjson"}) {
    if (EndsWith(base, ext)) found = Format::kJsonl;
  }
  for (std::string_view ext : {".parquet", ".pq"}) {  // ".snappy.parquet" ends in ".parquet"
    if (EndsWith(base, ext)) found = Format::kParquet;
  }
  if (found == Format::kParquet && compression != InputCompression::kNone) {
    return Status::InvalidArgument(
        std::string(name) + ": a " + InputCompressionName(compression) +
        "-compressed Parquet file is not read (Parquet compresses its own pages): decompress it "
        "first");
  }
  if (found) return *found;
  return Status::InvalidArgument(std::string(name) +
                                 ": cannot tell the format from the name (expected .csv, .tsv, "
                                 ".jsonl, .json, .ndjson, .parquet or .pq, the first four "
                                 "optionally followed by .gz or .zst); name it with --in-format / "
                                 "--out-format");
}

Result<Format> ResolveFormat(std::string_view name, std::string_view explicit_name) {
  if (!explicit_name.empty()) return ParseFormat(explicit_name);
  return DetectFormat(name);
}

Result<arrow::Compression::type> ParseCompression(std::string_view name) {
  std::string n = Lower(name);
  if (n == "snappy") return arrow::Compression::SNAPPY;
  if (n == "zstd") return arrow::Compression::ZSTD;
  if (n == "gzip") return arrow::Compression::GZIP;
  if (n == "lz4") return arrow::Compression::LZ4;
  if (n == "brotli") return arrow::Compression::BROTLI;
  if (n == "none" || n == "uncompressed") return arrow::Compression::UNCOMPRESSED;
  return Status::InvalidArgument("unknown compression '" + std::string(name) +
                                 "' (use snappy, zstd, gzip, lz4, brotli or none)");
}

std::string CompressionName(arrow::Compression::type codec) {
  switch (codec) {
    case arrow::Compression::UNCOMPRESSED:
      return "none";
    case arrow::Compression::SNAPPY:
      return "snappy";
    case arrow::Compression::ZSTD:
      return "zstd";
    case arrow::Compression::GZIP:
      return "gzip";
    case arrow::Compression::LZ4:
    case arrow::Compression::LZ4_FRAME:
      return "lz4";
    case arrow::Compression::BROTLI:
      return "brotli";
    default:
      return arrow::util::Codec::GetCodecAsString(codec);
  }
}

void WriteFileReport(JsonWriter& w, std::string_view uri, Format format, int64_t rows,
                     int64_t bytes, double seconds) {
  w.Key("uri").String(uri);
  w.Key("format").String(FormatName(format));
  w.Key("rows").Int(rows);
  w.Key("bytes").Int(bytes);
  w.Key("seconds").Double(seconds);
}

}  // namespace lakepack::format
