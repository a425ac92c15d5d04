// csv_writer.h: CsvWriter, record batches as CSV text, byte for byte what Arrow's CSV writer
// (arrow::csv::MakeCSVWriter with default options) writes, but faster.
//
// The format, as Arrow's default (QuotingStyle::Needed) has it: a header of the column names,
// each in double quotes; one line per row ending in '\n'; fields separated by ','; a null is an
// empty field; string and binary values (also dictionary-encoded ones) are always quoted, with '"'
// doubled; every other type is written unquoted as Arrow's cast to utf8 gives it.  Another
// delimiter (a tab, ';') may be given; a value of another type holding it is then quoted too (a
// timestamp's ' ' or ':').  A table with
// no columns writes nothing.
//
// Why not Arrow's writer: it formats UTC timestamps through the slow zone-aware cast (see
// timestamp_text.h), which took over half of a Parquet -> CSV convert, and dates through
// iostreams; here both take a fast path, and strings are copied straight from their buffers
// instead of being cast first.
//
// Thread-safety: a CsvWriter is used by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "arrow/io/interfaces.h"
#include "arrow/record_batch.h"
#include "lakepack/status.h"

namespace lakepack::format {

class CsvWriter {
 public:
  // Fails with InvalidArgument (naming the column) for a type with no CSV text (nested types).
  static Result<std::unique_ptr<CsvWriter>> Make(std::shared_ptr<arrow::io::OutputStream> sink,
                                                 std::shared_ptr<arrow::Schema> schema,
                                                 bool include_header = true,
                                                 char delimiter = ',');

  // REQUIRES: batch.schema() has the writer's column types in order.
  Status Write(const arrow::RecordBatch& batch);
  // Hands what is buffered to the sink (does not close it).
  Status Flush();

 private:
  CsvWriter(std::shared_ptr<arrow::io::OutputStream> sink, std::shared_ptr<arrow::Schema> schema,
            char delimiter)
      : sink_(std::move(sink)), schema_(std::move(schema)), delimiter_(delimiter) {}
  Status WriteHeader();

  std::shared_ptr<arrow::io::OutputStream> sink_;
  std::shared_ptr<arrow::Schema> schema_;
  const char delimiter_;
  std::string buffer_;  // text not yet handed to the sink
};

}  // namespace lakepack::format
