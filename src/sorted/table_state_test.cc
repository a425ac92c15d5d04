// table_state_test.cc: the pure parts of sorted tables — schema, key codec, partition tree and
// the state folded from synthetic log records.
#include "sorted/table_state.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "arrow/type.h"
#include "sorted/key_codec.h"

namespace lakepack::sorted {
namespace {

std::string Str(std::string_view s) {
  std::string out;
  AppendBytes(s, &out);
  return out;
}
std::string Long(int64_t v) {
  std::string out;
  AppendInt64(v, &out);
  return out;
}

TEST(SchemaTest, SleeperJsonRoundTrip) {
  auto s = TableSchema::FromSleeperJson(R"({
    "rowKeyFields": [{"name": "key", "type": "StringType"}],
    "sortKeyFields": [{"name": "timestamp", "type": "LongType"}],
    "valueFields": [{"name": "value", "type": "StringType"},
                    {"name": "tags", "type": {"ListType": {"elementType": "StringType"}}},
                    {"name": "m", "type": "MapType", "keyType": "StringType", "valueType": "LongType"},
                    {"name": "d", "type": "DoubleType"}]})");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->num_row_keys(), 1);
  EXPECT_EQ(s->num_sort_keys(), 1);
  EXPECT_EQ(s->key_type(0), KeyType::kString);
  EXPECT_EQ(s->key_type(1), KeyType::kLong);
  const auto& a = *s->arrow_schema();
  EXPECT_EQ(a.field(0)->name(), "key");
  EXPECT_FALSE(a.field(0)->nullable());
  EXPECT_TRUE(a.field(2)->nullable());
  EXPECT_TRUE(a.field(3)->type()->Equals(arrow::list(arrow::utf8())));
  EXPECT_TRUE(a.field(4)->type()->Equals(arrow::map(arrow::utf8(), arrow::int64())));
  auto again = TableSchema::FromSleeperJson(s->ToSleeperJson());
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(again->arrow_schema()->Equals(a));
}

TEST(SchemaTest, BadSchemasNameTheField) {
  auto s =
      TableSchema::FromSleeperJson(R"({"rowKeyFields": [{"name": "k", "type": "DoubleType"}]})");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("'k'"), std::string::npos) << s.status().ToString();
  EXPECT_FALSE(TableSchema::FromSleeperJson(R"({"valueFields": []})").ok());
  auto a =
      arrow::schema({arrow::field("k", arrow::large_utf8()), arrow::field("v", arrow::utf8())});
  auto t = TableSchema::FromArrow(*a, {"k"});
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(t->arrow_schema()->field(0)->type()->Equals(arrow::utf8()));  // plain string
  EXPECT_FALSE(TableSchema::FromArrow(*a, {"nope"}).ok());
}

TEST(KeyCodecTest, OrderMatchesFieldOrder) {
  // Strings with 0x00 and 0xFF bytes, including prefixes of each other.
  std::vector<std::string> vals = {"",
                                   std::string("\0", 1),
                                   std::string("\0\0", 2),
                                   std::string("\0\xff", 2),
                                   "a",
                                   std::string("a\0", 2),
                                   std::string("a\0b", 3),
                                   "ab",
                                   "b",
                                   "\xff",
                                   "\xff\xff"};
  std::vector<int64_t> longs = {INT64_MIN, -5, -1, 0, 1, 7, INT64_MAX};
  struct K {
    std::string s;
    int64_t l;
    std::string enc;
  };
  std::vector<K> keys;
  for (const auto& s : vals) {
    for (int64_t l : longs) keys.push_back({s, l, Str(s) + Long(l)});
  }
  std::mt19937 rng(7);
  std::shuffle(keys.begin(), keys.end(), rng);
  auto by_fields = keys, by_bytes = keys;
  std::sort(by_fields.begin(), by_fields.end(),
            [](const K& a, const K& b) { return std::tie(a.s, a.l) < std::tie(b.s, b.l); });
  std::sort(by_bytes.begin(), by_bytes.end(), [](const K& a, const K& b) { return a.enc < b.enc; });
  for (size_t i = 0; i < keys.size(); ++i) {
    EXPECT_EQ(by_fields[i].s, by_bytes[i].s);
    EXPECT_EQ(by_fields[i].l, by_bytes[i].l);
  }
  // Decoding gives the values back.
  for (const auto& k : keys) {
    size_t pos = 0;
    auto s = DecodeValue(KeyType::kBytes, k.enc, &pos);
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(std::get<std::string>(*s), k.s);
    auto l = DecodeValue(KeyType::kLong, k.enc, &pos);
    ASSERT_TRUE(l.ok());
    EXPECT_EQ(std::get<int64_t>(*l), k.l);
    EXPECT_EQ(pos, k.enc.size());
  }
  std::string i1, i2;
  AppendInt32(-3, &i1);
  AppendInt32(2, &i2);
  EXPECT_LT(i1, i2);
}

TEST(KeyCodecTest, PrefixSuccessorBoundsEveryKeyWithTheField) {
  std::string a = Str("a");
  auto succ = PrefixSuccessor(a);
  ASSERT_TRUE(succ.has_value());
  EXPECT_LT(a + Long(INT64_MAX), *succ);
  EXPECT_LT(*succ, Str(std::string("a\0", 2)));
  EXPECT_LT(*succ, Str("aa"));
  EXPECT_FALSE(PrefixSuccessor("\xff\xff").has_value());
  EXPECT_EQ(*PrefixSuccessor(std::string("a\xff", 2)), "b");
}

TEST(PartitionTreeTest, SplitsMakeABalancedTreeOfRanges) {
  auto t = PartitionTree::FromSplits({Str("m"), Str("c"), Str("t"), Str("c")});
  auto leaves = t.Leaves();
  ASSERT_EQ(leaves.size(), 4u);
  EXPECT_EQ(leaves[0]->min, "");
  EXPECT_EQ(leaves[0]->max, Str("c"));
  EXPECT_EQ(leaves[3]->min, Str("t"));
  EXPECT_FALSE(leaves[3]->has_max);
  EXPECT_EQ(t.LeafFor(Str("a") + Long(1)).id, leaves[0]->id);
  EXPECT_EQ(t.LeafFor(Str("c")).id, leaves[1]->id);  // a split point goes right
  EXPECT_EQ(t.LeafFor(Str("zz")).id, leaves[3]->id);
  // A range over c..m touches leaves 1 and 2 (and the internal nodes above them).
  auto hits = t.Overlapping(Str("d"), Str("n"));
  int leaf_hits = 0;
  for (auto* p : hits) leaf_hits += p->leaf;
  EXPECT_EQ(leaf_hits, 2);
  PartitionTree t2;
  EXPECT_TRUE(t2.Split("r", Str("k")).ok());
  EXPECT_FALSE(t2.Split("r", Str("a")).ok());   // not a leaf any more
  EXPECT_FALSE(t2.Split("r0", Str("z")).ok());  // outside [min, k)
  EXPECT_EQ(t2.LeafFor(Str("j")).id, "r0");
}

TableSchema SleeperSchema() {
  return *TableSchema::FromSleeperJson(R"({"rowKeyFields":[{"name":"key","type":"StringType"}],
    "sortKeyFields":[{"name":"timestamp","type":"LongType"}],
    "valueFields":[{"name":"value","type":"StringType"}]})");
}

FileRef File(std::string path, std::string part, std::string min, std::string max, int64_t rows) {
  FileRef f;
  f.path = std::move(path);
  f.partition = std::move(part);
  f.min = std::move(min);
  f.max = std::move(max);
  f.rows = rows;
  f.bytes = rows * 10;
  return f;
}

TEST(TableStateTest, ApplyFoldsRecordsAndCheckpointsRoundTrip) {
  TableState s;
  auto tree = PartitionTree::FromSplits({Str("m")});
  ASSERT_TRUE(s.Apply(0, CreateRecord(SleeperSchema(), tree)).ok());
  ASSERT_TRUE(s.Apply(1, IntentRecord("data/s1/", "host:1", 5)).ok());
  // txlog puts its writer token first; Apply ignores members it does not know.
  std::string rec =
      AddFilesRecord("job-1", {File("data/s1/0-r0.parquet", "r0", Str("a"), Str("f"), 10),
                               File("data/s1/1-r1.parquet", "r1", Str("n"), Str("z"), 5)});
  rec.insert(1, "\"txlog_writer\":\"tok\",");
  ASSERT_TRUE(s.Apply(2, rec).ok());
  EXPECT_EQ(s.files().size(), 2u);
  EXPECT_TRUE(s.jobs().count("job-1"));
  EXPECT_EQ(s.files().at("data/s1/0-r0.parquet").generation, 2);
  // A file added twice is refused, and the state is unchanged.
  EXPECT_FALSE(s.Apply(3, AddFilesRecord(
                              "job-2", {File("data/s1/0-r0.parquet", "r0", Str("a"), Str("b"), 1)}))
                   .ok());
  EXPECT_FALSE(s.jobs().count("job-2"));
  ASSERT_TRUE(s.Apply(3, AddFilesRecord(
                             "job-2", {File("data/s1/2-r0.parquet", "r0", Str("b"), Str("c"), 1)}))
                  .ok());
  // Query planning: only files whose partition and [min, max] overlap.
  auto hits = s.FilesOverlapping(Str("g"), Str("h"));
  EXPECT_TRUE(hits.empty());
  hits = s.FilesOverlapping(Str("b"), PrefixSuccessor(Str("b")));
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0]->path, "data/s1/0-r0.parquet");  // generation order
  EXPECT_EQ(hits[1]->path, "data/s1/2-r0.parquet");
  // Compaction replaces references; the old ones wait for GC.
  ASSERT_TRUE(s.Apply(4, ReplaceFilesRecord(
                             "compact-1", "r0", {"data/s1/0-r0.parquet", "data/s1/2-r0.parquet"},
                             {File("data/c/0-r0.parquet", "r0", Str("a"), Str("f"), 11)}))
                  .ok());
  EXPECT_EQ(s.files().size(), 2u);
  EXPECT_EQ(s.unreferenced().size(), 2u);
  EXPECT_FALSE(s.Apply(5, ReplaceFilesRecord("x", "r0", {"data/s1/0-r0.parquet"}, {})).ok());
  ASSERT_TRUE(s.Apply(5, SplitRecord("r1", Str("t"))).ok());
  EXPECT_FALSE(s.partitions().Find("r1")->leaf);
  ASSERT_TRUE(s.Apply(6, DeleteFilesRecord({"data/s1/0-r0.parquet"})).ok());
  EXPECT_FALSE(s.Apply(7, DeleteFilesRecord({"data/c/0-r0.parquet"})).ok());  // referenced

  auto c = TableState::FromCheckpoint(s.Checkpoint());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->Checkpoint(), s.Checkpoint());
  EXPECT_EQ(c->files().at("data/c/0-r0.parquet").generation, 4);
  EXPECT_EQ(c->intents().size(), 1u);
  EXPECT_EQ(c->partitions().LeafFor(Str("u")).id, "r11");
}

TEST(TableStateTest, TheSplitThresholdOfTheCreateRecordSurvivesACheckpoint) {
  TableState s;
  ASSERT_TRUE(s.Apply(0, CreateRecord(SleeperSchema(), PartitionTree(), 5000)).ok());
  EXPECT_EQ(s.split_threshold(), 5000);
  auto c = TableState::FromCheckpoint(s.Checkpoint());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->split_threshold(), 5000);
  TableState none;
  ASSERT_TRUE(none.Apply(0, CreateRecord(SleeperSchema(), PartitionTree())).ok());
  EXPECT_EQ(none.split_threshold(), 0);
  TableState bad;
  std::string rec = CreateRecord(SleeperSchema(), PartitionTree(), 1);
  rec.replace(rec.find("\"split_threshold\":1"), 19, "\"split_threshold\":0");
  EXPECT_FALSE(bad.Apply(0, rec).ok());
}

TEST(TableStateTest, MalformedRecordsAreRefusedNamingTheRecord) {
  TableState s;
  auto st = s.Apply(0, AddFilesRecord("j", {}));
  ASSERT_FALSE(st.ok());
  EXPECT_NE(st.message().find("record 0"), std::string::npos) << st.ToString();
  ASSERT_TRUE(s.Apply(0, CreateRecord(SleeperSchema(), PartitionTree())).ok());
  EXPECT_FALSE(s.Apply(1, "{not json").ok());
  EXPECT_FALSE(s.Apply(1, R"({"type":"nope"})").ok());
  EXPECT_FALSE(s.Apply(1, AddFilesRecord("j", {File("p", "r9", "", "", 1)})).ok());
}

}  // namespace
}  // namespace lakepack::sorted
