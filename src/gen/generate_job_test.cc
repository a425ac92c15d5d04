// The generate job: exact row counts, sizes within a few %, progress, cancellation, bad options.
#include "gen/generate_job.h"

#include <gtest/gtest.h>

#include <string>

#include "test_util.h"

namespace lakepack::gen {
namespace {

using testing::Scratch;

GenerateJobOptions Job(const std::string& uri) {
  GenerateJobOptions o;
  o.output_uri = uri;
  o.generator.threads = 2;
  return o;
}

TEST(GenerateJobTest, RowsWritesExactlyThatManyRows) {
  Scratch scratch("local");
  auto o = Job(scratch.Uri("r.jsonl"));
  o.rows = 12345;
  o.generator.batch_rows = 1000;
  int64_t calls = 0, last_rows = 0;
  o.on_progress = [&](int64_t rows, int64_t bytes) {
    ++calls;
    EXPECT_GT(rows, last_rows);
    last_rows = rows;
  };
  auto report = RunGenerateJob(o);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->rows, 12345);
  EXPECT_EQ(report->format, format::Format::kJsonl);
  EXPECT_EQ(calls, 13);  // one per batch of 1000 rows
  EXPECT_EQ(last_rows, 12345);
  auto data = scratch.store().Get(scratch.Key("r.jsonl"));
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(static_cast<int64_t>(data->size()), report->bytes);
  EXPECT_EQ(std::count(data->begin(), data->end(), '\n'), 12345);
}

// Before generate_job, 1 MB of JSON Lines came out as 3.8 MB and 1 MB of CSV as 2.2 MB.
TEST(GenerateJobTest, SizeLandsWithinThreePercent) {
  Scratch scratch("local");
  for (const char* ext : {"csv", "jsonl", "parquet"}) {
    for (int64_t size : {1'000'000, 3'000'000, 20'000'000}) {
      const std::string name = std::string("s") + std::to_string(size) + "." + ext;
      auto o = Job(scratch.Uri(name));
      o.size_bytes = size;
      auto report = RunGenerateJob(o);
      ASSERT_TRUE(report.ok()) << report.status().ToString();
      auto head = scratch.store().Head(scratch.Key(name));
      ASSERT_TRUE(head.ok());
      EXPECT_EQ(head->size, report->bytes);
      EXPECT_GE(report->bytes, size) << name;
      EXPECT_LE(report->bytes, size + size * 3 / 100) << name;
    }
  }
}

TEST(GenerateJobTest, SizeZeroGivesAnEmptyFile) {
  Scratch scratch("local");
  auto o = Job(scratch.Uri("empty.csv"));
  o.size_bytes = 0;
  auto report = RunGenerateJob(o);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->rows, 0);
}

TEST(GenerateJobTest, CancelledStopsAndLeavesNothing) {
  Scratch scratch("local");
  auto o = Job(scratch.Uri("c.parquet"));
  o.rows = 100'000'000;
  o.generator.batch_rows = 10'000;
  int polls = 0;
  o.cancelled = [&] { return ++polls > 3; };
  auto report = RunGenerateJob(o);
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), StatusCode::kCancelled);
  EXPECT_NE(report.status().message().find("c.parquet"), std::string::npos);
  EXPECT_EQ(polls, 4);
  EXPECT_TRUE(scratch.store().Head(scratch.Key("c.parquet")).status().IsNotFound());
  auto listing = scratch.store().ListAll(scratch.prefix());
  ASSERT_TRUE(listing.ok());
  EXPECT_TRUE(listing->empty());
}

TEST(GenerateJobTest, BadOptionsAreNamed) {
  Scratch scratch("local");
  auto both = Job(scratch.Uri("x.csv"));
  both.rows = 1;
  both.size_bytes = 1;
  EXPECT_EQ(RunGenerateJob(both).status().code(), StatusCode::kInvalidArgument);
  auto neither = Job(scratch.Uri("x.csv"));
  EXPECT_EQ(RunGenerateJob(neither).status().code(), StatusCode::kInvalidArgument);
  auto codec = Job(scratch.Uri("x.csv"));
  codec.rows = 1;
  codec.compression = "zstd";
  auto st = RunGenerateJob(codec).status();
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("Parquet only"), std::string::npos) << st.ToString();
  auto dir = Job(scratch.Uri("somedir/"));
  dir.rows = 1;
  EXPECT_EQ(RunGenerateJob(dir).status().code(), StatusCode::kInvalidArgument);
  auto ext = Job(scratch.Uri("x.unknownext"));
  ext.rows = 1;
  st = RunGenerateJob(ext).status();
  EXPECT_NE(st.message().find("x.unknownext"), std::string::npos) << st.ToString();
}

}  // namespace
}  // namespace lakepack::gen
