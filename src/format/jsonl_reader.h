// jsonl_reader.h: lakepack's own JSON Lines reader for flat schemas (simdjson, parallel blocks).
//
// Why: Arrow's JSON reader (rapidjson plus a generic handler) was most of the CPU of a JSON Lines
// -> Parquet convert.  This reader parses each line with simdjson's on-demand API and appends the
// values straight into typed Arrow builders.  The file is cut into fixed byte ranges ("blocks");
// a block owns the lines that start inside it (the last one may run past its end), so blocks are
// read and parsed independently, on up to kWorkers threads, and their batches are returned in
// file order.  At most kMaxBlocksInFlight blocks are held at once, so memory does not grow with
// the input.
//
// Types: null, bool, int8..int64, uint8..uint64, float, double, utf8, large_utf8, date32
// ("YYYY-MM-DD"), timestamp (ISO-8601 strings, parsed exactly as Arrow does: "Z" or an offset
// converts to UTC, the zone of the type is not consulted) and decimal128 (JSON numbers or
// strings, as our JSON Lines writer writes them).  Nested types (list, struct...) and others are
// not handled here: JsonlReaderSupports() says so, and OpenBatchReader then uses Arrow's reader.
//
// Behaviour, matching Arrow's reader as lakepack used it: one JSON object per line; blank lines
// (spaces, tabs, "\r") are skipped; "\r\n" endings are accepted; a missing key is null; a value
// of another JSON kind than the column's type is an error (no coercion: 1 is not a string, "1" is
// not a number).  With an explicit schema unknown keys are ignored; with an inferred one they are
// an error (the types were fixed by the first block).  Errors are kInvalidData and say
// "<name>: line N: ...".
//
// Thread-safety: the reader is used by one thread at a time; it runs its own worker threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "arrow/io/interfaces.h"
#include "arrow/record_batch.h"
#include "lakepack/status.h"

namespace lakepack::format {

struct JsonlReaderOptions {
  // Bytes per block: one batch per block.
  int64_t block_bytes = 1 << 20;
  // Parse blocks on worker threads; false parses on the caller's thread.
  bool use_threads = true;
  // Unknown keys: true fails (the schema was inferred), false ignores them.
  bool strict_fields = false;
  // How errors name the file.
  std::string name;
  // How an unknown key's error (strict_fields) explains the schema; "" = "inferred from the first
  // block of the file".
  std::string schema_note;
};

// True when the reader handles every field of `schema` (flat, supported types).
bool JsonlReaderSupports(const arrow::Schema& schema);

// What InferJsonlSchema found.
struct JsonlInference {
  // The columns in order of first appearance; null when `nested` is set.
  std::shared_ptr<arrow::Schema> schema;
  // A value was an array or object: this reader cannot take the file (use Arrow's).
  bool nested = false;
};

// Infers column types from the lines starting in the first `bytes` bytes of `file` (the whole
// line at the end), as Arrow's JSON reader does from its first block: numbers that are all
// integers -> int64, else double; true/false -> bool; only nulls -> null; strings -> date32 when
// all are dates "YYYY-MM-DD" (as CSV inference gives them), else timestamp[s]
// when all parse as second-resolution ISO-8601 (Arrow's rule), else
// timestamp[ns, UTC] when all are ISO-8601 with "Z" or an offset (as CSV inference gives them),
// else utf8.  Fails (kInvalidData, naming the line) on a bad line, and on a field whose JSON kind
// changes; fails on a file without any object ("empty JSON Lines file").
Result<JsonlInference> InferJsonlSchema(const std::shared_ptr<arrow::io::RandomAccessFile>& file,
                                        int64_t bytes, const std::string& name);

// A reader of `file` with columns `schema`.  REQUIRES: JsonlReaderSupports(*schema).
Result<std::shared_ptr<arrow::RecordBatchReader>> OpenJsonlReader(
    std::shared_ptr<arrow::io::RandomAccessFile> file, std::shared_ptr<arrow::Schema> schema,
    const JsonlReaderOptions& options);

}  // namespace lakepack::format
