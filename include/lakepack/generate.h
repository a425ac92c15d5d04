// lakepack/generate.h: the generate job — deterministic fake records (data_generator.h) written to
// one CSV, JSON Lines or Parquet object, by row count or by size.  The one implementation behind
// `lakepack generate` and the Python `lakepack.generate()`.
//
// By size: the job cannot see the exact size of what it has written (format writers buffer: up
// to ~1 MB of stream buffer, and Parquet a whole row group), so it first encodes a sample of the
// data (the first kCalibrationRows rows, into memory, with the same format and options) to learn
// the bytes per row, then writes the row count that reaches `size_bytes` (plus a 0.5% margin).
// It also stops as soon as the bytes handed to the store reach the size, which bounds the
// overshoot if the estimate were ever too high.  The file lands within a few % of the size
// (sizes >= 1 MB; see generate_job_test.cc).
//
// Like every writer, the object appears only when complete: a failure or cancellation leaves
// nothing behind.
//
// Thread-safety: RunGenerateJob may run concurrently on different outputs.  The callbacks are
// called from the calling thread.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "lakepack/data_generator.h"
#include "lakepack/format.h"
#include "lakepack/store.h"

namespace lakepack::gen {

struct GenerateJobOptions {
  std::string output_uri;   // a path or URI naming a file (not a directory)
  std::string format;       // csv, jsonl, parquet; "" means from output_uri's extension
  std::string compression;  // Parquet codec; "" means snappy.  Other formats: "" or "none"
  // Exactly one of these is >= 0.
  int64_t rows = -1;        // write this many rows
  int64_t size_bytes = -1;  // write about this many bytes
  DataGeneratorOptions generator;
  StoreOptions store;
  // Called after each write with the totals so far (bytes handed to the store); may be empty.
  std::function<void(int64_t rows, int64_t bytes)> on_progress;
  // Polled between writes; true stops the job with a Cancelled status.  May be empty.
  std::function<bool()> cancelled;
};

struct GenerateReport {
  std::string uri;  // the object written
  format::Format format = format::Format::kCsv;
  int64_t rows = 0;
  int64_t bytes = 0;
  double seconds = 0;

  // {"uri", "format", "rows", "bytes", "seconds"}: the CLI's --json and the Python report.
  std::string ToJson() const;
};

// REQUIRES: nothing; the options are checked here (exactly one of rows / size_bytes >= 0).  Fails
// with InvalidArgument for bad options (naming the option), Cancelled when `cancelled` said so, or
// the store's / writer's error.
Result<GenerateReport> RunGenerateJob(const GenerateJobOptions& options);

}  // namespace lakepack::gen
