// pump.h: the loop every streaming job shares: batches from a reader into a BatchWriter, checking
// for Ctrl-C between batches, aborting the writer (so no output is visible) on any failure.
//
// Thread-safety: call without the GIL (CheckInterrupt takes it briefly between batches).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "arrow/record_batch.h"
#include "format/writer.h"
#include "lakepack/status.h"

namespace lakepack::py {

// Optionally rewrites each batch before it is written (e.g. timestamps as CSV text).
using BatchTransform =
    std::function<Result<std::shared_ptr<arrow::RecordBatch>>(std::shared_ptr<arrow::RecordBatch>)>;

// Writes every batch of `reader` into `writer` and closes (commits) it.  `source` names the input
// in errors.  On failure or interrupt the writer is aborted and the error returned.
Result<ObjectInfo> PumpAndClose(arrow::RecordBatchReader& reader, format::BatchWriter& writer,
                                const std::string& source, const BatchTransform& transform = {});

}  // namespace lakepack::py
