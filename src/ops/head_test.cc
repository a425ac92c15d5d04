#include "lakepack/head.h"

#include <gtest/gtest.h>

#include "lakepack/convert.h"
#include "lakepack/du.h"
#include "store/memory_store.h"
#include "test_util.h"

namespace lakepack::ops {
namespace {

TEST(ReadObject, StreamsTheBytesUpToTheLimit) {
  auto mem = MemoryStore::Make();
  const std::string data = testing::RandomBytes(kReadChunk + 100, 3);
  ASSERT_TRUE(mem->Put("k", data).ok());
  std::string got;
  auto sink = [&](std::string_view s) {
    got.append(s);
    return Status::OK();
  };
  ASSERT_TRUE(ReadObject(*mem, "k", -1, sink, {}).ok());
  EXPECT_EQ(got, data);
  got.clear();
  ASSERT_TRUE(ReadObject(*mem, "k", 10, sink, {}).ok());
  EXPECT_EQ(got, data.substr(0, 10));
  EXPECT_TRUE(ReadObject(*mem, "none", -1, sink, {}).IsNotFound());
}

class HeadAndUsageTest : public ::testing::TestWithParam<std::string> {
 protected:
  testing::Scratch s_{GetParam()};
};

TEST_P(HeadAndUsageTest, FirstRowsOfEachFormat) {
  std::string csv = "id,name\n";
  for (int i = 0; i < 30; ++i) csv += std::to_string(i) + ",n" + std::to_string(i) + "\n";
  ASSERT_TRUE(s_.store().Put(s_.Key("t.csv"), csv).ok());
  ConvertOptions c;
  c.src = s_.Uri("t.csv");
  c.dst = s_.Uri("t.parquet");
  ASSERT_TRUE(Convert(c, {}).ok());
  c.dst = s_.Uri("t.jsonl");
  ASSERT_TRUE(Convert(c, {}).ok());
  for (const char* name : {"t.csv", "t.parquet", "t.jsonl"}) {
    HeadOptions o;
    o.uri = s_.Uri(name);
    o.rows = 3;
    auto r = HeadRows(o, {});
    ASSERT_TRUE(r.ok()) << name << ": " << r.status().ToString();
    EXPECT_EQ(r->rows, 3);
    EXPECT_EQ(r->csv, "\"id\",\"name\"\n0,\"n0\"\n1,\"n1\"\n2,\"n2\"\n") << name;
    EXPECT_EQ(r->ToJson().substr(r->ToJson().find("\"data\"")),
              "\"data\": [{\"id\":0,\"name\":\"n0\"}, {\"id\":1,\"name\":\"n1\"}, "
              "{\"id\":2,\"name\":\"n2\"}]}")
        << name;
  }
  HeadOptions o;
  o.uri = s_.Uri("t.csv");
  o.rows = 100;  // more than there are
  EXPECT_EQ(HeadRows(o, {})->rows, 30);
  ASSERT_TRUE(s_.store().Put(s_.Key("bad.parquet"), "not parquet").ok());
  o.uri = s_.Uri("bad.parquet");
  auto bad = HeadRows(o, {});
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidData) << bad.status().ToString();
}

TEST_P(HeadAndUsageTest, DiskUsageAndStat) {
  ASSERT_TRUE(s_.store().Put(s_.Key("p/a"), "12345").ok());
  ASSERT_TRUE(s_.store().Put(s_.Key("p/s/b"), "12").ok());
  ASSERT_TRUE(s_.store().Put(s_.Key("p/s/c"), "1").ok());
  ASSERT_TRUE(s_.store().Put(s_.Key("px"), "not under p/").ok());
  auto du = DiskUsage(s_.Uri("p"), {}, {});
  ASSERT_TRUE(du.ok()) << du.status().ToString();
  EXPECT_EQ(du->objects, 3);
  EXPECT_EQ(du->bytes, 8);
  ASSERT_EQ(du->children.size(), 2u);
  EXPECT_EQ(du->children[0].name, "a");
  EXPECT_EQ(du->children[1].name, "s/");
  EXPECT_EQ(du->children[1].objects, 2);
  EXPECT_EQ(du->children[1].bytes, 3);
  du = DiskUsage(s_.Uri("p/a"), {}, {});
  ASSERT_TRUE(du.ok()) << du.status().ToString();
  EXPECT_FALSE(du->prefix);
  EXPECT_EQ(du->bytes, 5);
  EXPECT_TRUE(DiskUsage(s_.Uri("none"), {}, {}).status().IsNotFound());

  auto st = Stat(s_.Uri("p/a"), {}, {});
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_FALSE(st->prefix);
  EXPECT_EQ(st->info.size, 5);
  EXPECT_NE(st->ToJson().find("\"type\":\"object\""), std::string::npos) << st->ToJson();
  st = Stat(s_.Uri("p/s"), {}, {});
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_TRUE(st->prefix);
  EXPECT_EQ(st->usage.objects, 2);
  EXPECT_TRUE(Stat(s_.Uri("nothing"), {}, {}).status().IsNotFound());
}

INSTANTIATE_TEST_SUITE_P(Stores, HeadAndUsageTest, ::testing::ValuesIn(testing::StoreKinds()),
                         testing::KindName);

}  // namespace
}  // namespace lakepack::ops
