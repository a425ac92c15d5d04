#include "gen/generating_reader.h"

#include <algorithm>
#include <limits>

#include "format/arrow_status.h"

namespace lakepack::gen {

Result<std::shared_ptr<GeneratingReader>> GeneratingReader::Make(
    std::shared_ptr<const DataGenerator> generator, int64_t num_rows) {
  if (!generator) return Status::InvalidArgument("fake data: no generator");
  if (num_rows < 0 && num_rows != kUnbounded) {
    return Status::InvalidArgument("fake data: row count must be >= 0, got " +
                                   std::to_string(num_rows));
  }
  const auto& o = generator->options();
  int threads = o.threads;
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  const int lookahead = o.lookahead ? o.lookahead : 2 * threads;
  std::shared_ptr<GeneratingReader> reader(
      new GeneratingReader(std::move(generator), num_rows, lookahead));
  reader->Start(std::min<int64_t>(threads, std::max<int64_t>(reader->num_batches_, 1)));
  return reader;
}

GeneratingReader::GeneratingReader(std::shared_ptr<const DataGenerator> generator, int64_t num_rows,
                                   int lookahead)
    : generator_(std::move(generator)),
      num_batches_(num_rows == kUnbounded ? std::numeric_limits<int64_t>::max()
                                          : (num_rows + generator_->options().batch_rows - 1) /
                                                generator_->options().batch_rows),
      num_rows_(num_rows),
      lookahead_(lookahead) {}

GeneratingReader::~GeneratingReader() { Stop(); }

void GeneratingReader::Start(int threads) {
  workers_.reserve(threads);
  for (int i = 0; i < threads; ++i) workers_.emplace_back([this] { WorkerLoop(); });
}

void GeneratingReader::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : workers_) {
    if (t.joinable()) t.join();
  }
}

int64_t GeneratingReader::RowsInBatch(int64_t index) const {
  const int64_t batch_rows = generator_->options().batch_rows;
  if (num_rows_ == kUnbounded) return batch_rows;
  return std::min(batch_rows, num_rows_ - index * batch_rows);
}

void GeneratingReader::WorkerLoop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    // Claim the next batch once it is within the look-ahead window of the consumer.
    cv_.wait(lock, [&] {
      return stopping_ || next_claim_ >= num_batches_ || next_claim_ < next_out_ + lookahead_;
    });
    if (stopping_ || next_claim_ >= num_batches_) return;
    const int64_t index = next_claim_++;
    lock.unlock();
    auto batch = generator_->MakeBatch(index, RowsInBatch(index));
    lock.lock();
    ready_.emplace(index, std::move(batch));
    cv_.notify_all();
  }
}

arrow::Status GeneratingReader::ReadNext(std::shared_ptr<arrow::RecordBatch>* batch) {
  batch->reset();
  std::unique_lock<std::mutex> lock(mu_);
  if (stopping_ || next_out_ >= num_batches_) return arrow::Status::OK();
  cv_.wait(lock, [&] { return stopping_ || ready_.count(next_out_) > 0; });
  if (stopping_) return arrow::Status::OK();
  auto node = ready_.extract(next_out_);
  ++next_out_;
  lock.unlock();
  cv_.notify_all();
  if (!node.mapped().ok()) {
    Status error = node.mapped().status();
    Stop();
    return format::ToArrow(error);
  }
  *batch = std::move(node.mapped()).ValueOrDie();
  rows_read_ += (*batch)->num_rows();
  return arrow::Status::OK();
}

arrow::Status GeneratingReader::Close() {
  Stop();
  return arrow::Status::OK();
}

}  // namespace lakepack::gen
