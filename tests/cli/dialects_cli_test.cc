// Issue 13, MF-3 through the CLI: CSV dialect flags, .tsv, .gz / .zst inputs and any-case
// extensions in convert, inspect and pack, on local disk and on the S3 test server (inputs there,
// outputs on local disk, where they are checked byte for byte).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "arrow/util/compression.h"
#include "test_util.h"

namespace lakepack {
namespace {

namespace fs = std::filesystem;
using testing::RunCli;
using testing::Scratch;

std::string Quote(const std::string& s) { return "'" + s + "'"; }

std::string Compress(const std::string& text, arrow::Compression::type codec) {
  auto c = arrow::util::Codec::Create(codec).ValueOrDie();
  std::string out(c->MaxCompressedLen(text.size(), nullptr), '\0');
  int64_t n = c->Compress(text.size(), reinterpret_cast<const uint8_t*>(text.data()), out.size(),
                          reinterpret_cast<uint8_t*>(out.data()))
                  .ValueOrDie();
  out.resize(n);
  return out;
}

class DialectsCli : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() != "local" && !testing::S3Configured()) GTEST_SKIP() << "no S3 test server";
    scratch_ = std::make_unique<Scratch>(GetParam());
    dir_ = fs::temp_directory_path() /
           ("lakepack-dialects-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  void Put(const std::string& name, const std::string& bytes) {
    ASSERT_TRUE(scratch_->store().Put(scratch_->Key(name), bytes).ok());
  }
  std::string In(const std::string& name) { return Quote(scratch_->Uri(name)); }
  std::string Out(const std::string& name) { return Quote((dir_ / name).string()); }
  std::string Local(const std::string& name) {
    return testing::ReadLocalFile((dir_ / name).string());
  }

  std::unique_ptr<Scratch> scratch_;
  fs::path dir_;
};

// The probe's reproductions: `semi.csv` failed ("Expected 1 columns, got 2"), `.tsv` and
// `.csv.gz` were "cannot tell the format from the name".
TEST_P(DialectsCli, ConvertWithEveryFlag) {
  std::string out;
  Put("semi.csv", "a;b\n1;x,y\n2;z\n");
  EXPECT_EQ(RunCli("convert " + In("semi.csv") + " " + Out("semi.csv"), &out), 1) << out;
  ASSERT_EQ(RunCli("convert --delimiter ';' " + In("semi.csv") + " " + Out("semi.csv"), &out), 0)
      << out;
  EXPECT_EQ(Local("semi.csv"), "\"a\",\"b\"\n1,\"x,y\"\n2,\"z\"\n");

  Put("t.tsv", "a\tb\n1\tx\n");
  ASSERT_EQ(RunCli("convert " + In("t.tsv") + " " + Out("t.csv"), &out), 0) << out;
  EXPECT_EQ(Local("t.csv"), "\"a\",\"b\"\n1,\"x\"\n");
  ASSERT_EQ(RunCli("convert " + In("t.tsv") + " " + Out("back.tsv"), &out), 0) << out;
  EXPECT_EQ(Local("back.tsv"), "\"a\"\t\"b\"\n1\t\"x\"\n");  // a .tsv output is tab-separated
  ASSERT_EQ(RunCli("convert --out-delimiter '|' " + In("t.tsv") + " " + Out("p.csv"), &out), 0);
  EXPECT_EQ(Local("p.csv"), "\"a\"|\"b\"\n1|\"x\"\n");

  Put("n.csv", "1,NA,'q,r'\n2,,\"s\n");
  ASSERT_EQ(
      RunCli("convert --no-header --null NA --quote \"'\" " + In("n.csv") + " " + Out("n.jsonl"),
             &out),
      0)
      << out;
  EXPECT_EQ(Local("n.jsonl"),
            "{\"f0\":1,\"f1\":null,\"f2\":\"q,r\"}\n{\"f0\":2,\"f1\":\"\",\"f2\":\"\\\"s\"}\n");
  Put("nq.csv", "1,\"x\n2,y\"\n");  // quoted, one row; unquoted, two
  ASSERT_EQ(
      RunCli("convert --quote none --no-header " + In("nq.csv") + " " + Out("nq.jsonl"), &out), 0)
      << out;
  EXPECT_EQ(Local("nq.jsonl"), "{\"f0\":1,\"f1\":\"\\\"x\"}\n{\"f0\":2,\"f1\":\"y\\\"\"}\n");
  for (const char* bad : {"--delimiter ab", "--quote xy", "--delimiter '\"'"}) {
    EXPECT_EQ(RunCli(std::string("convert ") + bad + " " + In("n.csv") + " " + Out("x.csv"), &out),
              2)
        << bad << "\n"
        << out;
  }
  EXPECT_FALSE(fs::exists(dir_ / "x.csv"));
}

TEST_P(DialectsCli, CompressedAndAnyCaseInputs) {
  std::string out;
  const std::string csv = "id,name\n1,\"a, b\"\n2,007\n";
  const std::string jsonl =
      "{\"id\":1,\"day\":\"1990-01-01\"}\n{\"id\":2,\"day\":\"1990-01-02\"}\n";
  Put("A.CSV", csv);
  Put("b.csv.gz", Compress(csv, arrow::Compression::GZIP));
  Put("c.CSV.ZST", Compress(csv, arrow::Compression::ZSTD));
  Put("d.jsonl.gz", Compress(jsonl, arrow::Compression::GZIP));
  Put("E.JSONL.zst", Compress(jsonl, arrow::Compression::ZSTD));
  const std::string want_csv = "\"id\",\"name\"\n1,\"a, b\"\n2,\"007\"\n";
  for (const char* name : {"A.CSV", "b.csv.gz", "c.CSV.ZST"}) {
    ASSERT_EQ(RunCli("convert " + In(name) + " " + Out("o.csv"), &out), 0) << name << out;
    EXPECT_EQ(Local("o.csv"), want_csv) << name;
  }
  for (const char* name : {"d.jsonl.gz", "E.JSONL.zst"}) {
    ASSERT_EQ(RunCli("convert " + In(name) + " " + Out("o.csv"), &out), 0) << name << out;
    EXPECT_EQ(Local("o.csv"), "\"id\",\"day\"\n1,1990-01-01\n2,1990-01-02\n") << name;
    ASSERT_EQ(RunCli("inspect --json " + In(name), &out), 0) << out;
    EXPECT_NE(out.find("\"rows\":2"), std::string::npos) << out;
    EXPECT_NE(out.find("date32"), std::string::npos) << out;
  }
  ASSERT_EQ(RunCli("inspect --delimiter ';' --json " + In("A.CSV"), &out), 0) << out;
  EXPECT_NE(out.find("id,name"), std::string::npos) << out;  // one column, as told
  // Output compression is not offered: refused, nothing written.
  EXPECT_EQ(RunCli("convert " + In("A.CSV") + " " + Out("o2.csv.gz"), &out), 2) << out;
  EXPECT_FALSE(fs::exists(dir_ / "o2.csv.gz"));
}

// A corrupt .gz: one clear error naming the file, exit 1, and no output at all.
TEST_P(DialectsCli, CorruptGzipLeavesNoOutput) {
  std::string csv = "id,v\n";
  for (int i = 0; i < 300000; ++i) csv += std::to_string(i) + ",value\n";
  std::string gz = Compress(csv, arrow::Compression::GZIP);
  gz[gz.size() / 2] ^= 0x5a;
  Put("bad.csv.gz", gz);
  std::string out;
  EXPECT_EQ(RunCli("convert " + In("bad.csv.gz") + " " + Out("bad.parquet"), &out), 1) << out;
  EXPECT_NE(out.find(scratch_->Uri("bad.csv.gz") + ": not valid gzip data"), std::string::npos)
      << out;
  EXPECT_FALSE(fs::exists(dir_ / "bad.parquet"));
  for (const auto& e : fs::directory_iterator(dir_)) ADD_FAILURE() << "left: " << e.path();
}

// Before: `e.CSV` and `f.csv.gz` were silently skipped by pack, and --dry-run listed no skipped
// file.  Now they are packed, other files are listed as skipped, and --delimiter applies to the
// inputs while the latest output file (lakepack's own CSV) is re-read as written.
TEST_P(DialectsCli, PackTakesAnyCaseCompressedAndTsvInputs) {
  std::string out;
  Put("land/t/e.CSV", "a,b\n1,x\n");
  Put("land/t/f.csv.gz", Compress("a,b\n2,y\n", arrow::Compression::GZIP));
  Put("land/t/g.tsv", "a\tb\n3,5\tz\n");
  Put("land/t/h.jsonl.zst", Compress("{\"a\":4,\"b\":\"w\"}\n", arrow::Compression::ZSTD));
  Put("land/t/readme.txt", "not data\n");
  const std::string base = Quote(scratch_->Uri("land"));
  ASSERT_EQ(RunCli("pack --dry-run " + base + " " + Out("db") + " t", &out), 0) << out;
  for (const char* name : {"e.CSV", "f.csv.gz", "g.tsv", "h.jsonl.zst"}) {
    EXPECT_NE(out.find(std::string("/t/") + name + " ("), std::string::npos) << name << out;
  }
  EXPECT_NE(out.find("skipped input (not a csv, tsv, jsonl or parquet name): " +
                     scratch_->Uri("land/t/readme.txt")),
            std::string::npos)
      << out;
  ASSERT_EQ(RunCli("pack " + base + " " + Out("db") + " t --out-ext csv --in-ext csv", &out), 0)
      << out;
  EXPECT_EQ(Local("db/t/t_0.csv"), "\"a\",\"b\"\n1,\"x\"\n2,\"y\"\n");  // csv took e.CSV, f.csv.gz
  // A second run with another dialect for its inputs: the latest file is re-read as ours.
  Put("land/t/k.csv", "a;b\n6;v\n");
  ASSERT_EQ(RunCli("pack " + base + " " + Out("db") + " t --out-ext csv --in-ext csv " +
                       "--delimiter ';'",
                   &out),
            0)
      << out;
  EXPECT_EQ(Local("db/t/t_0.csv"), "\"a\",\"b\"\n1,\"x\"\n2,\"y\"\n6,\"v\"\n");
  EXPECT_EQ(RunCli("pack " + base + " " + Out("db2") + " t --quote ab", &out), 2) << out;
}

INSTANTIATE_TEST_SUITE_P(Stores, DialectsCli, ::testing::Values("local", "s3"), testing::KindName);

}  // namespace
}  // namespace lakepack
