// lake/export_reader.h: reading one snapshot export file as record batches — the formats of
// format/reader.h, compressed ones (".csv.gz", ".jsonl.gz", ".json.zst"..., decompressed as they
// stream by format/compressed_input.h, as every reader does), and DynamoDB's JSON export (lines of {"Item": {"attr": {"S": "..."}, ...}}), whose
// typed attribute values are unwrapped into plain columns: S → string, N → int64 when every
// value of the batch is integral else float64, BOOL → bool, NULL → null; M, L, SS, NS and B keep
// the structure Arrow's JSON reader gives them.
//
// Thread-safety: a returned reader is used by one thread at a time.
#pragma once

#include <memory>
#include <string>

#include "arrow/record_batch.h"
#include "lakepack/status.h"
#include "lakepack/store.h"

namespace lakepack::lake {

// `input_format`: "" (from the name), csv, jsonl, json, parquet, dynamodb.
Result<std::shared_ptr<arrow::RecordBatchReader>> OpenExportFile(std::shared_ptr<ObjectStore> store,
                                                                 const std::string& key,
                                                                 const std::string& uri,
                                                                 const std::string& input_format);

// One batch of DynamoDB export lines (a struct column "Item") as plain columns.
Result<std::shared_ptr<arrow::RecordBatch>> UnwrapDynamoDb(const std::shared_ptr<arrow::RecordBatch>& batch,
                                                           const std::string& source);

}  // namespace lakepack::lake
