// merge_test.cc: the k-way merge on files in an in-memory store — key order across row groups
// and output batches, ties in input order, nulls, every value type the gather handles (strings,
// fixed-width, booleans, lists through the builders), and inputs of another schema named.
#include "sorted/merge.h"

#include <gtest/gtest.h>

#include <random>

#include "arrow/api.h"
#include "sorted/file_io.h"
#include "sorted/rows.h"
#include "store/memory_store.h"

namespace lakepack::sorted {
namespace {

TableSchema Schema() {
  return *TableSchema::FromSleeperJson(R"({"rowKeyFields":[{"name":"k","type":"StringType"}],
      "sortKeyFields":[{"name":"s","type":"LongType"}],
      "valueFields":[{"name":"src","type":"IntType"},{"name":"d","type":"DoubleType"},
                     {"name":"b","type":"BooleanType"},
                     {"name":"l","type":{"ListType":{"elementType":"StringType"}}}]})");
}

// `n` sorted rows of input `src`: keys from a small alphabet (ties across inputs), every fourth
// value null.
std::shared_ptr<arrow::RecordBatch> Input(const TableSchema& schema, int src, int n,
                                          uint64_t seed) {
  std::mt19937_64 rng(seed);
  arrow::StringBuilder k;
  arrow::Int64Builder s;
  arrow::Int32Builder sb;
  arrow::DoubleBuilder d;
  arrow::BooleanBuilder b;
  auto lb = std::make_shared<arrow::ListBuilder>(arrow::default_memory_pool(),
                                                 std::make_shared<arrow::StringBuilder>());
  auto* lv = static_cast<arrow::StringBuilder*>(lb->value_builder());
  for (int i = 0; i < n; ++i) {
    EXPECT_TRUE(k.Append("k" + std::to_string(rng() % 20)).ok());
    EXPECT_TRUE(s.Append(static_cast<int64_t>(rng() % 3)).ok());
    EXPECT_TRUE(sb.Append(src).ok());
    if (i % 4 == 0) {
      EXPECT_TRUE(d.AppendNull().ok());
      EXPECT_TRUE(b.AppendNull().ok());
      EXPECT_TRUE(lb->AppendNull().ok());
    } else {
      EXPECT_TRUE(d.Append(i * 0.5).ok());
      EXPECT_TRUE(b.Append(i % 3 == 0).ok());
      EXPECT_TRUE(lb->Append().ok());
      for (int j = 0; j < i % 3; ++j) EXPECT_TRUE(lv->Append("e" + std::to_string(i)).ok());
    }
  }
  auto batch = arrow::RecordBatch::Make(
      schema.arrow_schema(), n,
      {*k.Finish(), *s.Finish(), *sb.Finish(), *d.Finish(), *b.Finish(), *lb->Finish()});
  return *SortBatch(schema, batch);
}

std::string RowText(const arrow::RecordBatch& b, int64_t r) {
  std::string out;
  for (int c = 0; c < b.num_columns(); ++c) out += (*b.column(c)->GetScalar(r))->ToString() + "|";
  return out;
}

TEST(MergeTest, KeyOrderTiesInInputOrderAndEveryValueKept) {
  auto store = MemoryStore::Make();
  const TableSchema schema = Schema();
  TableOptions o;
  o.row_group_rows = 16;  // many row groups per input
  o.page_rows = 8;
  std::vector<MergeInput> inputs;
  std::vector<std::string> expected;
  std::vector<std::shared_ptr<arrow::RecordBatch>> all;
  for (int i = 0; i < 5; ++i) {
    auto in = Input(schema, i, 40 + 13 * i, 7 + i);
    const std::string key = "f" + std::to_string(i) + ".parquet";
    auto w = WriteSortedFile(store, key, schema, {in}, o);
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    inputs.push_back({store, key, w->bytes});
    all.push_back(in);
  }
  // The expected output: all inputs in input order, stably sorted by key.
  auto table = *arrow::Table::FromRecordBatches(schema.arrow_schema(), all);
  auto want = *SortBatch(schema, *table->CombineChunksToBatch());
  for (int64_t r = 0; r < want->num_rows(); ++r) expected.push_back(RowText(*want, r));
  MergeOptions mo;
  mo.batch_rows = 7;  // many output batches
  std::vector<std::string> got;
  int64_t batches = 0;
  auto n = MergeSortedFiles(inputs, schema, mo, [&](const std::shared_ptr<arrow::RecordBatch>& b) {
    EXPECT_TRUE(b->ValidateFull().ok());
    EXPECT_LE(b->num_rows(), 7);
    ++batches;
    for (int64_t r = 0; r < b->num_rows(); ++r) got.push_back(RowText(*b, r));
    return Status::OK();
  });
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  EXPECT_EQ(*n, static_cast<int64_t>(expected.size()));
  EXPECT_GT(batches, 30);
  EXPECT_EQ(got, expected);  // same rows, same order (ties in input order: column src)
}

TEST(MergeTest, OneInputEmptyInputsAndSinkErrors) {
  auto store = MemoryStore::Make();
  const TableSchema schema = Schema();
  TableOptions o;
  o.row_group_rows = 10;
  auto in = Input(schema, 0, 25, 3);
  auto w = WriteSortedFile(store, "one.parquet", schema, {in}, o);
  ASSERT_TRUE(w.ok());
  int64_t rows = 0;
  auto n = MergeSortedFiles({{store, "one.parquet", w->bytes}}, schema, MergeOptions{},
                            [&](const std::shared_ptr<arrow::RecordBatch>& b) {
                              rows += b->num_rows();
                              return Status::OK();
                            });
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 25);
  EXPECT_EQ(rows, 25);
  EXPECT_EQ(*MergeSortedFiles({}, schema, MergeOptions{}, nullptr), 0);
  // A sink's error stops the merge and is returned as it is.
  auto failed = MergeSortedFiles(
      {{store, "one.parquet", w->bytes}}, schema, MergeOptions{},
      [](const std::shared_ptr<arrow::RecordBatch>&) { return Status::IOError("disk full"); });
  EXPECT_EQ(failed.status().message(), "disk full");
  // Cancelled between batches.
  MergeOptions cancel;
  cancel.batch_rows = 5;
  cancel.cancelled = [] { return true; };
  auto c =
      MergeSortedFiles({{store, "one.parquet", w->bytes}}, schema, cancel,
                       [](const std::shared_ptr<arrow::RecordBatch>&) { return Status::OK(); });
  EXPECT_EQ(c.status().code(), StatusCode::kCancelled) << c.status().ToString();
}

TEST(MergeTest, AnInputThatIsNotParquetIsNamed) {
  auto store = MemoryStore::Make();
  ASSERT_TRUE(store->Put("junk.parquet", "not a parquet file at all").ok());
  auto n =
      MergeSortedFiles({{store, "junk.parquet", 25}}, Schema(), MergeOptions{},
                       [](const std::shared_ptr<arrow::RecordBatch>&) { return Status::OK(); });
  ASSERT_FALSE(n.ok());
  EXPECT_NE(n.status().message().find("junk.parquet"), std::string::npos) << n.status().ToString();
}

}  // namespace
}  // namespace lakepack::sorted
