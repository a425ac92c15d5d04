// naming.h: the names the pack job reads and writes: output files `TABLE[_SUFFIX]_N.EXT`,
// partition paths `k1=v1/k2=v2/`, extensions, and the state objects under `_lakepack/`.
//
// Pure functions over strings (no I/O); safe from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "format/format.h"
#include "lakepack/status.h"

namespace lakepack::pack {

// An ordered list of partition keys and values, as given by `--partition k=v` (repeatable).
using Partition = std::vector<std::pair<std::string, std::string>>;

// "TABLE_N.EXT" or, with a suffix, "TABLE_SUFFIX_N.EXT".  REQUIRES: n >= 0; ext has no leading '.'.
std::string OutputFileName(std::string_view table, std::string_view suffix, int64_t n,
                           std::string_view ext);

// "TABLE" or "TABLE_SUFFIX": the part of an output name before "_N.EXT".
std::string OutputStem(std::string_view table, std::string_view suffix);

// The file number of a name (a base name, or a key whose last '/'-separated part is used): the
// last '_'-separated element before the first '.', e.g. 10 for "data_file_sfx_10.snappy.parquet".
// Fails with InvalidArgument naming the file when that element is not a decimal number.
Result<int64_t> ParseFileNumber(std::string_view name);

// The last '/'-separated part of a key.
std::string_view BaseName(std::string_view key);

// Everything after the first '.' of the base name ("snappy.parquet" for "t_0.snappy.parquet");
// "" when there is no '.'.
std::string_view Extension(std::string_view name);

// True when `name` ends with "." + ext (so the filter "parquet" also accepts "x.snappy.parquet").
bool HasExtension(std::string_view name, std::string_view ext);

// The format an output/input extension stands for: csv, jsonl (json, ndjson), parquet
// (snappy.parquet, parquet, pq).  Also checks the extension is one pack can write.
// True when `name` has the input extension `ext` (PackOptions::in_ext): case-insensitively, with
// or without its compression suffix ("a.CSV", "b.csv.gz" and "b.csv.gz" by "csv.gz" for "csv").
bool HasInputExtension(std::string_view name, std::string_view ext);

Result<format::Format> FormatOfExtension(std::string_view ext);

// An output extension pack writes: exactly csv, jsonl, parquet (snappy), or CODEC.parquet with
// CODEC one of snappy, zstd, gzip, lz4, brotli (the Parquet codec the files are written with).
struct OutputExtension {
  format::Format format = format::Format::kParquet;
  arrow::Compression::type compression = arrow::Compression::SNAPPY;  // Parquet only
};
Result<OutputExtension> ParseOutputExtension(std::string_view ext);

// Checks one key or value: non-empty, no '/', no control characters, not "." or ".."; a key may
// not contain '='.  Errors name the offending entry.
Status ValidatePartitionEntry(std::string_view key, std::string_view value);

// Parses "k=v" (the first '=' splits; the value may contain '=').
Result<std::pair<std::string, std::string>> ParsePartitionArg(std::string_view text);

// "k1=v1/k2=v2/" ("" for no partition), after validating every entry and that no key repeats.
Result<std::string> PartitionPath(const Partition& partition);

// The partition values of an input key relative to the table prefix: every "k=v" directory
// component, in order (what the reference's input_partition_name reports).
Partition PartitionValuesOf(std::string_view relative_key);

// State objects.  Generation numbers are zero-padded so that listing order is numeric order.
// Digits of a generation number: 10^12 runs is beyond any table's life.
constexpr int kGenerationDigits = 12;
std::string IntentName(int64_t generation);  // "intent-000000000007.json"
std::string CommitName(int64_t generation);  // "commit-000000000007.json"
// "lease-000000000007.json": run 7's latest lease renewal (txlog/lease.h); overwritten while it
// runs.
std::string LeaseName(int64_t generation);
// "base-000000000007-TABLE_3.csv": the preserved original bytes of a rewritten latest file.
std::string BaseCopyName(int64_t generation, std::string_view file_name);
// "unlock-000000000007.json": `pack --unlock` released run 7's lock (state.h's UnlockRecord).
std::string UnlockName(int64_t generation);

// Checks the names that place a table's outputs: the table (non-empty, no '/', not starting with
// '.' or '_'), the suffix (no '/' or '.'), the output extension and the partition.  Errors name
// the option (PackOptions and PackStateOptions share them).
Status ValidateOutputNames(std::string_view table, std::string_view suffix,
                           std::string_view out_ext, const Partition& partition);

// Where a table's outputs and pack state are, given the key of OUTPUT_BASE in its store.
struct OutputPlace {
  std::string table_prefix;  // "BASE/TABLE/"
  std::string part_prefix;   // table_prefix + "k1=v1/.../"
  std::string state_prefix;  // table_prefix + "_lakepack/pack/" + partition + "STEM.EXT/"
};
Result<OutputPlace> OutputPlaceOf(std::string_view base_key, std::string_view table,
                                  std::string_view suffix, std::string_view out_ext,
                                  const Partition& partition);

enum class StateObjectKind { kIntent, kCommit, kBase, kLease, kUnlock };
struct StateObjectName {
  StateObjectKind kind;
  int64_t generation;
};
// Parses a state object's base name; nullopt for anything else.
std::optional<StateObjectName> ParseStateObjectName(std::string_view name);

}  // namespace lakepack::pack
