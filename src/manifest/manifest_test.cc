// manifest_test.cc: writing and reading manifests on local disk, S3 and S3 with faults, in the
// s3manifesto layout (summary JSON + data Parquet).
#include "manifest/manifest.h"

#include <gtest/gtest.h>

#include "arrow/builder.h"
#include "arrow/io/memory.h"
#include "arrow/table.h"
#include "base/json.h"
#include "parquet/arrow/writer.h"
#include "test_util.h"

namespace lakepack::manifest {
namespace {

using lakepack::testing::Scratch;

class ManifestTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ManifestTest, RoundTrip) {
  Scratch s(GetParam());
  std::vector<FileEntry> files = {
      {s.Uri("data/b.parquet"), 200, "etag-b", 20, "year=2021/month=01", "", ""},
      {s.Uri("data/a.parquet"), 100, "etag-a", 10, "year=2021/month=02", "k1", "k9"},
  };
  Manifest m = MakeManifest(files, s.Uri("manifests/manifest-data.parquet"),
                            s.Uri("manifests/manifest-summary.json"), R"({"create_by":"test"})");
  EXPECT_EQ(m.size, 300);
  EXPECT_EQ(m.rows, 30);
  ASSERT_TRUE(WriteManifest(m, s.shared_store()).ok());
  auto got = ReadManifest(m.summary_uri, s.shared_store());
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->data_uri, m.data_uri);
  EXPECT_EQ(got->size, 300);
  EXPECT_EQ(got->rows, 30);
  EXPECT_EQ(got->fingerprint, m.fingerprint);
  EXPECT_EQ(got->details_json, R"({"create_by":"test"})");
  ASSERT_EQ(got->files.size(), 2u);
  EXPECT_EQ(got->files[0].uri, files[0].uri);
  EXPECT_EQ(got->files[0].etag, "etag-b");
  EXPECT_EQ(got->files[0].partition, "year=2021/month=01");
  EXPECT_EQ(got->files[1].min_key, "k1");
  EXPECT_EQ(got->files[1].max_key, "k9");
  EXPECT_EQ(got->files[1].rows, 10);
  // The summary is the reference's document.
  auto text = s.store().Get(s.Key("manifests/manifest-summary.json"));
  ASSERT_TRUE(text.ok());
  auto j = ParseJson(*text);
  ASSERT_TRUE(j.ok());
  for (const char* k : {"manifest", "size", "n_record", "fingerprint", "details"}) {
    EXPECT_NE(j->Find(k), nullptr) << k;
  }
}

// A manifest written the way s3manifesto writes it (polars: size and n_record as int64, no
// partition columns; here int32 to check the cast) reads as it is.
TEST_P(ManifestTest, ReadsReferenceManifest) {
  Scratch s(GetParam());
  arrow::StringBuilder uri, etag;
  arrow::Int32Builder size, rows;
  ASSERT_TRUE(uri.Append(s.Uri("snap/1.parquet")).ok());
  ASSERT_TRUE(etag.Append("e1").ok());
  ASSERT_TRUE(size.Append(1234).ok());
  ASSERT_TRUE(rows.Append(7).ok());
  std::shared_ptr<arrow::Array> a, b, c, d;
  ASSERT_TRUE(uri.Finish(&a).ok());
  ASSERT_TRUE(etag.Finish(&b).ok());
  ASSERT_TRUE(size.Finish(&c).ok());
  ASSERT_TRUE(rows.Finish(&d).ok());
  auto table = arrow::Table::Make(
      arrow::schema({arrow::field("uri", arrow::utf8()), arrow::field("etag", arrow::utf8()),
                     arrow::field("size", arrow::int32()), arrow::field("n_record", arrow::int32())}),
      {a, b, c, d});
  auto sink = *arrow::io::BufferOutputStream::Create();
  ASSERT_TRUE(parquet::arrow::WriteTable(*table, arrow::default_memory_pool(), sink, 1024).ok());
  std::string bytes = (*sink->Finish())->ToString();
  ASSERT_TRUE(s.store().Put(s.Key("m/manifest-data.parquet"), bytes).ok());
  std::string summary = R"({
    "manifest": ")" + s.Uri("m/manifest-data.parquet") + R"(",
    "size": 1234, "n_record": 7, "fingerprint": "abc", "details": {"create_by": "dbsnaplake"}})";
  ASSERT_TRUE(s.store().Put(s.Key("m/manifest-summary.json"), summary).ok());
  auto got = ReadManifest(s.Uri("m/manifest-summary.json"), s.shared_store());
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_EQ(got->files.size(), 1u);
  EXPECT_EQ(got->files[0].size, 1234);
  EXPECT_EQ(got->files[0].rows, 7);
  EXPECT_EQ(got->files[0].etag, "e1");
  EXPECT_EQ(got->fingerprint, "abc");
  EXPECT_EQ(got->details_json, R"({"create_by":"dbsnaplake"})");
}

TEST_P(ManifestTest, ErrorsNameTheObject) {
  Scratch s(GetParam());
  auto missing = ReadManifest(s.Uri("nope/manifest-summary.json"), s.shared_store());
  EXPECT_TRUE(missing.status().IsNotFound());
  ASSERT_TRUE(s.store().Put(s.Key("bad.json"), R"({"size": 1})").ok());
  auto bad = ReadManifest(s.Uri("bad.json"), s.shared_store());
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("bad.json"), std::string::npos);
  EXPECT_NE(bad.status().message().find("\"manifest\""), std::string::npos);
  ASSERT_TRUE(s.store().Put(s.Key("d.parquet"), "not parquet").ok());
  ASSERT_TRUE(
      s.store().Put(s.Key("s.json"), R"({"manifest": ")" + s.Uri("d.parquet") + R"("})").ok());
  auto corrupt = ReadManifest(s.Uri("s.json"), s.shared_store());
  ASSERT_FALSE(corrupt.ok());
  EXPECT_NE(corrupt.status().message().find("d.parquet"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Stores, ManifestTest, ::testing::ValuesIn(testing::StoreKinds()),
                         testing::KindName);

TEST(Fingerprint, IsS3ManifestosMd5) {
  // md5("a" "e1" "b" "e2") regardless of input order.
  std::vector<FileEntry> files = {{"b", 1, "e2"}, {"a", 1, "e1"}};
  EXPECT_EQ(Fingerprint(files), "7d235c5659bcbeb0ae91f154d7d0220f");
}

TEST(Partition, FormatAndParse) {
  EXPECT_EQ(FormatPartition({{"year", "2021"}, {"month", "01"}}), "year=2021/month=01");
  auto kv = ParsePartition("year=2021/month=01/");
  ASSERT_TRUE(kv.ok());
  ASSERT_EQ(kv->size(), 2u);
  EXPECT_EQ((*kv)[1].second, "01");
  EXPECT_FALSE(ParsePartition("year").ok());
}

}  // namespace
}  // namespace lakepack::manifest
