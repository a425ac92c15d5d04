// Exact output of the JSON Lines writer for every type it supports.
#include "format/jsonl_writer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>

#include "arrow/array.h"
#include "arrow/builder.h"
#include "arrow/io/memory.h"
#include "arrow/json/from_string.h"
#include "arrow/record_batch.h"
#include "arrow/type.h"

namespace lakepack::format {
namespace {

std::shared_ptr<arrow::Array> FromJson(const std::shared_ptr<arrow::DataType>& type,
                                       const std::string& json) {
  return arrow::json::ArrayFromJSONString(type, json).ValueOrDie();
}

// The JSON Lines text of a one-column batch named "v".
std::string Lines(const std::shared_ptr<arrow::Array>& array) {
  auto batch = arrow::RecordBatch::Make(arrow::schema({arrow::field("v", array->type())}),
                                        array->length(), {array});
  std::string out;
  Status st = FormatJsonLines(*batch, &out);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return out;
}

std::string Lines(const std::shared_ptr<arrow::DataType>& type, const std::string& json) {
  return Lines(FromJson(type, json));
}

TEST(JsonlWriter, Integers) {
  EXPECT_EQ(Lines(arrow::int8(), "[-128, 127, null]"), "{\"v\":-128}\n{\"v\":127}\n{\"v\":null}\n");
  EXPECT_EQ(Lines(arrow::int64(), "[-9223372036854775808, 9223372036854775807]"),
            "{\"v\":-9223372036854775808}\n{\"v\":9223372036854775807}\n");
  EXPECT_EQ(Lines(arrow::uint64(), "[18446744073709551615, 0]"),
            "{\"v\":18446744073709551615}\n{\"v\":0}\n");
  EXPECT_EQ(Lines(arrow::uint16(), "[65535]"), "{\"v\":65535}\n");
}

TEST(JsonlWriter, FloatsAreShortestRoundTripAndNonFiniteIsNull) {
  arrow::DoubleBuilder b;
  ASSERT_TRUE(b.AppendValues({0.1, 1.0, -2.5e-300, 1e300, 123456789.125,
                              std::numeric_limits<double>::quiet_NaN(),
                              std::numeric_limits<double>::infinity(),
                              -std::numeric_limits<double>::infinity()})
                  .ok());
  ASSERT_TRUE(b.AppendNull().ok());
  EXPECT_EQ(Lines(b.Finish().ValueOrDie()),
            "{\"v\":0.1}\n{\"v\":1.0}\n{\"v\":-2.5e-300}\n{\"v\":1e+300}\n"
            "{\"v\":123456789.125}\n{\"v\":null}\n{\"v\":null}\n{\"v\":null}\n{\"v\":null}\n");
  // float32 prints its own shortest form, not the widened double's digits.
  EXPECT_EQ(Lines(arrow::float32(), "[0.1, 3.5]"), "{\"v\":0.1}\n{\"v\":3.5}\n");
  EXPECT_EQ(Lines(arrow::float16(), "[1.5]"), "{\"v\":1.5}\n");
}

TEST(JsonlWriter, BooleansAndNullType) {
  EXPECT_EQ(Lines(arrow::boolean(), "[true, false, null]"),
            "{\"v\":true}\n{\"v\":false}\n{\"v\":null}\n");
  EXPECT_EQ(Lines(arrow::null(), "[null, null]"), "{\"v\":null}\n{\"v\":null}\n");
}

TEST(JsonlWriter, StringEscaping) {
  arrow::StringBuilder b;
  ASSERT_TRUE(b.Append("plain").ok());
  ASSERT_TRUE(b.Append("quote\" back\\ slash/").ok());
  ASSERT_TRUE(b.Append("\n\r\t\b\f").ok());
  ASSERT_TRUE(b.Append(std::string("\x01\x1f\x00z", 4)).ok());
  ASSERT_TRUE(b.Append("h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80").ok());  // é € 😀
  ASSERT_TRUE(b.Append("").ok());
  ASSERT_TRUE(b.AppendNull().ok());
  EXPECT_EQ(Lines(b.Finish().ValueOrDie()),
            "{\"v\":\"plain\"}\n"
            "{\"v\":\"quote\\\" back\\\\ slash/\"}\n"
            "{\"v\":\"\\n\\r\\t\\b\\f\"}\n"
            "{\"v\":\"\\u0001\\u001f\\u0000z\"}\n"
            "{\"v\":\"h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80\"}\n"
            "{\"v\":\"\"}\n"
            "{\"v\":null}\n");
  EXPECT_EQ(Lines(arrow::large_utf8(), R"(["a\"b"])"), "{\"v\":\"a\\\"b\"}\n");
}

TEST(JsonlWriter, ColumnNamesAreEscaped) {
  auto a = FromJson(arrow::int32(), "[1]");
  auto batch = arrow::RecordBatch::Make(
      arrow::schema({arrow::field("we\"ird\n", arrow::int32()), arrow::field("b", arrow::int32())}),
      1, {a, a});
  std::string out;
  ASSERT_TRUE(FormatJsonLines(*batch, &out).ok());
  EXPECT_EQ(out, "{\"we\\\"ird\\n\":1,\"b\":1}\n");
}

TEST(JsonlWriter, BinaryIsBase64) {
  EXPECT_EQ(Lines(arrow::binary(), R"(["", "f", "fo", "foo", "foob", null])"),
            "{\"v\":\"\"}\n{\"v\":\"Zg==\"}\n{\"v\":\"Zm8=\"}\n{\"v\":\"Zm9v\"}\n"
            "{\"v\":\"Zm9vYg==\"}\n{\"v\":null}\n");
  EXPECT_EQ(Lines(arrow::fixed_size_binary(3), R"(["foo"])"), "{\"v\":\"Zm9v\"}\n");
}

TEST(JsonlWriter, Dates) {
  // 0 = 1970-01-01; -1 = 1969-12-31; 19782 = 2024-02-29; -25567 = 1900-01-01; 2932896 = 9999-12-31
  EXPECT_EQ(Lines(arrow::date32(), "[0, -1, 19782, -25567, 2932896, null]"),
            "{\"v\":\"1970-01-01\"}\n{\"v\":\"1969-12-31\"}\n{\"v\":\"2024-02-29\"}\n"
            "{\"v\":\"1900-01-01\"}\n{\"v\":\"9999-12-31\"}\n{\"v\":null}\n");
  EXPECT_EQ(Lines(arrow::date64(), "[86400000, -1]"),
            "{\"v\":\"1970-01-02\"}\n{\"v\":\"1969-12-31\"}\n");
}

TEST(JsonlWriter, TimestampsCarryTheUnitsPrecisionAndZWhenZoned) {
  EXPECT_EQ(Lines(arrow::timestamp(arrow::TimeUnit::SECOND), "[0, -1]"),
            "{\"v\":\"1970-01-01T00:00:00\"}\n{\"v\":\"1969-12-31T23:59:59\"}\n");
  EXPECT_EQ(Lines(arrow::timestamp(arrow::TimeUnit::MILLI, "UTC"), "[1704164645123, -1]"),
            "{\"v\":\"2024-01-02T03:04:05.123Z\"}\n{\"v\":\"1969-12-31T23:59:59.999Z\"}\n");
  EXPECT_EQ(Lines(arrow::timestamp(arrow::TimeUnit::MICRO), "[1704164645000001]"),
            "{\"v\":\"2024-01-02T03:04:05.000001\"}\n");
  EXPECT_EQ(Lines(arrow::timestamp(arrow::TimeUnit::NANO, "Europe/Paris"), "[1, null]"),
            "{\"v\":\"1970-01-01T00:00:00.000000001Z\"}\n{\"v\":null}\n");
}

TEST(JsonlWriter, TimesAndDurations) {
  EXPECT_EQ(Lines(arrow::time32(arrow::TimeUnit::SECOND), "[3723]"), "{\"v\":\"01:02:03\"}\n");
  EXPECT_EQ(Lines(arrow::time32(arrow::TimeUnit::MILLI), "[86399999]"),
            "{\"v\":\"23:59:59.999\"}\n");
  EXPECT_EQ(Lines(arrow::time64(arrow::TimeUnit::NANO), "[1]"), "{\"v\":\"00:00:00.000000001\"}\n");
  EXPECT_EQ(Lines(arrow::duration(arrow::TimeUnit::MILLI), "[-5, 7]"), "{\"v\":-5}\n{\"v\":7}\n");
}

TEST(JsonlWriter, DecimalsAreExactNumbers) {
  EXPECT_EQ(Lines(arrow::decimal128(12, 2), R"(["12.34", "-0.05", "0.00", "9999999999.99", null])"),
            "{\"v\":12.34}\n{\"v\":-0.05}\n{\"v\":0.00}\n{\"v\":9999999999.99}\n{\"v\":null}\n");
  EXPECT_EQ(Lines(arrow::decimal128(38, 0), R"(["99999999999999999999999999999999999999"])"),
            "{\"v\":99999999999999999999999999999999999999}\n");
  EXPECT_EQ(Lines(arrow::decimal256(40, 3), R"(["-1.500"])"), "{\"v\":-1.500}\n");
}

TEST(JsonlWriter, ListsNestAndSlicesUseTheirOwnValues) {
  auto type = arrow::list(arrow::list(arrow::int32()));
  EXPECT_EQ(Lines(type, "[[[1, 2], [], null], null, [], [[3]]]"),
            "{\"v\":[[1,2],[],null]}\n{\"v\":null}\n{\"v\":[]}\n{\"v\":[[3]]}\n");
  auto sliced =
      FromJson(arrow::large_list(arrow::utf8()), R"([["a"], ["b", "c"], ["d"]])")->Slice(1, 2);
  EXPECT_EQ(Lines(sliced), "{\"v\":[\"b\",\"c\"]}\n{\"v\":[\"d\"]}\n");
  EXPECT_EQ(Lines(arrow::fixed_size_list(arrow::int8(), 2), "[[1, 2], null, [3, null]]"),
            "{\"v\":[1,2]}\n{\"v\":null}\n{\"v\":[3,null]}\n");
}

TEST(JsonlWriter, StructsAndMaps) {
  auto st = arrow::struct_(
      {arrow::field("a", arrow::int64()), arrow::field("b\"", arrow::list(arrow::utf8()))});
  EXPECT_EQ(
      Lines(st, R"([{"a": 1, "b\"": ["x"]}, null, {"a": null, "b\"": []}])"),
      "{\"v\":{\"a\":1,\"b\\\"\":[\"x\"]}}\n{\"v\":null}\n{\"v\":{\"a\":null,\"b\\\"\":[]}}\n");
  EXPECT_EQ(
      Lines(arrow::map(arrow::utf8(), arrow::int32()), R"([[["k", 1], ["l", null]], null, []])"),
      "{\"v\":{\"k\":1,\"l\":null}}\n{\"v\":null}\n{\"v\":{}}\n");
  EXPECT_EQ(Lines(arrow::map(arrow::int32(), arrow::utf8()), R"([[[7, "x"]]])"),
            "{\"v\":[{\"key\":7,\"value\":\"x\"}]}\n");
}

TEST(JsonlWriter, DictionariesAreDecoded) {
  auto dict = FromJson(arrow::utf8(), R"(["red", "green"])");
  auto indices = FromJson(arrow::int8(), "[1, 0, null, 1]");
  auto type = arrow::dictionary(arrow::int8(), arrow::utf8());
  auto array = arrow::DictionaryArray::FromArrays(type, indices, dict).ValueOrDie();
  EXPECT_EQ(Lines(array), "{\"v\":\"green\"}\n{\"v\":\"red\"}\n{\"v\":null}\n{\"v\":\"green\"}\n");
}

TEST(JsonlWriter, UnsupportedTypeNamesTheColumn) {
  auto a = FromJson(arrow::month_interval(), "[1]");
  auto batch = arrow::RecordBatch::Make(arrow::schema({arrow::field("iv", a->type())}), 1, {a});
  std::string out;
  Status st = FormatJsonLines(*batch, &out);
  EXPECT_EQ(st.code(), StatusCode::kNotImplemented);
  EXPECT_NE(st.message().find("'iv'"), std::string::npos) << st.message();
}

TEST(JsonlWriter, WriterChunksLargeBatchesAndMeasuresThroughput) {
  // 200k rows of mixed columns: exercises chunking (kRowsPerChunk) and reports MB/s.
  const int64_t n = 200000;
  arrow::Int64Builder ib;
  arrow::DoubleBuilder db;
  arrow::StringBuilder sb;
  for (int64_t i = 0; i < n; ++i) {
    ASSERT_TRUE(ib.Append(i * 7919).ok());
    ASSERT_TRUE(db.Append(static_cast<double>(i) / 3.0).ok());
    ASSERT_TRUE(sb.Append("name \"" + std::to_string(i) + "\"").ok());
  }
  auto schema =
      arrow::schema({arrow::field("i", arrow::int64()), arrow::field("d", arrow::float64()),
                     arrow::field("s", arrow::utf8())});
  auto batch = arrow::RecordBatch::Make(
      schema, n, {ib.Finish().ValueOrDie(), db.Finish().ValueOrDie(), sb.Finish().ValueOrDie()});
  auto sink = arrow::io::BufferOutputStream::Create().ValueOrDie();
  auto writer = JsonlWriter::Make(sink, schema).ValueOrDie();
  auto t0 = std::chrono::steady_clock::now();
  ASSERT_TRUE(writer->Write(*batch).ok());
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  auto buf = sink->Finish().ValueOrDie();
  std::string_view text(reinterpret_cast<const char*>(buf->data()), buf->size());
  EXPECT_EQ(writer->rows_written(), n);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), n);
  const std::string first = "{\"i\":0,\"d\":0.0,\"s\":\"name \\\"0\\\"\"}\n{\"i\":7919,";
  EXPECT_EQ(text.substr(0, first.size()), first);
  // The last row comes out whole, after the chunk boundaries.
  std::string last = "{\"i\":" + std::to_string((n - 1) * 7919) + ",";
  EXPECT_NE(text.rfind(last), std::string_view::npos);
  std::printf("[ jsonl    ] %.1f MB in %.3f s = %.0f MB/s\n", buf->size() / 1e6, secs,
              buf->size() / 1e6 / secs);
}

}  // namespace
}  // namespace lakepack::format
