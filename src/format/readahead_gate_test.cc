// ReadaheadGate bounds reads ahead of the consumer and never stalls a consumer for good.
#include "format/readahead_gate.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace lakepack::format {
namespace {

TEST(ReadaheadGateTest, HoldsReadsWhileAheadAndReleasesOnTake) {
  ReadaheadGate gate(2);
  gate.SetConsumerWaiting(false);
  std::atomic<int> reads{0};
  std::thread reader([&] {
    for (int i = 0; i < 3; ++i) {
      gate.BeforeRead();
      ++reads;
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(reads.load(), 2);  // the third waits: two blocks ahead, none taken
  gate.BatchTaken();
  reader.join();
  EXPECT_EQ(reads.load(), 3);
}

TEST(ReadaheadGateTest, AWaitingConsumerGetsBlocksAfterAStall) {
  // A batch that needs more blocks than the limit: the consumer waits, no batch comes.
  ReadaheadGate gate(2);
  gate.SetConsumerWaiting(true);
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 4; ++i) gate.BeforeRead();
  auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_GE(waited, 2 * ReadaheadGate::kStallWait);  // reads 3 and 4 each stalled once
}

TEST(ReadaheadGateTest, ReleaseOpensForGood) {
  ReadaheadGate gate(1);
  gate.SetConsumerWaiting(false);
  gate.BeforeRead();
  std::thread reader([&] {
    for (int i = 0; i < 10; ++i) gate.BeforeRead();
  });
  gate.Release();
  reader.join();  // would hang if Release did not open the gate
}

}  // namespace
}  // namespace lakepack::format
