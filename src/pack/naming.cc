// naming.cc: see naming.h.
#include "pack/naming.h"

#include <cctype>
#include <cstdio>
#include <set>

namespace lakepack::pack {

std::string OutputStem(std::string_view table, std::string_view suffix) {
  std::string stem(table);
  if (!suffix.empty()) {
    stem += '_';
    stem += suffix;
  }
  return stem;
}

std::string OutputFileName(std::string_view table, std::string_view suffix, int64_t n,
                           std::string_view ext) {
  return OutputStem(table, suffix) + "_" + std::to_string(n) + "." + std::string(ext);
}

std::string_view BaseName(std::string_view key) {
  size_t slash = key.rfind('/');
  return slash == std::string_view::npos ? key : key.substr(slash + 1);
}

std::string_view Extension(std::string_view name) {
  std::string_view base = BaseName(name);
  size_t dot = base.find('.');
  return dot == std::string_view::npos ? std::string_view() : base.substr(dot + 1);
}

bool HasExtension(std::string_view name, std::string_view ext) {
  std::string_view ex = Extension(name);
  if (ex.size() < ext.size()) return false;
  if (ex.size() == ext.size()) return ex == ext;
  return ex.substr(ex.size() - ext.size()) == ext && ex[ex.size() - ext.size() - 1] == '.';
}

Result<int64_t> ParseFileNumber(std::string_view name) {
  std::string_view base = BaseName(name);
  std::string_view stem = base.substr(0, base.find('.'));
  size_t us = stem.rfind('_');
  std::string_view digits = us == std::string_view::npos ? stem : stem.substr(us + 1);
  if (digits.empty() || digits.size() > 18) {
    return Status::InvalidArgument("'" + std::string(base) +
                                   "' has no file number (expected NAME_N.EXT)");
  }
  int64_t n = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') {
      return Status::InvalidArgument("'" + std::string(base) + "': '" + std::string(digits) +
                                     "' is not a file number (expected NAME_N.EXT)");
    }
    n = n * 10 + (c - '0');
  }
  return n;
}

Result<format::Format> FormatOfExtension(std::string_view ext) {
  // The format's own detection: case-insensitive, ".tsv" is CSV, ".gz" / ".zst" after a text
  // format's extension are decompressed.
  auto f = format::DetectFormat("x." + std::string(ext));
  if (f.ok()) return f;
  return Status::InvalidArgument("unsupported file extension '" + std::string(ext) +
                                 "' (use csv, tsv, jsonl, parquet or snappy.parquet; csv, tsv and "
                                 "jsonl also with .gz or .zst)");
}

namespace {
std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}
}  // namespace

bool HasInputExtension(std::string_view name, std::string_view ext) {
  const std::string base = Lower(BaseName(name));
  const std::string e = Lower(ext);
  return HasExtension(base, e) || HasExtension(format::StripCompressionSuffix(base), e);
}

Result<OutputExtension> ParseOutputExtension(std::string_view ext) {
  OutputExtension out;
  if (ext == "csv") {
    out.format = format::Format::kCsv;
    return out;
  }
  if (ext == "jsonl") {
    out.format = format::Format::kJsonl;
    return out;
  }
  if (ext == "parquet") return out;
  constexpr std::string_view kParquet = ".parquet";
  if (ext.size() > kParquet.size() && ext.substr(ext.size() - kParquet.size()) == kParquet) {
    std::string_view codec = ext.substr(0, ext.size() - kParquet.size());
    for (auto [name, type] :
         {std::pair{"snappy", arrow::Compression::SNAPPY},
          std::pair{"zstd", arrow::Compression::ZSTD}, std::pair{"gzip", arrow::Compression::GZIP},
          std::pair{"lz4", arrow::Compression::LZ4},
          std::pair{"brotli", arrow::Compression::BROTLI}}) {
      if (codec == name) {
        out.compression = type;
        return out;
      }
    }
  }
  return Status::InvalidArgument(
      "unsupported output extension '" + std::string(ext) +
      "' (use csv, jsonl, parquet, snappy.parquet, zstd.parquet, gzip.parquet, lz4.parquet or "
      "brotli.parquet)");
}

Status ValidatePartitionEntry(std::string_view key, std::string_view value) {
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("partition entry '" + std::string(key) + "=" +
                                   std::string(value) + "': " + why);
  };
  if (key.empty()) return bad("empty key");
  if (value.empty()) return bad("empty value");
  if (key.find('=') != std::string_view::npos) return bad("a key may not contain '='");
  for (std::string_view s : {key, value}) {
    if (s.find('/') != std::string_view::npos) return bad("'/' is not allowed");
    if (s == "." || s == "..") return bad("'.' and '..' are not allowed");
    for (unsigned char c : s) {
      if (c < 0x20 || c == 0x7f) return bad("control characters are not allowed");
    }
  }
  return Status::OK();
}

Result<std::pair<std::string, std::string>> ParsePartitionArg(std::string_view text) {
  size_t eq = text.find('=');
  if (eq == std::string_view::npos) {
    return Status::InvalidArgument("partition '" + std::string(text) + "' is not KEY=VALUE");
  }
  std::pair<std::string, std::string> kv(std::string(text.substr(0, eq)),
                                         std::string(text.substr(eq + 1)));
  LP_RETURN_NOT_OK(ValidatePartitionEntry(kv.first, kv.second));
  return kv;
}

Result<std::string> PartitionPath(const Partition& partition) {
  std::string path;
  std::set<std::string> seen;
  for (const auto& [k, v] : partition) {
    LP_RETURN_NOT_OK(ValidatePartitionEntry(k, v));
    if (!seen.insert(k).second) {
      return Status::InvalidArgument("partition key '" + k + "' is given twice");
    }
    path += k + "=" + v + "/";
  }
  return path;
}

Partition PartitionValuesOf(std::string_view relative_key) {
  Partition values;
  size_t start = 0;
  while (true) {
    size_t slash = relative_key.find('/', start);
    if (slash == std::string_view::npos) break;  // the last component is the file name
    std::string_view part = relative_key.substr(start, slash - start);
    size_t eq = part.find('=');
    if (eq != std::string_view::npos && eq > 0) {
      values.emplace_back(std::string(part.substr(0, eq)), std::string(part.substr(eq + 1)));
    }
    start = slash + 1;
  }
  return values;
}

static std::string Padded(int64_t g) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%0*lld", kGenerationDigits, static_cast<long long>(g));
  return buf;
}

std::string IntentName(int64_t generation) { return "intent-" + Padded(generation) + ".json"; }
std::string CommitName(int64_t generation) { return "commit-" + Padded(generation) + ".json"; }
std::string LeaseName(int64_t generation) { return "lease-" + Padded(generation) + ".json"; }
std::string BaseCopyName(int64_t generation, std::string_view file_name) {
  return "base-" + Padded(generation) + "-" + std::string(file_name);
}

Status ValidateOutputNames(std::string_view table, std::string_view suffix,
                           std::string_view out_ext, const Partition& partition) {
  if (table.empty() || table.find('/') != std::string::npos || table[0] == '.' || table[0] == '_') {
    return Status::InvalidArgument("pack: bad table name '" + std::string(table) +
                                   "' (non-empty, no '/', not starting with '.' or '_')");
  }
  if (suffix.find('/') != std::string::npos || suffix.find('.') != std::string::npos) {
    return Status::InvalidArgument("pack: bad --suffix '" + std::string(suffix) +
                                   "' (no '/' or '.')");
  }
  if (out_ext.empty() || out_ext[0] == '.') {
    return Status::InvalidArgument("pack: bad --out-ext '" + std::string(out_ext) +
                                   "' (e.g. snappy.parquet)");
  }
  auto fmt = ParseOutputExtension(out_ext);
  if (!fmt.ok()) return fmt.status().WithContext("pack: --out-ext");
  auto path = PartitionPath(partition);
  if (!path.ok()) return path.status().WithContext("pack: --partition");
  return Status::OK();
}

Result<OutputPlace> OutputPlaceOf(std::string_view base_key, std::string_view table,
                                  std::string_view suffix, std::string_view out_ext,
                                  const Partition& partition) {
  LP_ASSIGN_OR_RETURN(std::string part, PartitionPath(partition));
  OutputPlace p;
  p.table_prefix = std::string(base_key);
  if (!p.table_prefix.empty() && p.table_prefix.back() != '/') p.table_prefix += '/';
  p.table_prefix += std::string(table) + "/";
  p.part_prefix = p.table_prefix + part;
  p.state_prefix = p.table_prefix + "_lakepack/pack/" + part + OutputStem(table, suffix) + "." +
                   std::string(out_ext) + "/";
  return p;
}

std::string UnlockName(int64_t generation) { return "unlock-" + Padded(generation) + ".json"; }

std::optional<StateObjectName> ParseStateObjectName(std::string_view name) {
  StateObjectKind kind;
  std::string_view rest;
  auto starts = [&](std::string_view p) { return name.substr(0, p.size()) == p; };
  if (starts("intent-")) {
    kind = StateObjectKind::kIntent;
    rest = name.substr(7);
  } else if (starts("commit-")) {
    kind = StateObjectKind::kCommit;
    rest = name.substr(7);
  } else if (starts("lease-")) {
    kind = StateObjectKind::kLease;
    rest = name.substr(6);
  } else if (starts("base-")) {
    kind = StateObjectKind::kBase;
    rest = name.substr(5);
  } else if (starts("unlock-")) {
    kind = StateObjectKind::kUnlock;
    rest = name.substr(7);
  } else {
    return std::nullopt;
  }
  if (rest.size() < static_cast<size_t>(kGenerationDigits) + 1) return std::nullopt;
  int64_t g = 0;
  for (int i = 0; i < kGenerationDigits; ++i) {
    char c = rest[i];
    if (c < '0' || c > '9') return std::nullopt;
    g = g * 10 + (c - '0');
  }
  std::string_view tail = rest.substr(kGenerationDigits);
  if (kind == StateObjectKind::kBase) {
    if (tail.size() < 2 || tail[0] != '-') return std::nullopt;
  } else if (tail != ".json") {
    return std::nullopt;
  }
  return StateObjectName{kind, g};
}

}  // namespace lakepack::pack
