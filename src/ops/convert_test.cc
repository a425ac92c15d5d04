#include "ops/convert.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "format/inspect.h"

namespace lakepack::ops {
namespace {

namespace fs = std::filesystem;

class ConvertTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("lakepack-ops-convert-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    std::ofstream csv(dir_ / "in.csv");
    csv << "id,name\n";
    for (int i = 0; i < 10000; ++i) csv << i << ",n" << i << "\n";
  }
  void TearDown() override { fs::remove_all(dir_); }
  ConvertOptions Options(const std::string& out) {
    ConvertOptions o;
    o.src = (dir_ / "in.csv").string();
    o.dst = (dir_ / out).string();
    return o;
  }
  fs::path dir_;
};

TEST_F(ConvertTest, ConvertsAndCountsRows) {
  Progress progress;
  ConvertOptions o = Options("out.parquet");
  o.row_group_rows = 3000;
  auto r = Convert(o, JobContext{nullptr, &progress});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->rows, 10000);
  EXPECT_EQ(progress.done.load(), 10000);
  EXPECT_EQ(r->bytes, static_cast<int64_t>(fs::file_size(dir_ / "out.parquet")));
  EXPECT_EQ(r->in_bytes, static_cast<int64_t>(fs::file_size(dir_ / "in.csv")));
  auto loc = OpenStore((dir_ / "out.parquet").string()).ValueOrDie();
  auto facts = format::InspectFile(loc.store, loc.key, format::Format::kParquet, {});
  ASSERT_TRUE(facts.ok());
  EXPECT_EQ(facts->row_groups.size(), 4u);  // 3000 + 3000 + 3000 + 1000 rows
  EXPECT_NE(r->ToJson().find("\"rows\":10000"), std::string::npos) << r->ToJson();
}

TEST_F(ConvertTest, CancelledLeavesNoOutput) {
  CancelToken token;
  token.Cancel();
  auto r = Convert(Options("out.parquet"), JobContext{&token, nullptr});
  EXPECT_EQ(r.status().code(), StatusCode::kCancelled);
  EXPECT_NE(r.status().message().find("in.csv cancelled"), std::string::npos)
      << r.status().ToString();
  for (auto& e : fs::directory_iterator(dir_)) {
    EXPECT_EQ(e.path().filename().string().find("out"), std::string::npos) << e.path();
  }
}

TEST_F(ConvertTest, BadOptionsAndTargets) {
  ConvertOptions o = Options("out.parquet");
  o.compression = "nope";
  EXPECT_EQ(o.Validate().code(), StatusCode::kInvalidArgument);
  o = Options("out.parquet");
  o.batch_rows = -1;
  EXPECT_FALSE(o.Validate().ok());
  o = Options("dir/");
  EXPECT_EQ(Convert(o, {}).status().code(), StatusCode::kInvalidArgument);
  o = Options("out.unknown");
  EXPECT_FALSE(Convert(o, {}).ok());
}

}  // namespace
}  // namespace lakepack::ops
