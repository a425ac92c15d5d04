// `lakepack files fetch|sizes|put|run` end to end, against every store kind (local, s3, s3-faulty).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "arrow/api.h"
#include "format/reader.h"
#include "test_util.h"

namespace lakepack {
namespace {

namespace fs = std::filesystem;
using testing::RunCli;
using testing::Scratch;

std::string ReadFile(const fs::path& p) { return testing::ReadLocalFile(p.string()); }

std::string Quote(const std::string& s) { return "'" + s + "'"; }

std::shared_ptr<arrow::Table> ReadParquet(const std::string& uri) {
  auto loc = OpenStore(uri);
  EXPECT_TRUE(loc.ok()) << uri;
  auto reader = format::OpenBatchReader(loc->store, loc->key, format::Format::kParquet);
  EXPECT_TRUE(reader.ok()) << reader.status().ToString();
  return (*reader)->ToTable().ValueOrDie();
}

class FilesCli : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    scratch_ = std::make_unique<Scratch>(GetParam());
    dir_ = fs::temp_directory_path() /
           ("lakepack-files-cli-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    // Rows 1, 2, 4 have their file; row 3's is missing.
    std::ofstream csv(dir_ / "table.csv");
    csv << "id,scan one.txt\n";
    for (int i = 1; i <= 4; ++i) {
      const std::string name = "in/é " + std::to_string(i) + ".txt";
      if (i != 3) {
        EXPECT_TRUE(scratch_->store().Put(scratch_->Key(name), "data " + std::to_string(i)).ok());
      }
      csv << i << "," << scratch_->Uri(name) << "\n";
    }
  }
  void TearDown() override { fs::remove_all(dir_); }
  int Cli(const std::string& args, std::string* out) {
    return RunCli(args, out, GetParam() == "s3-faulty" ? "LAKEPACK_FAULT_RATE=0.1" : "");
  }
  std::string Table() const { return Quote((dir_ / "table.csv").string()); }

  std::unique_ptr<Scratch> scratch_;
  fs::path dir_;
};

TEST_P(FilesCli, FetchAndSizesReportTheMissingRow) {
  std::string out;
  EXPECT_EQ(Cli("files fetch " + Table() + " --into " + Quote((dir_ / "got").string()), &out), 1)
      << out;
  EXPECT_EQ(ReadFile(dir_ / "got/2/scan one.txt"), "data 2");
  EXPECT_FALSE(fs::exists(dir_ / "got/3"));  // a failed row leaves nothing
  EXPECT_NE(out.find("row 2 (id 3) failed at fetch of scan one.txt"), std::string::npos) << out;
  EXPECT_EQ(Cli("files sizes " + Table() + " --json --jobs 2", &out), 1) << out;
  EXPECT_NE(out.find("\"total_size\":18"), std::string::npos) << out;
  EXPECT_NE(out.find("\"failed\":1"), std::string::npos) << out;
}

TEST_P(FilesCli, RunWritesOutputsAndBothTablesAndResumes) {
  const std::string into = scratch_->Uri("out");
  const std::string cmd = Quote(
      "tr a-z A-Z < \"$LAKEPACK_IN/scan one.txt\" > \"$LAKEPACK_OUT/up.txt\"; "
      "test \"$LAKEPACK_ID\" != 4");  // row 4's command fails
  std::string out;
  ASSERT_EQ(Cli("files run " + Table() + " --into-path " + Quote(into) + " --json -- " + cmd, &out),
            1)
      << out;
  EXPECT_NE(out.find("\"succeeded\":2"), std::string::npos) << out;
  auto got = scratch_->store().Get(scratch_->Key("out/2/up.txt"));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, "DATA 2");
  auto failures = ReadParquet(into + "/_lakepack/failures.parquet");
  ASSERT_EQ(failures->num_rows(), 2);
  auto ids =
      std::static_pointer_cast<arrow::StringArray>(failures->GetColumnByName("id")->chunk(0));
  auto stages =
      std::static_pointer_cast<arrow::StringArray>(failures->GetColumnByName("stage")->chunk(0));
  EXPECT_EQ(ids->GetString(0), "3");
  EXPECT_EQ(stages->GetString(0), "fetch");
  EXPECT_EQ(ids->GetString(1), "4");
  EXPECT_EQ(stages->GetString(1), "fn");
  auto output = ReadParquet(into + "/_lakepack/output.parquet");
  EXPECT_EQ(output->num_rows(), 4);
  // A re-run skips the finished rows: nothing written.
  ASSERT_EQ(Cli("files run " + Table() + " --into-path " + Quote(into) + " --json -- " + cmd, &out),
            1);
  EXPECT_NE(out.find("\"skipped\":2"), std::string::npos) << out;
  EXPECT_NE(out.find("\"objects_written\":0"), std::string::npos) << out;
  EXPECT_EQ(
      Cli("files run " + Table() + " --into-path " + Quote(into) + " --dry-run -- true", &out), 0);
}

TEST_P(FilesCli, PutUploadsADirectory) {
  fs::create_directories(dir_ / "put");
  std::ofstream(dir_ / "put/a.bin") << "aaa";
  std::ofstream(dir_ / "put/b c.bin") << "bc";
  std::string out;
  const std::string into = scratch_->Uri("put");
  ASSERT_EQ(Cli("files put " + Quote((dir_ / "put").string()) + " --into-path " + Quote(into) +
                    " --id 'id 7'",
                &out),
            0)
      << out;
  auto got = scratch_->store().Get(scratch_->Key("put/id 7/b c.bin"));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, "bc");
  EXPECT_EQ(
      Cli("files put " + Quote((dir_ / "put").string()) + " --into-path " + Quote(into), &out), 1);
  EXPECT_NE(out.find("--id ID are required"), std::string::npos) << out;
}

INSTANTIATE_TEST_SUITE_P(Stores, FilesCli, ::testing::ValuesIn(testing::StoreKinds()),
                         testing::KindName);

}  // namespace
}  // namespace lakepack
