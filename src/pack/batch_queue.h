// batch_queue.h: a bounded queue of record batches from one producer thread to one consumer, so
// that reading and parsing the inputs (the producer) overlaps with encoding the output (the
// consumer) while memory stays bounded.
//
// The queue holds at most `max_batches` batches and, beyond its first batch, at most `max_bytes`
// of their Arrow buffers.  The producer ends the stream with Finish(status); the consumer may stop
// it early with Cancel() (the producer's next Push returns false and it should return).
//
// Thread-safety: every method is safe to call from any thread; Push/Finish are meant for the
// producer, Pop/Cancel for the consumer.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>

#include "arrow/record_batch.h"
#include "lakepack/status.h"

namespace lakepack::pack {

class BatchQueue {
 public:
  // REQUIRES: max_batches >= 1.
  BatchQueue(int64_t max_batches, int64_t max_bytes)
      : max_batches_(max_batches), max_bytes_(max_bytes) {}

  // Waits for room, then adds `batch`.  False (and `batch` is dropped) once Cancel() was called.
  bool Push(std::shared_ptr<arrow::RecordBatch> batch);
  // No more batches: the consumer's Pop returns `status` if it is an error, else end of stream.
  void Finish(Status status);
  // Waits for a batch.  nullptr at the end of the stream; the producer's error if it failed.
  Result<std::shared_ptr<arrow::RecordBatch>> Pop();
  // Drops what is queued and makes every later Push return false.
  void Cancel();

 private:
  struct Item {
    std::shared_ptr<arrow::RecordBatch> batch;
    int64_t bytes;
  };
  const int64_t max_batches_;
  const int64_t max_bytes_;
  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<Item> items_;  // guarded by mu_
  int64_t bytes_ = 0;       // of items_
  bool finished_ = false;
  bool cancelled_ = false;
  Status final_;
};

}  // namespace lakepack::pack
