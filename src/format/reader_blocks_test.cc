// The CSV / JSON readers stream in small blocks but infer types from ReadOptions::block_size
// bytes, exactly as one big first block would (reader.cc, kStreamBlockBytes).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "arrow/scalar.h"
#include "arrow/array.h"
#include "arrow/array/concatenate.h"
#include "arrow/table.h"
#include "format/arrow_status.h"
#include "format/reader.h"
#include "lakepack/store.h"

namespace lakepack::format {
namespace {

class ReaderBlocks : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("lp_reader_blocks_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text) {
    std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  Result<std::shared_ptr<arrow::Table>> Read(const std::string& path, Format f,
                                             const ReadOptions& o = {}) {
    LP_ASSIGN_OR_RETURN(auto loc, OpenStore(path));
    LP_ASSIGN_OR_RETURN(auto reader, OpenBatchReader(loc.store, loc.key, f, o));
    LP_ARROW_ASSIGN_OR_RETURN(auto table, reader->ToTable(), path);
    return table;
  }

  std::filesystem::path dir_;
};

// ~2.4 MB of rows whose column `late` is empty until row `first_value`, then integers; every
// tenth `note` holds a quoted newline.
std::string LateColumnCsv(int rows, int first_value) {
  std::string csv = "id,late,note\n";
  for (int i = 0; i < rows; ++i) {
    csv += std::to_string(i) + ",";
    if (i >= first_value) csv += std::to_string(i * 3);
    csv += i % 10 == 0 ? ",\"two\nlines, " + std::to_string(i) + "\"\n" : ",plain text here\n";
  }
  return csv;
}

TEST_F(ReaderBlocks, CsvTypesComeFromTheWholeFirstBlock) {
  // The first value of `late` is ~1.5 MB in: past a 1 MB stream block, inside the 4 MB one.
  const int rows = 100000, first_value = 60000;
  std::string path = Write("late.csv", LateColumnCsv(rows, first_value));
  for (bool threads : {false, true}) {
    ReadOptions o;
    o.use_threads = threads;
    auto t = Read(path, Format::kCsv, o);
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    EXPECT_EQ((*t)->num_rows(), rows);
    ASSERT_EQ((*t)->schema()->field(1)->type()->id(), arrow::Type::INT64);
    auto late = (*t)->column(1);
    EXPECT_EQ(late->null_count(), first_value);
    auto notes = std::static_pointer_cast<arrow::StringArray>((*t)->column(2)->chunk(0));
    EXPECT_EQ(notes->GetString(0), "two\nlines, 0");
    EXPECT_GT((*t)->column(0)->num_chunks(), 1);  // streamed in more than one block
  }
}

TEST_F(ReaderBlocks, CsvRowLongerThanTwoStreamBlocks) {
  // One quoted value of 3 MB (with newlines): longer than two 1 MB stream blocks, which Arrow
  // cannot parse, but within the 4 MB blocks it always could; the reader switches to those
  // after the rows it already returned.
  std::string big(3 << 20, 'x');
  for (size_t i = 1000; i < big.size(); i += 100000) big[i] = '\n';
  std::string csv = "id,text\n";
  for (int i = 0; i < 50000; ++i) csv += std::to_string(i) + ",row " + std::to_string(i) + "\n";
  csv += "50000,\"" + big + "\"\n50001,after\n";
  std::string path = Write("big.csv", csv);
  for (bool threads : {false, true}) {
    ReadOptions o;
    o.use_threads = threads;
    auto t = Read(path, Format::kCsv, o);
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    ASSERT_EQ((*t)->num_rows(), 50002);
    int64_t row = 0;
    for (const auto& chunk : (*t)->column(1)->chunks()) {
      const auto& s = static_cast<const arrow::StringArray&>(*chunk);
      for (int64_t i = 0; i < s.length(); ++i, ++row) {
        if (row < 50000) {
          ASSERT_EQ(s.GetView(i), "row " + std::to_string(row));
        } else {
          EXPECT_EQ(s.GetView(i), row == 50000 ? big : "after");
        }
      }
    }
    EXPECT_EQ(row, 50002);
  }
}

TEST_F(ReaderBlocks, CsvNullColumnOutsideTheFirstBlockWidens) {
  // With a 64 KB inference block, `late` is null-typed in the first block; its first value, far
  // later, widens it to int64 (issue 13, CR-3: null widens losslessly) instead of failing.
  const int rows = 20000, first_value = 15000;
  std::string path = Write("late.csv", LateColumnCsv(rows, first_value));
  ReadOptions o;
  o.block_size = 64 << 10;
  o.display_name = "late.csv";
  auto t = Read(path, Format::kCsv, o);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  auto late = (*t)->GetColumnByName("late");
  ASSERT_NE(late, nullptr);
  ASSERT_TRUE(late->type()->Equals(arrow::int64())) << late->type()->ToString();
  ASSERT_EQ(late->length(), rows);
  EXPECT_EQ(late->null_count(), first_value);
  auto v = late->GetScalar(rows - 1).ValueOrDie();
  EXPECT_EQ(v->ToString(), std::to_string((rows - 1) * 3));
}

TEST_F(ReaderBlocks, JsonTypesComeFromTheWholeFirstBlock) {
  std::string jsonl;
  const int rows = 60000, first_value = 30000;
  for (int i = 0; i < rows; ++i) {
    jsonl += "{\"id\": " + std::to_string(i) +
             ", \"late\": " + (i >= first_value ? std::to_string(i) : std::string("null")) +
             ", \"s\": \"some text to make the line longer\"}\n";
  }
  std::string path = Write("late.jsonl", jsonl);  // ~3.6 MB: `late` starts ~1.8 MB in
  auto t = Read(path, Format::kJsonl);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ((*t)->num_rows(), rows);
  EXPECT_EQ((*t)->schema()->GetFieldByName("late")->type()->id(), arrow::Type::INT64);
  EXPECT_EQ((*t)->GetColumnByName("late")->null_count(), first_value);
}

TEST_F(ReaderBlocks, JsonLineLongerThanTwoStreamBlocks) {
  std::string jsonl;
  for (int i = 0; i < 30000; ++i) jsonl += "{\"s\": \"line " + std::to_string(i) + "\"}\n";
  const std::string big(3 << 20, 'y');
  jsonl += "{\"s\": \"" + big + "\"}\n{\"s\": \"last\"}\n";
  std::string path = Write("long.jsonl", jsonl);
  auto t = Read(path, Format::kJsonl);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  ASSERT_EQ((*t)->num_rows(), 30002);
  auto s = std::static_pointer_cast<arrow::StringArray>(
      arrow::Concatenate((*t)->column(0)->Slice(29999, 3)->chunks()).ValueOrDie());
  EXPECT_EQ(s->GetView(0), "line 29999");
  EXPECT_EQ(s->GetView(1), big);
  EXPECT_EQ(s->GetView(2), "last");
}

TEST_F(ReaderBlocks, JsonFieldFirstSeenAfterTheFirstBlockIsAnError) {
  std::string jsonl;
  for (int i = 0; i < 40000; ++i) jsonl += "{\"a\": " + std::to_string(i) + "}\n";
  jsonl += "{\"a\": 1, \"b\": 2}\n";  // line 40001
  std::string path = Write("extra.jsonl", jsonl);
  ReadOptions o;
  o.block_size = 64 << 10;
  o.display_name = "extra.jsonl";
  auto t = Read(path, Format::kJsonl, o);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("extra.jsonl: line 40001: "), std::string::npos)
      << t.status().ToString();
}

}  // namespace
}  // namespace lakepack::format
