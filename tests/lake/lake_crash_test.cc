// lake_crash_test.cc: `lakepack lake run` killed (SIGKILL, LAKEPACK_CRASH_AT=K) at store
// call K of any step, then run again: the lake holds exactly the snapshot's rows, no duplicate,
// and no lake file that the commit does not name.
#include <gtest/gtest.h>

#include <set>

#include "arrow/builder.h"
#include "arrow/io/memory.h"
#include "arrow/table.h"
#include "base/json.h"
#include "format/reader.h"
#include "lakepack/lake.h"
#include "parquet/arrow/writer.h"
#include "test_util.h"

namespace lakepack::lake {
namespace {

using lakepack::testing::RunCli;
using lakepack::testing::Scratch;

constexpr int kFiles = 4;
constexpr int kRows = 3000;

void WriteSnapshot(Scratch& s) {
  for (int f = 0; f < kFiles; ++f) {
    arrow::Int64Builder id;
    arrow::StringBuilder region;
    for (int r = 0; r < kRows; ++r) {
      ASSERT_TRUE(id.Append(f * kRows + r).ok());
      ASSERT_TRUE(region.Append(std::string(1, static_cast<char>('a' + (r * 7 + f) % 3))).ok());
    }
    std::shared_ptr<arrow::Array> a, b;
    ASSERT_TRUE(id.Finish(&a).ok());
    ASSERT_TRUE(region.Finish(&b).ok());
    auto table = arrow::Table::Make(
        arrow::schema({arrow::field("id", arrow::int64()), arrow::field("region", arrow::utf8())}),
        {a, b});
    auto sink = *arrow::io::BufferOutputStream::Create();
    ASSERT_TRUE(
        parquet::arrow::WriteTable(*table, arrow::default_memory_pool(), sink, 100000).ok());
    ASSERT_TRUE(
        s.store()
            .Put(s.Key("snapshot/" + std::to_string(f) + ".parquet"), (*sink->Finish())->ToString())
            .ok());
  }
}

std::string Args(Scratch& s, const std::string& run, const std::string& extra) {
  return "lake run --manifest " + s.Uri("snapshot/manifests/manifest-summary.json") +
         " --staging " + s.Uri(run + "/staging") + " --datalake " + s.Uri(run + "/lake") +
         " --partition-key region --group-size 30000 --file-size 8000 --parallel 1 --json" + extra;
}

void ExpectExact(Scratch& s, const std::string& run) {
  auto objects = s.store().ListAll(s.Key(run + "/lake/"));
  ASSERT_TRUE(objects.ok());
  auto commit = s.store().Get(s.Key(run + "/lake/_lakepack/log-000000000000.json"));
  ASSERT_TRUE(commit.ok()) << run;
  std::multiset<int64_t> ids;
  int64_t files = 0;
  for (const auto& o : *objects) {
    if (o.key.find("/_lakepack/") != std::string::npos) continue;
    ++files;
    auto reader = format::OpenBatchReader(s.shared_store(), o.key, format::Format::kParquet);
    ASSERT_TRUE(reader.ok()) << reader.status().ToString();
    while (true) {
      std::shared_ptr<arrow::RecordBatch> b;
      ASSERT_TRUE((*reader)->ReadNext(&b).ok());
      if (!b) break;
      auto col = std::static_pointer_cast<arrow::Int64Array>(b->GetColumnByName("id"));
      for (int64_t i = 0; i < col->length(); ++i) ids.insert(col->Value(i));
    }
  }
  EXPECT_EQ(ids.size(), static_cast<size_t>(kFiles * kRows)) << run;
  EXPECT_EQ(std::set<int64_t>(ids.begin(), ids.end()).size(), ids.size()) << run << ": duplicates";
  auto j = ParseJson(*commit);
  ASSERT_TRUE(j.ok());
  EXPECT_EQ(files, std::stoll(j->Find("files")->string)) << run << ": orphan lake files";
}

// `extra`: "" for the one pass (lake run's default on one machine), " --staged" for the staged
// steps.
void CrashEverywhere(const std::string& extra) {
  Scratch s("local");
  WriteSnapshot(s);
  std::string out;
  ASSERT_EQ(RunCli("lake manifest " + s.Uri("snapshot/"), &out), 0) << out;
  // Every K from 1 up to the run's last store call, in strides that still hit every step.
  constexpr int kStride = 5;
  int crashes = 0;
  for (int k = 1;; k += kStride) {
    std::string run = "run" + std::to_string(k);
    int rc = RunCli(Args(s, run, extra), &out, "LAKEPACK_CRASH_AT=" + std::to_string(k));
    if (rc == 0) break;  // K is past the last store call: the run finished
    ASSERT_NE(out.find("LAKEPACK_CRASH_AT"), std::string::npos) << "k=" << k << ": " << out;
    ++crashes;
    rc = RunCli(Args(s, run, extra), &out);
    ASSERT_EQ(rc, 0) << "k=" << k << ": " << out;
    ExpectExact(s, run);
    if (::testing::Test::HasFailure()) break;
  }
  EXPECT_GT(crashes, 20);
}

TEST(LakeCli, DryRunWritesNothing) {
  Scratch s("local");
  WriteSnapshot(s);
  std::string out;
  ASSERT_EQ(RunCli("lake manifest " + s.Uri("snapshot/"), &out), 0) << out;
  auto listing = [&] {
    std::set<std::string> keys;
    auto all = s.store().ListAll(s.Key(""));
    EXPECT_TRUE(all.ok());
    for (const auto& o : *all) keys.insert(o.key);
    return keys;
  };
  auto before = listing();
  std::string dry = Args(s, "dry", "");
  dry.replace(0, std::string("lake run").size(), "lake plan");
  ASSERT_EQ(RunCli(dry + " --dry-run", &out), 0) << out;
  EXPECT_NE(out.find("\"dry_run\":true"), std::string::npos) << out;
  EXPECT_NE(out.find("\"planned\":false"), std::string::npos) << out;
  ASSERT_EQ(RunCli(Args(s, "dry", " --dry-run"), &out), 0) << out;
  EXPECT_NE(out.find("\"path\":\"one-pass\""), std::string::npos) << out;
  ASSERT_EQ(RunCli(Args(s, "dry", " --staged --dry-run"), &out), 0) << out;
  EXPECT_NE(out.find("\"path\":\"staged\""), std::string::npos) << out;
  EXPECT_EQ(listing(), before) << "a dry run wrote";
  std::string stage = Args(s, "dry", " --dry-run");
  stage.replace(0, std::string("lake run").size(), "lake stage");
  EXPECT_EQ(RunCli(stage, &out), 2) << out;  // a usage error, before any work
  EXPECT_EQ(listing(), before);
  // The real run takes the one pass and says so.
  ASSERT_EQ(RunCli(Args(s, "dry", ""), &out), 0) << out;
  EXPECT_NE(out.find("\"mode\":\"one-pass\""), std::string::npos) << out;
  EXPECT_NE(out.find("\"staged_bytes\":0"), std::string::npos) << out;
  ExpectExact(s, "dry");
}

TEST(LakeCrash, OnePassKilledAtAnyStoreCallThenRerun) { CrashEverywhere(""); }

TEST(LakeCrash, StagedKilledAtAnyStoreCallThenRerun) { CrashEverywhere(" --staged"); }

}  // namespace
}  // namespace lakepack::lake
