// rows_test.cc: SortBatch (prefix sort on the key codec's order) against the definition — rows
// ordered by their encoded keys, ties in input order — on keys built to defeat an 8-byte prefix:
// shared long prefixes, 0x00 bytes (the codec's escape), empty strings, negative integers, and
// integer keys before a string key; batches large enough to sort in parallel slices and sliced
// batches (non-zero offsets).
#include "sorted/rows.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>

#include "arrow/api.h"

namespace lakepack::sorted {
namespace {

// Strings with a long common prefix, 0x00 bytes and varied lengths from a tiny alphabet, so
// prefixes and whole keys tie often.
std::string TrickyString(std::mt19937_64& rng) {
  static const std::string kAlphabet(
      "\0\x01"
      "a\xff",
      4);
  std::string s = (rng() % 2) ? "commonprefix" : "";
  const int len = static_cast<int>(rng() % 5);
  for (int i = 0; i < len; ++i) s.push_back(kAlphabet[rng() % kAlphabet.size()]);
  return s;
}

// The batch's row order by the definition: encoded keys compared as strings, ties by row.
std::vector<int64_t> ExpectedOrder(const arrow::RecordBatch& b, int keys) {
  std::vector<std::string> enc(b.num_rows());
  for (int64_t r = 0; r < b.num_rows(); ++r) enc[r] = EncodeRow(b, keys, r);
  std::vector<int64_t> order(b.num_rows());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int64_t x, int64_t y) { return enc[x] < enc[y]; });
  return order;
}

// Checks SortBatch(batch) row by row against ExpectedOrder, using the `tag` column (the input
// row number) to identify rows.
void CheckSorted(const TableSchema& schema, const std::shared_ptr<arrow::RecordBatch>& batch,
                 const std::string& tag) {
  auto sorted = SortBatch(schema, batch);
  ASSERT_TRUE(sorted.ok()) << sorted.status().ToString();
  const auto want = ExpectedOrder(*batch, schema.num_keys());
  const auto& in_tag = static_cast<const arrow::Int32Array&>(*batch->GetColumnByName(tag));
  const auto& out_tag = static_cast<const arrow::Int32Array&>(*(*sorted)->GetColumnByName(tag));
  ASSERT_EQ((*sorted)->num_rows(), batch->num_rows());
  for (int64_t i = 0; i < batch->num_rows(); ++i) {
    ASSERT_EQ(out_tag.Value(i), in_tag.Value(want[i])) << "row " << i;
  }
}

TEST(SortBatch, StringThenLongKeysInCodecOrderAndStable) {
  auto schema = *TableSchema::FromSleeperJson(R"({"rowKeyFields":[{"name":"k","type":"StringType"}],
      "sortKeyFields":[{"name":"s","type":"LongType"}],
      "valueFields":[{"name":"tag","type":"IntType"}]})");
  std::mt19937_64 rng(7);
  // 200,000 rows: more than one 64 Ki-row slice per core, so the parallel path and the merge run.
  const int n = 200000;
  arrow::StringBuilder k;
  arrow::Int64Builder s;
  arrow::Int32Builder tag;
  for (int i = 0; i < n; ++i) {
    ASSERT_TRUE(k.Append(TrickyString(rng)).ok());
    const int64_t v = static_cast<int64_t>(rng() % 5) - 2;  // negatives and ties
    ASSERT_TRUE(s.Append(i % 97 == 0 ? INT64_MIN + v + 2 : v).ok());
    ASSERT_TRUE(tag.Append(i).ok());
  }
  auto batch =
      arrow::RecordBatch::Make(schema.arrow_schema(), n, {*k.Finish(), *s.Finish(), *tag.Finish()});
  CheckSorted(schema, batch, "tag");
  CheckSorted(schema, batch->Slice(12345, 100000), "tag");  // offsets into the buffers
}

TEST(SortBatch, IntKeysBeforeBytesKey) {
  auto schema = *TableSchema::FromSleeperJson(R"({"rowKeyFields":[{"name":"a","type":"IntType"},
      {"name":"b","type":"ByteArrayType"}],
      "sortKeyFields":[],
      "valueFields":[{"name":"tag","type":"IntType"}]})");
  std::mt19937_64 rng(11);
  const int n = 5000;
  arrow::Int32Builder a;
  arrow::BinaryBuilder b;
  arrow::Int32Builder tag;
  for (int i = 0; i < n; ++i) {
    const int32_t v = static_cast<int32_t>(rng() % 7) - 3;
    ASSERT_TRUE(a.Append(i % 50 == 0 ? INT32_MIN : (i % 51 == 0 ? INT32_MAX : v)).ok());
    ASSERT_TRUE(b.Append(TrickyString(rng)).ok());
    ASSERT_TRUE(tag.Append(i).ok());
  }
  auto batch =
      arrow::RecordBatch::Make(schema.arrow_schema(), n, {*a.Finish(), *b.Finish(), *tag.Finish()});
  CheckSorted(schema, batch, "tag");
}

TEST(SortBatch, EmptyAndOneRow) {
  auto schema = *TableSchema::FromSleeperJson(R"({"rowKeyFields":[{"name":"k","type":"LongType"}],
      "valueFields":[{"name":"tag","type":"IntType"}]})");
  arrow::Int64Builder k;
  arrow::Int32Builder tag;
  auto empty = arrow::RecordBatch::Make(schema.arrow_schema(), 0, {*k.Finish(), *tag.Finish()});
  auto sorted = SortBatch(schema, empty);
  ASSERT_TRUE(sorted.ok());
  EXPECT_EQ((*sorted)->num_rows(), 0);
  ASSERT_TRUE(k.Append(-5).ok());
  ASSERT_TRUE(tag.Append(0).ok());
  CheckSorted(schema,
              arrow::RecordBatch::Make(schema.arrow_schema(), 1, {*k.Finish(), *tag.Finish()}),
              "tag");
}

}  // namespace
}  // namespace lakepack::sorted
