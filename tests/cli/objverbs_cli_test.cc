// `lakepack rm|sync|mv|du|stat|cat|head` and `convert -` end to end, against every store kind
// (local, s3, s3-faulty): exit codes, --json, --dry-run, the confirmation refusal.
#include <gtest/gtest.h>

#include <filesystem>

#include "test_util.h"

namespace lakepack {
namespace {

namespace fs = std::filesystem;
using testing::RunCli;
using testing::Scratch;

std::string Quote(const std::string& s) { return "'" + s + "'"; }

class ObjVerbsCli : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    scratch_ = std::make_unique<Scratch>(GetParam());
    dir_ = fs::temp_directory_path() /
           ("lakepack-objverbs-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  int Cli(const std::string& args, std::string* out) {
    return RunCli(args, out, GetParam() == "s3-faulty" ? "LAKEPACK_FAULT_RATE=0.1" : "");
  }
  std::string Local(const std::string& rel) { return Quote((dir_ / rel).string()); }
  std::string Remote(const std::string& rel) { return Quote(scratch_->Uri(rel)); }
  bool Exists(const std::string& rel) { return scratch_->store().Head(scratch_->Key(rel)).ok(); }
  std::unique_ptr<Scratch> scratch_;
  fs::path dir_;
};

TEST_P(ObjVerbsCli, RmRefusesAPrefixWithoutRecursiveAndDryRunRemovesNothing) {
  ASSERT_TRUE(scratch_->store().Put(scratch_->Key("d/a"), "a").ok());
  ASSERT_TRUE(scratch_->store().Put(scratch_->Key("d/s/b"), "bb").ok());
  std::string out;
  EXPECT_EQ(Cli("rm " + Remote("d"), &out), 2) << out;
  EXPECT_NE(out.find("remove it with --recursive"), std::string::npos) << out;
  EXPECT_EQ(Cli("rm " + Remote("d/"), &out), 2) << out;
  EXPECT_EQ(Cli("rm -r --dry-run " + Remote("d"), &out), 0) << out;
  EXPECT_NE(out.find("would remove " + scratch_->Uri("d/s/b")), std::string::npos) << out;
  EXPECT_NE(out.find("nothing was removed"), std::string::npos) << out;
  EXPECT_TRUE(Exists("d/a"));
  EXPECT_TRUE(Exists("d/s/b"));
  EXPECT_EQ(Cli("rm --recursive --json " + Remote("d"), &out), 0) << out;
  EXPECT_NE(out.find("\"removed\":2"), std::string::npos) << out;
  EXPECT_FALSE(Exists("d/a"));
  EXPECT_FALSE(Exists("d/s/b"));
  EXPECT_EQ(Cli("rm --json " + Remote("d/a"), &out), 1) << out;  // gone now
  EXPECT_NE(out.find("\"code\":\"NotFound\""), std::string::npos) << out;
}

TEST_P(ObjVerbsCli, SyncCopiesOnlyWhatDiffersAndDeletesWhenAsked) {
  testing::WriteLocalFile((dir_ / "in/a.txt").string(), "alpha");
  testing::WriteLocalFile((dir_ / "in/sub/b.txt").string(), "beta");
  std::string out;
  ASSERT_EQ(Cli("sync --json " + Local("in") + " " + Remote("s"), &out), 0) << out;
  EXPECT_NE(out.find("\"copied\":2"), std::string::npos) << out;
  ASSERT_EQ(Cli("sync --json " + Local("in") + " " + Remote("s"), &out), 0) << out;
  EXPECT_NE(out.find("\"copied\":0"), std::string::npos) << out;
  EXPECT_NE(out.find("\"unchanged\":2"), std::string::npos) << out;

  testing::WriteLocalFile((dir_ / "in/a.txt").string(), "ALPHA");  // same size, new content
  fs::remove(dir_ / "in/sub/b.txt");
  ASSERT_EQ(Cli("sync --dry-run --delete " + Local("in") + " " + Remote("s"), &out), 0) << out;
  EXPECT_NE(out.find("would copy"), std::string::npos) << out;
  EXPECT_NE(out.find("(checksum)"), std::string::npos) << out;
  EXPECT_NE(out.find("would remove " + scratch_->Uri("s/sub/b.txt")), std::string::npos) << out;
  EXPECT_TRUE(Exists("s/sub/b.txt"));
  EXPECT_EQ(*scratch_->store().Get(scratch_->Key("s/a.txt")), "alpha");
  ASSERT_EQ(Cli("sync --quiet --delete " + Local("in") + " " + Remote("s"), &out), 0) << out;
  EXPECT_EQ(out, "");
  EXPECT_FALSE(Exists("s/sub/b.txt"));
  EXPECT_EQ(*scratch_->store().Get(scratch_->Key("s/a.txt")), "ALPHA");

  // A missing source changes nothing, even with --delete.
  EXPECT_EQ(Cli("sync --delete " + Local("none") + " " + Remote("s"), &out), 1) << out;
  EXPECT_TRUE(Exists("s/a.txt"));
}

TEST_P(ObjVerbsCli, MvDuStatCatHead) {
  std::string csv = "id,name\n";
  for (int i = 0; i < 20; ++i) csv += std::to_string(i) + ",n" + std::to_string(i) + "\n";
  testing::WriteLocalFile((dir_ / "t.csv").string(), csv);
  std::string out;
  ASSERT_EQ(Cli("mv --quiet " + Local("t.csv") + " " + Remote("m/"), &out), 0) << out;
  EXPECT_FALSE(fs::exists(dir_ / "t.csv"));
  EXPECT_TRUE(Exists("m/t.csv"));

  ASSERT_EQ(Cli("du --json " + Remote("m"), &out), 0) << out;
  EXPECT_NE(out.find("\"bytes\":" + std::to_string(csv.size())), std::string::npos) << out;
  ASSERT_EQ(Cli("stat --json " + Remote("m/t.csv"), &out), 0) << out;
  EXPECT_NE(out.find("\"type\":\"object\""), std::string::npos) << out;
  EXPECT_EQ(Cli("stat " + Remote("nothing"), &out), 1) << out;

  ASSERT_EQ(Cli("cat " + Remote("m/t.csv"), &out), 0) << out;
  EXPECT_EQ(out, csv);
  ASSERT_EQ(Cli("head -n 2 " + Remote("m/t.csv"), &out), 0) << out;
  EXPECT_EQ(out, "\"id\",\"name\"\n0,\"n0\"\n1,\"n1\"\n");
  ASSERT_EQ(Cli("head -c 5 " + Remote("m/t.csv"), &out), 0) << out;
  EXPECT_EQ(out, "id,na");
  ASSERT_EQ(Cli("head --json --rows 1 " + Remote("m/t.csv"), &out), 0) << out;
  EXPECT_NE(out.find("\"data\": [{\"id\":0,\"name\":\"n0\"}]"), std::string::npos) << out;
  EXPECT_EQ(Cli("head --rows abc " + Remote("m/t.csv"), &out), 2) << out;
  EXPECT_EQ(Cli("cat " + Remote("m/none.csv"), &out), 1) << out;
}

INSTANTIATE_TEST_SUITE_P(Stores, ObjVerbsCli, ::testing::ValuesIn(testing::StoreKinds()),
                         testing::KindName);

TEST(ObjVerbsCliRefusals, AWholeBucketNeedsYesAndUsageErrorsComeFirst) {
  std::string out;
  // No server is needed to refuse: nothing is listed or removed.
  EXPECT_EQ(RunCli("rm --recursive s3://some-bucket", &out), 2) << out;
  EXPECT_NE(out.find("needs --yes"), std::string::npos) << out;
  EXPECT_EQ(RunCli("rm -r --json s3://some-bucket/", &out), 2) << out;
  EXPECT_NE(out.find("\"code\":\"usage\""), std::string::npos) << out;
  EXPECT_EQ(RunCli("rm -r /", &out), 2) << out;
  EXPECT_EQ(RunCli("sync /tmp", &out), 2) << out;
  EXPECT_EQ(RunCli("sync --jobs 0 /tmp/a /tmp/b", &out), 2) << out;
  EXPECT_EQ(RunCli("mv -x a b", &out), 2) << out;
  EXPECT_EQ(RunCli("help sync", &out), 0) << out;
  EXPECT_NE(out.find("never by modification time"), std::string::npos) << out;
}

// MF-2: '-' is stdin or stdout in convert; no file named '-' appears.
TEST(ObjVerbsCliStdio, ConvertReadsStdinAndWritesStdout) {
  Scratch s("local");
  const std::string dir = s.store().LocalPath(s.Key(""));
  testing::WriteLocalFile(dir + "/in.csv", "id,name\n1,a\n2,b\n");
  std::string out;
  ASSERT_EQ(RunCli("convert - " + Quote(dir + "/o.parquet") + " --in-format csv < " +
                       Quote(dir + "/in.csv"),
                   &out),
            0)
      << out;
  ASSERT_EQ(RunCli("--quiet convert " + Quote(dir + "/o.parquet") + " - --out-format csv", &out), 0)
      << out;
  EXPECT_EQ(out, "\"id\",\"name\"\n1,\"a\"\n2,\"b\"\n");
  EXPECT_FALSE(fs::exists("-"));
  EXPECT_EQ(RunCli("convert - x.parquet", &out), 2) << out;  // stdin's format: not guessable
  EXPECT_NE(out.find("needs --in-format"), std::string::npos) << out;
  // A bad stdin names stdin, and nothing but the error line is printed (no partial data).
  EXPECT_EQ(RunCli("convert - - --in-format parquet --out-format csv < " +
                       Quote(dir + "/in.csv"),
                   &out),
            1)
      << out;
  EXPECT_EQ(out.rfind("lakepack: error: stdin: not a valid Parquet file", 0), 0u) << out;
  EXPECT_EQ(out.find("id,name"), std::string::npos) << out;
}

}  // namespace
}  // namespace lakepack
