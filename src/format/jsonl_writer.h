// jsonl_writer.h: writes Arrow record batches as JSON Lines (one JSON object per row).
//
// Arrow C++ has no JSON writer, so this is lakepack's own.  Values are formatted a column at a
// time (one typed loop per column, no per-value virtual calls) into per-column buffers, which are
// then stitched row by row into one large output buffer.  Encoding:
//   null → null; bool → true/false; integers → decimal digits; floats → the shortest text that
//   reads back to the same value (NaN and ±Inf → null; integral values keep a ".0");
//   strings → quoted, with ", \ and control characters escaped (\n, \t... or \u00XX), other
//   bytes passed through; binary → base64 string; date → "YYYY-MM-DD"; time → "HH:MM:SS[.f]";
//   timestamp → ISO-8601 "YYYY-MM-DDTHH:MM:SS[.f]" with the unit's digits, plus "Z" when the
//   type has a time zone (the value is a UTC instant); duration → its integer count;
//   decimal → exact JSON number; list → array; struct → object; map → object when keys are
//   strings, else array of {"key":..,"value":..}; dictionary → its decoded value.
//
// Thread-safety: a JsonlWriter is used by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "arrow/io/interfaces.h"
#include "arrow/record_batch.h"
#include "lakepack/status.h"

namespace lakepack::format {

// Appends `s` as a quoted, escaped JSON string.
void AppendJsonString(std::string_view s, std::string* out);

// Appends the JSON Lines text of `batch` (every row, each ending in '\n') to `out`.
// Fails with NotImplemented naming the column for types without a JSON form (unions, intervals).
Status FormatJsonLines(const arrow::RecordBatch& batch, std::string* out);

class JsonlWriter {
 public:
  // Rows formatted at once: bounds the per-column buffers while keeping the loops long.
  static constexpr int64_t kRowsPerChunk = 16 * 1024;

  static Result<std::unique_ptr<JsonlWriter>> Make(std::shared_ptr<arrow::io::OutputStream> sink,
                                                   std::shared_ptr<arrow::Schema> schema);

  ~JsonlWriter();

  // REQUIRES: batch->schema() has the writer's fields.
  Status Write(const arrow::RecordBatch& batch);
  // Does not close the sink.
  Status Flush();
  int64_t rows_written() const { return rows_; }

 private:
  struct Scratch;  // per-column buffers reused from chunk to chunk
  JsonlWriter(std::shared_ptr<arrow::io::OutputStream> sink, std::shared_ptr<arrow::Schema> schema);

  std::shared_ptr<arrow::io::OutputStream> sink_;
  std::shared_ptr<arrow::Schema> schema_;
  std::unique_ptr<Scratch> scratch_;
  std::string buffer_;
  int64_t rows_ = 0;
};

}  // namespace lakepack::format
