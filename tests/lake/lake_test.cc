// lake_test.cc: the snapshot-to-lake job end to end on local disk, S3 and S3 with 10% faults:
// the reference's folder layout, partitioned and unpartitioned, exact file sizes, sort within
// files, re-runs, two workers at once, a lost staging file, a lake changed after compaction.
#include "lakepack/lake.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <thread>

#include "arrow/builder.h"
#include "arrow/io/memory.h"
#include "arrow/table.h"
#include "arrow/util/compression.h"
#include "format/reader.h"
#include "manifest/manifest.h"
#include "parquet/arrow/writer.h"
#include "test_util.h"

namespace lakepack::lake {
namespace {

using lakepack::testing::Scratch;

constexpr int kFiles = 8;
constexpr int kRowsPerFile = 5000;
constexpr int64_t kTarget = 40'000;  // bytes per lake file: several files per partition

// The project opens its own stores: s3-faulty injects faults there through LAKEPACK_FAULT_RATE
// (set by the fixture), the store test hook's environment spelling.
StoreOptions OptionsFor(const std::string& kind) { return StoreOptions(); }

// `orders` export files: order_id (string), order_time (timestamp[s], all of 2021), amount.
void WriteSnapshot(Scratch& s) {
  uint64_t x = 42;
  auto next = [&] {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    return x >> 33;
  };
  for (int f = 0; f < kFiles; ++f) {
    arrow::StringBuilder id;
    arrow::TimestampBuilder ts(arrow::timestamp(arrow::TimeUnit::SECOND),
                               arrow::default_memory_pool());
    arrow::DoubleBuilder amount;
    for (int r = 0; r < kRowsPerFile; ++r) {
      ASSERT_TRUE(id.Append("order-" + std::to_string(f * kRowsPerFile + r)).ok());
      ASSERT_TRUE(ts.Append(1609459200 + static_cast<int64_t>(next() % 31536000)).ok());
      ASSERT_TRUE(amount.Append(static_cast<double>(next() % 100000) / 100).ok());
    }
    std::shared_ptr<arrow::Array> a, b, c;
    ASSERT_TRUE(id.Finish(&a).ok());
    ASSERT_TRUE(ts.Finish(&b).ok());
    ASSERT_TRUE(amount.Finish(&c).ok());
    auto table = arrow::Table::Make(
        arrow::schema({arrow::field("order_id", arrow::utf8()),
                       arrow::field("order_time", arrow::timestamp(arrow::TimeUnit::SECOND)),
                       arrow::field("amount", arrow::float64())}),
        {a, b, c});
    auto sink = *arrow::io::BufferOutputStream::Create();
    ASSERT_TRUE(
        parquet::arrow::WriteTable(*table, arrow::default_memory_pool(), sink, 100000).ok());
    ASSERT_TRUE(
        s.store()
            .Put(s.Key("snapshot/" + std::to_string(f) + ".parquet"), (*sink->Finish())->ToString())
            .ok());
  }
}

ProjectOptions MakeOptions(Scratch& s, const std::string& kind) {
  ProjectOptions o;
  o.s3uri_db_snapshot_manifest_summary = s.Uri("staging/manifests/manifest-summary.json");
  o.s3uri_staging = s.Uri("staging/");
  o.s3uri_datalake = s.Uri("datalake/");
  o.target_db_snapshot_file_group_size = 400'000;
  o.partition_keys = {"year(order_time)", "month(order_time)"};
  o.target_parquet_file_size = kTarget;
  o.store = OptionsFor(kind);
  return o;
}

void BuildManifest(Scratch& s, const std::string& kind) {
  auto n = BuildSnapshotManifest(
      s.Uri("snapshot/"), s.Uri("staging/manifests/manifest-summary.json"),
      s.Uri("staging/manifests/manifest-data.parquet"), true, OptionsFor(kind));
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  ASSERT_EQ(*n, kFiles);
}

// Every order_id under datalake/ (part-* files), with per-file checks.
std::multiset<std::string> ReadLake(Scratch& s, bool sorted, int64_t* files) {
  std::multiset<std::string> ids;
  auto objects = s.store().ListAll(s.Key("datalake/"));
  EXPECT_TRUE(objects.ok());
  *files = 0;
  for (const auto& o : *objects) {
    if (o.key.find("/part-") == std::string::npos) continue;
    ++*files;
    auto reader = format::OpenBatchReader(s.shared_store(), o.key, format::Format::kParquet);
    EXPECT_TRUE(reader.ok()) << reader.status().ToString();
    std::string prev;
    while (true) {
      std::shared_ptr<arrow::RecordBatch> b;
      EXPECT_TRUE((*reader)->ReadNext(&b).ok());
      if (!b) break;
      EXPECT_EQ(b->schema()->GetFieldIndex("year"), -1) << "derived keys are not stored";
      auto col = std::static_pointer_cast<arrow::StringArray>(b->GetColumnByName("order_id"));
      for (int64_t i = 0; i < col->length(); ++i) {
        std::string v(col->GetView(i));
        if (sorted) EXPECT_LE(prev, v) << o.key;
        prev = v;
        ids.insert(v);
      }
    }
  }
  return ids;
}

void ExpectExactRows(Scratch& s, bool sorted = false) {
  int64_t files = 0;
  auto ids = ReadLake(s, sorted, &files);
  EXPECT_EQ(ids.size(), static_cast<size_t>(kFiles * kRowsPerFile));
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size()) << "duplicates";
}

void ExpectSizes(const ValidateReport& v, Scratch& s) {
  // Per partition: every file but the last within ±2% of the target, the last >= half of it
  // (unless it is the partition's only file).
  auto objects = s.store().ListAll(s.Key("datalake/"));
  ASSERT_TRUE(objects.ok());
  std::map<std::string, std::vector<int64_t>> sizes;
  for (const auto& o : *objects) {
    size_t p = o.key.find("/part-");
    if (p == std::string::npos) continue;
    sizes[o.key.substr(0, p)].push_back(o.size);
  }
  EXPECT_EQ(static_cast<int64_t>(sizes.size()), v.n_partition);
  for (auto& [dir, list] : sizes) {
    for (size_t i = 0; i + 1 < list.size(); ++i) {
      EXPECT_NEAR(static_cast<double>(list[i]), kTarget, 0.02 * kTarget) << dir << " file " << i;
    }
    if (list.size() > 1) EXPECT_GE(list.back(), kTarget / 2) << dir;
    EXPECT_LE(list.back(), 1.6 * kTarget) << dir;
  }
}

class LakeTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (GetParam() == "s3-faulty") setenv("LAKEPACK_FAULT_RATE", "0.1", 1);
  }
  void TearDown() override { unsetenv("LAKEPACK_FAULT_RATE"); }
};

TEST_P(LakeTest, PartitionedRunInTheReferenceLayout) {
  Scratch s(GetParam());
  WriteSnapshot(s);
  BuildManifest(s, GetParam());
  auto o = MakeOptions(s, GetParam());
  o.one_pass = false;  // the staged steps, as several workers run them
  auto project = Project::Make(o);
  ASSERT_TRUE(project.ok()) << project.status().ToString();
  auto v = (*project)->Run();
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->before_total_n_record, kFiles * kRowsPerFile);
  EXPECT_EQ(v->after_total_n_record, kFiles * kRowsPerFile);
  EXPECT_EQ(v->n_partition, 12);
  ExpectExactRows(s);
  ExpectSizes(*v, s);
  // The reference's folders.
  for (const char* key :
       {"staging/manifests/snapshot-file-groups/manifest-summary/manifest-summary-1.json",
        "staging/manifests/snapshot-file-groups/manifest-data/manifest-data-1.parquet",
        "staging/manifests/partition-file-groups/manifest-summary/manifest-summary-1.json",
        "staging/manifests/validate-datalake-result.json",
        "datalake/_lakepack/log-000000000000.json"}) {
    EXPECT_TRUE(s.store().Head(s.Key(key)).ok()) << key;
  }
  auto staged = s.store().ListAll(s.Key("staging/datalake/year=2021/month=01/"));
  ASSERT_TRUE(staged.ok());
  EXPECT_FALSE(staged->empty());
  auto summaries =
      s.store().ListAll(s.Key("staging/manifests/staging-file-groups/manifest-summary/"));
  ASSERT_TRUE(summaries.ok());
  EXPECT_FALSE(summaries->empty());
  // A group manifest reads back with the manifest module (the reference's format).
  auto g = manifest::ReadManifest(
      s.Uri("staging/manifests/snapshot-file-groups/manifest-summary/manifest-summary-1.json"),
      s.shared_store(), OptionsFor(GetParam()));
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_LE(g->size, 400'000);
  EXPECT_GE(g->files.size(), 2u);

  // A second run does nothing again and publishes the same commit.
  auto again = (*project)->Run();
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->commit_uri, v->commit_uri);
  ExpectExactRows(s);
  auto status = (*project)->StatusJson();
  ASSERT_TRUE(status.ok());
  EXPECT_NE(status->find("\"committed\":true"), std::string::npos) << *status;
  EXPECT_EQ(v->mode, "staged");
  EXPECT_GT(v->staged_bytes, 0);
}

// Every object (key, size) under the scratch prefix.
std::map<std::string, int64_t> Objects(Scratch& s) {
  std::map<std::string, int64_t> out;
  auto all = s.store().ListAll(s.Key(""));
  EXPECT_TRUE(all.ok());
  for (const auto& o : *all) out[o.key] = o.size;
  return out;
}

TEST_P(LakeTest, OnePassWritesEveryRowOnce) {
  Scratch s(GetParam());
  WriteSnapshot(s);
  BuildManifest(s, GetParam());
  auto project = Project::Make(MakeOptions(s, GetParam()));
  ASSERT_TRUE(project.ok()) << project.status().ToString();
  auto v = (*project)->Run();
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->mode, "one-pass");
  EXPECT_EQ(v->staged_bytes, 0);
  EXPECT_EQ(v->after_total_n_record, kFiles * kRowsPerFile);
  EXPECT_EQ(v->n_partition, 12);
  ExpectExactRows(s);
  ExpectSizes(*v, s);
  // No staging file at all: the rows went straight into the lake.
  auto staged = s.store().ListAll(s.Key("staging/datalake/"));
  ASSERT_TRUE(staged.ok());
  EXPECT_TRUE(staged->empty());
  // Re-run: nothing redone, the same commit, nothing written.
  auto before = Objects(s);
  auto again = (*project)->Run();
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->commit_uri, v->commit_uri);
  ExpectExactRows(s);
  auto status = (*project)->StatusJson();
  ASSERT_TRUE(status.ok());
  EXPECT_NE(status->find("\"mode\":\"one-pass\""), std::string::npos) << *status;
  // The staged compaction step knows the partitions are done.
  auto compact = (*project)->ProcessPartitionGroups();
  ASSERT_TRUE(compact.ok()) << compact.status().ToString();
  EXPECT_EQ(compact->already_done, 12);
}

// The user's read function: the group's files, concatenated (the reference's override).
ReadGroupFn ReadWhole(std::shared_ptr<ObjectStore> store) {
  return [store](const GroupManifest& g) -> Result<std::shared_ptr<arrow::RecordBatchReader>> {
    std::vector<std::shared_ptr<arrow::RecordBatch>> batches;
    std::shared_ptr<arrow::Schema> schema;
    for (const auto& uri : g.uris) {
      LP_ASSIGN_OR_RETURN(StoreLocation loc, manifest::Resolve(uri, store, StoreOptions()));
      LP_ASSIGN_OR_RETURN(auto reader,
                          format::OpenBatchReader(loc.store, loc.key, format::Format::kParquet));
      schema = reader->schema();
      while (true) {
        std::shared_ptr<arrow::RecordBatch> b;
        if (!reader->ReadNext(&b).ok()) return Status::IOError(uri);
        if (!b) break;
        batches.push_back(b);
      }
    }
    auto r = arrow::RecordBatchReader::Make(batches, schema);
    if (!r.ok()) return Status::Internal(r.status().ToString());
    return *r;
  };
}

TEST_P(LakeTest, OnePassMergesAShortTail) {
  // One partition whose lake is 2.3 targets: the last 0.3 goes into the file before it, either
  // foreseen (built-in readers: the manifest counts the rows left) or by rewriting the last two
  // files (a user read function, whose rows the pass cannot count ahead).
  Scratch s(GetParam());
  WriteSnapshot(s);
  BuildManifest(s, GetParam());
  auto o = MakeOptions(s, GetParam());
  o.partition_keys.clear();
  o.target_parquet_file_size = 1'000'000;
  o.s3uri_staging = s.Uri("probe-staging/");
  o.s3uri_datalake = s.Uri("probe/");
  auto probe = (*Project::Make(o))->Run();
  ASSERT_TRUE(probe.ok()) << probe.status().ToString();
  ASSERT_EQ(probe->after_n_files, 1);
  const int64_t total = probe->after_total_size;
  for (bool user_fn : {false, true}) {
    SCOPED_TRACE(user_fn ? "user read function" : "built-in readers");
    const std::string name = user_fn ? "user" : "builtin";
    o.s3uri_staging = s.Uri(name + "-staging/");
    o.s3uri_datalake = s.Uri(name + "/");
    o.target_parquet_file_size = static_cast<int64_t>(static_cast<double>(total) / 2.3);
    auto project = Project::Make(o);
    ASSERT_TRUE(project.ok());
    auto v = (*project)->Run(user_fn ? ReadWhole(s.shared_store()) : ReadGroupFn());
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    EXPECT_EQ(v->mode, "one-pass");
    EXPECT_EQ(v->after_total_n_record, kFiles * kRowsPerFile);
    EXPECT_EQ(v->after_n_files, 2);
    if (user_fn) {
      EXPECT_GT(v->rewritten_bytes, 0);
      EXPECT_LT(v->rewritten_bytes, 1.6 * o.target_parquet_file_size);
    } else {
      EXPECT_EQ(v->rewritten_bytes, 0);
    }
    auto files = s.store().ListAll(s.Key(name + "/part-"));
    ASSERT_TRUE(files.ok());
    ASSERT_EQ(files->size(), 2u);
    const double t = static_cast<double>(o.target_parquet_file_size);
    EXPECT_NEAR(static_cast<double>((*files)[0].size), t, 0.02 * t);
    EXPECT_GE(static_cast<double>((*files)[1].size), 0.5 * t);
    EXPECT_LE(static_cast<double>((*files)[1].size), 1.5 * t);
  }
}

TEST_P(LakeTest, DryRunWritesNothing) {
  Scratch s(GetParam());
  WriteSnapshot(s);
  BuildManifest(s, GetParam());
  auto project = Project::Make(MakeOptions(s, GetParam()));
  ASSERT_TRUE(project.ok());
  auto before = Objects(s);
  auto plan = (*project)->DryRunJson("plan");
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  auto run = (*project)->DryRunJson("run");
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  EXPECT_EQ(Objects(s), before) << "a dry run wrote";
  EXPECT_NE(plan->find("\"planned\":false"), std::string::npos) << *plan;
  EXPECT_NE(plan->find("\"snapshot_files\":8"), std::string::npos) << *plan;
  EXPECT_NE(run->find("\"path\":\"one-pass\""), std::string::npos) << *run;
  EXPECT_NE(run->find("\"committed\":false"), std::string::npos) << *run;
  EXPECT_FALSE((*project)->DryRunJson("compact").ok());
  // What it planned in memory is what plan writes.
  auto real = (*project)->PlanSnapshotToStaging();
  ASSERT_TRUE(real.ok());
  EXPECT_NE(plan->find("\"groups\":" + std::to_string(real->groups)), std::string::npos) << *plan;
  ASSERT_TRUE((*project)->Run().ok());
  auto after = Objects(s);
  auto done = (*project)->DryRunJson("run");
  ASSERT_TRUE(done.ok());
  EXPECT_NE(done->find("\"committed\":true"), std::string::npos) << *done;
  EXPECT_NE(done->find("\"would\":[]"), std::string::npos) << *done;
  EXPECT_EQ(Objects(s), after);
}

TEST_P(LakeTest, OneGroupAtATimeAsATaskRunnerCallsIt) {
  // What a Ray task runs: one group by index; a retried task finds it done.
  Scratch s(GetParam());
  WriteSnapshot(s);
  BuildManifest(s, GetParam());
  auto project = Project::Make(MakeOptions(s, GetParam()));
  ASSERT_TRUE(project.ok());
  auto plan = (*project)->PlanSnapshotToStaging();
  ASSERT_TRUE(plan.ok());
  for (int64_t i = 1; i <= plan->groups; ++i) {
    auto r = (*project)->ProcessSnapshotGroup(i);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->processed, 1);
    auto retry = (*project)->ProcessSnapshotGroup(i);
    ASSERT_TRUE(retry.ok());
    EXPECT_EQ(retry->already_done, 1);
    EXPECT_EQ(retry->rows, 0);
  }
  EXPECT_FALSE((*project)->ProcessSnapshotGroup(plan->groups + 1).ok());
  auto lake = (*project)->PlanStagingToDatalake();
  ASSERT_TRUE(lake.ok());
  int64_t rows = 0;
  for (int64_t i = 1; i <= lake->groups; ++i) {
    auto r = (*project)->ProcessPartitionGroup(i);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    rows += r->rows;
    EXPECT_EQ((*project)->ProcessPartitionGroup(i)->already_done, 1);
  }
  EXPECT_EQ(rows, kFiles * kRowsPerFile);
  // Run() after staged work does not start a one pass over it.
  auto v = (*project)->Run();
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->mode, "staged");
  ExpectExactRows(s);
}

TEST_P(LakeTest, UnpartitionedAndSorted) {
  Scratch s(GetParam());
  WriteSnapshot(s);
  BuildManifest(s, GetParam());
  auto o = MakeOptions(s, GetParam());
  o.partition_keys.clear();
  o.sort_by = {"order_id"};
  o.target_parquet_file_size = 200'000;
  auto project = Project::Make(o);
  ASSERT_TRUE(project.ok());
  auto v = (*project)->Run();
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->n_partition, 1);
  EXPECT_EQ(v->partitions[0].partition, "");
  ExpectExactRows(s, /*sorted=*/true);
  auto top = s.store().ListAll(s.Key("datalake/part-"));
  ASSERT_TRUE(top.ok());
  EXPECT_EQ(static_cast<int64_t>(top->size()), v->after_n_files);
}

TEST_P(LakeTest, TwoWorkersDoEachGroupOnce) {
  Scratch s(GetParam());
  WriteSnapshot(s);
  BuildManifest(s, GetParam());
  auto o = MakeOptions(s, GetParam());
  o.parallel = 1;
  auto a = Project::Make(o);
  auto b = Project::Make(o);
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE((*a)->PlanSnapshotToStaging().ok());
  Result<StepReport> ra = Status::Internal("unset"), rb = Status::Internal("unset");
  std::thread t1([&] { ra = (*a)->ProcessSnapshotGroups(); });
  std::thread t2([&] { rb = (*b)->ProcessSnapshotGroups(); });
  t1.join();
  t2.join();
  ASSERT_TRUE(ra.ok()) << ra.status().ToString();
  ASSERT_TRUE(rb.ok()) << rb.status().ToString();
  // Each group processed by exactly one of them; none twice.
  EXPECT_EQ(ra->processed + rb->processed, ra->groups);
  auto claims = s.store().ListAll(s.Key("staging/manifests/_lakepack/stage-"));
  ASSERT_TRUE(claims.ok());
  for (const auto& c : *claims) {
    EXPECT_EQ(c.key.find("claim-000000000001"), std::string::npos)
        << "a group was claimed twice: " << c.key;
  }
  auto v = (*a)->Run();
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  ExpectExactRows(s);
}

TEST_P(LakeTest, LostStagingFileIsCaught) {
  Scratch s(GetParam());
  WriteSnapshot(s);
  BuildManifest(s, GetParam());
  auto project = Project::Make(MakeOptions(s, GetParam()));
  ASSERT_TRUE(project.ok());
  ASSERT_TRUE((*project)->PlanSnapshotToStaging().ok());
  ASSERT_TRUE((*project)->ProcessSnapshotGroups().ok());
  ASSERT_TRUE((*project)->PlanStagingToDatalake().ok());
  auto staged = s.store().ListAll(s.Key("staging/datalake/year=2021/month=03/"));
  ASSERT_TRUE(staged.ok() && !staged->empty());
  ASSERT_TRUE(s.store().Delete(staged->front().key).ok());
  auto r = (*project)->ProcessPartitionGroups();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("month=03"), std::string::npos) << r.status().ToString();
  // Nothing is published.
  EXPECT_TRUE(
      s.store().Head(s.Key("datalake/_lakepack/log-000000000000.json")).status().IsNotFound());
}

TEST_P(LakeTest, ChangedLakeFailsValidation) {
  Scratch s(GetParam());
  WriteSnapshot(s);
  BuildManifest(s, GetParam());
  auto project = Project::Make(MakeOptions(s, GetParam()));
  ASSERT_TRUE(project.ok());
  ASSERT_TRUE((*project)->PlanSnapshotToStaging().ok());
  ASSERT_TRUE((*project)->ProcessSnapshotGroups().ok());
  ASSERT_TRUE((*project)->PlanStagingToDatalake().ok());
  ASSERT_TRUE((*project)->ProcessPartitionGroups().ok());
  // Replace one lake file of month 05 by one of month 06 (same size class, other rows).
  auto may = s.store().ListAll(s.Key("datalake/year=2021/month=05/part-"));
  auto june = s.store().ListAll(s.Key("datalake/year=2021/month=06/part-"));
  ASSERT_TRUE(may.ok() && june.ok() && !may->empty() && !june->empty());
  ASSERT_TRUE(s.store().Copy(june->front().key, may->front().key).ok());
  auto v = (*project)->ValidateDatalake();
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("month=05"), std::string::npos) << v.status().ToString();
  EXPECT_TRUE(
      s.store().Head(s.Key("datalake/_lakepack/log-000000000000.json")).status().IsNotFound());
}

INSTANTIATE_TEST_SUITE_P(Stores, LakeTest, ::testing::ValuesIn(testing::StoreKinds()),
                         testing::KindName);

TEST(ProjectOptions, Validate) {
  ProjectOptions o;
  EXPECT_FALSE(o.Validate().ok());
  o.s3uri_db_snapshot_manifest_summary = "a";
  o.s3uri_staging = "b";
  o.s3uri_datalake = "c";
  EXPECT_TRUE(o.Validate().ok());
  o.partition_keys = {"bucket(x)"};
  auto p = Project::Make(o);
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("bucket(n, column)"), std::string::npos);
}

}  // namespace
}  // namespace lakepack::lake

namespace lakepack::lake {
namespace {

std::string Gzip(const std::string& text) {
  auto codec = *arrow::util::Codec::Create(arrow::Compression::GZIP);
  int64_t cap = codec->MaxCompressedLen(static_cast<int64_t>(text.size()),
                                        reinterpret_cast<const uint8_t*>(text.data()));
  std::string out(static_cast<size_t>(cap), '\0');
  int64_t n = *codec->Compress(static_cast<int64_t>(text.size()),
                               reinterpret_cast<const uint8_t*>(text.data()), cap,
                               reinterpret_cast<uint8_t*>(out.data()));
  out.resize(static_cast<size_t>(n));
  return out;
}

// DynamoDB's JSON export (.json and .json.gz), read by the built-in reader, partitioned by
// bucket(4, id): typed attributes become plain columns, every item arrives once.
TEST(LakeExports, DynamoDbJsonExportPlainAndGzip) {
  Scratch s("local");
  const int kItems = 3000;
  std::string a, b;
  for (int i = 0; i < kItems; ++i) {
    std::string line = R"({"Item":{"id":{"S":"item-)" + std::to_string(i) + R"("},"qty":{"N":")" +
                       std::to_string(i % 17) + R"("},"ok":{"BOOL":)" + (i % 2 ? "true" : "false") +
                       "}}}\n";
    (i % 2 ? a : b) += line;
  }
  ASSERT_TRUE(s.store().Put(s.Key("export/data/part-0.json"), a).ok());
  ASSERT_TRUE(s.store().Put(s.Key("export/data/part-1.json.gz"), Gzip(b)).ok());
  auto n =
      BuildSnapshotManifest(s.Uri("export/data/"), s.Uri("staging/manifests/manifest-summary.json"),
                            s.Uri("staging/manifests/manifest-data.parquet"), false);
  ASSERT_TRUE(n.ok()) << n.status().ToString();
  ASSERT_EQ(*n, 2);
  ProjectOptions o;
  o.s3uri_db_snapshot_manifest_summary = s.Uri("staging/manifests/manifest-summary.json");
  o.s3uri_staging = s.Uri("staging/");
  o.s3uri_datalake = s.Uri("datalake/");
  o.input_format = "dynamodb";
  o.partition_keys = {"bucket(4, id)"};
  auto project = Project::Make(o);
  ASSERT_TRUE(project.ok());
  auto v = (*project)->Run();
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->after_total_n_record, kItems);
  EXPECT_EQ(v->n_partition, 4);
  EXPECT_EQ(v->partitions[0].partition, "id_bucket=0");
  auto objects = s.store().ListAll(s.Key("datalake/id_bucket=1/part-"));
  ASSERT_TRUE(objects.ok() && !objects->empty());
  auto reader =
      format::OpenBatchReader(s.shared_store(), objects->front().key, format::Format::kParquet);
  ASSERT_TRUE(reader.ok());
  auto schema = (*reader)->schema();
  EXPECT_EQ(schema->GetFieldByName("id")->type()->id(), arrow::Type::STRING);
  EXPECT_EQ(schema->GetFieldByName("qty")->type()->id(), arrow::Type::INT64);
  EXPECT_EQ(schema->GetFieldByName("ok")->type()->id(), arrow::Type::BOOL);
}

TEST(LakeExports, NotADynamoDbExportIsNamed) {
  Scratch s("local");
  ASSERT_TRUE(s.store().Put(s.Key("export/x.json"), "{\"a\": 1}\n").ok());
  ASSERT_TRUE(BuildSnapshotManifest(s.Uri("export/"),
                                    s.Uri("staging/manifests/manifest-summary.json"),
                                    s.Uri("staging/manifests/manifest-data.parquet"), false)
                  .ok());
  ProjectOptions o;
  o.s3uri_db_snapshot_manifest_summary = s.Uri("staging/manifests/manifest-summary.json");
  o.s3uri_staging = s.Uri("staging/");
  o.s3uri_datalake = s.Uri("datalake/");
  o.input_format = "dynamodb";
  auto v = (*Project::Make(o))->Run();
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("x.json"), std::string::npos) << v.status().ToString();
  EXPECT_NE(v.status().message().find("\"Item\""), std::string::npos);
}

}  // namespace
}  // namespace lakepack::lake
