// table_cli_test.cc: `lakepack table` end to end on every store kind: create with split points,
// write a CSV with a job id (a re-run is a no-op), query by key and range in every output, status
// as JSON, and errors (unknown table, bad key type) with a non-zero exit.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "test_util.h"

namespace lakepack {
namespace {

using testing::RunCli;
using testing::Scratch;

class TableCliTest : public ::testing::TestWithParam<std::string> {
 protected:
  TableCliTest() : scratch_(GetParam()) {}
  int Run(const std::string& args, std::string* out) {
    return RunCli(args, out, GetParam() == "s3-faulty" ? "LAKEPACK_FAULT_RATE=0.1" : "");
  }
  Scratch scratch_;
};

TEST_P(TableCliTest, CreateWriteQueryStatus) {
  const std::string root = scratch_.Uri("inst");
  std::string dir = ::testing::TempDir() + "/table-cli-" + std::to_string(::getpid());
  std::filesystem::create_directories(dir);
  { std::ofstream(dir + "/in.csv") << "key,ts,value\nb,1,x\nz,2,\"y,1\"\na,3,w\na,1,v\n"; }
  std::string out;
  const std::string schema =
      "'{\"rowKeyFields\":[{\"name\":\"key\",\"type\":\"StringType\"}],"
      "\"sortKeyFields\":[{\"name\":\"ts\",\"type\":\"LongType\"}],"
      "\"valueFields\":[{\"name\":\"value\",\"type\":\"StringType\"}]}'";
  ASSERT_EQ(Run("table create " + root + " t --schema " + schema + " --split m", &out), 0) << out;
  ASSERT_EQ(Run("table write " + root + " t " + dir + "/in.csv --job-id j1 --json", &out), 0)
      << out;
  EXPECT_NE(out.find("\"rows\":4"), std::string::npos) << out;
  ASSERT_EQ(Run("table write " + root + " t " + dir + "/in.csv --job-id j1", &out), 0) << out;
  EXPECT_NE(out.find("nothing done"), std::string::npos) << out;
  ASSERT_EQ(Run("table query " + root + " t --key a --output jsonl", &out), 0) << out;
  EXPECT_EQ(out,
            "{\"key\":\"a\",\"ts\":1,\"value\":\"v\"}\n{\"key\":\"a\",\"ts\":3,\"value\":\"w\"}\n");
  ASSERT_EQ(Run("table query " + root + " t --range '(a,z]' --output csv", &out), 0) << out;
  EXPECT_EQ(out, "key,ts,value\nb,1,x\nz,2,\"y,1\"\n");
  ASSERT_EQ(Run("table status " + root + " t --json", &out), 0) << out;
  EXPECT_NE(out.find("\"rows\":4"), std::string::npos) << out;
  EXPECT_NE(out.find("\"files\":2"), std::string::npos) << out;
  ASSERT_EQ(Run("table ls " + root, &out), 0) << out;
  EXPECT_EQ(out, "t\n");
  EXPECT_NE(Run("table query " + root + " nope --key a", &out), 0);
  EXPECT_NE(out.find("no table 'nope'"), std::string::npos) << out;
  EXPECT_NE(Run("table create " + root + " t --schema " + schema, &out), 0);  // exists
  std::filesystem::remove_all(dir);
}

TEST_P(TableCliTest, CompactThenGc) {
  const std::string root = scratch_.Uri("inst");
  std::string dir = ::testing::TempDir() + "/table-cli-compact-" + std::to_string(::getpid());
  std::filesystem::create_directories(dir);
  std::string out;
  const std::string schema =
      "'{\"rowKeyFields\":[{\"name\":\"key\",\"type\":\"StringType\"}],"
      "\"valueFields\":[{\"name\":\"value\",\"type\":\"StringType\"}]}'";
  ASSERT_EQ(Run("table create " + root + " c --schema " + schema, &out), 0) << out;
  for (int i = 0; i < 4; ++i) {
    std::ofstream(dir + "/in.csv") << "key,value\nk" << i << ",a\nz,v" << i << "\n";
    ASSERT_EQ(Run("table write " + root + " c " + dir + "/in.csv --quiet", &out), 0) << out;
  }
  ASSERT_EQ(Run("table compact " + root + " c --dry-run", &out), 0) << out;
  EXPECT_NE(out.find("4 files, 8 rows"), std::string::npos) << out;
  ASSERT_EQ(Run("table status " + root + " c --json", &out), 0) << out;
  EXPECT_NE(out.find("\"files\":4"), std::string::npos) << out;  // the dry run changed nothing
  ASSERT_EQ(Run("table compact " + root + " c --json", &out), 0) << out;
  EXPECT_NE(out.find("\"committed\":1"), std::string::npos) << out;
  EXPECT_NE(out.find("\"files_out\":1"), std::string::npos) << out;
  ASSERT_EQ(Run("table compact " + root + " c", &out), 0) << out;
  EXPECT_EQ(out, "nothing to compact\n");
  ASSERT_EQ(Run("table query " + root + " c --key z --output csv", &out), 0) << out;
  EXPECT_EQ(out, "key,value\nz,v0\nz,v1\nz,v2\nz,v3\n");      // equal keys in commit order
  ASSERT_EQ(Run("table gc " + root + " c", &out), 0) << out;  // 10 min grace: keeps all
  EXPECT_NE(out.find("0 unreferenced objects"), std::string::npos) << out;
  EXPECT_NE(out.find("4 kept inside the grace period"), std::string::npos) << out;
  ASSERT_EQ(Run("table gc " + root + " c --grace 0 --dry-run", &out), 0) << out;
  EXPECT_NE(out.find("4 unreferenced objects"), std::string::npos) << out;
  ASSERT_EQ(Run("table gc " + root + " c --grace 0 --json", &out), 0) << out;
  EXPECT_NE(out.find("\"kept_young\":0"), std::string::npos) << out;
  EXPECT_NE(out.find("\"claims_deleted\":1"), std::string::npos) << out;
  ASSERT_EQ(Run("table gc " + root + " c --grace 0", &out), 0) << out;
  EXPECT_NE(out.find("0 unreferenced objects"), std::string::npos) << out;
  ASSERT_EQ(Run("table query " + root + " c --output csv", &out), 0) << out;
  EXPECT_EQ(out, "key,value\nk0,a\nk1,a\nk2,a\nk3,a\nz,v0\nz,v1\nz,v2\nz,v3\n");
  EXPECT_EQ(Run("table compact " + root + " c --ratio x", &out), 2) << out;
  EXPECT_EQ(Run("table compact " + root + " c --max-files 1", &out), 2) << out;
  EXPECT_EQ(Run("table gc " + root + " c --grace soon", &out), 2) << out;
  std::filesystem::remove_all(dir);
}

TEST_P(TableCliTest, MaintainCompactsUntilNothingQualifiesThenCollectsGarbage) {
  const std::string root = scratch_.Uri("inst");
  std::string dir = ::testing::TempDir() + "/table-cli-maintain-" + std::to_string(::getpid());
  std::filesystem::create_directories(dir);
  std::string out;
  const std::string schema =
      "'{\"rowKeyFields\":[{\"name\":\"key\",\"type\":\"LongType\"}],"
      "\"valueFields\":[{\"name\":\"value\",\"type\":\"StringType\"}]}'";
  ASSERT_EQ(Run("table create " + root + " m --schema " + schema, &out), 0) << out;
  for (int i = 0; i < 16; ++i) {
    std::ofstream(dir + "/in.csv") << "key,value\n" << i << ",a\n" << 100 + i << ",b\n";
    ASSERT_EQ(Run("table write " + root + " m " + dir + "/in.csv --quiet", &out), 0) << out;
  }
  // 16 equal files, 4 per job: 4 outputs in round 1, which qualify together in round 2.
  ASSERT_EQ(Run("table maintain " + root + " m --max-files 4 --grace 0 --json", &out), 0) << out;
  EXPECT_NE(out.find("\"rounds\":2,\"committed\":5,\"rows\":64"), std::string::npos) << out;
  EXPECT_NE(out.find("\"kept_young\":0"), std::string::npos) << out;
  ASSERT_EQ(Run("table status " + root + " m --json", &out), 0) << out;
  EXPECT_NE(out.find("\"files\":1,\"rows\":32"), std::string::npos) << out;
  ASSERT_EQ(Run("table maintain " + root + " m", &out), 0) << out;
  EXPECT_NE(out.find("nothing to compact"), std::string::npos) << out;
  std::filesystem::remove_all(dir);
}

TEST_P(TableCliTest, SplitAndMaintainSplitAPartitionAboveTheTablesThreshold) {
  const std::string root = scratch_.Uri("inst");
  std::string dir = ::testing::TempDir() + "/table-cli-split-" + std::to_string(::getpid());
  std::filesystem::create_directories(dir);
  std::string out;
  const std::string schema =
      "'{\"rowKeyFields\":[{\"name\":\"key\",\"type\":\"LongType\"}],"
      "\"valueFields\":[{\"name\":\"value\",\"type\":\"StringType\"}]}'";
  ASSERT_EQ(Run("table create " + root + " s --schema " + schema + " --split-threshold 5", &out), 0)
      << out;
  for (int i = 0; i < 4; ++i) {  // files of keys [10i, 10i + 2]
    std::ofstream(dir + "/in.csv") << "key,value\n"
                                   << 10 * i << ",a\n"
                                   << 10 * i + 1 << ",b\n"
                                   << 10 * i + 2 << ",c\n";
    ASSERT_EQ(Run("table write " + root + " s " + dir + "/in.csv --quiet", &out), 0) << out;
  }
  ASSERT_EQ(Run("table split " + root + " s --split-threshold 12", &out), 0) << out;
  EXPECT_EQ(out, "nothing to split (no leaf above 12 rows)\n");
  ASSERT_EQ(Run("table split " + root + " s --dry-run", &out), 0) << out;
  EXPECT_NE(out.find("would split r (12 rows in 4 files) at 20: ~6 rows below"), std::string::npos)
      << out;
  ASSERT_EQ(Run("table status " + root + " s --json", &out), 0) << out;
  EXPECT_EQ(out.find("\"r0\""), std::string::npos) << out;  // the dry run changed nothing
  // maintain: splits r at 20 and moves the files into r0 and r1 (one file of 6 rows each).
  ASSERT_EQ(Run("table maintain " + root + " s --grace 0 --json", &out), 0) << out;
  EXPECT_NE(out.find("\"split_count\":1"), std::string::npos) << out;
  EXPECT_NE(out.find("\"outputs\":[\"data/"), std::string::npos) << out;
  ASSERT_EQ(Run("table query " + root + " s --output csv", &out), 0) << out;
  EXPECT_EQ(out,
            "key,value\n0,a\n1,b\n2,c\n10,a\n11,b\n12,c\n20,a\n21,b\n22,c\n30,a\n31,b\n32,c\n");
  // A leaf of one file has no key inside it to split at without a sketch: said, not split.
  ASSERT_EQ(Run("table split " + root + " s", &out), 0) << out;
  EXPECT_NE(out.find("not split: r0: "), std::string::npos) << out;
  EXPECT_NE(out.find("not split: r1: "), std::string::npos) << out;
  EXPECT_EQ(Run("table split " + root + " s --split-threshold 0", &out), 2) << out;
  std::filesystem::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Stores, TableCliTest, ::testing::ValuesIn(testing::StoreKinds()),
                         testing::KindName);

}  // namespace
}  // namespace lakepack
