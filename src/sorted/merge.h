// merge.h: a streaming k-way merge of sorted data files (the compactor's engine).
//
// Each input is a sorted Parquet file of the table's schema, read one row group at a time; the
// encoded keys (key_codec.h) of a row group are computed once into one buffer, and a loser tree
// over the inputs' current keys picks the next row with one comparison per level.  Rows with
// equal keys come out in input order (the inputs are given in commit order), so a merge keeps
// the table's order for duplicates.  Output rows are gathered run by run (consecutive rows of
// one input are copied as one slice) into batches of `batch_rows`; no row is sorted again.
//
// Memory: one decoded row group per input plus one output batch (and the row groups it still
// references), whatever the files' sizes.
//
// Thread-safety: one merge per call; calls may run at once.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "arrow/record_batch.h"
#include "lakepack/sorted.h"
#include "lakepack/store.h"

namespace lakepack::sorted {

struct MergeInput {
  std::shared_ptr<ObjectStore> store;
  std::string key;
  int64_t size = 0;  // bytes (known from the log: no Head)
};

struct MergeOptions {
  int64_t batch_rows = 32768;
  // Polled between output batches: true stops the merge with kCancelled.
  std::function<bool()> cancelled;
};

// Streams every row of `inputs` to `sink` in (key, input) order.  Returns the rows merged.
// An input that is not a file of `schema` is InvalidData naming it.
Result<int64_t> MergeSortedFiles(
    const std::vector<MergeInput>& inputs, const TableSchema& schema, const MergeOptions& options,
    const std::function<Status(const std::shared_ptr<arrow::RecordBatch>&)>& sink);

// The rows of `sources` given as runs (source, first row, rows), gathered into one batch of
// `schema` (exported for tests).
struct RowRun {
  uint32_t source;
  int64_t start;
  int64_t length;
};
Result<std::shared_ptr<arrow::RecordBatch>> GatherRuns(
    const std::shared_ptr<arrow::Schema>& schema,
    const std::vector<std::shared_ptr<arrow::RecordBatch>>& sources,
    const std::vector<RowRun>& runs, int64_t rows);

}  // namespace lakepack::sorted
