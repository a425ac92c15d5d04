// `lakepack cp` / `lakepack ls` end to end, against every store kind (local, s3, s3-faulty).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "test_util.h"

namespace lakepack {
namespace {

namespace fs = std::filesystem;
using testing::RandomBytes;
using testing::RunCli;
using testing::Scratch;

std::string ReadFile(const fs::path& p) { return testing::ReadLocalFile(p.string()); }

void WriteFile(const fs::path& p, const std::string& data) {
  testing::WriteLocalFile(p.string(), data);
}

std::string Quote(const std::string& s) { return "'" + s + "'"; }

class CpCli : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    scratch_ = std::make_unique<Scratch>(GetParam());
    dir_ = fs::temp_directory_path() / ("lakepack-cp-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  // The CLI, with ~10% injected S3 faults for the s3-faulty kind.
  int Cli(const std::string& args, std::string* out) {
    return RunCli(args, out, GetParam() == "s3-faulty" ? "LAKEPACK_FAULT_RATE=0.1" : "");
  }
  std::unique_ptr<Scratch> scratch_;
  fs::path dir_;
};

TEST_P(CpCli, RecursiveRoundTripIsByteIdentical) {
  const std::string big = RandomBytes(13 * 1000 * 1000 + 5, 11);
  WriteFile(dir_ / "in/a.bin", big);
  WriteFile(dir_ / "in/sub/b.txt", "hello\n");
  WriteFile(dir_ / "in/odd name+%é.txt", "odd\n");
  const std::string remote = scratch_->Uri("cp/");
  std::string out;
  ASSERT_EQ(Cli("cp --recursive --quiet " + Quote((dir_ / "in").string()) + " " + Quote(remote), &out), 0)
      << out;
  ASSERT_EQ(Cli("ls --recursive --json " + Quote(remote), &out), 0) << out;
  EXPECT_NE(out.find("a.bin"), std::string::npos) << out;
  EXPECT_NE(out.find("sub/b.txt"), std::string::npos) << out;
  EXPECT_NE(out.find("odd name+%é.txt"), std::string::npos) << out;
  EXPECT_NE(out.find("\"size\": 13000005"), std::string::npos) << out;

  ASSERT_EQ(Cli("ls " + Quote(remote), &out), 0) << out;
  EXPECT_NE(out.find("PRE sub/"), std::string::npos) << out;

  ASSERT_EQ(Cli("cp --recursive --quiet " + Quote(remote) + " " + Quote((dir_ / "back").string()), &out), 0)
      << out;
  EXPECT_TRUE(ReadFile(dir_ / "back/a.bin") == big);
  EXPECT_EQ(ReadFile(dir_ / "back/sub/b.txt"), "hello\n");
  EXPECT_EQ(ReadFile(dir_ / "back/odd name+%é.txt"), "odd\n");

  // A single object into a directory keeps its name; within one store the copy is server-side.
  ASSERT_EQ(Cli("cp --quiet " + Quote(remote + "a.bin") + " " + Quote(remote + "copy/"), &out), 0) << out;
  ASSERT_EQ(Cli("cp --quiet " + Quote(remote + "copy/a.bin") + " " + Quote((dir_ / "single.bin").string()), &out), 0)
      << out;
  EXPECT_TRUE(ReadFile(dir_ / "single.bin") == big);
}

TEST_P(CpCli, MissingSourceFailsAndWritesNothing) {
  std::string out;
  EXPECT_EQ(Cli("cp --quiet " + Quote(scratch_->Uri("nope.csv")) + " " + Quote((dir_ / "x.csv").string()), &out), 1);
  EXPECT_NE(out.find("nope.csv"), std::string::npos) << out;
  EXPECT_FALSE(fs::exists(dir_ / "x.csv"));
  EXPECT_EQ(Cli("cp --recursive --quiet " + Quote(scratch_->Uri("empty/")) + " " + Quote((dir_ / "y").string()), &out), 1);
  EXPECT_NE(out.find("no objects under"), std::string::npos) << out;
}

// One object in many small ranges/parts with several in flight, both ways; bad --parallel values
// are refused (exit 2) before anything is written.
TEST_P(CpCli, ParallelRangesKeepEveryByte) {
  const std::string big = RandomBytes(23 * 1000 * 1000 + 7, 12);
  WriteFile(dir_ / "big.bin", big);
  const std::string remote = scratch_->Uri("par/big.bin");
  std::string out;
  ASSERT_EQ(Cli("cp --quiet --parallel 7 --part-size 5MiB " + Quote((dir_ / "big.bin").string()) +
                    " " + Quote(remote),
                &out),
            0)
      << out;
  ASSERT_EQ(Cli("cp --quiet --parallel 7 --part-size 1MiB " + Quote(remote) + " " +
                    Quote((dir_ / "back.bin").string()),
                &out),
            0)
      << out;
  EXPECT_TRUE(ReadFile(dir_ / "back.bin") == big);
  for (const char* bad : {"0", "65", "x"}) {
    EXPECT_EQ(Cli(std::string("cp --quiet --parallel ") + bad + " " + Quote(remote) + " " +
                      Quote((dir_ / "never.bin").string()),
                  &out),
              2)  // a usage error, found before any work (the exit-code table, cli.h)
        << bad;
    EXPECT_NE(out.find("--parallel"), std::string::npos) << out;
  }
  EXPECT_FALSE(fs::exists(dir_ / "never.bin"));
}

INSTANTIATE_TEST_SUITE_P(Backends, CpCli, ::testing::ValuesIn(testing::StoreKinds()),
                         testing::KindName);

}  // namespace
}  // namespace lakepack
