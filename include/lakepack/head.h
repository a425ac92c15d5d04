// lakepack/head.h: a look at an object without copying it — its bytes (`lakepack cat`,
// `lakepack head -c N`) or its first rows (`lakepack head`, `lakepack.head()`).
//
// Rows are read through the format readers (lakepack/reader.h: csv, jsonl, parquet, the format
// from the name unless given), so only the first block or row group is fetched, and rendered
// with the format writers: CSV text (header and rows) and JSON Lines text (one object a row).
//
// Thread-safety: safe to call concurrently.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "lakepack/format.h"
#include "lakepack/job.h"
#include "lakepack/status.h"
#include "lakepack/store.h"

namespace lakepack::ops {

// Rows `lakepack head` shows unless told: a screenful, as head(1).
constexpr int64_t kDefaultHeadRows = 10;
// Bytes read per request by ReadObject: large enough that S3 latency is amortised, small enough
// to bound memory.
constexpr int64_t kReadChunk = 8 << 20;

// Streams the bytes of `key` into `sink`, at most `limit` of them (negative: all), in ranges of
// kReadChunk, checking the context between ranges and counting bytes into its progress.  Stops at
// the first error of the store or the sink.  NotFound for a missing object.
Status ReadObject(ObjectStore& store, const std::string& key, int64_t limit,
                  const std::function<Status(std::string_view)>& sink, const JobContext& context);

struct HeadOptions {
  std::string uri;
  int64_t rows = kDefaultHeadRows;  // >= 0
  std::string format;               // csv, jsonl, parquet; "" from the name
  StoreOptions store;

  Status Validate() const;
};

struct HeadReport {
  std::string uri;
  format::Format format = format::Format::kCsv;
  int64_t rows = 0;                  // rows shown (fewer when the file has fewer)
  std::vector<std::string> columns;  // names, in order
  std::string csv;                   // header line then the rows
  std::string jsonl;                 // one JSON object per row, each ending with '\n'

  // {"uri", "format", "rows", "columns": [...], "data": [{...}, ...]}
  std::string ToJson() const;
};

// The first `rows` rows of a data file.  Bad input is InvalidData naming the file and place.
Result<HeadReport> HeadRows(const HeadOptions& options, const JobContext& context);

}  // namespace lakepack::ops
