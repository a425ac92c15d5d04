// Unit tests of BatchQueue: order, the bounds, the producer's error, and cancellation.
#include "pack/batch_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "arrow/array.h"
#include "arrow/builder.h"

namespace lakepack::pack {
namespace {

std::shared_ptr<arrow::RecordBatch> Batch(int64_t value, int64_t rows = 1) {
  arrow::Int64Builder b;
  for (int64_t i = 0; i < rows; ++i) EXPECT_TRUE(b.Append(value).ok());
  auto schema = arrow::schema({arrow::field("x", arrow::int64())});
  return arrow::RecordBatch::Make(schema, rows, {*b.Finish()});
}

int64_t ValueOf(const arrow::RecordBatch& batch) {
  return std::static_pointer_cast<arrow::Int64Array>(batch.column(0))->Value(0);
}

TEST(BatchQueue, DeliversInOrderWithinTheBound) {
  BatchQueue queue(2, 1 << 20);
  std::atomic<int> pushed{0};
  std::thread producer([&] {
    for (int i = 0; i < 100; ++i) {
      ASSERT_TRUE(queue.Push(Batch(i)));
      ++pushed;
    }
    queue.Finish(Status::OK());
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_LE(pushed.load(), 2);  // the producer waits for room
  for (int i = 0; i < 100; ++i) {
    auto b = queue.Pop();
    ASSERT_TRUE(b.ok());
    ASSERT_NE(*b, nullptr);
    EXPECT_EQ(ValueOf(**b), i);
  }
  auto end = queue.Pop();
  ASSERT_TRUE(end.ok());
  EXPECT_EQ(*end, nullptr);
  producer.join();
}

TEST(BatchQueue, ByteBoundAdmitsOneLargeBatch) {
  BatchQueue queue(10, 1000);               // smaller than one batch of 1000 int64s
  ASSERT_TRUE(queue.Push(Batch(1, 1000)));  // an empty queue always takes one
  std::atomic<bool> second{false};
  std::thread producer([&] {
    second = queue.Push(Batch(2, 1000));
    queue.Finish(Status::OK());
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(second.load());  // over the byte bound: waits
  EXPECT_EQ(ValueOf(**queue.Pop()), 1);
  EXPECT_EQ(ValueOf(**queue.Pop()), 2);
  producer.join();
  EXPECT_TRUE(second.load());
}

TEST(BatchQueue, ProducerErrorAfterItsBatches) {
  BatchQueue queue(4, 1 << 20);
  ASSERT_TRUE(queue.Push(Batch(7)));
  queue.Finish(Status::InvalidData("in.csv: line 9: bad row"));
  EXPECT_EQ(ValueOf(**queue.Pop()), 7);
  auto err = queue.Pop();
  ASSERT_FALSE(err.ok());
  EXPECT_EQ(err.status().code(), StatusCode::kInvalidData);
  EXPECT_NE(err.status().message().find("line 9"), std::string::npos);
}

TEST(BatchQueue, CancelReleasesABlockedProducer) {
  BatchQueue queue(1, 1 << 20);
  ASSERT_TRUE(queue.Push(Batch(1)));
  std::atomic<int> result{-1};
  std::thread producer([&] { result = queue.Push(Batch(2)) ? 1 : 0; });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(result.load(), -1);  // blocked: the queue is full
  queue.Cancel();
  producer.join();
  EXPECT_EQ(result.load(), 0);
  EXPECT_FALSE(queue.Push(Batch(3)));
}

}  // namespace
}  // namespace lakepack::pack
