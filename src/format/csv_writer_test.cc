// CsvWriter must write exactly the bytes Arrow's CSV writer (default options) writes.
#include "format/csv_writer.h"

#include <gtest/gtest.h>

#include <random>

#include "arrow/api.h"
#include "arrow/compute/cast.h"
#include "arrow/csv/writer.h"
#include "arrow/io/memory.h"
#include "arrow/ipc/writer.h"
#include "arrow/json/from_string.h"

namespace lakepack::format {
namespace {

std::shared_ptr<arrow::Array> A(const std::shared_ptr<arrow::DataType>& t, const std::string& j) {
  return arrow::json::ArrayFromJSONString(t, j).ValueOrDie();
}

std::shared_ptr<arrow::Array> Cast(const std::shared_ptr<arrow::Array>& a,
                                   const std::shared_ptr<arrow::DataType>& t) {
  return arrow::compute::Cast(*a, t).ValueOrDie();
}

std::string ArrowCsv(const std::shared_ptr<arrow::Schema>& schema,
                     const std::vector<std::shared_ptr<arrow::RecordBatch>>& batches, bool header) {
  auto sink = arrow::io::BufferOutputStream::Create().ValueOrDie();
  auto o = arrow::csv::WriteOptions::Defaults();
  o.include_header = header;
  auto w = arrow::csv::MakeCSVWriter(sink, schema, o).ValueOrDie();
  for (const auto& b : batches) EXPECT_TRUE(w->WriteRecordBatch(*b).ok());
  EXPECT_TRUE(w->Close().ok());
  return sink->Finish().ValueOrDie()->ToString();
}

std::string OurCsv(const std::shared_ptr<arrow::Schema>& schema,
                   const std::vector<std::shared_ptr<arrow::RecordBatch>>& batches, bool header) {
  auto sink = arrow::io::BufferOutputStream::Create().ValueOrDie();
  auto w = CsvWriter::Make(sink, schema, header);
  EXPECT_TRUE(w.ok()) << w.status().ToString();
  for (const auto& b : batches) {
    Status st = (*w)->Write(*b);
    EXPECT_TRUE(st.ok()) << st.ToString();
  }
  EXPECT_TRUE((*w)->Flush().ok());
  return sink->Finish().ValueOrDie()->ToString();
}

std::shared_ptr<arrow::RecordBatch> AwkwardBatch() {
  arrow::FieldVector fields;
  arrow::ArrayVector cols;
  auto add = [&](const std::string& name, std::shared_ptr<arrow::Array> a) {
    fields.push_back(arrow::field(name, a->type()));
    cols.push_back(std::move(a));
  };
  add("s \"quoted\" name",
      A(arrow::utf8(), R"(["plain", "comma, \"quote\"\nnewline", null, "", "\"\""])"));
  add("large", A(arrow::large_utf8(), R"(["a", null, "b\"", "", "h\u00e9 \u20ac"])"));
  add("bin", A(arrow::binary(), R"(["x", "y\"", null, "", "z"])"));
  add("dict", Cast(A(arrow::utf8(), R"(["u", null, "v", "u", "w\"w"])"),
                   arrow::dictionary(arrow::int32(), arrow::utf8())));
  add("i", A(arrow::int64(), "[1, -2, null, 9007199254740993, 0]"));
  add("u8", A(arrow::uint8(), "[1, 2, null, 255, 0]"));
  add("x", A(arrow::float64(), "[0.1, -1e300, null, 2.5, 1e-7]"));
  add("f", A(arrow::float32(), "[0.1, -1.5, null, 3, 1e20]"));
  add("ok", A(arrow::boolean(), "[true, false, null, true, false]"));
  add("day", A(arrow::date32(), "[19782, -1, null, 0, 2932896]"));
  add("amount",
      A(arrow::decimal128(12, 2), R"(["12.34", "-0.05", null, "9999999999.99", "0.00"])"));
  add("nothing", A(arrow::null(), "[null, null, null, null, null]"));
  add("t", A(arrow::time64(arrow::TimeUnit::MICRO), "[1, 86399999999, null, 0, 5]"));
  for (auto unit : {arrow::TimeUnit::SECOND, arrow::TimeUnit::MILLI, arrow::TimeUnit::MICRO,
                    arrow::TimeUnit::NANO}) {
    const int64_t div = unit == arrow::TimeUnit::NANO    ? 1
                        : unit == arrow::TimeUnit::MICRO ? 1000
                        : unit == arrow::TimeUnit::MILLI ? 1000000
                                                         : 1000000000;
    auto ticks = A(arrow::int64(), "[1704164645123456789, -1000000000, null, 0, 86399999999999]");
    arrow::Int64Builder b;
    const auto& t = static_cast<const arrow::Int64Array&>(*ticks);
    for (int64_t i = 0; i < t.length(); ++i) {
      EXPECT_TRUE((t.IsNull(i) ? b.AppendNull() : b.Append(t.Value(i) / div)).ok());
    }
    auto raw = b.Finish().ValueOrDie();
    auto as = [&](std::shared_ptr<arrow::DataType> type) { return raw->View(type).ValueOrDie(); };
    add("utc" + std::to_string(unit), as(arrow::timestamp(unit, "UTC")));
    add("naive" + std::to_string(unit), as(arrow::timestamp(unit)));
    add("tokyo" + std::to_string(unit), as(arrow::timestamp(unit, "Asia/Tokyo")));
  }
  return arrow::RecordBatch::Make(arrow::schema(fields), 5, cols);
}

TEST(CsvWriterTest, SameBytesAsArrowForEveryFlatType) {
  auto batch = AwkwardBatch();
  for (bool header : {true, false}) {
    std::vector<std::shared_ptr<arrow::RecordBatch>> batches = {batch, batch->Slice(1, 3),
                                                                batch->Slice(5, 0)};
    std::string want = ArrowCsv(batch->schema(), batches, header);
    EXPECT_EQ(OurCsv(batch->schema(), batches, header), want);
  }
  EXPECT_NE(OurCsv(batch->schema(), {batch}, true).find("\"s \"\"quoted\"\" name\""),
            std::string::npos);
}

TEST(CsvWriterTest, ManyRowsAcrossSlicesAndFlushes) {
  // More rows than one formatting slice and more text than one flush.
  std::mt19937_64 rng(3);
  arrow::StringBuilder s;
  arrow::Int64Builder i;
  arrow::TimestampBuilder t(arrow::timestamp(arrow::TimeUnit::NANO, "UTC"),
                            arrow::default_memory_pool());
  for (int r = 0; r < 70000; ++r) {
    if (r % 7 == 0) {
      ASSERT_TRUE(s.AppendNull().ok());
      ASSERT_TRUE(t.AppendNull().ok());
    } else {
      ASSERT_TRUE(s.Append(std::string(rng() % 40, 'a' + r % 26) + (r % 5 ? "" : "\"q\"")).ok());
      ASSERT_TRUE(t.Append(static_cast<int64_t>(rng() % (1LL << 62))).ok());
    }
    ASSERT_TRUE(i.Append(static_cast<int64_t>(rng())).ok());
  }
  auto schema = arrow::schema({arrow::field("s", arrow::utf8()), arrow::field("i", arrow::int64()),
                               arrow::field("t", arrow::timestamp(arrow::TimeUnit::NANO, "UTC"))});
  auto batch = arrow::RecordBatch::Make(
      schema, 70000, {s.Finish().ValueOrDie(), i.Finish().ValueOrDie(), t.Finish().ValueOrDie()});
  std::vector<std::shared_ptr<arrow::RecordBatch>> batches = {batch->Slice(0, 33333),
                                                              batch->Slice(33333)};
  std::string ours = OurCsv(schema, batches, true);
  EXPECT_GT(ours.size(), size_t{1} << 20);
  EXPECT_EQ(ours, ArrowCsv(schema, batches, true));
}

TEST(CsvWriterTest, NoColumnsWritesNothingAndNestedIsRefused) {
  auto empty = arrow::schema(arrow::FieldVector{});
  EXPECT_EQ(OurCsv(empty, {arrow::RecordBatch::Make(empty, 3, arrow::ArrayVector{})}, true), "");
  auto sink = arrow::io::BufferOutputStream::Create().ValueOrDie();
  auto nested = arrow::schema({arrow::field("l", arrow::list(arrow::int32()))});
  auto w = CsvWriter::Make(sink, nested);
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(w.status().message().find("'l'"), std::string::npos) << w.status().message();
}

}  // namespace
}  // namespace lakepack::format
