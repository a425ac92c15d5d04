// split_planner_test.cc: the split planner on synthetic states — the threshold, the median
// estimate from file bounds, row-key prefixes, leaves already split, unbalanced single files.
#include "sorted/split_planner.h"

#include <gtest/gtest.h>

#include "sorted/key_codec.h"

namespace lakepack::sorted {
namespace {

const std::vector<KeyType> kTypes = {KeyType::kLong};

std::string Long(int64_t v) {
  std::string out;
  AppendInt64(v, &out);
  return out;
}

struct Files {
  std::map<std::string, FileRef> map;
  Files& Add(const std::string& path, int64_t rows, int64_t lo, int64_t hi,
             const std::string& partition = "r") {
    FileRef f;
    f.path = path;
    f.partition = partition;
    f.rows = rows;
    f.min = Long(lo);
    f.max = Long(hi);
    map[path] = f;
    return *this;
  }
};

SplitterOptions Threshold(int64_t n) {
  SplitterOptions o;
  o.threshold = n;
  return o;
}

TEST(SplitPlannerTest, ValidatesOptions) {
  EXPECT_TRUE(SplitterOptions{}.Validate().ok());
  EXPECT_EQ(SplitterOptions{}.threshold, 1'000'000'000);
  EXPECT_FALSE(Threshold(0).Validate().ok());
  SplitterOptions o;
  o.min_balance = 0.5;
  EXPECT_FALSE(o.Validate().ok());
}

TEST(SplitPlannerTest, OnlyAboveTheThreshold) {
  PartitionTree tree;
  Files f;
  f.Add("a", 50, 0, 99).Add("b", 50, 100, 199);
  EXPECT_TRUE(PlanSplits(tree, f.map, kTypes, 1, Threshold(100)).jobs.empty());  // 100 is not above
  auto plan = PlanSplits(tree, f.map, kTypes, 1, Threshold(99));
  ASSERT_EQ(plan.jobs.size(), 1u);
  EXPECT_EQ(plan.jobs[0].partition, "r");
  EXPECT_EQ(plan.jobs[0].rows, 100);
  EXPECT_EQ(plan.jobs[0].files, 2);
  EXPECT_EQ(plan.jobs[0].split, Long(100));  // between the two files: 50 | 50
  EXPECT_EQ(plan.jobs[0].rows_left, 50);
}

TEST(SplitPlannerTest, BalancesRowCountsAcrossFiles) {
  PartitionTree tree;
  Files f;
  // 10 + 10 + 80 rows in disjoint ranges and 20 inside the big one: the candidates are the
  // files' first keys; d's, 550, is the nearest to the median (60 of 120).
  f.Add("a", 10, 0, 99).Add("b", 10, 100, 199).Add("c", 80, 200, 1000);
  f.Add("d", 20, 550, 650);  // overlaps c; its min 550 is the candidate nearest the median
  auto plan = PlanSplits(tree, f.map, kTypes, 1, Threshold(1));
  ASSERT_EQ(plan.jobs.size(), 1u);
  EXPECT_EQ(plan.jobs[0].split, Long(550));
  // below 550: 10 + 10 + 80 * 350/800 = 55 of 120
  EXPECT_EQ(plan.jobs[0].rows_left, 55);
}

TEST(SplitPlannerTest, SplitsAtRowKeyPrefixesInsideTheLeaf) {
  // Row key long + sort key long: the split key is the row key only.
  const std::vector<KeyType> types = {KeyType::kLong, KeyType::kLong};
  PartitionTree tree = PartitionTree::FromSplits({Long(0)});  // r0 < 0 <= r1
  Files f;
  FileRef a;
  a.path = "a";
  a.partition = "r1";
  a.rows = 60;
  a.min = Long(0) + Long(5);
  a.max = Long(10) + Long(7);
  FileRef b = a;
  b.path = "b";
  b.min = Long(10) + Long(1);
  b.max = Long(20) + Long(0);
  f.map = {{"a", a}, {"b", b}};
  auto plan = PlanSplits(tree, f.map, types, 1, Threshold(100));
  ASSERT_EQ(plan.jobs.size(), 1u);
  EXPECT_EQ(plan.jobs[0].partition, "r1");
  EXPECT_EQ(plan.jobs[0].split, Long(10));  // 0 is the leaf's min: not strictly inside
  EXPECT_TRUE(tree.Find("r1")->Contains(plan.jobs[0].split));
}

TEST(SplitPlannerTest, FilesOfASplitParentAreNotCounted) {
  PartitionTree tree;
  ASSERT_TRUE(tree.Split("r", Long(100)).ok());
  Files f;
  f.Add("a", 500, 0, 199, "r");  // not yet compacted into r0/r1
  f.Add("b", 5, 0, 50, "r0").Add("c", 5, 60, 99, "r0");
  auto plan = PlanSplits(tree, f.map, kTypes, 1, Threshold(9));
  ASSERT_EQ(plan.jobs.size(), 1u);
  EXPECT_EQ(plan.jobs[0].partition, "r0");
  EXPECT_EQ(plan.jobs[0].rows, 10);
  EXPECT_EQ(plan.jobs[0].split, Long(60));  // c's first key: b below, c above, 5 | 5
}

TEST(SplitPlannerTest, OneFileIsSkippedWithAReason) {
  PartitionTree tree;
  Files f;
  f.Add("a", 1000, 0, 999);
  auto plan = PlanSplits(tree, f.map, kTypes, 1, Threshold(10));
  EXPECT_TRUE(plan.jobs.empty());
  ASSERT_EQ(plan.skipped.count("r"), 1u);
  EXPECT_NE(plan.skipped["r"].find("one side"), std::string::npos) << plan.skipped["r"];
  // All rows at one key: nothing strictly inside the leaf but that key.
  Files g;
  g.Add("a", 1000, 7, 7);
  PartitionTree t2 = PartitionTree::FromSplits({Long(7)});
  auto p2 = PlanSplits(
      t2,
      [&] {
        auto m = g.map;
        m["a"].partition = "r1";
        return m;
      }(),
      kTypes, 1, Threshold(10));
  EXPECT_TRUE(p2.jobs.empty());
  EXPECT_EQ(p2.skipped.count("r1"), 1u);
}

}  // namespace
}  // namespace lakepack::sorted
