// UtcTimestampText must give exactly Arrow's cast text, fast path and fallback alike.
#include "gen/timestamp_text.h"

#include <gtest/gtest.h>

#include "arrow/api.h"
#include "arrow/compute/cast.h"
#include "gen/data_generator.h"
#include "gen/prng.h"

namespace lakepack::gen {
namespace {

std::shared_ptr<arrow::Array> Timestamps(const std::vector<std::optional<int64_t>>& values) {
  arrow::TimestampBuilder b(arrow::timestamp(arrow::TimeUnit::MICRO, "UTC"),
                            arrow::default_memory_pool());
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

TEST(TimestampTextTest, RandomValuesMatchArrow) {
  Rng rng(5);
  std::vector<std::optional<int64_t>> values;
  const int64_t lo = -62135596800LL * 1000000, hi = 253402300799LL * 1000000;
  for (int i = 0; i < 20000; ++i) {
    if (i % 17 == 0) {
      values.push_back(std::nullopt);
    } else {
      values.push_back(rng.Between(lo, hi));
    }
  }
  ExpectSameAsArrow(Timestamps(values));
}

TEST(TimestampTextTest, OutOfRangeYearsFallBackToArrow) {
  ExpectSameAsArrow(Timestamps({-62135596800LL * 1000000 - 1, 0}));
  ExpectSameAsArrow(Timestamps({253402300800LL * 1000000, std::nullopt}));
}

TEST(TimestampTextTest, BatchKeepsOtherColumnsAndNames) {
  DataGeneratorOptions o;
  o.batch_rows = 1000;
  auto g = DataGenerator::Make(o).ValueOrDie();
  auto batch = g->MakeBatch(0).ValueOrDie();
  auto text = WithUtcTimestampsAsText(batch);
  ASSERT_TRUE(text.ok());
  auto schema = SchemaWithUtcTimestampsAsText(*batch->schema());
  EXPECT_TRUE((*text)->schema()->Equals(*schema));
  const int i = batch->schema()->GetFieldIndex("last_login");
  EXPECT_TRUE(schema->field(i)->type()->Equals(*arrow::utf8()));
  EXPECT_TRUE(schema->field(i)->nullable());
  EXPECT_EQ((*text)->column(i)->null_count(), batch->column(i)->null_count());
  EXPECT_EQ((*text)->column(0).get(), batch->column(0).get());  // shared, not copied
  EXPECT_FALSE(UtcTimestampText(*batch->column(0)).ok());       // int64 is not a timestamp
}

}  // namespace
}  // namespace lakepack::gen
