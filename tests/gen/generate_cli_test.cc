// `lakepack generate` end to end: row counts, sizes, determinism, formats, every store kind.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>

#include "arrow/array.h"
#include "arrow/buffer.h"
#include "arrow/csv/reader.h"
#include "arrow/io/memory.h"
#include "arrow/table.h"
#include "gen/data_generator.h"
#include "parquet/arrow/reader.h"
#include "test_util.h"

namespace lakepack {
namespace {

using testing::RunCli;
using testing::Scratch;

std::string Quote(const std::string& s) { return "'" + s + "'"; }

class GenerateCli : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { scratch_ = std::make_unique<Scratch>(GetParam()); }
  int Cli(const std::string& args, std::string* out) {
    return RunCli(args, out, GetParam() == "s3-faulty" ? "LAKEPACK_FAULT_RATE=0.1" : "");
  }
  // Generates `name` with `args`; returns the object's bytes ("" and a failure on error).
  std::string Generate(const std::string& name, const std::string& args) {
    std::string out;
    int rc = Cli("generate " + Quote(scratch_->Uri(name)) + " --quiet " + args, &out);
    EXPECT_EQ(rc, 0) << out;
    if (rc != 0) return "";
    EXPECT_EQ(out, "");  // --quiet prints nothing
    auto data = scratch_->store().Get(scratch_->Key(name));
    EXPECT_TRUE(data.ok()) << data.status().ToString();
    return data.ok() ? *data : "";
  }
  std::unique_ptr<Scratch> scratch_;
};

int64_t Lines(const std::string& s) { return std::count(s.begin(), s.end(), '\n'); }

TEST_P(GenerateCli, RowsGivesThatManyCsvRows) {
  const std::string csv = Generate("a.csv", "--rows 12345 --batch-rows 1000");
  ASSERT_FALSE(csv.empty());
  EXPECT_EQ(Lines(csv), 12345 + 1);  // header + rows; no value contains a newline
  EXPECT_EQ(csv.substr(0, 20), "\"id\",\"first_name\",\"l");
  // The last row has id 12344.
  size_t last = csv.rfind('\n', csv.size() - 2);
  EXPECT_EQ(csv.substr(last + 1, 6), "12344,");
}

TEST_P(GenerateCli, SameSeedGivesByteIdenticalFilesWhateverTheThreads) {
  const std::string a = Generate("a.csv", "--rows 20000 --seed 99 --threads 1 --batch-rows 3000");
  const std::string b = Generate("b.csv", "--rows 20000 --seed 99 --threads 4 --batch-rows 3000");
  const std::string c = Generate("c.csv", "--rows 20000 --seed 100 --threads 4 --batch-rows 3000");
  ASSERT_FALSE(a.empty());
  EXPECT_TRUE(a == b) << "same seed, different thread count: files differ";
  EXPECT_FALSE(a == c) << "different seeds gave the same file";
  EXPECT_EQ(Lines(c), 20001);
}

TEST_P(GenerateCli, SizeStopsSoonAfterTheTarget) {
  const std::string csv = Generate("s.csv", "--size 3MB");
  EXPECT_GE(static_cast<int64_t>(csv.size()), 3000000);
  // Overshoot is at most one slice of 8192 rows (well under 4 MB of CSV).
  EXPECT_LT(static_cast<int64_t>(csv.size()), 3000000 + 4000000);
  EXPECT_EQ(csv.back(), '\n');
  // Parquet grows a row group at a time; with --size the groups are cut small enough (SIZE / 8,
  // at least 1 MB) that the file stays near the target.
  const std::string pq = Generate("s.parquet", "--size 2MB");
  EXPECT_GE(static_cast<int64_t>(pq.size()), 2000000);
  EXPECT_LT(static_cast<int64_t>(pq.size()), 2000000 + 1500000);
  EXPECT_EQ(pq.substr(pq.size() - 4), "PAR1");
}

TEST_P(GenerateCli, ParquetHasTheRowsAndColumns) {
  const std::string pq = Generate("p.parquet", "--rows 5000 --compression zstd");
  ASSERT_FALSE(pq.empty());
  auto buffer = std::make_shared<arrow::Buffer>(reinterpret_cast<const uint8_t*>(pq.data()),
                                                static_cast<int64_t>(pq.size()));
  auto file = std::make_shared<arrow::io::BufferReader>(buffer);
  auto reader = parquet::arrow::OpenFile(file, arrow::default_memory_pool());
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  auto read = (*reader)->ReadTable();
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  std::shared_ptr<arrow::Table> table = *read;
  EXPECT_EQ(table->num_rows(), 5000);
  EXPECT_EQ(table->num_columns(), 19);
  EXPECT_EQ(table->schema()->field(3)->name(), "email");
}

TEST_P(GenerateCli, JsonlHasOneObjectPerRow) {
  const std::string jsonl = Generate("j.jsonl", "--rows 2500 --batch-rows 1000");
  EXPECT_EQ(Lines(jsonl), 2500);
  EXPECT_EQ(jsonl.substr(0, 7), "{\"id\":0");
}

// The CSV reads back (with Arrow's CSV reader and type inference) as the generator's own data:
// in particular last_login, written through the fast text path, is timestamp[UTC] again.
TEST_P(GenerateCli, CsvReadsBackAsTheGeneratedValues) {
  const std::string csv = Generate("r.csv", "--rows 3000 --seed 5 --batch-rows 3000");
  ASSERT_FALSE(csv.empty());
  auto buffer = std::make_shared<arrow::Buffer>(reinterpret_cast<const uint8_t*>(csv.data()),
                                                static_cast<int64_t>(csv.size()));
  auto input = std::make_shared<arrow::io::BufferReader>(buffer);
  auto convert = arrow::csv::ConvertOptions::Defaults();
  convert.column_types["postcode"] = arrow::utf8();  // else inferred as integers
  convert.column_types["last_login"] = arrow::timestamp(arrow::TimeUnit::MICRO, "UTC");
  auto reader = arrow::csv::TableReader::Make(arrow::io::default_io_context(), input,
                                              arrow::csv::ReadOptions::Defaults(),
                                              arrow::csv::ParseOptions::Defaults(), convert);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  auto table = (*reader)->Read();
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  ASSERT_EQ((*table)->num_rows(), 3000);

  gen::DataGeneratorOptions o;
  o.seed = 5;
  o.batch_rows = 3000;
  auto expected = gen::DataGenerator::Make(o).ValueOrDie()->MakeBatch(0).ValueOrDie();
  for (const char* name : {"id", "email", "street_address", "postcode", "last_login", "score"}) {
    auto got = (*table)->GetColumnByName(name);
    ASSERT_TRUE(got) << name;
    auto want = expected->GetColumnByName(name);
    ASSERT_EQ(got->num_chunks(), 1);
    EXPECT_TRUE(got->chunk(0)->Equals(*want)) << name << ": " << got->type()->ToString();
  }
}

INSTANTIATE_TEST_SUITE_P(Stores, GenerateCli, ::testing::ValuesIn(testing::StoreKinds()));

TEST(GenerateCliArgs, RejectsBadArguments) {
  std::string out;
  EXPECT_EQ(RunCli("generate /tmp/x.csv --rows 10 --size 1MB", &out), 2) << out;
  EXPECT_EQ(RunCli("generate /tmp/x.csv --rows -3", &out), 2) << out;
  EXPECT_EQ(RunCli("generate /tmp/x.csv --size lots", &out), 2) << out;
  EXPECT_EQ(RunCli("generate /tmp/x.csv --bogus 1", &out), 2) << out;
  EXPECT_EQ(RunCli("generate /tmp/x.unknownext --rows 1", &out), 1) << out;
  EXPECT_NE(out.find("x.unknownext"), std::string::npos) << out;
}

TEST(GenerateCliArgs, PrintsASummary) {
  std::string out;
  const std::string path = ::testing::TempDir() + "lakepack-generate-summary.csv";
  ASSERT_EQ(RunCli("generate " + Quote(path) + " --rows 1000", &out), 0) << out;
  EXPECT_NE(out.find("generated 1000 rows"), std::string::npos) << out;
  EXPECT_NE(out.find("MB/s"), std::string::npos) << out;
  std::remove(path.c_str());
}

}  // namespace
}  // namespace lakepack
