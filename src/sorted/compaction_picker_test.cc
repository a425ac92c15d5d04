// compaction_picker_test.cc: the compaction planner on synthetic file lists — Sleeper's size
// ratio, the 12-file cap, major compactions, files of split partitions, stable job ids.
#include "sorted/compaction_picker.h"

#include <gtest/gtest.h>

#include <set>

#include "sorted/key_codec.h"

namespace lakepack::sorted {
namespace {

std::string Str(std::string_view s) {
  std::string out;
  AppendBytes(s, &out);
  return out;
}

struct Files {
  std::map<std::string, FileRef> map;
  int64_t next_gen = 1;
  Files& Add(const std::string& path, int64_t rows, const std::string& partition = "r") {
    FileRef f;
    f.path = path;
    f.partition = partition;
    f.rows = rows;
    f.bytes = rows * 10;
    f.generation = next_gen++;
    f.min = Str("a");
    f.max = Str("z");
    map[path] = f;
    return *this;
  }
};

std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

TEST(CompactionPickerTest, ValidatesOptions) {
  PickerOptions o;
  EXPECT_TRUE(o.Validate().ok());
  o.max_files = 1;
  EXPECT_FALSE(o.Validate().ok());
  o.max_files = 12;
  o.ratio = -1;
  EXPECT_FALSE(o.Validate().ok());
}

TEST(CompactionPickerTest, EqualFilesQualifyFromRatioPlusOne) {
  PartitionTree tree;
  PickerOptions o;  // ratio 3
  Files three;
  three.Add("a", 100).Add("b", 100).Add("c", 100);  // 200 < 3 x 100
  EXPECT_TRUE(PickCompactions(tree, three.map, o).empty());
  Files four = three;
  four.Add("d", 100);  // 300 >= 300
  auto jobs = PickCompactions(tree, four.map, o);
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(Sorted(jobs[0].inputs), (std::vector<std::string>{"a", "b", "c", "d"}));
  EXPECT_EQ(jobs[0].rows, 400);
  EXPECT_EQ(jobs[0].partition, "r");
  EXPECT_FALSE(jobs[0].split);
}

TEST(CompactionPickerTest, ElevenEqualFilesAreOneJob) {
  PartitionTree tree;
  Files f;
  for (int i = 0; i < 11; ++i) f.Add("f" + std::to_string(i), 2'000'000);
  auto jobs = PickCompactions(tree, f.map, PickerOptions{});
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].inputs.size(), 11u);
  EXPECT_EQ(jobs[0].rows, 22'000'000);
}

TEST(CompactionPickerTest, AtMostTwelveFilesPerJob) {
  PartitionTree tree;
  Files f;
  for (int i = 0; i < 30; ++i) f.Add("f" + std::to_string(100 + i), 10);
  auto jobs = PickCompactions(tree, f.map, PickerOptions{});
  ASSERT_EQ(jobs.size(), 3u);  // 12 + 12 + 6 (6 equal files: 50 >= 30)
  EXPECT_EQ(jobs[0].inputs.size(), 12u);
  EXPECT_EQ(jobs[1].inputs.size(), 12u);
  EXPECT_EQ(jobs[2].inputs.size(), 6u);
  std::set<std::string> seen;
  for (const auto& j : jobs) {
    for (const auto& p : j.inputs) EXPECT_TRUE(seen.insert(p).second) << p << " in two jobs";
  }
}

TEST(CompactionPickerTest, ABigFileWaitsUntilTheSmallOnesReachRatioTimesIt) {
  PartitionTree tree;
  Files f;
  f.Add("big", 1000).Add("s1", 100).Add("s2", 100).Add("s3", 100).Add("s4", 100);
  // The window of all five fails (400 < 3000); without "big": 300 >= 300.
  auto jobs = PickCompactions(tree, f.map, PickerOptions{});
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(Sorted(jobs[0].inputs), (std::vector<std::string>{"s1", "s2", "s3", "s4"}));
  // Once the small files sum to 3 x the big one, it joins.
  Files g;
  g.Add("big", 1000);
  for (int i = 0; i < 10; ++i) g.Add("m" + std::to_string(i), 300);
  jobs = PickCompactions(tree, g.map, PickerOptions{});
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].inputs.size(), 11u);  // 3000 >= 3000
  // Ratio 0 compacts any two files; a higher ratio none of these.
  PickerOptions zero;
  zero.ratio = 0;
  Files two;
  two.Add("x", 5).Add("y", 1'000'000);
  EXPECT_EQ(PickCompactions(tree, two.map, zero).size(), 1u);
  PickerOptions high;
  high.ratio = 100;
  EXPECT_TRUE(PickCompactions(tree, g.map, high).empty());
}

TEST(CompactionPickerTest, ATinyFileThatFitsNoWindowIsLeftOut) {
  PartitionTree tree;
  // Ratio 3: every window fails ([tiny,a,b,c]: 401 < 600; [a,b,c]: 400 < 600), so nothing.
  // Ratio 2: [tiny,a,b,c] has 401 >= 400 and takes tiny along.
  Files f;
  f.Add("tiny", 1).Add("a", 200).Add("b", 200).Add("c", 200);
  EXPECT_TRUE(PickCompactions(tree, f.map, PickerOptions{}).empty());
  PickerOptions two;
  two.ratio = 2;
  auto jobs = PickCompactions(tree, f.map, two);
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].inputs.size(), 4u);
  // A file too small to matter does not block the others: [s, a..e] with ratio 3.
  Files g;
  g.Add("s", 1).Add("a", 1000).Add("b", 1000).Add("c", 1000).Add("d", 1000);
  jobs = PickCompactions(tree, g.map, PickerOptions{});
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].inputs.size(), 5u);  // 3001 >= 3000: s comes along
}

TEST(CompactionPickerTest, PerPartitionAndMajor) {
  auto tree = PartitionTree::FromSplits({Str("m")});  // leaves r0 [-inf, m), r1 [m, +inf)
  Files f;
  for (int i = 0; i < 4; ++i) f.Add("l" + std::to_string(i), 10, "r0");
  f.Add("r-only", 10, "r1").Add("r-two", 500, "r1");
  auto jobs = PickCompactions(tree, f.map, PickerOptions{});
  ASSERT_EQ(jobs.size(), 1u);  // r1's two files do not qualify (10 < 1500)
  EXPECT_EQ(jobs[0].partition, "r0");
  PickerOptions major;
  major.major = true;
  jobs = PickCompactions(tree, f.map, major);
  ASSERT_EQ(jobs.size(), 2u);
  EXPECT_EQ(jobs[0].partition, "r0");
  EXPECT_EQ(jobs[0].inputs.size(), 4u);
  EXPECT_EQ(jobs[1].partition, "r1");
  EXPECT_EQ(jobs[1].inputs.size(), 2u);
  // Major takes every file, past the per-job cap, and leaves single files alone.
  Files many;
  for (int i = 0; i < 40; ++i) many.Add("m" + std::to_string(100 + i), i + 1, "r0");
  many.Add("alone", 7, "r1");
  jobs = PickCompactions(tree, many.map, major);
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].inputs.size(), 40u);
}

TEST(CompactionPickerTest, FilesOfASplitPartitionGoToItsLeaves) {
  PartitionTree tree;
  Files f;
  f.Add("old1", 1000, "r").Add("old2", 5, "r");  // written before the split
  ASSERT_TRUE(tree.Split("r", Str("m")).ok());
  f.Add("new-left", 10, "r0");
  auto jobs = PickCompactions(tree, f.map, PickerOptions{});
  ASSERT_EQ(jobs.size(), 1u);  // sizes do not matter for files of a split partition
  EXPECT_EQ(jobs[0].partition, "r");
  EXPECT_TRUE(jobs[0].split);
  EXPECT_EQ(jobs[0].inputs, (std::vector<std::string>{"old1", "old2"}));  // generation order
  // Even one file moves down.
  Files one;
  one.Add("solo", 3, "r");
  EXPECT_EQ(PickCompactions(tree, one.map, PickerOptions{}).size(), 1u);
  auto leaves = LeavesUnder(tree, "r");
  ASSERT_EQ(leaves.size(), 2u);
  EXPECT_EQ(leaves[0]->id, "r0");
  EXPECT_EQ(leaves[1]->id, "r1");
  ASSERT_TRUE(tree.Split("r1", Str("t")).ok());
  leaves = LeavesUnder(tree, "r");
  ASSERT_EQ(leaves.size(), 3u);
  EXPECT_EQ(leaves[1]->id, "r10");
  EXPECT_EQ(LeavesUnder(tree, "r0").size(), 1u);
}

TEST(CompactionPickerTest, JobIdsAreStableAndDistinct) {
  PartitionTree tree;
  Files f;
  for (int i = 0; i < 4; ++i) f.Add("f" + std::to_string(i), 10);
  auto a = PickCompactions(tree, f.map, PickerOptions{});
  auto b = PickCompactions(tree, f.map, PickerOptions{});
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].id, b[0].id);
  EXPECT_EQ(a[0].id.size(), 17u);
  EXPECT_EQ(a[0].id[0], 'c');
  f.Add("f4", 10);
  auto c = PickCompactions(tree, f.map, PickerOptions{});
  ASSERT_EQ(c.size(), 1u);
  EXPECT_NE(c[0].id, a[0].id);
}

TEST(CompactionPickerTest, InputsAreInCommitOrder) {
  PartitionTree tree;
  Files f;
  // Paths sort against generation order on purpose.
  f.Add("z", 10).Add("y", 10).Add("x", 10).Add("w", 10);
  auto jobs = PickCompactions(tree, f.map, PickerOptions{});
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].inputs, (std::vector<std::string>{"z", "y", "x", "w"}));
}

}  // namespace
}  // namespace lakepack::sorted
