#include "store/parallel_for.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>

namespace lakepack {
namespace {

TEST(ParallelFor, RunsEveryIndexOnce) {
  std::mutex mu;
  std::multiset<int64_t> seen;
  ASSERT_TRUE(ParallelFor(3, 503, 4, [&](int64_t i) {
                std::lock_guard<std::mutex> lock(mu);
                seen.insert(i);
                return Status::OK();
              }).ok());
  ASSERT_EQ(seen.size(), 500u);
  for (int64_t i = 3; i < 503; ++i) EXPECT_EQ(seen.count(i), 1u) << i;
  EXPECT_TRUE(ParallelFor(5, 5, 4, [](int64_t) { return Status::Internal("never"); }).ok());
}

TEST(ParallelFor, StopsAtTheFirstFailureAndReturnsIt) {
  std::atomic<int64_t> ran{0};
  Status st = ParallelFor(0, 100000, 3, [&](int64_t i) {
    ++ran;
    return i == 10 ? Status::NotFound("index 10") : Status::OK();
  });
  EXPECT_TRUE(st.IsNotFound()) << st.ToString();
  EXPECT_NE(st.message().find("index 10"), std::string::npos);
  EXPECT_LT(ran.load(), 100000);  // no new index after the failure (at most one per thread more)
}

}  // namespace
}  // namespace lakepack
