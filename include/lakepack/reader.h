// lakepack/reader.h: streaming record-batch readers for CSV, JSON Lines and Parquet objects.
//
// OpenBatchReader reads an object batch by batch with bounded memory (a few blocks or one row
// group at a time, never the whole file).  Errors name the file and the place: a malformed CSV
// row or JSON line by its line number (found by re-scanning the file when Arrow's message lacks
// it), a corrupt Parquet file by what is wrong with its footer.  Such errors have code
// kInvalidData (carried through arrow::Status; lakepack's code maps it back to the Status code).
//
// Thread-safety: a returned reader is used by one thread at a time; Arrow may use its thread
// pools internally when use_threads is set.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "arrow/record_batch.h"
#include "lakepack/format.h"
#include "lakepack/store.h"

namespace lakepack::format {

// How a CSV file is written: its separator, header, quoting and null spelling.  One dialect per
// read (and per pack run: every input of a run is read with the same one).
struct CsvDialect {
  // The field separator; unset: a tab for a ".tsv" name (IsTsvName), else ','.
  std::optional<char> delimiter;
  // False: the first line is data, and the columns are named f0, f1, ... (as Arrow names them).
  bool header = true;
  // The quote character; quoted fields may hold the delimiter, newlines and doubled quotes.
  char quote = '"';
  // False: no quoting at all; a quote character is an ordinary character.
  bool quoting = true;
  // Unquoted fields spelled like one of these are null.  The default: only an empty field (so
  // "NA" or "null" stay text, and a quoted "" stays an empty string).
  std::vector<std::string> null_values = {""};

  // InvalidArgument naming the problem: a delimiter or quote that is a line break, a delimiter
  // that is the quote character.
  Status Validate() const;
  // The delimiter used for `name` (see `delimiter`).
  char DelimiterFor(std::string_view name) const;
  // "delimiter ';', no header, ..." : what differs from the defaults, for plans and errors; "" if
  // nothing does.
  std::string Describe() const;
};

struct ReadOptions {
  // The target columns and their types (every format).  Without it the input's own columns are
  // read, CSV / JSON types inferred from the first block.  With it the input's own columns are
  // compared with it under `on_schema_mismatch` (lakepack/format.h: by default a column the input
  // has and the schema lacks, or the other way round, is an error naming both), and batches have
  // exactly the target's columns (the schema's, plus the input's new ones under kUnion), cast to
  // its types.  JSON Lines: a key not in the target later in the file is an error, unless kDrop.
  std::shared_ptr<arrow::Schema> schema;
  SchemaMismatch on_schema_mismatch = SchemaMismatch::kFail;
  // Where `schema` came from, for errors ("the schema file s.json"); "" says "the given schema".
  std::string schema_source;
  // False: `schema` is the input's exact columns (the caller compared them already, as pack does),
  // so batches carry them as they are; only the types are taken from it.
  bool check_schema = true;
  // Rows per batch (Parquet; CSV and JSON batches follow blocks).
  int64_t batch_rows = 64 * 1024;
  // CSV / JSON: bytes parsed at a time; also the granularity of type inference.
  int64_t block_size = 4 << 20;
  bool use_threads = true;
  // CSV only (ignored for other formats).
  CsvDialect csv;
  // The input's outer compression; unset: from the key's name (InputCompressionOf).  A Parquet
  // input must not have one.
  std::optional<InputCompression> compression;
  // How errors name the file; "" means the store URI of the key.
  std::string display_name;
};

// Opens `key` in `store` as `format`.  Errors at open (missing file, bad header, bad footer) are
// returned here; later ones from ReadNext().  REQUIRES: `store` is not null.
Result<std::shared_ptr<arrow::RecordBatchReader>> OpenBatchReader(
    std::shared_ptr<ObjectStore> store, const std::string& key, Format format,
    const ReadOptions& options = {});

}  // namespace lakepack::format
