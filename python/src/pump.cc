// pump.cc: see pump.h.
#include "pump.h"

#include "errors.h"
#include "format/arrow_status.h"

namespace lakepack::py {

Result<ObjectInfo> PumpAndClose(arrow::RecordBatchReader& reader, format::BatchWriter& writer,
                                const std::string& source, const BatchTransform& transform) {
  auto run = [&]() -> Status {
    while (true) {
      LP_RETURN_NOT_OK(CheckInterrupt());
      std::shared_ptr<arrow::RecordBatch> batch;
      LP_RETURN_NOT_OK(format::FromArrow(reader.ReadNext(&batch), source));
      if (!batch) return Status::OK();
      if (transform) {
        LP_ASSIGN_OR_RETURN(batch, transform(std::move(batch)));
      }
      LP_RETURN_NOT_OK(writer.Write(*batch));
    }
  };
  Status st = run();
  if (!st.ok()) {
    (void)writer.Abort();  // the failure is what the caller needs to see
    (void)reader.Close();
    return st;
  }
  return writer.Close();
}

}  // namespace lakepack::py
