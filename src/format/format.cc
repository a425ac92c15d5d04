#include "format/format.h"

#include <algorithm>
#include <cctype>

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

Result<Format> DetectFormat(std::string_view name) {
  std::string n = Lower(name);
  // Strip a query-less URI down to its last path segment so "s3://b/dir.csv/x" is not a CSV.
  size_t slash = n.rfind('/');
  std::string_view base =
      slash == std::string::npos ? std::string_view(n) : std::string_view(n).substr(slash + 1);
  if (EndsWith(base, ".csv")) return Format::kCsv;
  for (std::string_view ext : {".jsonl", ".json", ".ndjson"}) {
    if (EndsWith(base, ext)) return Format::kJsonl;
  }
  for (std::string_view ext : {".parquet", ".pq"}) {  // ".snappy.parquet" ends in ".parquet"
    if (EndsWith(base, ext)) return Format::kParquet;
  }
  return Status::InvalidArgument(std::string(name) +
                                 ": cannot tell the format from the name (expected .csv, .jsonl, "
                                 ".json, .ndjson, .parquet or .pq); name it with --in-format / "
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
