// readahead_gate.h: bounds how far Arrow's streaming CSV / JSON readers read ahead of their
// consumer.
//
// Arrow's readers pull blocks from their input on an IO thread into a queue of up to 32 blocks
// (not configurable), so when the consumer is slower than the disk (it encodes Parquet) ~32 blocks
// of input sit in memory.  GatedInputStream wraps the input: a Read() waits while the reader is
// `max_ahead` blocks ahead of the batches the consumer has taken.  It cannot deadlock the reader:
// when the consumer is itself waiting for a batch and none arrives within kStallWait, the read
// goes ahead (a batch that needs more than `max_ahead` blocks, e.g. one huge row, still gets
// them, a little slower).
//
// Thread-safety: ReadaheadGate is shared between the reading IO thread and the consumer and is
// safe for that; GatedInputStream is used by the one thread Arrow reads on.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>

#include "arrow/io/interfaces.h"
#include "arrow/result.h"

namespace lakepack::format {

class ReadaheadGate {
 public:
  // How long a read waits for a batch to be taken while the consumer waits too, before it
  // concludes that the batch needs this read: long next to parsing one block (~5 ms), short
  // enough that a pathological file is only slowed, never stuck.
  static constexpr std::chrono::milliseconds kStallWait{50};

  explicit ReadaheadGate(int64_t max_ahead) : max_ahead_(max_ahead) {}

  // The consumer is (true) or is no longer (false) waiting for a batch.  Starts true, so the
  // reader's own start-up reads are never held.
  void SetConsumerWaiting(bool waiting);
  // The consumer took one batch.
  void BatchTaken();
  // Opens the gate for good (the reader is being closed or destroyed).
  void Release();

  // Called by the stream before each block read: waits while the gate is shut.
  void BeforeRead();

 private:
  const int64_t max_ahead_;
  std::mutex mu_;
  std::condition_variable cv_;
  int64_t reads_ = 0;  // guarded by mu_
  int64_t taken_ = 0;
  bool waiting_ = true;
  bool released_ = false;
};

// An InputStream that asks `gate` before each read of `inner`.
class GatedInputStream final : public arrow::io::InputStream {
 public:
  GatedInputStream(std::shared_ptr<arrow::io::InputStream> inner,
                   std::shared_ptr<ReadaheadGate> gate)
      : inner_(std::move(inner)), gate_(std::move(gate)) {}

  arrow::Result<int64_t> Read(int64_t nbytes, void* out) override {
    gate_->BeforeRead();
    return inner_->Read(nbytes, out);
  }
  arrow::Result<std::shared_ptr<arrow::Buffer>> Read(int64_t nbytes) override {
    gate_->BeforeRead();
    return inner_->Read(nbytes);
  }
  arrow::Status Close() override { return inner_->Close(); }
  bool closed() const override { return inner_->closed(); }
  arrow::Result<int64_t> Tell() const override { return inner_->Tell(); }

 private:
  std::shared_ptr<arrow::io::InputStream> inner_;
  std::shared_ptr<ReadaheadGate> gate_;
};

}  // namespace lakepack::format
