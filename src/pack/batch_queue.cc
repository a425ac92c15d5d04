// batch_queue.cc: see batch_queue.h.
#include "pack/batch_queue.h"

#include "arrow/util/byte_size.h"

namespace lakepack::pack {

bool BatchQueue::Push(std::shared_ptr<arrow::RecordBatch> batch) {
  const int64_t bytes = static_cast<int64_t>(arrow::util::TotalBufferSize(*batch));
  std::unique_lock<std::mutex> lock(mu_);
  changed_.wait(lock, [&] {
    return cancelled_ || items_.empty() ||
           (static_cast<int64_t>(items_.size()) < max_batches_ && bytes_ + bytes <= max_bytes_);
  });
  if (cancelled_) return false;
  items_.push_back(Item{std::move(batch), bytes});
  bytes_ += bytes;
  changed_.notify_all();
  return true;
}

void BatchQueue::Finish(Status status) {
  std::lock_guard<std::mutex> lock(mu_);
  finished_ = true;
  final_ = std::move(status);
  changed_.notify_all();
}

Result<std::shared_ptr<arrow::RecordBatch>> BatchQueue::Pop() {
  std::unique_lock<std::mutex> lock(mu_);
  changed_.wait(lock, [&] { return !items_.empty() || finished_ || cancelled_; });
  if (!items_.empty()) {
    Item item = std::move(items_.front());
    items_.pop_front();
    bytes_ -= item.bytes;
    changed_.notify_all();
    return std::move(item.batch);
  }
  if (cancelled_) return Status::Cancelled("batch queue cancelled");
  if (!final_.ok()) return final_;
  return std::shared_ptr<arrow::RecordBatch>();
}

void BatchQueue::Cancel() {
  std::lock_guard<std::mutex> lock(mu_);
  cancelled_ = true;
  items_.clear();
  bytes_ = 0;
  changed_.notify_all();
}

}  // namespace lakepack::pack
