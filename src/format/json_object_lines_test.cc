#include "format/json_object_lines.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "arrow/table.h"
#include "format/arrow_status.h"
#include "format/reader.h"
#include "lakepack/store.h"

namespace lakepack::format {
namespace {

// The problem found in `text` when scanned in pieces of `piece` bytes ("" if none).
std::string ScanIn(const std::string& text, size_t piece) {
  ObjectLinesCheck check;
  for (size_t at = 0; at < text.size(); at += piece) {
    size_t n = std::min(piece, text.size() - at);
    if (!check.Scan(reinterpret_cast<const uint8_t*>(text.data() + at), static_cast<int64_t>(n))) {
      break;
    }
  }
  return check.problem();
}

// The same answer whatever the pieces the input comes in.
std::string Scan(const std::string& text) {
  std::string whole = ScanIn(text, text.size() + 1);
  for (size_t piece : {1, 2, 3, 7}) EXPECT_EQ(ScanIn(text, piece), whole) << "pieces of " << piece;
  return whole;
}

TEST(ObjectLinesCheck, ObjectsBlankLinesAndAByteOrderMarkPass) {
  EXPECT_EQ(Scan(""), "");
  EXPECT_EQ(Scan("{\"a\": 1}\n{\"a\": [null, 2]}\n"), "");
  EXPECT_EQ(Scan("\n  \t\r\n   {\"a\": null}\r\n\n{}"), "");
  EXPECT_EQ(Scan("\xEF\xBB\xBF{\"a\": 1}\n"), "");
  // Only the first byte of a line is the check's: the rest is the parser's.
  EXPECT_EQ(Scan("{ not json at all\n"), "");
}

TEST(ObjectLinesCheck, ALineThatIsNotAnObjectIsNamedByItsNumber) {
  EXPECT_EQ(Scan("null"), "line 1: bad JSON line: expected an object, got a null");
  EXPECT_EQ(Scan("\n\n  null\n{}\n"), "line 3: bad JSON line: expected an object, got a null");
  EXPECT_EQ(Scan("{}\n[1]\n"), "line 2: bad JSON line: expected an object, got an array");
  EXPECT_EQ(Scan("{}\n{}\n\"s\"\n"), "line 3: bad JSON line: expected an object, got a string");
  EXPECT_EQ(Scan("{}\n-1\n"), "line 2: bad JSON line: expected an object, got a number");
  EXPECT_EQ(Scan("{}\ntrue\n"), "line 2: bad JSON line: expected an object, got a boolean");
  EXPECT_EQ(Scan("{}\nxyz\n"), "line 2: bad JSON line: expected an object");
  EXPECT_EQ(Scan("\xEF\xBB{}\n"), "line 1: bad JSON line: expected an object");
  EXPECT_EQ(Scan("\xEF\xBB\xBF\xEF\xBB\xBF{}\n"), "line 1: bad JSON line: expected an object");
}

TEST(ObjectLinesCheck, OneLine) {
  EXPECT_EQ(NotAnObjectLine("  {\"a\": 1}\r"), "");
  EXPECT_EQ(NotAnObjectLine("\xEF\xBB\xBF{}"), "");
  EXPECT_EQ(NotAnObjectLine(" null "), "bad JSON line: expected an object, got a null");
}

// Arrow's JSON reader (the path for nested schemas) crashed with SIGSEGV on a `null` that began
// a block: the file's first line, or one at a block boundary (issue 16, F3).
class ObjectLinesReader : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("lp_object_lines_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  Result<std::shared_ptr<arrow::Table>> Read(const std::string& name, const std::string& text,
                                             std::shared_ptr<arrow::Schema> schema) {
    std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << text;
    ReadOptions o;
    o.schema = std::move(schema);
    o.block_size = 4096;  // Arrow's smallest block here: a boundary every 256 lines below
    LP_ASSIGN_OR_RETURN(auto loc, OpenStore(path));
    LP_ASSIGN_OR_RETURN(auto reader, OpenBatchReader(loc.store, loc.key, Format::kJsonl, o));
    LP_ARROW_ASSIGN_OR_RETURN(auto table, reader->ToTable(), path);
    return table;
  }

  std::filesystem::path dir_;
};

// 16 bytes a line, so Arrow's 4096-byte blocks begin exactly at lines 1, 257, 513, ...
std::string ListLines(int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s += "{\"a\":[1,2,3,4]}\n";
  return s;
}

auto ListSchema() { return arrow::schema({arrow::field("a", arrow::list(arrow::int64()))}); }

TEST_F(ObjectLinesReader, NullFirstLineIsAnErrorNamingFileAndLine) {
  for (const std::string& text :
       {std::string("null"), std::string("null\n") + ListLines(3), std::string("\n \nnull\n")}) {
    auto t = Read("null.jsonl", text, ListSchema());
    ASSERT_FALSE(t.ok());
    EXPECT_EQ(t.status().code(), StatusCode::kInvalidData);
    EXPECT_NE(t.status().message().find("null.jsonl"), std::string::npos) << t.status().ToString();
    EXPECT_NE(t.status().message().find(": line " + std::string(text[0] == '\n' ? "3" : "1") +
                                        ": bad JSON line: expected an object, got a null"),
              std::string::npos)
        << t.status().ToString();
  }
  // Also with a flat schema Arrow's reader gets (time32 is not our own reader's).
  auto t = Read("null2.jsonl", "null\n",
                arrow::schema({arrow::field("t", arrow::time32(arrow::TimeUnit::SECOND))}));
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("line 1: bad JSON line"), std::string::npos);
}

TEST_F(ObjectLinesReader, NullAtABlockBoundaryIsAnError) {
  auto t = Read("mid.jsonl", ListLines(256) + "null\n" + ListLines(600), ListSchema());
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find(
                "mid.jsonl: line 257: bad JSON line: expected an object, got a null"),
            std::string::npos)
      << t.status().ToString();
}

TEST_F(ObjectLinesReader, AnEarlierBadValueIsStillTheOneNamed) {
  // Line 3 has the wrong type; the rescan that finds it must not hand line 5 to Arrow either.
  auto t = Read("type.jsonl", ListLines(2) + "{\"a\":\"text\"}\n" + ListLines(1) + "null\n",
                ListSchema());
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("type.jsonl: line 3: "), std::string::npos)
      << t.status().ToString();
}

TEST_F(ObjectLinesReader, ObjectsStillReadWithBlankLinesAndAByteOrderMark) {
  auto t =
      Read("ok.jsonl", "\xEF\xBB\xBF" + ListLines(700) + "\n  \n" + ListLines(5), ListSchema());
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ((*t)->num_rows(), 705);
}

}  // namespace
}  // namespace lakepack::format
