// generating_reader.h: an arrow::RecordBatchReader over a DataGenerator.
//
// Yields the generator's batches 0, 1, 2, ... in order, for a given number of rows (the last
// batch shortened) or without end.  A small pool of worker threads makes batches ahead of the
// consumer; at most `lookahead` batches are made or waiting at any time, so memory stays
// bounded however slow the consumer is.  The output is identical for every thread count.
//
// Thread-safety: ReadNext()/Close() are called by one consumer thread; the workers are internal.
// Destroying the reader (or Close()) stops and joins the workers.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "arrow/record_batch.h"
#include "gen/data_generator.h"
#include "lakepack/status.h"

namespace lakepack::gen {

class GeneratingReader : public arrow::RecordBatchReader {
 public:
  // Passed as num_rows: generate until the consumer stops reading.
  static constexpr int64_t kUnbounded = -1;

  // Threads and look-ahead come from generator->options() (0 picks the defaults).
  static Result<std::shared_ptr<GeneratingReader>> Make(
      std::shared_ptr<const DataGenerator> generator, int64_t num_rows);
  ~GeneratingReader() override;

  std::shared_ptr<arrow::Schema> schema() const override { return generator_->schema(); }
  // Sets *batch to the next batch, or to null after the last one.  A generation error is
  // returned once and then the reader is finished.
  arrow::Status ReadNext(std::shared_ptr<arrow::RecordBatch>* batch) override;
  arrow::Status Close() override;

  int threads() const { return static_cast<int>(workers_.size()); }
  int64_t rows_read() const { return rows_read_; }

 private:
  GeneratingReader(std::shared_ptr<const DataGenerator> generator, int64_t num_rows, int lookahead);
  void Start(int threads);
  void WorkerLoop();
  int64_t RowsInBatch(int64_t index) const;
  void Stop();

  const std::shared_ptr<const DataGenerator> generator_;
  const int64_t num_batches_;  // INT64_MAX when unbounded
  const int64_t num_rows_;     // kUnbounded or the total
  const int lookahead_;

  std::mutex mu_;
  std::condition_variable cv_;
  // Guarded by mu_: next batch a worker claims, next batch the consumer takes, finished batches.
  int64_t next_claim_ = 0;
  int64_t next_out_ = 0;
  bool stopping_ = false;
  std::map<int64_t, Result<std::shared_ptr<arrow::RecordBatch>>> ready_;

  int64_t rows_read_ = 0;  // consumer thread only
  std::vector<std::thread> workers_;
};

}  // namespace lakepack::gen
