// sorted_test.cc: sorted tables end to end on every store kind (local, s3, s3 with 10% faults):
// the seed's API examples, bounds, multi-field and bytes keys, read-your-writes, job ids, bad
// rows, concurrent writers, the batch writer, Parquet ingest, and a kill at every store call of
// an ingest followed by a re-run with the same job id.
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <thread>

#include "arrow/api.h"
#include "arrow/io/file.h"
#include "lakepack/sorted.h"
#include "parquet/arrow/reader.h"
#include "parquet/arrow/writer.h"
#include "test_util.h"

namespace lakepack::sorted {
namespace {

using lakepack::testing::Scratch;

TableOptions OptionsFor(const std::string& kind) {
  TableOptions o;
  o.row_group_rows = 64;  // several row groups even in small tests, so pruning is exercised
  o.page_rows = 16;
  return o;
}

TableSchema KvSchema() {
  return *TableSchema::FromSleeperJson(R"({"rowKeyFields":[{"name":"key","type":"StringType"}],
      "valueFields":[{"name":"value","type":"StringType"}]})");
}

TableSchema SleeperTestSchema() {
  return *TableSchema::FromSleeperJson(R"({"rowKeyFields":[{"name":"key","type":"StringType"}],
      "sortKeyFields":[{"name":"timestamp","type":"LongType"}],
      "valueFields":[{"name":"value","type":"StringType"}]})");
}

std::shared_ptr<arrow::Table> Kv(const std::vector<std::string>& keys,
                                 const std::vector<std::string>& values) {
  arrow::StringBuilder k, v;
  for (const auto& s : keys) EXPECT_TRUE(k.Append(s).ok());
  for (const auto& s : values) EXPECT_TRUE(v.Append(s).ok());
  auto schema = arrow::schema({arrow::field("key", arrow::utf8()), arrow::field("value", arrow::utf8())});
  return arrow::Table::Make(schema, {*k.Finish(), *v.Finish()});
}

std::shared_ptr<arrow::Table> Kts(const std::vector<std::string>& keys,
                                  const std::vector<int64_t>& ts,
                                  const std::vector<std::string>& values) {
  arrow::StringBuilder k, v;
  arrow::Int64Builder t;
  for (const auto& s : keys) EXPECT_TRUE(k.Append(s).ok());
  for (auto x : ts) EXPECT_TRUE(t.Append(x).ok());
  for (const auto& s : values) EXPECT_TRUE(v.Append(s).ok());
  auto schema = arrow::schema({arrow::field("value", arrow::utf8()),  // any column order
                               arrow::field("timestamp", arrow::int64()),
                               arrow::field("key", arrow::utf8())});
  return arrow::Table::Make(schema, {*v.Finish(), *t.Finish(), *k.Finish()});
}

std::vector<std::string> Column(const arrow::Table& t, const std::string& name) {
  std::vector<std::string> out;
  auto col = t.GetColumnByName(name);
  for (const auto& chunk : col->chunks()) {
    if (chunk->type_id() == arrow::Type::STRING) {
      const auto& a = static_cast<const arrow::StringArray&>(*chunk);
      for (int64_t i = 0; i < a.length(); ++i) {
        out.push_back(a.IsNull(i) ? "null" : std::string(a.GetView(i)));
      }
      continue;
    }
    for (int64_t i = 0; i < chunk->length(); ++i) {
      auto s = chunk->GetScalar(i);
      out.push_back((*s)->is_valid ? (*s)->ToString() : "null");
    }
  }
  return out;
}

KeyValue S(const char* s) { return std::string(s); }

class SortedTest : public ::testing::TestWithParam<std::string> {
 protected:
  // Tables open their own stores: s3-faulty's 10% faults come through the environment.
  SortedTest() : scratch_(GetParam()) {
    if (GetParam() == "s3-faulty") ::setenv("LAKEPACK_FAULT_RATE", "0.1", 1);
  }
  ~SortedTest() override { ::unsetenv("LAKEPACK_FAULT_RATE"); }
  std::string Root() { return scratch_.Uri("inst"); }
  Scratch scratch_;
};

TEST_P(SortedTest, SeedExamplesWriteThenExactAndRangeQueries) {
  auto o = OptionsFor(GetParam());
  auto t = Table::Create(Root(), "my_table", KvSchema(), {}, o);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  auto w = (*t)->Write(*Kv({"my_key", "my_key2"}, {"my_value", "my_value2"}));
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(w->rows, 2);
  EXPECT_EQ(w->files, 1);
  ASSERT_TRUE((*t)->Write(*Kv({"akey", "b1", "b2", "c", "anotherkey"},
                              {"first_key", "second_key", "third_key", "fourth", "x"}))
                  .ok());
  auto q = (*t)->ExactQuery({{S("akey")}, {S("anotherkey")}, {S("yetanotherkey")}});
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_EQ(Column(**q, "key"), (std::vector<std::string>{"akey", "anotherkey"}));
  EXPECT_EQ(Column(**q, "value"), (std::vector<std::string>{"first_key", "x"}));
  // range_key_query('my_table', [{"key": ["a", True, "c", False]}])
  Region r = {FieldRange{"key", S("a"), true, S("c"), false}};
  auto rq = (*t)->RangeQuery({r});
  ASSERT_TRUE(rq.ok()) << rq.status().ToString();
  EXPECT_EQ(Column(**rq, "key"), (std::vector<std::string>{"akey", "anotherkey", "b1", "b2"}));
  auto tables = Table::ListTables(Root(), o);
  ASSERT_TRUE(tables.ok()) << tables.status().ToString();
  EXPECT_EQ(*tables, std::vector<std::string>{"my_table"});
  EXPECT_TRUE(Table::Create(Root(), "my_table", KvSchema(), {}, o).status().IsAlreadyExists());
}

TEST_P(SortedTest, BoundsInclusiveAndExclusiveOnLongKeys) {
  auto o = OptionsFor(GetParam());
  auto schema = *TableSchema::FromSleeperJson(
      R"({"rowKeyFields":[{"name":"id","type":"LongType"}],"valueFields":[{"name":"v","type":"LongType"}]})");
  auto t = Table::Create(Root(), "longs", schema, {int64_t{0}, int64_t{100}}, o);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  arrow::Int64Builder ib, vb;
  for (int64_t i = -150; i < 250; ++i) {
    ASSERT_TRUE(ib.Append(i).ok());
    ASSERT_TRUE(vb.Append(i * 2).ok());
  }
  auto rows = arrow::Table::Make(arrow::schema({arrow::field("id", arrow::int64()),
                                                arrow::field("v", arrow::int64())}),
                                 {*ib.Finish(), *vb.Finish()});
  auto w = (*t)->Write(*rows);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(w->files, 3);  // one per leaf partition touched
  auto count = [&](std::optional<int64_t> lo, bool li, std::optional<int64_t> hi, bool hi_inc) {
    FieldRange fr{"id"};
    if (lo) fr.min = *lo;
    fr.min_inclusive = li;
    if (hi) fr.max = *hi;
    fr.max_inclusive = hi_inc;
    auto q = (*t)->RangeQuery({{fr}});
    EXPECT_TRUE(q.ok()) << q.status().ToString();
    return q.ok() ? (*q)->num_rows() : -1;
  };
  EXPECT_EQ(count(10, true, 20, false), 10);
  EXPECT_EQ(count(10, true, 20, true), 11);
  EXPECT_EQ(count(10, false, 20, false), 9);
  EXPECT_EQ(count(10, false, 20, true), 10);
  EXPECT_EQ(count(-5, true, 105, false), 110);  // across three partitions
  EXPECT_EQ(count(std::nullopt, true, -100, false), 50);
  EXPECT_EQ(count(200, true, std::nullopt, false), 50);
  EXPECT_EQ(count(20, true, 10, false), 0);
  EXPECT_EQ(count(10, true, 10, false), 0);
  EXPECT_EQ(count(10, true, 10, true), 1);
  auto q = (*t)->ExactQuery({{int64_t{-1}}, {int64_t{0}}, {int64_t{99}}, {int64_t{100}}, {int64_t{999}}});
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(Column(**q, "id"), (std::vector<std::string>{"-1", "0", "99", "100"}));
  // Two regions that overlap: each row once.
  auto two = (*t)->RangeQuery({{FieldRange{"id", int64_t{0}, true, int64_t{10}, false}},
                               {FieldRange{"id", int64_t{5}, true, int64_t{15}, false}}});
  ASSERT_TRUE(two.ok());
  EXPECT_EQ((*two)->num_rows(), 15);
  auto st = (*t)->Describe();
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->rows, 400);
  EXPECT_EQ(st->partitions.size(), 5u);
}

TEST_P(SortedTest, MultiFieldAndBytesKeysWithZeroAndFFBytes) {
  auto o = OptionsFor(GetParam());
  auto schema = *TableSchema::FromSleeperJson(R"({"rowKeyFields":[
      {"name":"k1","type":"ByteArrayType"},{"name":"k2","type":"IntType"}],
      "sortKeyFields":[{"name":"s","type":"LongType"}],
      "valueFields":[{"name":"v","type":"StringType"}]})");
  auto t = Table::Create(Root(), "bytes", schema, {S("\x80")}, o);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  std::vector<std::string> k1 = {std::string("a\0", 2), "a", std::string("a\0\xff", 3), "\xff",
                                 std::string("\0", 1), "a", "\xff\xff", "a"};
  std::vector<int32_t> k2 = {1, 2, 1, 7, 0, -3, 1, 2};
  std::vector<int64_t> s = {5, 9, 1, 1, 1, 1, 1, 3};
  arrow::BinaryBuilder b1;
  arrow::Int32Builder b2;
  arrow::Int64Builder bs;
  arrow::StringBuilder bv;
  for (size_t i = 0; i < k1.size(); ++i) {
    ASSERT_TRUE(b1.Append(k1[i]).ok());
    ASSERT_TRUE(b2.Append(k2[i]).ok());
    ASSERT_TRUE(bs.Append(s[i]).ok());
    ASSERT_TRUE(bv.Append("v" + std::to_string(i)).ok());
  }
  auto rows = arrow::Table::Make(
      arrow::schema({arrow::field("k1", arrow::binary()), arrow::field("k2", arrow::int32()),
                     arrow::field("s", arrow::int64()), arrow::field("v", arrow::utf8())}),
      {*b1.Finish(), *b2.Finish(), *bs.Finish(), *bv.Finish()});
  ASSERT_TRUE((*t)->Write(*rows).ok());
  // Key order: by k1 bytes, then k2, then s.
  auto all = (*t)->ReadAll();
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(Column(**all, "v"),
            (std::vector<std::string>{"v4", "v5", "v7", "v1", "v0", "v2", "v3", "v6"}));
  // Exact on both fields and on the first field alone.
  auto q = (*t)->ExactQuery({{S("a"), int64_t{2}}});
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_EQ(Column(**q, "v"), (std::vector<std::string>{"v7", "v1"}));  // sort key order
  q = (*t)->ExactQuery({{std::string("a\0", 2)}});
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(Column(**q, "v"), (std::vector<std::string>{"v0"}));
  q = (*t)->ExactQuery({{std::string("\xff")}});
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(Column(**q, "v"), (std::vector<std::string>{"v3"}));
  // A box: k1 in [a, b), k2 in [1, 2].
  auto box = (*t)->RangeQuery({{FieldRange{"k1", S("a"), true, S("b"), false},
                                FieldRange{"k2", int64_t{1}, true, int64_t{2}, true}}});
  ASSERT_TRUE(box.ok()) << box.status().ToString();
  EXPECT_EQ(Column(**box, "v"), (std::vector<std::string>{"v7", "v1", "v0", "v2"}));
}

TEST_P(SortedTest, QueriesSeeEveryWriteThatReturnedAndEqualKeysKeepCommitOrder) {
  auto o = OptionsFor(GetParam());
  auto writer = Table::Create(Root(), "ryw", SleeperTestSchema(), {}, o);
  ASSERT_TRUE(writer.ok());
  auto reader = Table::Open(Root(), "ryw", o);
  ASSERT_TRUE(reader.ok());
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE((*writer)->Write(*Kts({"k"}, {7}, {"w" + std::to_string(i)})).ok());
    auto q = (*reader)->ExactQuery({{S("k")}});
    ASSERT_TRUE(q.ok());
    ASSERT_EQ((*q)->num_rows(), i + 1);  // the other handle sees the write at once
    EXPECT_EQ(Column(**q, "value").back(), "w" + std::to_string(i));  // commit order
  }
}

TEST_P(SortedTest, JobIdsAndBadRows) {
  auto o = OptionsFor(GetParam());
  auto t = Table::Create(Root(), "jobs", SleeperTestSchema(), {}, o);
  ASSERT_TRUE(t.ok());
  WriteOptions wo;
  wo.job_id = "job-1";
  auto w1 = (*t)->Write(*Kts({"a", "b"}, {1, 2}, {"x", "y"}), wo);
  ASSERT_TRUE(w1.ok());
  EXPECT_FALSE(w1->already_committed);
  auto w2 = (*t)->Write(*Kts({"a", "b"}, {1, 2}, {"x", "y"}), wo);
  ASSERT_TRUE(w2.ok());
  EXPECT_TRUE(w2->already_committed);
  // From another handle too.
  auto t2 = Table::Open(Root(), "jobs", o);
  auto w3 = (*t2)->Write(*Kts({"a"}, {1}, {"x"}), wo);
  ASSERT_TRUE(w3.ok());
  EXPECT_TRUE(w3->already_committed);
  EXPECT_EQ((*(*t)->ReadAll())->num_rows(), 2);

  // A null key: the row and field are named, nothing is written.
  arrow::StringBuilder k, v;
  arrow::Int64Builder ts;
  ASSERT_TRUE(k.Append("ok").ok());
  ASSERT_TRUE(k.AppendNull().ok());
  ASSERT_TRUE(ts.AppendValues({1, 2}).ok());
  ASSERT_TRUE(v.AppendValues({"p", "q"}).ok());
  auto bad = arrow::Table::Make(arrow::schema({arrow::field("key", arrow::utf8()),
                                               arrow::field("timestamp", arrow::int64()),
                                               arrow::field("value", arrow::utf8())}),
                                {*k.Finish(), *ts.Finish(), *v.Finish()});
  auto before = scratch_.store().ListAll(scratch_.Key("inst/jobs/data/"));
  ASSERT_TRUE(before.ok());
  auto wb = (*t)->Write(*bad);
  ASSERT_FALSE(wb.ok());
  EXPECT_EQ(wb.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(wb.status().message().find("row 1"), std::string::npos) << wb.status().ToString();
  EXPECT_NE(wb.status().message().find("'key'"), std::string::npos);
  // A wrong type: a string where the sort key is a long.
  arrow::StringBuilder k2, v2, ts2;
  ASSERT_TRUE(k2.AppendValues({"a", "b"}).ok());
  ASSERT_TRUE(ts2.AppendValues({"1", "x"}).ok());
  ASSERT_TRUE(v2.AppendValues({"p", "q"}).ok());
  auto bad2 = arrow::Table::Make(arrow::schema({arrow::field("key", arrow::utf8()),
                                                arrow::field("timestamp", arrow::utf8()),
                                                arrow::field("value", arrow::utf8())}),
                                 {*k2.Finish(), *ts2.Finish(), *v2.Finish()});
  auto wb2 = (*t)->Write(*bad2);
  ASSERT_FALSE(wb2.ok());
  EXPECT_NE(wb2.status().message().find("row 1"), std::string::npos) << wb2.status().ToString();
  EXPECT_NE(wb2.status().message().find("'timestamp'"), std::string::npos);
  auto after = scratch_.store().ListAll(scratch_.Key("inst/jobs/data/"));
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->size(), before->size());
  EXPECT_EQ((*(*t)->ReadAll())->num_rows(), 2);
}

TEST_P(SortedTest, ConcurrentWritersLoseNothing) {
  auto o = OptionsFor(GetParam());
  ASSERT_TRUE(Table::Create(Root(), "conc", SleeperTestSchema(), {S("m")}, o).ok());
  constexpr int kThreads = 4, kWrites = 4;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int th = 0; th < kThreads; ++th) {
    threads.emplace_back([&, th] {
      auto t = Table::Open(Root(), "conc", o);
      if (!t.ok()) {
        ++failures;
        return;
      }
      for (int i = 0; i < kWrites; ++i) {
        std::string id = std::to_string(th) + "-" + std::to_string(i);
        if (!(*t)->Write(*Kts({"a" + id, "z" + id}, {th, i}, {id, id})).ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  auto t = Table::Open(Root(), "conc", o);
  auto all = (*t)->ReadAll();
  ASSERT_TRUE(all.ok());
  EXPECT_EQ((*all)->num_rows(), 2 * kThreads * kWrites);
  auto st = (*t)->Describe();
  EXPECT_EQ(st->files, 2 * kThreads * kWrites);
}

TEST_P(SortedTest, BatchWriterBoundsMemoryAndCommitsOnceOrNothing) {
  auto o = OptionsFor(GetParam());
  o.buffer_bytes = 1 << 20;
  auto t = Table::Create(Root(), "bw", SleeperTestSchema(), {S("n")}, o);
  ASSERT_TRUE(t.ok());
  {
    auto w = (*t)->OpenBatchWriter();
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->Write(*Kts({"q"}, {1}, {"x"})).ok());
    // Destroyed without Close: nothing committed.
  }
  EXPECT_EQ((*(*t)->ReadAll())->num_rows(), 0);
  auto w = (*t)->OpenBatchWriter();
  ASSERT_TRUE(w.ok());
  const int kRows = 40000;
  std::vector<std::string> keys, values;
  std::vector<int64_t> ts;
  for (int64_t i = 0; i < kRows; ++i) {
    keys.push_back(std::string(1, static_cast<char>('a' + (i * 7919) % 26)) +
                   std::to_string((i * 104729) % kRows));
    ts.push_back(i);
    values.push_back(std::string(20, 'v'));
  }
  for (int off = 0; off < kRows; off += 5000) {
    std::vector<std::string> k(keys.begin() + off, keys.begin() + off + 5000);
    std::vector<int64_t> s(ts.begin() + off, ts.begin() + off + 5000);
    std::vector<std::string> v(values.begin() + off, values.begin() + off + 5000);
    ASSERT_TRUE((*w)->Write(*Kts(k, s, v)).ok());
  }
  auto r = (*w)->Close();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->rows, kRows);
  EXPECT_GT(r->spilled_runs, 1);
  auto all = (*t)->ReadAll();
  ASSERT_TRUE(all.ok());
  ASSERT_EQ((*all)->num_rows(), kRows);
  auto got = Column(**all, "key");
  EXPECT_TRUE(std::is_sorted(got.begin(), got.end()));
  auto st = (*t)->Describe();
  EXPECT_EQ(st->generation, 2);  // create, intent, one commit
}

std::string WriteParquet(const std::string& path, const std::shared_ptr<arrow::Table>& t) {
  auto out = arrow::io::FileOutputStream::Open(path);
  EXPECT_TRUE(out.ok());
  EXPECT_TRUE(parquet::arrow::WriteTable(*t, arrow::default_memory_pool(), *out, 1000).ok());
  EXPECT_TRUE((*out)->Close().ok());
  return path;
}

std::shared_ptr<arrow::Table> Unsorted(int n, int seed) {
  std::vector<std::string> k, v;
  std::vector<int64_t> ts;
  for (int i = 0; i < n; ++i) {
    k.push_back("k" + std::to_string((i * 7907 + seed) % n));
    ts.push_back(i);
    v.push_back("v" + std::to_string(i));
  }
  return Kts(k, ts, v);
}

TEST_P(SortedTest, IngestParquetFilesAndSchemaMismatchNamesFileAndColumn) {
  auto o = OptionsFor(GetParam());
  auto t = Table::Create(Root(), "ing", SleeperTestSchema(), {S("k5")}, o);
  ASSERT_TRUE(t.ok());
  std::string dir = ::testing::TempDir() + "/sorted-ingest-" + std::to_string(::getpid());
  std::filesystem::create_directories(dir + "/in");
  WriteParquet(dir + "/in/a.parquet", Unsorted(3000, 1));
  WriteParquet(dir + "/in/b.parquet", Unsorted(2000, 2));
  auto r = (*t)->IngestParquet({dir + "/in/"});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->rows, 5000);
  EXPECT_EQ(r->files, 2);  // two leaves
  EXPECT_EQ((*(*t)->ReadAll())->num_rows(), 5000);
  // Another schema: named file and column, nothing written.
  arrow::StringBuilder k;
  arrow::DoubleBuilder d;
  ASSERT_TRUE(k.Append("a").ok());
  ASSERT_TRUE(d.Append(1.5).ok());
  WriteParquet(dir + "/bad.parquet",
               arrow::Table::Make(arrow::schema({arrow::field("key", arrow::utf8()),
                                                 arrow::field("timestamp", arrow::utf8())}),
                                  {*k.Finish(), *arrow::MakeArrayFromScalar(arrow::StringScalar("x"), 1)}));
  auto bad = (*t)->IngestParquet({dir + "/in/a.parquet", dir + "/bad.parquet"});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("bad.parquet"), std::string::npos) << bad.status().ToString();
  EXPECT_NE(bad.status().message().find("'timestamp'"), std::string::npos);
  EXPECT_EQ((*(*t)->ReadAll())->num_rows(), 5000);
  std::filesystem::remove_all(dir);
}

// Kill -9 at every store call of an ingest (the crash hook), then re-run with the same job id:
// exactly one ingest's rows, every time.
TEST_P(SortedTest, CrashAtEveryStoreCallThenRerunGivesOneIngest) {
  if (GetParam() == "s3-faulty") GTEST_SKIP() << "covered on local and s3; faults add only time";
  auto o = OptionsFor(GetParam());
  std::string dir = ::testing::TempDir() + "/sorted-crash-" + std::to_string(::getpid());
  std::filesystem::create_directories(dir);
  WriteParquet(dir + "/in.parquet", Unsorted(500, 3));
  const int kStep = GetParam() == "local" ? 1 : 3;  // every call on disk, every 3rd on S3
  bool finished = false;
  int killed = 0;
  for (int k = 1; !finished && k < 200; k += kStep) {
    std::string name = "crash" + std::to_string(k);
    ASSERT_TRUE(Table::Create(Root(), name, SleeperTestSchema(), {S("k250")}, o).ok());
    // A fresh process (the hook reads its variable once per process): this binary, running
    // only the child test below.
    const auto run = testing::RunWithCrashAt(
        k, "CrashChild.Ingest",
        {"SORTED_CRASH_CHILD=" + Root() + "|" + name + "|" + dir + "/in.parquet|" + GetParam()});
    ASSERT_NE(run, testing::CrashRun::kOther) << "k=" << k;
    if (run == testing::CrashRun::kFinished) {
      finished = true;  // k is past the ingest's last store call
    } else {
      ++killed;
    }
    auto t = Table::Open(Root(), name, o);
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    WriteOptions wo;
    wo.job_id = "ingest-1";
    auto r = (*t)->IngestParquet({dir + "/in.parquet"}, wo);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    auto all = (*t)->ReadAll();
    ASSERT_TRUE(all.ok());
    EXPECT_EQ((*all)->num_rows(), 500) << "k=" << k;
    ASSERT_TRUE(Table::Drop(Root(), name, o).ok());
  }
  EXPECT_TRUE(finished);
  EXPECT_GE(killed, 4);  // the hook really killed the ingest at its steps
  std::filesystem::remove_all(dir);
}

// The child of CrashAtEveryStoreCallThenRerunGivesOneIngest: runs the ingest and exits.
TEST(CrashChild, Ingest) {
  const char* spec = std::getenv("SORTED_CRASH_CHILD");
  if (!spec) GTEST_SKIP() << "run by the crash test only";
  std::vector<std::string> parts;
  std::string cur;
  for (const char* c = spec; *c; ++c) {
    if (*c == '|') {
      parts.push_back(cur);
      cur.clear();
    } else {
      cur += *c;
    }
  }
  parts.push_back(cur);
  ASSERT_EQ(parts.size(), 4u);
  auto t = Table::Open(parts[0], parts[1], OptionsFor(parts[3]));
  if (!t.ok()) ::_exit(3);
  WriteOptions wo;
  wo.job_id = "ingest-1";
  auto r = (*t)->IngestParquet({parts[2]}, wo);
  ::_exit(r.ok() ? 0 : 4);
}

INSTANTIATE_TEST_SUITE_P(Stores, SortedTest, ::testing::ValuesIn(lakepack::testing::StoreKinds()),
                         lakepack::testing::KindName);

}  // namespace
}  // namespace lakepack::sorted
