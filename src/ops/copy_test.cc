#include "ops/copy.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "base/job.h"
#include "test_util.h"

namespace lakepack::ops {
namespace {

namespace fs = std::filesystem;

class CopyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("lakepack-ops-copy-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    store_ = OpenStore(dir_.string()).ValueOrDie().store;
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Write(const std::string& rel, const std::string& data) {
    fs::create_directories((dir_ / rel).parent_path());
    std::ofstream(dir_ / rel, std::ios::binary) << data;
  }
  std::string Read(const std::string& rel) {
    std::ifstream in(dir_ / rel, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  std::string Key(const std::string& rel) { return (dir_ / rel).string().substr(1); }
  CopyOptions Options(const std::string& src, const std::string& dst, bool recursive = false) {
    CopyOptions o;
    o.src = (dir_ / src).string();
    o.dst = (dir_ / dst).string();
    o.recursive = recursive;
    return o;
  }

  fs::path dir_;
  std::shared_ptr<ObjectStore> store_;
};

TEST_F(CopyTest, PlanGivesADirectoryTargetTheBaseName) {
  Write("a.csv", "x");
  fs::create_directories(dir_ / "DIR");
  auto plan = [&](const std::string& dst) {
    auto items = PlanCopy(*store_, Key("a.csv"), *store_, dst, false);
    EXPECT_TRUE(items.ok()) << items.status().ToString();
    return items.ok() && items->size() == 1 ? (*items)[0].dst_key : std::string("?");
  };
  EXPECT_EQ(plan(Key("DIR")), Key("DIR/a.csv"));        // an existing directory
  EXPECT_EQ(plan(Key("NEW") + "/"), Key("NEW/a.csv"));  // a trailing slash
  EXPECT_EQ(plan(""), "a.csv");                         // the store root
  EXPECT_EQ(plan(Key("b.csv")), Key("b.csv"));          // a file name
}

TEST_F(CopyTest, PlanRecursiveAndItsErrors) {
  Write("src/x.bin", "1");
  Write("src/sub/y.bin", "22");
  auto items = PlanCopy(*store_, Key("src"), *store_, Key("dst"), true);
  ASSERT_TRUE(items.ok()) << items.status().ToString();
  ASSERT_EQ(items->size(), 2u);
  EXPECT_EQ((*items)[0].dst_key, Key("dst/sub/y.bin"));
  EXPECT_EQ((*items)[1].dst_key, Key("dst/x.bin"));
  EXPECT_EQ((*items)[1].size, 1);
  EXPECT_EQ(PlanCopy(*store_, Key("src") + "/", *store_, Key("d"), false).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(PlanCopy(*store_, Key("src"), *store_, Key("d"), false).status().code(),
            StatusCode::kInvalidArgument);  // a directory without recursive
  EXPECT_TRUE(PlanCopy(*store_, Key("none"), *store_, Key("d"), true).status().IsNotFound());
}

TEST_F(CopyTest, GoesOnPastFailuresUpToTheBoundAndNamesEach) {
  for (int i = 0; i < 3; ++i) Write("src/a/x" + std::to_string(i), "xx");
  for (int i = 0; i < 5; ++i) Write("src/b/y" + std::to_string(i), std::string(i + 1, 'y'));
  Write("dst/a", "a file where a directory is needed");
  Progress progress;
  JobContext ctx{nullptr, &progress};
  auto report = Copy(Options("src", "dst", true), ctx);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->planned, 8);
  EXPECT_EQ(report->copied, 5);
  EXPECT_EQ(report->bytes, 1 + 2 + 3 + 4 + 5);
  EXPECT_EQ(report->total_bytes, 3 * 2 + 15);
  EXPECT_EQ(progress.total.load(), 21);
  EXPECT_EQ(progress.done.load(), 15);
  ASSERT_EQ(report->failures.size(), 3u);
  const std::string msg = report->ToStatus().message();
  EXPECT_EQ(msg.rfind("copying " + store_->Uri(Key("src/a/x0")) + " to ", 0), 0u) << msg;
  EXPECT_NE(msg.find("(and 2 more failed: copying "), std::string::npos) << msg;
  EXPECT_NE(msg.find("src/a/x2"), std::string::npos) << msg;
  const std::string tail = "; 5 of 8 objects were copied";
  EXPECT_EQ(msg.substr(msg.size() - tail.size()), tail) << msg;
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(Read("dst/b/y" + std::to_string(i)), std::string(i + 1, 'y'));

  // A bound of 2, one object at a time: stops after the second failure.
  fs::remove_all(dir_ / "dst" / "b");
  CopyOptions o = Options("src", "dst", true);
  o.jobs = 1;
  o.max_failures = 2;
  report = Copy(o, {});
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->failures.size(), 2u);
  EXPECT_EQ(report->copied, 0);
  EXPECT_FALSE(fs::exists(dir_ / "dst" / "b"));
}

// Across stores (here local disk -> S3) the bytes stream through ranged reads, and a cancel stops
// the object being streamed: its upload is aborted, nothing appears.  (Within one store the
// server copies, which cannot be stopped halfway.)
TEST_F(CopyTest, CancelStopsWithinAnObjectAndLeavesNothingHalfWritten) {
  if (!testing::S3Configured()) GTEST_SKIP() << "needs two stores: no S3 test server";
  testing::Scratch s3("s3");
  const std::string big(64 << 20, 'b');
  Write("big.bin", big);
  CancelToken token;
  Progress progress;
  JobContext ctx{&token, &progress};
  CopyOptions o = Options("big.bin", "x");
  o.dst = s3.Uri("out/big.bin");
  o.parallel = 1;
  o.part_size = 5 << 20;
  // Cancelled once the first range went through: a later range read sees the token.
  std::atomic<bool> stop{false};
  std::thread watcher([&] {
    while (progress.done.load() == 0 && !stop) std::this_thread::yield();
    token.Cancel();
  });
  auto report = Copy(o, ctx);
  stop = true;
  watcher.join();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->cancelled);
  EXPECT_EQ(report->copied, 0);
  EXPECT_TRUE(report->failures.empty());
  EXPECT_LT(progress.done.load(), static_cast<int64_t>(big.size()));
  EXPECT_EQ(report->ToStatus().code(), StatusCode::kCancelled);
  EXPECT_TRUE(s3.store().Head(s3.Key("out/big.bin")).status().IsNotFound());
}

TEST_F(CopyTest, OptionsAreValidated) {
  CopyOptions o = Options("a", "b");
  o.jobs = 0;
  EXPECT_EQ(o.Validate().code(), StatusCode::kInvalidArgument);
  o = Options("a", "b");
  o.parallel = 65;
  EXPECT_NE(o.Validate().message().find("--parallel must be 1..64"), std::string::npos);
  o = Options("a", "b");
  o.max_failures = 0;
  EXPECT_FALSE(o.Validate().ok());
  o.max_failures = -1;
  EXPECT_TRUE(o.Validate().ok());
}

}  // namespace
}  // namespace lakepack::ops
