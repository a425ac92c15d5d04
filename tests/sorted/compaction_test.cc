// compaction_test.cc: compaction and GC of sorted tables on every store kind (local, s3, s3 with
// 10% faults): the row multiset is the same before and after; outputs are sorted files, one per
// leaf; a compaction racing a write keeps both; one racing another compaction on the same files
// loses cleanly or finds the job claimed; GC leaves only referenced, state or young objects; a
// kill at every store call of a compaction, then a re-run, gives the same rows.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <mutex>
#include <random>

#include "arrow/api.h"
#include "arrow/io/file.h"
#include "lakepack/sorted.h"
#include "parquet/arrow/reader.h"
#include "sorted/key_codec.h"
#include "sorted/table_impl.h"
#include "sorted/table_state.h"
#include "test_util.h"

namespace lakepack::sorted {
namespace {

using lakepack::testing::Scratch;

TableOptions SmallGroups() {
  TableOptions o;
  o.row_group_rows = 64;  // many row groups per file: the merge crosses them
  o.page_rows = 16;
  return o;
}

// Sleeper's system-test schema.
TableSchema SleeperSchema() {
  return *TableSchema::FromSleeperJson(R"({"rowKeyFields":[{"name":"key","type":"StringType"}],
      "sortKeyFields":[{"name":"timestamp","type":"LongType"}],
      "valueFields":[{"name":"value","type":"StringType"},
                     {"name":"nullable_value","type":"StringType"}]})");
}

// `n` rows with keys from a small alphabet (so keys repeat within and across batches), 20% null
// nullable_value.
std::shared_ptr<arrow::Table> Rows(int n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  arrow::StringBuilder k, v, nv;
  arrow::Int64Builder ts;
  for (int i = 0; i < n; ++i) {
    std::string key = "k" + std::to_string(rng() % 300);
    EXPECT_TRUE(k.Append(key).ok());
    EXPECT_TRUE(ts.Append(static_cast<int64_t>(rng() % 5)).ok());
    EXPECT_TRUE(v.Append("v" + std::to_string(seed) + "-" + std::to_string(i)).ok());
    if (rng() % 5 == 0) {
      EXPECT_TRUE(nv.AppendNull().ok());
    } else {
      EXPECT_TRUE(nv.Append("n" + std::to_string(i)).ok());
    }
  }
  auto schema = arrow::schema(
      {arrow::field("key", arrow::utf8()), arrow::field("timestamp", arrow::int64()),
       arrow::field("value", arrow::utf8()), arrow::field("nullable_value", arrow::utf8())});
  return arrow::Table::Make(schema, {*k.Finish(), *ts.Finish(), *v.Finish(), *nv.Finish()});
}

// Every row as text, in the order given.
std::vector<std::string> RowTexts(const arrow::Table& t) {
  auto b = *t.CombineChunksToBatch();
  std::vector<std::string> out;
  for (int64_t r = 0; r < b->num_rows(); ++r) {
    std::string s;
    for (int c = 0; c < b->num_columns(); ++c) {
      auto sc = *b->column(c)->GetScalar(r);
      s += (sc->is_valid ? sc->ToString() : "<null>") + "|";
    }
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<std::string> Multiset(Table& t) {
  auto all = t.ReadAll();
  EXPECT_TRUE(all.ok()) << all.status().ToString();
  if (!all.ok()) return {};
  auto rows = RowTexts(**all);
  std::sort(rows.begin(), rows.end());
  return rows;
}

class CompactionTest : public ::testing::TestWithParam<std::string> {
 protected:
  CompactionTest() : scratch_(GetParam()) {
    if (GetParam() == "s3-faulty") ::setenv("LAKEPACK_FAULT_RATE", "0.1", 1);
  }
  ~CompactionTest() override { ::unsetenv("LAKEPACK_FAULT_RATE"); }
  std::string Root() { return scratch_.Uri("inst"); }

  // A table with `files` files of `rows` rows each.
  std::unique_ptr<Table> Make(const std::string& name, int files, int rows,
                              const std::vector<KeyValue>& splits = {}) {
    auto t = Table::Create(Root(), name, SleeperSchema(), splits, SmallGroups());
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    if (!t.ok()) return nullptr;
    for (int i = 0; i < files; ++i) {
      auto w = (*t)->Write(*Rows(rows, 100 + i));
      EXPECT_TRUE(w.ok()) << w.status().ToString();
    }
    return std::move(*t);
  }

  Scratch scratch_;
};

TEST_P(CompactionTest, SizeRatioCompactionKeepsTheRowMultiset) {
  auto t = Make("ratio", 5, 300);
  ASSERT_TRUE(t);
  auto before = Multiset(*t);
  ASSERT_EQ(before.size(), 1500u);
  // Dry run: the plan, nothing written.
  CompactOptions dry;
  dry.dry_run = true;
  auto plan = t->Compact(dry);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  ASSERT_EQ(plan->planned, 1);
  EXPECT_EQ(plan->jobs[0].outcome, "planned");
  EXPECT_EQ(plan->jobs[0].inputs.size(), 5u);
  EXPECT_EQ(plan->rows, 1500);
  EXPECT_EQ(t->Describe()->files, 5);
  auto r = t->Compact();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->committed, 1);
  EXPECT_EQ(r->rows, 1500);
  EXPECT_EQ(r->files_in, 5);
  EXPECT_EQ(r->files_out, 1);
  auto d = t->Describe();
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->files, 1);
  EXPECT_EQ(d->rows, 1500);
  EXPECT_EQ(Multiset(*t), before);
  // Nothing qualifies any more; a fresh handle (another process's view) agrees.
  auto again = t->Compact();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->planned, 0);
  auto other = Table::Open(Root(), "ratio", SmallGroups());
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(Multiset(**other), before);
  // Queries still find keys, duplicates included.
  auto q = t->ExactQuery({{std::string("k7")}});
  ASSERT_TRUE(q.ok());
  int64_t want = 0;
  for (const auto& row : before) want += row.rfind("k7|", 0) == 0;
  EXPECT_EQ((*q)->num_rows(), want);
}

TEST_P(CompactionTest, TheOutputIsOneSortedFileWithEqualKeysInCommitOrder) {
  if (GetParam() != "local") GTEST_SKIP() << "reads the file from disk";
  auto t = Table::Create(Root(), "order", SleeperSchema(), {}, SmallGroups());
  ASSERT_TRUE(t.ok());
  // The same key and timestamp in four commits: value tells the commit.
  for (int i = 0; i < 4; ++i) {
    auto rows = Rows(200, 7);  // same keys each time
    arrow::StringBuilder v;
    for (int r = 0; r < 200; ++r) ASSERT_TRUE(v.Append("commit" + std::to_string(i)).ok());
    rows = *rows->SetColumn(2, arrow::field("value", arrow::utf8()),
                            std::make_shared<arrow::ChunkedArray>(*v.Finish()));
    ASSERT_TRUE((*t)->Write(*rows).ok());
  }
  auto r = (*t)->Compact();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->committed, 1);
  ASSERT_EQ(r->jobs[0].outputs.size(), 1u);
  std::string path = (*t)->uri() + r->jobs[0].outputs[0];
  path = path.substr(std::string("file://").size());
  auto in = arrow::io::ReadableFile::Open(path);
  ASSERT_TRUE(in.ok()) << path;
  std::unique_ptr<parquet::arrow::FileReader> reader;
  ASSERT_TRUE(parquet::arrow::OpenFile(*in, arrow::default_memory_pool()).Value(&reader).ok());
  std::shared_ptr<arrow::Table> file;
  ASSERT_TRUE(reader->ReadTable(&file).ok());
  ASSERT_EQ(file->num_rows(), 800);
  EXPECT_GT(reader->num_row_groups(), 10);  // 64-row groups
  auto rows = RowTexts(*file);
  for (size_t i = 1; i < rows.size(); ++i) {
    // key|timestamp|value|...: (key, timestamp) ascending, then commit order.
    auto key = [](const std::string& s) {
      size_t a = s.find('|'), b = s.find('|', a + 1), c = s.find('|', b + 1);
      return std::make_tuple(s.substr(0, a), std::stoll(s.substr(a + 1, b - a - 1)),
                             s.substr(b + 1, c - b - 1));
    };
    ASSERT_LE(key(rows[i - 1]), key(rows[i])) << i;
  }
}

TEST_P(CompactionTest, EqualKeysKeepCommitOrderAgainstAFileCommittedAfterTheInputs) {
  auto t = Table::Create(Root(), "later", SleeperSchema(), {}, SmallGroups());
  ASSERT_TRUE(t.ok());
  auto commit = [&](int i, int n) {
    auto rows = Rows(n, 7);  // the same keys and timestamps each time (a prefix of one stream)
    arrow::StringBuilder v;
    for (int r = 0; r < n; ++r) ASSERT_TRUE(v.Append("commit" + std::to_string(i)).ok());
    rows = *rows->SetColumn(2, arrow::field("value", arrow::utf8()),
                            std::make_shared<arrow::ChunkedArray>(*v.Finish()));
    ASSERT_TRUE((*t)->Write(*rows).ok());
  };
  for (int i = 0; i < 4; ++i) commit(i, 200);
  commit(4, 2000);  // too big for the size ratio: not an input
  auto r = (*t)->Compact();
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->committed, 1);
  ASSERT_EQ(r->files_in, 4);
  // For every (key, timestamp), the values come in commit order: commit0 ... commit4.
  auto all = RowTexts(**(*t)->ReadAll());
  std::map<std::string, std::string> last;  // (key|timestamp) -> last value seen
  for (const auto& row : all) {
    size_t a = row.find('|'), b = row.find('|', a + 1), c = row.find('|', b + 1);
    std::string k = row.substr(0, b), v = row.substr(b + 1, c - b - 1);
    auto it = last.find(k);
    if (it != last.end()) ASSERT_LE(it->second, v) << row;
    last[k] = v;
  }
}

TEST_P(CompactionTest, MajorCompactionWritesOneFilePerLeaf) {
  auto t = Make("major", 3, 400, {std::string("k2"), std::string("k5")});
  ASSERT_TRUE(t);
  auto before = Multiset(*t);
  auto d0 = t->Describe();
  ASSERT_EQ(d0->files, 9);  // 3 writes x 3 leaves
  // Three files per leaf: 2 x 1/3 < 3 x 1/3, the size ratio picks nothing.
  auto ratio = t->Compact();
  ASSERT_TRUE(ratio.ok());
  EXPECT_EQ(ratio->planned, 0);
  CompactOptions major;
  major.major = true;
  auto r = t->Compact(major);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->committed, 3);
  auto d = t->Describe();
  EXPECT_EQ(d->files, 3);
  for (const auto& p : d->partitions) {
    if (p.children.empty()) EXPECT_EQ(p.files, 1) << p.id;
  }
  EXPECT_EQ(Multiset(*t), before);
}

TEST_P(CompactionTest, FilesOfASplitPartitionAreCompactedIntoItsLeaves) {
  auto t = Make("split", 2, 500);
  ASSERT_TRUE(t);
  auto before = Multiset(*t);
  // Split the root leaf at "k150" after the files were written (the record a splitter commits).
  std::string split;
  AppendBytes("k150", &split);
  {
    Table::Impl* impl = t->impl();
    std::lock_guard<std::mutex> lock(impl->mu);
    auto g = impl->folded->Commit(
        [&](const TableState&, int64_t) -> Result<std::string> { return SplitRecord("r", split); });
    ASSERT_TRUE(g.ok()) << g.status().ToString();
  }
  EXPECT_EQ(Multiset(*t), before);  // the files still answer for both halves
  auto r = t->Compact();            // two files: no size ratio needed to move them down
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->committed, 1);
  EXPECT_EQ(r->jobs[0].partition, "r");
  EXPECT_EQ(r->files_in, 2);
  EXPECT_EQ(r->files_out, 2);  // one per leaf
  auto d = t->Describe();
  ASSERT_TRUE(d.ok());
  std::map<std::string, int64_t> files, rows;
  for (const auto& p : d->partitions) {
    files[p.id] = p.files;
    rows[p.id] = p.rows;
  }
  EXPECT_EQ(files["r"], 0);
  EXPECT_EQ(files["r0"], 1);
  EXPECT_EQ(files["r1"], 1);
  auto key = [](const std::string& row) { return row.substr(0, row.find('|')); };
  int64_t left = 0;
  for (const auto& row : before) left += key(row) < "k150";
  EXPECT_EQ(rows["r0"], left);
  EXPECT_EQ(rows["r1"], 1000 - left);
  EXPECT_EQ(Multiset(*t), before);
  auto q =
      t->RangeQuery({{FieldRange{"key", std::string("k140"), true, std::string("k160"), false}}});
  ASSERT_TRUE(q.ok());
  int64_t want = 0;
  for (const auto& row : before) want += key(row) >= "k140" && key(row) < "k160";
  EXPECT_EQ((*q)->num_rows(), want);
}

TEST_P(CompactionTest, ACompactionRacingAWriteKeepsBoth) {
  auto t = Make("race-write", 4, 200);
  ASSERT_TRUE(t);
  auto writer = Table::Open(Root(), "race-write", SmallGroups());
  ASSERT_TRUE(writer.ok());
  bool wrote = false;
  CompactOptions o;
  o.on_progress = [&](int64_t) {
    if (wrote) return;
    wrote = true;  // mid-merge, before the commit: another handle commits a write
    auto w = (*writer)->Write(*Rows(123, 999));
    ASSERT_TRUE(w.ok()) << w.status().ToString();
  };
  auto before = Multiset(*t);
  auto r = t->Compact(o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(wrote);
  EXPECT_EQ(r->committed, 1);
  auto after = Multiset(*t);
  EXPECT_EQ(after.size(), 800u + 123u);
  std::vector<std::string> want = before;
  auto fresh = Rows(123, 999);
  // Rows written by the racing write, as the table returns them: compare counts per text.
  std::vector<std::string> written;
  {
    auto tmp = Table::Create(Root(), "race-ref", SleeperSchema(), {}, SmallGroups());
    ASSERT_TRUE(tmp.ok());
    ASSERT_TRUE((*tmp)->Write(*fresh).ok());
    written = Multiset(**tmp);
  }
  want.insert(want.end(), written.begin(), written.end());
  std::sort(want.begin(), want.end());
  EXPECT_EQ(after, want);
  EXPECT_EQ(t->Describe()->files, 2);  // the output and the racing write's file
}

TEST_P(CompactionTest, ACompactionRacingAnotherOnTheSameFilesLosesCleanly) {
  auto t = Make("race-compact", 4, 200);
  ASSERT_TRUE(t);
  // A fifth, big file: the size ratio leaves it out, a major compaction takes it. Two jobs
  // with different ids over overlapping files, so claims do not keep them apart.
  ASSERT_TRUE(t->Write(*Rows(2000, 55)).ok());
  auto before = Multiset(*t);
  auto other = Table::Open(Root(), "race-compact", SmallGroups());
  ASSERT_TRUE(other.ok());
  Result<CompactReport> inner = Status::Internal("not run");
  CompactOptions o;
  o.on_progress = [&](int64_t) {
    if (inner.ok() || inner.status().message() != "not run") return;
    CompactOptions major;
    major.major = true;
    inner = (*other)->Compact(major);  // commits first
  };
  auto r = t->Compact(o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(inner.ok()) << inner.status().ToString();
  EXPECT_EQ(inner->committed, 1);
  EXPECT_EQ(r->planned, 1);
  EXPECT_EQ(r->lost, 1);
  EXPECT_EQ(r->committed, 0);
  EXPECT_EQ(r->jobs[0].outcome, "lost");
  EXPECT_EQ(Multiset(*t), before);
  EXPECT_EQ(t->Describe()->files, 1);
  // The loser's output is gone already: only the winner's file is under data/.
  GcOptions g;
  g.grace_ms = 10 * 60'000;
  g.dry_run = true;
  auto gc = t->CollectGarbage(g);
  ASSERT_TRUE(gc.ok()) << gc.status().ToString();
  EXPECT_EQ(gc->kept_young, 5);  // the five replaced inputs, inside the grace period
  EXPECT_TRUE(gc->deleted.empty());
}

TEST_P(CompactionTest, TheSameJobIsClaimedByOneWorker) {
  auto t = Make("claims", 4, 200);
  ASSERT_TRUE(t);
  auto before = Multiset(*t);
  auto other = Table::Open(Root(), "claims", SmallGroups());
  ASSERT_TRUE(other.ok());
  Result<CompactReport> inner = Status::Internal("not run");
  CompactOptions o;
  o.on_progress = [&](int64_t) {
    if (inner.ok() || inner.status().message() != "not run") return;
    inner = (*other)->Compact();  // plans the same job while it runs here
  };
  auto r = t->Compact(o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(inner.ok()) << inner.status().ToString();
  EXPECT_EQ(inner->planned, 1);
  EXPECT_EQ(inner->claimed, 1);
  EXPECT_EQ(inner->committed, 0);
  EXPECT_EQ(r->committed, 1);
  EXPECT_EQ(Multiset(*t), before);
}

// Every object of the table is a referenced data file, state (log, claims), or one of
// `allowed_young` unreferenced data objects.
void ExpectOnlyReferencedOrState(Scratch& scratch, const std::string& prefix, Table& t,
                                 int64_t allowed_young) {
  auto st = t.Describe();
  ASSERT_TRUE(st.ok());
  auto objs = scratch.store().ListAll(prefix);
  ASSERT_TRUE(objs.ok()) << objs.status().ToString();
  int64_t data = 0;
  for (const auto& o : *objs) {
    std::string rel = o.key.substr(prefix.size());
    if (rel.rfind("log/", 0) == 0 || rel.rfind("compaction/", 0) == 0) continue;  // state
    ASSERT_EQ(rel.rfind("data/", 0), 0u) << rel;
    ++data;
  }
  // Every referenced file is an object (the queries read them all), so equal counts mean
  // every data object is referenced, or one of the young ones allowed.
  EXPECT_EQ(data, st->files + allowed_young);
}

TEST_P(CompactionTest, GcDeletesOnlyUnreferencedObjectsPastTheGracePeriod) {
  auto t = Make("gc", 4, 200);
  ASSERT_TRUE(t);
  auto before = Multiset(*t);
  // An object a crashed writer left under its session's prefix: never referenced.
  const std::string prefix = scratch_.Key("inst/gc/");
  ASSERT_TRUE(scratch_.store().Put(prefix + "data/crashed/0-r.parquet", "half a file").ok());
  ASSERT_TRUE(t->Compact().ok());
  GcOptions keep;  // 10 min: everything is young
  auto young = t->CollectGarbage(keep);
  ASSERT_TRUE(young.ok()) << young.status().ToString();
  EXPECT_TRUE(young->deleted.empty());
  EXPECT_EQ(young->kept_young, 5);
  GcOptions now;
  now.grace_ms = 0;
  now.dry_run = true;
  auto dry = t->CollectGarbage(now);
  ASSERT_TRUE(dry.ok());
  EXPECT_EQ(dry->deleted.size(), 5u);
  ExpectOnlyReferencedOrState(scratch_, prefix, *t, 5);  // dry run deleted nothing
  now.dry_run = false;
  auto gc = t->CollectGarbage(now);
  ASSERT_TRUE(gc.ok()) << gc.status().ToString();
  EXPECT_EQ(gc->deleted.size(), 5u);
  EXPECT_GE(gc->generation, 0);  // the replaced files' deletion is logged
  EXPECT_EQ(gc->claims_deleted, 1);
  ExpectOnlyReferencedOrState(scratch_, prefix, *t, 0);
  auto claims = scratch_.store().ListAll(prefix + "compaction/");
  ASSERT_TRUE(claims.ok());
  EXPECT_TRUE(claims->empty());
  EXPECT_EQ(Multiset(*t), before);
  // A fresh handle folds the delete record; a second GC has nothing to do.
  auto other = Table::Open(Root(), "gc", SmallGroups());
  ASSERT_TRUE(other.ok());
  auto again = (*other)->CollectGarbage(now);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->deleted.empty());
  EXPECT_EQ(Multiset(**other), before);
}

TEST_P(CompactionTest, GcKeepsOldUncommittedFilesOfASessionThatIsStillWriting) {
  if (GetParam() != "local") GTEST_SKIP() << "ages files by their mtime on disk";
  auto t = Make("gc-session", 1, 10);
  ASSERT_TRUE(t);
  const std::string dir = (*t).uri().substr(std::string("file://").size());
  auto put = [&](const std::string& rel, int age_min) {
    std::filesystem::create_directories(std::filesystem::path(dir + rel).parent_path());
    lakepack::testing::WriteLocalFile(dir + rel, "x");
    std::filesystem::last_write_time(
        dir + rel, std::filesystem::file_time_type::clock::now() - std::chrono::minutes(age_min));
  };
  put("data/live/0-r.parquet", 20);  // an ingest's first spill, 20 min ago ...
  put("data/live/1-r.parquet", 1);   // ... and its latest: the session is still writing
  put("data/dead/0-r.parquet", 20);  // a crashed writer's only file
  auto gc = t->CollectGarbage(GcOptions{});
  ASSERT_TRUE(gc.ok()) << gc.status().ToString();
  ASSERT_EQ(gc->deleted.size(), 1u);
  EXPECT_NE(gc->deleted[0].find("data/dead/0-r.parquet"), std::string::npos);
  EXPECT_EQ(gc->kept_young, 2);
  EXPECT_TRUE(std::filesystem::exists(dir + "data/live/0-r.parquet"));
  EXPECT_EQ(Multiset(*t).size(), 10u);
}

// Two processes compact (size ratio 0 and major in turn, so their jobs overlap and race) while
// this one writes: every written row is there exactly once, and after GC every data object is
// referenced.
TEST_P(CompactionTest, CompactorsInTwoProcessesAndAWriterLoseNothing) {
  auto t = Make("procs", 4, 100);
  ASSERT_TRUE(t);
  std::vector<pid_t> pids;
  for (int w = 0; w < 2; ++w) {
    pid_t pid = lakepack::testing::SpawnSelf(
        "CompactionWorker.Run", {"COMPACTION_WORKER=" + Root() + "|procs|" + std::to_string(w)});
    ASSERT_GT(pid, 0);
    pids.push_back(pid);
  }
  std::vector<std::string> want = Multiset(*t);
  for (int i = 0; i < 12; ++i) {
    auto rows = Rows(50, 1000 + i);
    ASSERT_TRUE(t->Write(*rows).ok());
  }
  for (pid_t pid : pids) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  }
  {  // the written rows as a table returns them
    auto ref = Table::Create(Root(), "procs-ref", SleeperSchema(), {}, SmallGroups());
    ASSERT_TRUE(ref.ok());
    for (int i = 0; i < 12; ++i) ASSERT_TRUE((*ref)->Write(*Rows(50, 1000 + i)).ok());
    auto more = Multiset(**ref);
    want.insert(want.end(), more.begin(), more.end());
    std::sort(want.begin(), want.end());
  }
  EXPECT_EQ(Multiset(*t), want);
  CompactOptions major;
  major.major = true;
  ASSERT_TRUE(t->Compact(major).ok());
  EXPECT_EQ(t->Describe()->files, 1);
  EXPECT_EQ(Multiset(*t), want);
  GcOptions now;
  now.grace_ms = 0;
  ASSERT_TRUE(t->CollectGarbage(now).ok());
  ExpectOnlyReferencedOrState(scratch_, scratch_.Key("inst/procs/"), *t, 0);
  EXPECT_EQ(Multiset(*t), want);
}

// A worker of CompactorsInTwoProcessesAndAWriterLoseNothing: compacts for a while.
TEST(CompactionWorker, Run) {
  const char* spec = std::getenv("COMPACTION_WORKER");
  if (!spec) GTEST_SKIP() << "run by the multi-process test only";
  std::string s = spec;
  size_t a = s.find('|'), b = s.find('|', a + 1);
  auto t = Table::Open(s.substr(0, a), s.substr(a + 1, b - a - 1), SmallGroups());
  if (!t.ok()) ::_exit(3);
  const bool first = s.substr(b + 1) == "0";
  int64_t committed = 0, lost = 0, claimed = 0;
  for (int i = 0; i < 15; ++i) {
    CompactOptions o;
    o.ratio = 0;  // any two files
    o.max_files = 3;
    o.major = first ? i % 2 == 0 : i % 3 == 0;
    auto r = (*t)->Compact(o);
    if (!r.ok()) {
      std::fprintf(stderr, "worker: %s\n", r.status().ToString().c_str());
      ::_exit(4);
    }
    committed += r->committed;
    lost += r->lost;
    claimed += r->claimed;
  }
  std::fprintf(stderr, "worker %s: %lld jobs committed, %lld lost, %lld claimed by the other\n",
               s.substr(b + 1).c_str(), static_cast<long long>(committed),
               static_cast<long long>(lost), static_cast<long long>(claimed));
  ::_exit(0);
}

// Kill -9 at every store call of a compaction (the crash hook), then re-run it: the same rows,
// one file, and after GC no object left that nothing references.
TEST_P(CompactionTest, CrashAtEveryStoreCallThenRerunGivesTheSameRows) {
  if (GetParam() == "s3-faulty") GTEST_SKIP() << "covered on local and s3; faults add only time";
  const int kStep = GetParam() == "local" ? 1 : 3;  // every call on disk, every 3rd on S3
  bool finished = false;
  int killed = 0;
  for (int k = 1; !finished && k < 400; k += kStep) {
    std::string name = "crash" + std::to_string(k);
    auto t = Make(name, 4, 100);
    ASSERT_TRUE(t);
    auto before = Multiset(*t);
    const auto run = testing::RunWithCrashAt(k, "CompactionCrashChild.Compact",
                                             {"COMPACTION_CRASH_CHILD=" + Root() + "|" + name});
    ASSERT_NE(run, testing::CrashRun::kOther) << "k=" << k;
    // Finished: k is past the compaction's last store call.
    if (run == testing::CrashRun::kFinished) {
      finished = true;
    } else {
      ++killed;
    }
    auto reopened = Table::Open(Root(), name, SmallGroups());
    ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
    EXPECT_EQ(Multiset(**reopened), before) << "k=" << k << " after the kill";
    auto r = (*reopened)->Compact();
    ASSERT_TRUE(r.ok()) << "k=" << k << ": " << r.status().ToString();
    EXPECT_EQ(Multiset(**reopened), before) << "k=" << k;
    EXPECT_EQ((*reopened)->Describe()->files, 1) << "k=" << k;
    GcOptions now;
    now.grace_ms = 0;
    ASSERT_TRUE((*reopened)->CollectGarbage(now).ok());
    ExpectOnlyReferencedOrState(scratch_, scratch_.Key("inst/" + name + "/"), **reopened, 0);
    EXPECT_EQ(Multiset(**reopened), before) << "k=" << k;
    ASSERT_TRUE(Table::Drop(Root(), name, SmallGroups()).ok());
  }
  EXPECT_TRUE(finished);
  EXPECT_GE(killed, 8);  // the hook really killed the compaction at its steps
}

// The child of CrashAtEveryStoreCallThenRerunGivesTheSameRows: compacts and exits.
TEST(CompactionCrashChild, Compact) {
  const char* spec = std::getenv("COMPACTION_CRASH_CHILD");
  if (!spec) GTEST_SKIP() << "run by the crash test only";
  std::string s = spec;
  size_t bar = s.find('|');
  auto t = Table::Open(s.substr(0, bar), s.substr(bar + 1), SmallGroups());
  if (!t.ok()) ::_exit(3);
  auto r = (*t)->Compact();
  ::_exit(r.ok() && r->committed == 1 ? 0 : 4);
}

INSTANTIATE_TEST_SUITE_P(Stores, CompactionTest,
                         ::testing::ValuesIn(lakepack::testing::StoreKinds()),
                         lakepack::testing::KindName);

}  // namespace
}  // namespace lakepack::sorted
