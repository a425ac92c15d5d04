// grouping_test.cc: the best-fit-decreasing planner on synthetic sizes (no I/O).
#include "manifest/grouping.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <random>

namespace lakepack::manifest {
namespace {

// Every input index appears in exactly one group; sizes add up; groups list indices ascending.
void CheckPartition(std::span<const int64_t> sizes, const std::vector<FileGroup>& groups,
                    int64_t target) {
  std::vector<int> seen(sizes.size(), 0);
  for (const auto& g : groups) {
    ASSERT_FALSE(g.files.empty());
    EXPECT_TRUE(std::is_sorted(g.files.begin(), g.files.end()));
    int64_t sum = 0;
    for (int64_t i : g.files) {
      ++seen[i];
      sum += sizes[i];
    }
    EXPECT_EQ(sum, g.size);
    if (g.files.size() > 1) EXPECT_LE(g.size, target);
    if (g.size > target) EXPECT_EQ(g.files.size(), 1u);
  }
  for (size_t i = 0; i < seen.size(); ++i) ASSERT_EQ(seen[i], 1) << "file " << i;
}

TEST(PlanGroups, Empty) { EXPECT_TRUE(PlanGroups({}, 100).empty()); }

TEST(PlanGroups, BestFitFillsTheTightestGroup) {
  // Decreasing: 60 opens g0, 50 opens g1 (does not fit g0's 40), 40 fills g0 exactly, 30 and 20
  // go to g1 (room 50: 30 -> 20 left, 20 fills it).
  std::vector<int64_t> sizes = {30, 60, 20, 50, 40};
  auto groups = PlanGroups(sizes, 100);
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].files, (std::vector<int64_t>{1, 4}));
  EXPECT_EQ(groups[0].size, 100);
  EXPECT_EQ(groups[1].files, (std::vector<int64_t>{0, 2, 3}));
  EXPECT_EQ(groups[1].size, 100);
  CheckPartition(sizes, groups, 100);
}

TEST(PlanGroups, NeverOvershootsUnlikeReachTheTarget) {
  // s3manifesto 0.4.1 closes a group when it reaches the target, so 70+70 makes one of 140.
  std::vector<int64_t> sizes = {70, 70, 70};
  auto groups = PlanGroups(sizes, 100);
  ASSERT_EQ(groups.size(), 3u);
  for (const auto& g : groups) EXPECT_EQ(g.size, 70);
}

TEST(PlanGroups, OversizedFileGetsItsOwnGroup) {
  std::vector<int64_t> sizes = {250, 10, 90};
  auto groups = PlanGroups(sizes, 100);
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].files, (std::vector<int64_t>{0}));
  EXPECT_EQ(groups[1].files, (std::vector<int64_t>{1, 2}));
  CheckPartition(sizes, groups, 100);
}

TEST(PlanGroups, ZeroSizedFilesAreKept) {
  std::vector<int64_t> sizes = {0, 100, 0, 0};
  auto groups = PlanGroups(sizes, 100);
  CheckPartition(sizes, groups, 100);
}

TEST(PlanGroups, RandomInputsArePartitionedWithinTarget) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 50; ++round) {
    int n = 1 + static_cast<int>(rng() % 500);
    int64_t target = 1 + static_cast<int64_t>(rng() % 1000);
    std::vector<int64_t> sizes(n);
    for (auto& s : sizes) s = static_cast<int64_t>(rng() % (target + target / 4 + 1));
    auto groups = PlanGroups(sizes, target);
    CheckPartition(sizes, groups, target);
    // Deterministic.
    auto again = PlanGroups(sizes, target);
    ASSERT_EQ(again.size(), groups.size());
    for (size_t g = 0; g < groups.size(); ++g) EXPECT_EQ(again[g].files, groups[g].files);
    // Best fit decreasing never needs more than 11/9 OPT + 1 groups; OPT >= total / target.
    int64_t total = 0;
    for (auto s : sizes) total += std::min(s, target);
    double lower = static_cast<double>(total) / target;
    EXPECT_LE(static_cast<double>(groups.size()), 11.0 / 9.0 * std::ceil(lower) + 1 +
                                                      std::count_if(sizes.begin(), sizes.end(),
                                                                    [&](int64_t s) { return s > target; }));
  }
}

TEST(PlanGroups, MillionFilesAreDenselyPacked) {
  // The scale: 1 M files of 1-50 MB into 128 MB groups.  Time and memory are measured in
  // bench/ (no timed assertion here); this checks the result at that scale.
  std::mt19937_64 rng(11);
  std::vector<int64_t> sizes(1'000'000);
  for (auto& s : sizes) s = 1'000'000 + static_cast<int64_t>(rng() % 49'000'001);
  const int64_t target = 128'000'000;
  auto groups = PlanGroups(sizes, target);
  CheckPartition(sizes, groups, target);
  int64_t total = 0;
  for (auto s : sizes) total += s;
  // Within 1% of the lower bound total / target.
  EXPECT_LE(static_cast<double>(groups.size()), 1.01 * static_cast<double>(total) / target + 1);
}

}  // namespace
}  // namespace lakepack::manifest
