// UtcTimestampText must give exactly Arrow's cast text, fast path and fallback alike, in every
// unit.
#include "format/timestamp_text.h"

#include <gtest/gtest.h>

#include <optional>
#include <random>

#include "arrow/api.h"
#include "arrow/compute/cast.h"
#include "arrow/json/from_string.h"

namespace lakepack::format {
namespace {

std::shared_ptr<arrow::Array> Timestamps(const std::vector<std::optional<int64_t>>& values,
                                         arrow::TimeUnit::type unit = arrow::TimeUnit::MICRO) {
  arrow::TimestampBuilder b(arrow::timestamp(unit, "UTC"), arrow::default_memory_pool());
  for (auto& v : values) {
    if (v) {
      EXPECT_TRUE(b.Append(*v).ok());
    } else {
      EXPECT_TRUE(b.AppendNull().ok());
    }
  }
  return b.Finish().ValueOrDie();
}

void ExpectSameAsArrow(const std::shared_ptr<arrow::Array>& ts) {
  auto ours = UtcTimestampText(*ts);
  ASSERT_TRUE(ours.ok()) << ours.status().ToString();
  auto arrow_text = arrow::compute::Cast(*ts, arrow::utf8());
  ASSERT_TRUE(arrow_text.ok()) << arrow_text.status().ToString();
  ASSERT_TRUE((*ours)->ValidateFull().ok());
  const auto& a = static_cast<const arrow::StringArray&>(**ours);
  const auto& b = static_cast<const arrow::StringArray&>(**arrow_text);
  ASSERT_EQ(a.length(), b.length());
  for (int64_t i = 0; i < a.length(); ++i) {
    ASSERT_EQ(a.IsNull(i), b.IsNull(i)) << i;
    if (a.IsValid(i)) ASSERT_EQ(a.GetView(i), b.GetView(i)) << "value " << i;
  }
}

TEST(TimestampTextTest, EdgeCasesMatchArrow) {
  const int64_t s = 1000000;
  ExpectSameAsArrow(
      Timestamps({0, 1, -1, s, -86400 * s, 951782400 * s /* 2000-02-29 */,
                  4107542400 * s /* 2100-03-01 */, 253402300799 * s + 999999,
                  -62135596800 * s /* 0001-01-01 */, std::nullopt, 1700000000123000}));
  auto text = UtcTimestampText(*Timestamps({1626833383416245}));
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(static_cast<const arrow::StringArray&>(**text).GetView(0),
            "2021-07-21 02:09:43.416245Z");
}

// Issue 16 F7: nanosecond ticks in [INT64_MIN, -9223372036000000000) took the fast path with
// `ticks - secs * 1e9`, whose product is below INT64_MIN (signed overflow; the wrap happened to
// give the right text at -O2).  timestamp_text_ubsan_test runs this with overflow checks.
TEST(TimestampTextTest, NanosecondsAtTheInt64EdgeMatchArrow) {
  ExpectSameAsArrow(Timestamps({INT64_MIN + 1, int64_t{-9223372036000000001},
                                int64_t{-9223372036000000000}, INT64_MAX, INT64_MAX - 1},
                               arrow::TimeUnit::NANO));
}

TEST(TimestampTextTest, EveryUnitMatchesArrow) {
  for (auto [unit, per_second] : {std::pair{arrow::TimeUnit::SECOND, int64_t{1}},
                                  {arrow::TimeUnit::MILLI, 1000},
                                  {arrow::TimeUnit::MICRO, 1000000},
                                  {arrow::TimeUnit::NANO, 1000000000}}) {
    SCOPED_TRACE(per_second);
    std::mt19937_64 rng(per_second);
    // Nanoseconds reach only years 1677..2262.
    const int64_t lo = per_second == 1000000000 ? INT64_MIN / per_second : -62135596800LL;
    const int64_t hi = per_second == 1000000000 ? INT64_MAX / per_second - 1 : 253402300799LL;
    std::uniform_int_distribution<int64_t> secs(lo, hi), frac(0, per_second - 1);
    std::vector<std::optional<int64_t>> values = {0, -1, per_second, -per_second, std::nullopt};
    for (int i = 0; i < 5000; ++i) {
      if (i % 13 == 0) {
        values.push_back(std::nullopt);
      } else {
        values.push_back(secs(rng) * per_second + frac(rng));
      }
    }
    auto ts = Timestamps(values, unit);
    ExpectSameAsArrow(ts);
    ExpectSameAsArrow(ts->Slice(7, 1000));  // an offset into shared buffers
  }
}

TEST(TimestampTextTest, DatesMatchArrow) {
  arrow::Date32Builder b;
  std::mt19937_64 rng(11);
  // Days of 0001-01-01 and 9999-12-31, around them, and random days between.
  for (int32_t d : {0, -1, 1, 11016, -719162, 2932896, -719163, 2932897}) {
    ASSERT_TRUE(b.Append(d).ok());
  }
  std::uniform_int_distribution<int32_t> day(-719162, 2932896);
  for (int i = 0; i < 5000; ++i) {
    ASSERT_TRUE((i % 11 == 0 ? b.AppendNull() : b.Append(day(rng))).ok());
  }
  auto dates = b.Finish().ValueOrDie();
  for (const auto& a : {dates, dates->Slice(8), dates->Slice(20, 100)}) {
    auto ours = Date32Text(*a);
    ASSERT_TRUE(ours.ok()) << ours.status().ToString();
    ASSERT_TRUE((*ours)->ValidateFull().ok());
    auto want = arrow::compute::Cast(*a, arrow::utf8()).ValueOrDie();
    EXPECT_TRUE((*ours)->Equals(*want)) << (*ours)->ToString().substr(0, 300);
  }
  EXPECT_FALSE(Date32Text(*Timestamps({1})).ok());
}

TEST(TimestampTextTest, OutOfRangeYearsFallBackToArrow) {
  ExpectSameAsArrow(Timestamps({-62135596800LL * 1000000 - 1, 0}));
  ExpectSameAsArrow(Timestamps({253402300800LL * 1000000, std::nullopt}));
}

TEST(TimestampTextTest, BatchKeepsOtherColumnsAndNames) {
  auto schema = arrow::schema(
      {arrow::field("id", arrow::int64()),
       arrow::field("last_login", arrow::timestamp(arrow::TimeUnit::MICRO, "UTC")),
       arrow::field("naive", arrow::timestamp(arrow::TimeUnit::MICRO)),
       arrow::field("paris", arrow::timestamp(arrow::TimeUnit::MICRO, "Europe/Paris"))});
  arrow::Int64Builder ids;
  ASSERT_TRUE(ids.AppendValues({1, 2, 3}).ok());
  auto login = Timestamps({1, std::nullopt, 3});
  auto other = [](const std::shared_ptr<arrow::DataType>& t) {
    return arrow::compute::Cast(
               *arrow::json::ArrayFromJSONString(arrow::int64(), "[1, 2, 3]").ValueOrDie(), t)
        .ValueOrDie();
  };
  auto batch =
      arrow::RecordBatch::Make(schema, 3,
                               {ids.Finish().ValueOrDie(), login, other(schema->field(2)->type()),
                                other(schema->field(3)->type())});
  auto text = WithUtcTimestampsAsText(batch);
  ASSERT_TRUE(text.ok());
  auto want = SchemaWithUtcTimestampsAsText(*schema);
  EXPECT_TRUE((*text)->schema()->Equals(*want));
  EXPECT_TRUE(want->field(1)->type()->Equals(*arrow::utf8()));
  EXPECT_TRUE(want->field(1)->nullable());
  EXPECT_TRUE(want->field(2)->type()->Equals(*schema->field(2)->type()));  // no zone: kept
  EXPECT_TRUE(want->field(3)->type()->Equals(*schema->field(3)->type()));  // other zone: kept
  EXPECT_EQ((*text)->column(1)->null_count(), 1);
  EXPECT_EQ((*text)->column(0).get(), batch->column(0).get());  // shared, not copied
  EXPECT_FALSE(UtcTimestampText(*batch->column(0)).ok());       // int64 is not a timestamp
  EXPECT_FALSE(UtcTimestampText(*batch->column(2)).ok());       // nor a zone-less timestamp
}

}  // namespace
}  // namespace lakepack::format
