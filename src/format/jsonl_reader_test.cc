// The JSON Lines reader (jsonl_reader.h): every type, nulls and missing keys, escapes, line
// endings, lines across block boundaries, line numbers in errors, inference, and equality with
// Arrow's JSON reader on generated data.
#include "format/jsonl_reader.h"

#include <gtest/gtest.h>

#include <random>

#include "arrow/compute/cast.h"
#include "arrow/array.h"
#include "arrow/buffer.h"
#include "arrow/io/memory.h"
#include "arrow/json/api.h"
#include "arrow/json/from_string.h"
#include "arrow/table.h"
#include "format/arrow_status.h"
#include "format/jsonl_writer.h"
#include "format/reader.h"
#include "test_util.h"

namespace lakepack::format {
namespace {

std::shared_ptr<arrow::io::RandomAccessFile> File(const std::string& text) {
  return std::make_shared<arrow::io::BufferReader>(arrow::Buffer::FromString(text));
}

std::shared_ptr<arrow::Array> A(const std::shared_ptr<arrow::DataType>& t, const std::string& j) {
  return arrow::json::ArrayFromJSONString(t, j).ValueOrDie();
}

Result<std::shared_ptr<arrow::Table>> ReadAll(const std::string& text,
                                              const std::shared_ptr<arrow::Schema>& schema,
                                              JsonlReaderOptions o = {}) {
  if (o.name.empty()) o.name = "t.jsonl";
  LP_ASSIGN_OR_RETURN(auto reader, OpenJsonlReader(File(text), schema, o));
  LP_ARROW_ASSIGN_OR_RETURN(auto table, reader->ToTable(), o.name);
  return table;
}

// Reads `text` with an inferred schema, as OpenBatchReader does.
Result<std::shared_ptr<arrow::Table>> ReadInferred(const std::string& text,
                                                   JsonlReaderOptions o = {},
                                                   int64_t infer_bytes = 4 << 20) {
  if (o.name.empty()) o.name = "t.jsonl";
  LP_ASSIGN_OR_RETURN(auto inferred, InferJsonlSchema(File(text), infer_bytes, o.name));
  if (inferred.nested) return Status::NotImplemented("nested");
  o.strict_fields = true;
  return ReadAll(text, inferred.schema, o);
}

void ExpectTablesEqual(const arrow::Table& got, const arrow::Table& want) {
  auto g = got.CombineChunks().ValueOrDie();
  auto w = want.CombineChunks().ValueOrDie();
  EXPECT_TRUE(g->Equals(*w)) << "got\n" << g->ToString() << "\nwant\n" << w->ToString();
}

std::string ErrorOf(const Result<std::shared_ptr<arrow::Table>>& r) {
  EXPECT_FALSE(r.ok());
  if (r.ok()) return "";
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidData) << r.status().ToString();
  return r.status().message();
}

TEST(JsonlReader, EveryTypeNullsMissingAndUnknownKeys) {
  auto schema = arrow::schema({
      arrow::field("i", arrow::int64()),
      arrow::field("i32", arrow::int32()),
      arrow::field("u8", arrow::uint8()),
      arrow::field("d", arrow::float64()),
      arrow::field("f", arrow::float32()),
      arrow::field("b", arrow::boolean()),
      arrow::field("s", arrow::utf8()),
      arrow::field("ls", arrow::large_utf8()),
      arrow::field("day", arrow::date32()),
      arrow::field("ts", arrow::timestamp(arrow::TimeUnit::MILLI, "UTC")),
      arrow::field("tn", arrow::timestamp(arrow::TimeUnit::NANO)),
      arrow::field("dec", arrow::decimal128(12, 2)),
      arrow::field("n", arrow::null()),
  });
  const std::string text =
      R"({"i":1,"i32":-5,"u8":255,"d":1.5,"f":0.25,"b":true,"s":"a","ls":"x","day":"2024-01-02",)"
      R"("ts":"2024-01-02T03:04:05.123Z","tn":"2025-02-07T14:58:20.935681001Z","dec":12.34,"n":null})"
      "\n"
      R"({"i":null,"i32":null,"u8":null,"d":null,"f":null,"b":null,"s":null,"ls":null,)"
      R"("day":null,"ts":null,"tn":null,"dec":null,"n":null})"
      "\n"
      R"({"extra":[1,{"deep":true}],"d":-2,"dec":"-0.05","ts":"2024-01-02 03:04","i":-9223372036854775808})"
      "\n"
      R"({"s":"","b":false,"dec":9999999999.99,"ts":"2024-01-02T03:04:05+01:00","d":1e300,"tn":"1970-01-01"})"
      "\n";
  auto t = ReadAll(text, schema);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  auto want = arrow::Table::Make(
      schema,
      {
          A(arrow::int64(), "[1, null, -9223372036854775808, null]"),
          A(arrow::int32(), "[-5, null, null, null]"),
          A(arrow::uint8(), "[255, null, null, null]"),
          A(arrow::float64(), "[1.5, null, -2, 1e300]"),
          A(arrow::float32(), "[0.25, null, null, null]"),
          A(arrow::boolean(), "[true, null, null, false]"),
          A(arrow::utf8(), R"(["a", null, null, ""])"),
          A(arrow::large_utf8(), R"(["x", null, null, null])"),
          A(arrow::date32(), "[19724, null, null, null]"),
          A(arrow::timestamp(arrow::TimeUnit::MILLI, "UTC"),
            "[1704164645123, null, 1704164640000, 1704161045000]"),
          A(arrow::timestamp(arrow::TimeUnit::NANO), "[1738940300935681001, null, null, 0]"),
          A(arrow::decimal128(12, 2), R"(["12.34", null, "-0.05", "9999999999.99"])"),
          A(arrow::null(), "[null, null, null, null]"),
      });
  ExpectTablesEqual(**t, *want);
}

TEST(JsonlReader, EscapesUnicodeCrlfBlankLinesAndNoFinalNewline) {
  auto schema =
      arrow::schema({arrow::field("s", arrow::utf8()), arrow::field("k", arrow::int64())});
  const std::string text =
      "{\"s\":\"tab\\tquote\\\"back\\\\slash\\/nl\\n\",\"k\":1}\r\n"
      "\r\n"
      "   \n"
      "{\"s\":\"h\\u00e9 \xe2\x82\xac \\ud83d\\ude00\",\"k\":2}\r\n"
      "{\"k\\u0020\":9,\"s\":\"esc key ignored\",\"k\":3}\n"
      "\t\n"
      "{\"s\":\"last, no newline\",\"k\":4}";
  auto t = ReadAll(text, schema);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  auto want = arrow::Table::Make(
      schema, {A(arrow::utf8(),
                 "[\"tab\\tquote\\\"back\\\\slash/nl\\n\", \"h\xc3\xa9 \xe2\x82\xac "
                 "\xf0\x9f\x98\x80\", \"esc key ignored\", \"last, no newline\"]"),
               A(arrow::int64(), "[1, 2, 3, 4]")});
  ExpectTablesEqual(**t, *want);
  // An escaped key matches its unescaped column name.
  auto t2 = ReadAll("{\"\\u006b\":7}\n", schema);
  ASSERT_TRUE(t2.ok()) << t2.status().ToString();
  EXPECT_EQ((*t2)->column(1)->chunk(0)->ToString(), A(arrow::int64(), "[7]")->ToString());
}

// Lines of varied length read with blocks far smaller than a line, and with one block: the same
// rows either way, with or without threads, and errors still name the right line.
TEST(JsonlReader, LinesAcrossBlockBoundaries) {
  std::string text;
  std::mt19937 rng(7);
  for (int i = 0; i < 3000; ++i) {
    if (i % 97 == 0) text += "\n";  // blank lines too
    text += "{\"id\":" + std::to_string(i) + ",\"s\":\"" + std::string(rng() % 300, 'a' + i % 26) +
            "\"}" + (i % 5 == 0 ? "\r\n" : "\n");
  }
  auto schema =
      arrow::schema({arrow::field("id", arrow::int64()), arrow::field("s", arrow::utf8())});
  JsonlReaderOptions one;
  one.block_bytes = 1 << 30;
  auto want = ReadAll(text, schema, one);
  ASSERT_TRUE(want.ok()) << want.status().ToString();
  ASSERT_EQ((*want)->num_rows(), 3000);
  // Blocks of a few bytes cost a batch each: those read only the first 100 lines.
  const std::string first100 = text.substr(0, text.find("{\"id\":100,"));
  auto want100 = ReadAll(first100, schema, one);
  ASSERT_TRUE(want100.ok()) << want100.status().ToString();
  ASSERT_EQ((*want100)->num_rows(), 100);
  for (int64_t block : {1, 2, 7, 64, 301, 4096}) {
    for (bool threads : {false, true}) {
      JsonlReaderOptions o;
      o.block_bytes = block;
      o.use_threads = threads;
      auto got = ReadAll(block < 64 ? first100 : text, schema, o);
      ASSERT_TRUE(got.ok()) << block << ": " << got.status().ToString();
      ExpectTablesEqual(**got, block < 64 ? **want100 : **want);
      if (block >= 64) EXPECT_GT((*got)->column(0)->num_chunks(), 1) << block;
    }
  }
}

TEST(JsonlReader, BadLinesNameTheirLine) {
  // Line 6 is bad in each case; lines 2 and 4 are blank, line 3 ends in CRLF.
  const std::string head =
      "{\"a\":1,\"s\":\"x\"}\n\n{\"a\":2,\"s\":\"y\"}\r\n  \n{\"a\":3,\"s\":\"z\"}\n";
  const std::string tail = "\n{\"a\":4,\"s\":\"w\"}\n";
  auto schema =
      arrow::schema({arrow::field("a", arrow::int64()), arrow::field("s", arrow::utf8())});
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{\"a\":3,}", "bad JSON line"},
      {"{\"a\": 5, \"s\": \"x\"", "bad JSON line"},
      {"{\"a\":\"oops\"}", "field 'a': expected int64, got a string"},
      {"{\"a\":1.5}", "field 'a': '1.5' is not a valid int64"},
      {"{\"s\":7}", "field 's': expected string, got a number"},
      {"[1,2]", "expected an object, got a array"},
      {"{\"a\":1} {\"a\":2}", "text after the object"},
      {"{\"a\":1,\"a\":2}", "field 'a' appears twice"},
      {"{\"a\":nul}", "bad JSON line"},
  };
  for (const auto& [bad, expect] : cases) {
    for (int64_t block : {3, 1 << 20}) {
      JsonlReaderOptions o;
      o.block_bytes = block;
      std::string msg = ErrorOf(ReadAll(head + bad + tail, schema, o));
      EXPECT_NE(msg.find("t.jsonl: line 6: "), std::string::npos) << bad << " -> " << msg;
      EXPECT_NE(msg.find(expect), std::string::npos) << bad << " -> " << msg;
    }
  }
  // Bad values of the string-parsed types.
  auto typed = arrow::schema({arrow::field("d", arrow::date32()),
                              arrow::field("t", arrow::timestamp(arrow::TimeUnit::MILLI)),
                              arrow::field("m", arrow::decimal128(5, 2))});
  EXPECT_NE(ErrorOf(ReadAll("{\"d\":\"2024-01-02\"}\n{\"d\":\"2024-13-45\"}\n", typed))
                .find("line 2: field 'd': '2024-13-45' is not a valid date32[day]"),
            std::string::npos);
  EXPECT_NE(ErrorOf(ReadAll("{\"t\":\"2024-01-02T00:00:00.1234\"}\n", typed))
                .find("line 1: field 't': '2024-01-02T00:00:00.1234' is not a valid timestamp[ms]"),
            std::string::npos);
  EXPECT_NE(ErrorOf(ReadAll("{\"m\":1.234}\n", typed)).find("'1.234' is not a valid decimal128"),
            std::string::npos);
  EXPECT_NE(ErrorOf(ReadAll("{\"m\":1234.5}\n", typed)).find("'1234.5' is not a valid decimal128"),
            std::string::npos);
}

TEST(JsonlReader, BadLineFarIntoTheFileWithThreads) {
  std::string text;
  for (int i = 0; i < 50000; ++i) text += "{\"a\":" + std::to_string(i) + "}\n";
  text += "{\"a\":true}\n";  // line 50001
  for (int i = 0; i < 1000; ++i) text += "{\"a\":1}\n";
  auto schema = arrow::schema({arrow::field("a", arrow::int64())});
  for (bool threads : {false, true}) {
    JsonlReaderOptions o;
    o.block_bytes = 4096;
    o.use_threads = threads;
    EXPECT_NE(ErrorOf(ReadAll(text, schema, o)).find("t.jsonl: line 50001: field 'a'"),
              std::string::npos);
  }
}

TEST(JsonlReader, InfersTypesLikeArrowPlusZonedTimestamps) {
  const std::string text =
      "{\"i\":1,\"x\":1,\"b\":true,\"s\":\"a\",\"n\":null,\"day\":\"2024-12-04\","
      "\"z\":\"2025-02-07T14:58:20.935681000Z\",\"mixed\":\"2025-02-07T14:58:20.5Z\"}\n"
      "{\"x\":2.5,\"i\":-3,\"late\":\"only later\",\"day\":\"2024-12-05 10:11:12\","
      "\"z\":\"2025-02-07T14:58:20+01:00\",\"mixed\":\"2025-02-07T14:58:20.5\"}\n";
  auto inferred = InferJsonlSchema(File(text), 1 << 20, "t.jsonl");
  ASSERT_TRUE(inferred.ok()) << inferred.status().ToString();
  ASSERT_FALSE(inferred->nested);
  auto want = arrow::schema({
      arrow::field("i", arrow::int64()),
      arrow::field("x", arrow::float64()),
      arrow::field("b", arrow::boolean()),
      arrow::field("s", arrow::utf8()),
      arrow::field("n", arrow::null()),
      arrow::field("day", arrow::timestamp(arrow::TimeUnit::SECOND)),  // Arrow's rule
      arrow::field("z", arrow::timestamp(arrow::TimeUnit::NANO, "UTC")),
      arrow::field("mixed", arrow::utf8()),  // one value has no zone
      arrow::field("late", arrow::utf8()),
  });
  EXPECT_TRUE(inferred->schema->Equals(*want)) << inferred->schema->ToString();
  auto t = ReadInferred(text);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ((*t)->GetColumnByName("z")->ToString(),
            arrow::ChunkedArray(A(arrow::timestamp(arrow::TimeUnit::NANO, "UTC"),
                                  "[1738940300935681000, 1738936700000000000]"))
                .ToString());
  EXPECT_EQ((*t)->GetColumnByName("x")->ToString(),
            arrow::ChunkedArray(A(arrow::float64(), "[1, 2.5]")).ToString());

  // Nested values: the caller must use Arrow's reader.
  auto nested = InferJsonlSchema(File("{\"a\":1}\n{\"a\":2,\"l\":[1]}\n"), 1 << 20, "t.jsonl");
  ASSERT_TRUE(nested.ok()) << nested.status().ToString();
  EXPECT_TRUE(nested->nested);
}

TEST(JsonlReader, InferenceErrorsAndLateFields) {
  EXPECT_NE(ErrorOf(ReadInferred("{\"a\":1}\n\n{\"a\":\"s\"}\n"))
                .find("t.jsonl: line 3: field 'a' changed from number to string"),
            std::string::npos);
  EXPECT_NE(ErrorOf(ReadInferred("{\"a\":1}\n{\"a\":\n")).find("t.jsonl: line 2: bad JSON line"),
            std::string::npos);
  EXPECT_NE(ErrorOf(ReadInferred("")).find("empty JSON Lines file"), std::string::npos);
  EXPECT_NE(ErrorOf(ReadInferred("\n \r\n")).find("empty JSON Lines file"), std::string::npos);
  // A field first seen after the inference bytes fails, naming its line.
  std::string text;
  for (int i = 0; i < 1000; ++i) text += "{\"a\":" + std::to_string(i) + "}\n";
  text += "{\"a\":1,\"b\":2}\n";
  JsonlReaderOptions o;
  o.block_bytes = 256;
  std::string msg = ErrorOf(ReadInferred(text, o, 512));
  EXPECT_NE(msg.find("t.jsonl: line 1001: field 'b' is not in the schema"), std::string::npos)
      << msg;
}

TEST(JsonlReader, DecimalsRoundTripThroughOurWriter) {
  auto schema = arrow::schema(
      {arrow::field("m", arrow::decimal128(38, 10)), arrow::field("p", arrow::decimal128(5, 0))});
  auto table = arrow::Table::Make(
      schema, {A(schema->field(0)->type(),
                 R"(["1234567890123456789012345678.0123456789", "-0.0000000001", null, "0E-10"])"),
               A(schema->field(1)->type(), R"(["99999", "-12", "0", null])")});
  std::string text;
  ASSERT_TRUE(FormatJsonLines(*table->CombineChunksToBatch().ValueOrDie(), &text).ok());
  auto t = ReadAll(text, schema);
  ASSERT_TRUE(t.ok()) << t.status().ToString() << "\n" << text;
  ExpectTablesEqual(**t, *table);
}

// Random rows (every supported kind, nulls, missing keys, escapes) read by Arrow's JSON reader
// and by ours, with the schema given and inferred.
TEST(JsonlReader, SameTableAsArrowsReaderOnGeneratedData) {
  std::mt19937_64 rng(42);
  auto pick = [&](int n) { return static_cast<int>(rng() % n); };
  const char* words[] = {"alpha", "b\\\"eta", "g\\u00e4mma", "d\\nelta", "", "\\ud83d\\ude00"};
  std::string text;
  for (int i = 0; i < 20000; ++i) {
    std::vector<std::string> kv;
    kv.push_back("\"id\":" + std::to_string(i));
    if (pick(10))
      kv.push_back("\"n\":" + (pick(5) ? std::to_string(int64_t(rng()) >> pick(64)) : "null"));
    if (pick(10)) {
      kv.push_back("\"x\":" + (pick(5) ? std::to_string((int64_t(rng() % 2000000) - 1000000) / 7.0)
                                       : std::string("null")));
    }
    if (pick(10))
      kv.push_back(std::string("\"b\":") + (pick(3) == 0 ? "null" : pick(2) ? "true" : "false"));
    if (pick(10)) kv.push_back(std::string("\"s\":\"") + words[pick(6)] + words[pick(6)] + "\"");
    if (pick(10)) {
      char day[32];
      std::snprintf(day, sizeof day, "\"day\":\"%04d-%02d-%02d\"", 1900 + pick(200), 1 + pick(12),
                    1 + pick(28));
      kv.push_back(day);
    }
    std::shuffle(kv.begin() + 1, kv.end(), rng);  // keys in varying order
    std::string line = "{";
    for (size_t k = 0; k < kv.size(); ++k) line += (k ? "," : "") + kv[k];
    text += line + "}\n";
  }
  auto arrow_read = [&](const std::shared_ptr<arrow::Schema>& schema) {
    auto read = arrow::json::ReadOptions::Defaults();
    read.block_size = 1 << 30;  // one block: its inference sees everything
    auto parse = arrow::json::ParseOptions::Defaults();
    if (schema) parse.explicit_schema = schema;
    auto reader =
        arrow::json::TableReader::Make(arrow::default_memory_pool(), File(text), read, parse)
            .ValueOrDie();
    return reader->Read().ValueOrDie();
  };
  // Inferred: same types and values as Arrow's inference.
  auto theirs = arrow_read(nullptr);
  JsonlReaderOptions o;
  o.block_bytes = 64 << 10;
  auto ours = ReadInferred(text, o);
  ASSERT_TRUE(ours.ok()) << ours.status().ToString();
  // Arrow orders fields by first appearance too; compare by name.  One deliberate difference
  // (issue 13): "YYYY-MM-DD" strings are dates (date32), as from CSV, where Arrow's JSON reader
  // says timestamp[s]; the values are the same days.
  ASSERT_EQ((*ours)->num_columns(), theirs->num_columns());
  for (const auto& f : theirs->schema()->fields()) {
    auto mine = (*ours)->GetColumnByName(f->name());
    ASSERT_NE(mine, nullptr) << f->name();
    auto expected = theirs->GetColumnByName(f->name());
    if (f->name() == "day") {
      ASSERT_TRUE(mine->type()->Equals(arrow::date32())) << mine->type()->ToString();
      expected = arrow::compute::Cast(expected, arrow::date32()).ValueOrDie().chunked_array();
    } else {
      EXPECT_TRUE(mine->type()->Equals(f->type())) << f->name() << ": " << mine->type()->ToString();
    }
    EXPECT_TRUE(mine->Equals(*expected)) << f->name();
  }
  // Given: narrower types too.
  auto schema =
      arrow::schema({arrow::field("id", arrow::int32()), arrow::field("n", arrow::int64()),
                     arrow::field("x", arrow::float64()), arrow::field("b", arrow::boolean()),
                     arrow::field("s", arrow::utf8()),
                     arrow::field("day", arrow::timestamp(arrow::TimeUnit::MILLI))});
  auto given = ReadAll(text, schema, o);
  ASSERT_TRUE(given.ok()) << given.status().ToString();
  ExpectTablesEqual(**given, *arrow_read(schema));
}

// Through OpenBatchReader: flat files take this reader, nested ones still read (Arrow's reader).
TEST(JsonlReader, OpenBatchReaderUsesItAndFallsBackForNested) {
  testing::Scratch scratch("local");
  auto store = scratch.shared_store();
  ASSERT_TRUE(store
                  ->Put(scratch.Key("flat.jsonl"),
                        "{\"a\":1,\"t\":\"2024-01-02T03:04:05.5Z\"}\n{\"a\":2,\"t\":null}\n")
                  .ok());
  ASSERT_TRUE(store->Put(scratch.Key("nested.jsonl"), "{\"a\":1,\"l\":[1,2]}\n{\"a\":2}\n").ok());
  auto flat = OpenBatchReader(store, scratch.Key("flat.jsonl"), Format::kJsonl);
  ASSERT_TRUE(flat.ok()) << flat.status().ToString();
  EXPECT_EQ((*flat)->schema()->ToString(), "a: int64\nt: timestamp[ns, tz=UTC]");
  auto nested = OpenBatchReader(store, scratch.Key("nested.jsonl"), Format::kJsonl);
  ASSERT_TRUE(nested.ok()) << nested.status().ToString();
  EXPECT_EQ((*nested)->schema()->ToString(), "a: int64\nl: list<item: int64>");
  auto table = (*nested)->ToTable();
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  EXPECT_EQ((*table)->num_rows(), 2);
}

}  // namespace
}  // namespace lakepack::format
