// Unit tests of the pack job's pure parts: naming, state documents and planning (no store).
#include "pack/plan.h"

#include <gtest/gtest.h>

#include "pack/naming.h"
#include "pack/rolling_writer.h"
#include "pack/state.h"

namespace lakepack::pack {
namespace {

TEST(Naming, OutputNamesAndNumbers) {
  EXPECT_EQ(OutputFileName("table", "", 0, "snappy.parquet"), "table_0.snappy.parquet");
  EXPECT_EQ(OutputFileName("table", "sfx", 12, "csv"), "table_sfx_12.csv");
  EXPECT_EQ(*ParseFileNumber("some_data_file_suffix_10.snappy.parquet"), 10);
  EXPECT_EQ(*ParseFileNumber("db/table/k=v/table_3.csv"), 3);
  EXPECT_FALSE(ParseFileNumber("table_x.csv").ok());
  EXPECT_FALSE(ParseFileNumber("table_.csv").ok());
  EXPECT_NE(ParseFileNumber("table_x.csv").status().message().find("table_x.csv"),
            std::string::npos);
}

TEST(Naming, Extensions) {
  EXPECT_EQ(Extension("a/b/t_1.snappy.parquet"), "snappy.parquet");
  EXPECT_EQ(Extension("noext"), "");
  EXPECT_TRUE(HasExtension("x.snappy.parquet", "parquet"));
  EXPECT_TRUE(HasExtension("x.snappy.parquet", "snappy.parquet"));
  EXPECT_FALSE(HasExtension("x.snappyparquet", "parquet"));
  EXPECT_FALSE(HasExtension("x.csv", "parquet"));
  EXPECT_EQ(*FormatOfExtension("snappy.parquet"), format::Format::kParquet);
  EXPECT_EQ(*FormatOfExtension("jsonl"), format::Format::kJsonl);
  EXPECT_EQ(*FormatOfExtension("csv"), format::Format::kCsv);
  EXPECT_FALSE(FormatOfExtension("xlsx").ok());
}

TEST(Naming, Partitions) {
  EXPECT_EQ(*PartitionPath({}), "");
  EXPECT_EQ(*PartitionPath({{"year", "2024"}, {"month", "01"}}), "year=2024/month=01/");
  EXPECT_FALSE(PartitionPath({{"a", "1"}, {"a", "2"}}).ok());
  EXPECT_FALSE(PartitionPath({{"a/b", "1"}}).ok());
  EXPECT_FALSE(PartitionPath({{"a", "1/2"}}).ok());
  EXPECT_FALSE(PartitionPath({{"a", ".."}}).ok());
  EXPECT_FALSE(PartitionPath({{"", "1"}}).ok());
  auto kv = ParsePartitionArg("some_value=1649-01-30");
  ASSERT_TRUE(kv.ok());
  EXPECT_EQ(kv->first, "some_value");
  EXPECT_EQ(kv->second, "1649-01-30");
  EXPECT_EQ(ParsePartitionArg("k=a=b")->second, "a=b");
  EXPECT_FALSE(ParsePartitionArg("novalue").ok());
  Partition p = PartitionValuesOf("dt=2024-01-01/region=eu/file.csv");
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[1], (std::pair<std::string, std::string>{"region", "eu"}));
}

TEST(Naming, StateObjectsSortNumerically) {
  EXPECT_LT(IntentName(9), IntentName(10));
  EXPECT_LT(CommitName(99), CommitName(100));
  auto s = ParseStateObjectName(CommitName(42));
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->kind, StateObjectKind::kCommit);
  EXPECT_EQ(s->generation, 42);
  auto b = ParseStateObjectName(BaseCopyName(7, "t_3.csv"));
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->kind, StateObjectKind::kBase);
  EXPECT_FALSE(ParseStateObjectName("commit-12.json").has_value());
  EXPECT_FALSE(ParseStateObjectName("other.json").has_value());
}

TEST(State, RoundTrip) {
  Intent i;
  i.generation = 3;
  i.owner = ThisProcessOwner();
  i.created_ms = 1234;
  i.lease_ms = 900000;
  i.prev_latest_n = 5;
  i.base_file = "t_5.csv";
  i.base_copy = BaseCopyName(3, "t_5.csv");
  i.base_size = 77;
  i.base_etag = "e\"tag";
  auto back = ParseIntent(ToJson(i), "x");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->owner.pid, i.owner.pid);
  EXPECT_EQ(back->owner.start_ticks, i.owner.start_ticks);
  EXPECT_EQ(back->base_etag, "e\"tag");
  EXPECT_EQ(back->prev_latest_n, 5);
  Commit c;
  c.generation = 3;
  c.packed = {{"s3://b/in/a.csv", 10, "abc"}};
  c.files = {{"t_0.csv", 0, 100, "x", 4}};
  auto cb = ParseCommit(ToJson(c), "y");
  ASSERT_TRUE(cb.ok()) << cb.status().ToString();
  ASSERT_EQ(cb->packed.size(), 1u);
  EXPECT_EQ(cb->packed[0].uri, "s3://b/in/a.csv");
  EXPECT_EQ(cb->files[0].rows, 4);
  EXPECT_FALSE(ParseCommit("{\"generation\":1}", "z").ok());
}

TEST(State, LivenessOfOwners) {
  Owner me = ThisProcessOwner();
  EXPECT_FALSE(OwnerIsDeadOnThisHost(me));
  Owner gone = me;
  gone.start_ticks += 12345;  // the pid now belongs to another process start: the owner died
  EXPECT_TRUE(OwnerIsDeadOnThisHost(gone));
  Owner elsewhere = me;
  elsewhere.host = me.host + "-other";
  elsewhere.pid = 999999;
  EXPECT_FALSE(OwnerIsDeadOnThisHost(elsewhere));  // only the lease can tell
}

ObjectInfo Obj(std::string key, int64_t size, std::string etag = "e") {
  ObjectInfo o;
  o.key = std::move(key);
  o.size = size;
  o.etag = std::move(etag);
  return o;
}

PlanRequest BaseRequest() {
  PlanRequest r;
  r.table = "table";
  r.out_ext = "snappy.parquet";
  r.file_limit_bytes = 1000;
  r.inputs = {Obj("in/table/b.csv", 500), Obj("in/table/a.csv", 1000),
              Obj("in/table/notes.txt", 5)};
  return r;
}

TEST(Plan, FreshTableSortsInputsAndStartsAtZero) {
  PlanRequest r = BaseRequest();
  auto p = MakePlan(r);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  ASSERT_EQ(p->inputs.size(), 2u);  // notes.txt is not data
  EXPECT_EQ(p->inputs[0].key, "in/table/a.csv");
  EXPECT_EQ(p->latest_n, -1);
  EXPECT_EQ(p->first_n, 0);
  EXPECT_FALSE(p->rewrite_latest);
  EXPECT_EQ(p->estimated_files, 2);
}

TEST(Plan, LatestUnderTheLimitIsRewritten) {
  PlanRequest r = BaseRequest();
  r.partition_files = {Obj("table_0.snappy.parquet", 1000), Obj("table_1.snappy.parquet", 500),
                       Obj("table_sfx_9.snappy.parquet", 10), Obj("other_7.snappy.parquet", 10)};
  auto p = MakePlan(r);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->latest_n, 1);
  EXPECT_TRUE(p->rewrite_latest);
  EXPECT_EQ(p->first_n, 1);
  EXPECT_EQ(p->latest_size, 500);
}

TEST(Plan, FullLatestIsKept) {
  PlanRequest r = BaseRequest();
  r.partition_files = {Obj("table_0.snappy.parquet", 1000), Obj("table_10.snappy.parquet", 990)};
  auto p = MakePlan(r);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->latest_n, 10);       // numeric, not lexical
  EXPECT_FALSE(p->rewrite_latest);  // within 2% of the limit
  EXPECT_EQ(p->first_n, 11);
}

TEST(Plan, SuffixSelectsItsOwnFiles) {
  PlanRequest r = BaseRequest();
  r.suffix = "sfx";
  r.partition_files = {Obj("table_4.snappy.parquet", 10), Obj("table_sfx_2.snappy.parquet", 10)};
  auto p = MakePlan(r);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->latest_n, 2);
  EXPECT_EQ(p->latest_name, "table_sfx_2.snappy.parquet");
}

TEST(Plan, ExtensionMismatchIsAnError) {
  PlanRequest r = BaseRequest();
  r.partition_files = {Obj("table_0.csv", 10)};
  auto p = MakePlan(r);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(p.status().message().find("table_0.csv"), std::string::npos);
}

TEST(Plan, SubdirectoriesAndStateAreIgnored) {
  PlanRequest r = BaseRequest();
  r.partition_files = {Obj("k=v/table_0.csv", 10), Obj("_lakepack/x", 1), Obj(".hidden", 1)};
  auto p = MakePlan(r);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->latest_n, -1);
}

TEST(Plan, PackedInputsAreSkippedUnlessChanged) {
  PlanRequest r = BaseRequest();
  Commit c;
  c.packed = {{"in/table/a.csv", 1000, "e"}, {"in/table/b.csv", 500, "old"}};
  r.committed = &c;
  auto p = MakePlan(r);
  ASSERT_TRUE(p.ok());
  // [WR-1] b.csv's ETag changed and no checksum was recorded: it is `changed` (the run fails
  // naming it), not packed a second time as it was before issue 13.
  EXPECT_TRUE(p->inputs.empty());
  ASSERT_EQ(p->changed.size(), 1u);
  EXPECT_EQ(p->changed[0].now.key, "in/table/b.csv");
  EXPECT_EQ(p->already_packed, 1);
}

// [WR-1] The URI is the identity: a packed input is never planned again; a new ETag of the same
// size goes to `verify` (checksum), another size (or no recorded checksum) to `changed`.
TEST(Plan, PackedUriIsNeverPackedAgain) {
  PlanRequest r = BaseRequest();
  r.inputs.push_back(Obj("in/table/c.csv", 700, "new"));
  Commit c;
  c.packed = {{"in/table/a.csv", 1000, "old", "xxh3-64:1", 3},
              {"in/table/b.csv", 400, "e", "xxh3-64:2", 4},
              {"in/table/c.csv", 700, "old", "", 1}};
  r.committed = &c;
  auto p = MakePlan(r);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_TRUE(p->inputs.empty());
  ASSERT_EQ(p->verify.size(), 1u);
  EXPECT_EQ(p->verify[0].now.key, "in/table/a.csv");
  ASSERT_EQ(p->changed.size(), 2u);
  EXPECT_EQ(p->changed[0].now.key, "in/table/b.csv");  // size 400 -> 500
  EXPECT_EQ(p->changed[0].then.generation, 4);
  EXPECT_EQ(p->changed[1].now.key, "in/table/c.csv");  // new ETag, no checksum to tell
  EXPECT_NE(DescribePlan(*p, r).find("CHANGED since it was packed: in/table/b.csv"),
            std::string::npos);
}

// [WR-11] "table_007" is file 7; it is not rewritten (the rewrite would be named table_7);
// other names of the extension are listed as skipped; two files of one number are an error.
TEST(Plan, ZeroPaddedNumbersAndSkippedNames) {
  PlanRequest r = BaseRequest();
  r.out_ext = "csv";
  r.partition_files = {Obj("table_0.csv", 10), Obj("table_007.csv", 10), Obj("table_final.csv", 10),
                       Obj("other_3.csv", 10)};
  auto p = MakePlan(r);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->latest_n, 7);
  EXPECT_FALSE(p->rewrite_latest);
  EXPECT_EQ(p->first_n, 8);
  EXPECT_EQ(p->skipped_outputs, (std::vector<std::string>{"table_final.csv", "other_3.csv"}));
  EXPECT_NE(DescribePlan(*p, r).find("table_final.csv"), std::string::npos);
  r.partition_files.push_back(Obj("table_7.csv", 10));
  EXPECT_FALSE(MakePlan(r).ok());
}

// [BE-17] The file-count estimate uses the output bytes per input byte the committed runs measured.
TEST(Plan, EstimateUsesMeasuredOutputPerInputByte) {
  PlanRequest r = BaseRequest();  // inputs of 1000 + 500 bytes
  r.file_limit_bytes = 100;
  Commit c;
  c.packed = {{"in/table/old.csv", 1000, "e", "", 0}};
  ManifestFile f;
  f.name = "table_0.csv";
  f.size = 100;  // 10 input bytes -> 1 output byte
  c.files = {f};
  r.committed = &c;
  auto p = MakePlan(r);
  ASSERT_TRUE(p.ok());
  EXPECT_DOUBLE_EQ(p->output_per_input, 0.1);
  EXPECT_EQ(p->estimated_files, 2);  // 150 bytes of output, not 1500
}

TEST(Plan, InputExtensionFilter) {
  PlanRequest r = BaseRequest();
  r.inputs.push_back(Obj("in/table/c.snappy.parquet", 10));
  r.in_ext = "parquet";
  auto p = MakePlan(r);
  ASSERT_TRUE(p.ok());
  ASSERT_EQ(p->inputs.size(), 1u);
  EXPECT_EQ(p->inputs[0].key, "in/table/c.snappy.parquet");
}

TEST(Plan, RecoveryUsesTheAbandonedIntent) {
  PlanRequest r = BaseRequest();
  // Before the crashed run: table_0 (full) and table_1 (400 bytes, copied to the base).  The crash
  // left a half-filled table_1 and new table_2, table_3.
  r.partition_files = {Obj("table_0.snappy.parquet", 1000), Obj("table_1.snappy.parquet", 990),
                       Obj("table_2.snappy.parquet", 990), Obj("table_3.snappy.parquet", 20)};
  Intent a;
  a.generation = 4;
  a.prev_latest_n = 1;
  a.base_file = "table_1.snappy.parquet";
  a.base_copy = BaseCopyName(4, a.base_file);
  a.base_size = 400;
  r.abandoned = &a;
  auto p = MakePlan(r);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(p->stale_files,
            (std::vector<std::string>{"table_2.snappy.parquet", "table_3.snappy.parquet"}));
  EXPECT_TRUE(p->rewrite_latest);
  EXPECT_EQ(p->latest_size, 400);
  EXPECT_EQ(p->first_n, 1);
}

TEST(Plan, RecoveryOfAFirstRunDeletesEverything) {
  PlanRequest r = BaseRequest();
  r.partition_files = {Obj("table_0.snappy.parquet", 1000), Obj("table_1.snappy.parquet", 10)};
  Intent a;
  a.prev_latest_n = -1;
  r.abandoned = &a;
  auto p = MakePlan(r);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->stale_files.size(), 2u);
  EXPECT_EQ(p->first_n, 0);
  EXPECT_FALSE(p->rewrite_latest);
}

TEST(RollingWriter, CsvRowEndsRespectQuotes) {
  std::string text = "1,\"a\nb\"\n2,\"x\"\"y\"\n3,z\n";
  auto ends = CsvRowEnds(text);
  ASSERT_EQ(ends.size(), 3u);
  EXPECT_EQ(text.substr(0, ends[0]), "1,\"a\nb\"\n");
  EXPECT_EQ(ends[2], static_cast<int64_t>(text.size()));
}

}  // namespace
}  // namespace lakepack::pack

namespace lakepack::pack {
namespace {

TEST(State, LeaseRenewalExtendsTheLease) {
  Intent i;
  i.generation = 4;
  i.created_ms = 1000;
  i.lease_ms = 500;
  EXPECT_EQ(LeaseExpiryMs(i, nullptr), 1500);
  auto renewal = ParseLeaseRenewal(ToJson(LeaseRenewal{4, 9000}), "lease-4");
  ASSERT_TRUE(renewal.ok()) << renewal.status().ToString();
  EXPECT_EQ(renewal->renewed_ms, 9000);
  EXPECT_EQ(LeaseExpiryMs(i, &*renewal), 9500);
  LeaseRenewal other{3, 9000};  // another run's renewal does not count
  EXPECT_EQ(LeaseExpiryMs(i, &other), 1500);
  auto bad = ParseLeaseRenewal("{\"generation\":4}", "s3://b/lease-4.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("s3://b/lease-4.json"), std::string::npos);
  auto name = ParseStateObjectName(LeaseName(4));
  ASSERT_TRUE(name.has_value());
  EXPECT_EQ(name->kind, StateObjectKind::kLease);
  EXPECT_EQ(name->generation, 4);
}

}  // namespace
}  // namespace lakepack::pack
