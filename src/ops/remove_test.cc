#include "ops/remove.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "store/forwarding_store.h"
#include "store/memory_store.h"
#include "test_util.h"

namespace lakepack::ops {
namespace {

TEST(RemoveOptions, RefusesAPrefixWithoutRecursiveAndARootWithoutConfirmation) {
  EXPECT_TRUE(NamesStoreRoot("s3://bucket"));
  EXPECT_TRUE(NamesStoreRoot("s3://bucket/"));
  EXPECT_TRUE(NamesStoreRoot("s3://bucket//"));
  EXPECT_FALSE(NamesStoreRoot("s3://bucket/k"));
  EXPECT_TRUE(NamesStoreRoot("/"));
  EXPECT_TRUE(NamesStoreRoot("file:///"));
  EXPECT_TRUE(NamesStoreRoot("/tmp/.."));
  EXPECT_FALSE(NamesStoreRoot("/tmp"));

  RemoveOptions o;
  o.uri = "s3://bucket/dir/";
  EXPECT_NE(o.Validate().message().find("remove it with --recursive"), std::string::npos);
  o.recursive = true;
  EXPECT_TRUE(o.Validate().ok());
  o.uri = "s3://bucket";
  EXPECT_NE(o.Validate().message().find("needs --yes"), std::string::npos);
  o.confirm_root = true;
  EXPECT_TRUE(o.Validate().ok());
  o.jobs = 0;
  EXPECT_FALSE(o.Validate().ok());
}

class RemoveJobTest : public ::testing::TestWithParam<std::string> {
 protected:
  void Put(const std::string& name) { ASSERT_TRUE(s_.store().Put(s_.Key(name), name).ok()); }
  bool Exists(const std::string& name) { return s_.store().Head(s_.Key(name)).ok(); }
  testing::Scratch s_{GetParam()};
};

TEST_P(RemoveJobTest, OneObjectAPrefixAndADryRun) {
  Put("d/a");
  Put("d/sub/b");
  Put("d2/keep");  // shares the name's first letter: not under "d/"
  Put("one");
  RemoveOptions o;
  o.uri = s_.Uri("d");
  auto r = Remove(o, {});  // a prefix without --recursive
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().ToString();
  EXPECT_TRUE(Exists("d/a"));

  o.recursive = true;
  o.dry_run = true;
  r = Remove(o, {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->planned, 2);
  EXPECT_EQ(r->removed, 0);
  EXPECT_EQ(r->uris, (std::vector<std::string>{s_.Uri("d/a"), s_.Uri("d/sub/b")}));
  EXPECT_TRUE(Exists("d/a"));
  EXPECT_TRUE(Exists("d/sub/b"));

  o.dry_run = false;
  Progress progress;
  r = Remove(o, JobContext{nullptr, &progress});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->ok());
  EXPECT_EQ(r->removed, 2);
  EXPECT_EQ(progress.done.load(), 2);
  EXPECT_FALSE(Exists("d/a"));
  EXPECT_FALSE(Exists("d/sub/b"));
  EXPECT_TRUE(Exists("d2/keep"));
  if (GetParam() == "local") {  // the emptied directories went too
    EXPECT_FALSE(std::filesystem::exists(s_.store().LocalPath(s_.Key("d"))));
    EXPECT_TRUE(std::filesystem::exists(s_.store().LocalPath(s_.Key("d2"))));
  }

  RemoveOptions one;
  one.uri = s_.Uri("one");
  r = Remove(one, {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->removed, 1);
  EXPECT_FALSE(Exists("one"));
  EXPECT_TRUE(Remove(one, {}).status().IsNotFound());
  EXPECT_TRUE(Remove(o, {}).status().IsNotFound());  // nothing under the prefix any more
}

INSTANTIATE_TEST_SUITE_P(Stores, RemoveJobTest, ::testing::ValuesIn(testing::StoreKinds()),
                         testing::KindName);

// Deletes keys whose name holds "bad" only one at a time, and never in a batch.
class PickyStore : public ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  Status Delete(const std::vector<std::string>& keys) override {
    for (const auto& k : keys) {
      if (k.find("bad") != std::string::npos) return Status::PermissionDenied("no: " + k);
    }
    return ForwardingStore::Delete(keys);
  }
};

TEST(DeleteKeys, BatchesNamesEachFailureAndStopsAtTheBound) {
  auto mem = MemoryStore::Make();
  std::vector<std::string> keys;
  for (int i = 0; i < 2500; ++i) {
    keys.push_back("k" + std::to_string(10000 + i) + (i == 1200 || i == 2100 ? "bad" : ""));
    ASSERT_TRUE(mem->Put(keys.back(), "x").ok());
  }
  PickyStore picky(mem);
  Progress progress;
  DeleteOutcome out = DeleteKeys(picky, keys, 2, -1, JobContext{nullptr, &progress});
  EXPECT_EQ(out.deleted, 2498);
  EXPECT_EQ(progress.done.load(), 2498);
  ASSERT_EQ(out.failures.size(), 2u);
  EXPECT_EQ(out.failures[0].first, 1200);
  EXPECT_EQ(out.failures[1].first, 2100);
  EXPECT_EQ(out.failures[0].second.code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(mem->ListAll("").ValueOrDie().size(), 2u);

  // A bound of 1, one batch at a time: the third batch does not start.
  std::vector<std::string> again;
  for (int i = 0; i < 2500; ++i) {
    again.push_back("j" + std::to_string(10000 + i) + (i == 10 ? "bad" : ""));
    ASSERT_TRUE(mem->Put(again.back(), "x").ok());
  }
  out = DeleteKeys(picky, again, 1, 1, {});
  EXPECT_EQ(out.failures.size(), 1u);
  EXPECT_EQ(out.deleted, 999);
}

TEST(PruneEmptyDirectories, RemovesOnlyEmptiedDirectoriesAtAndBelowThePrefix) {
  testing::Scratch s("local");
  ObjectStore& st = s.store();
  ASSERT_TRUE(st.Put(s.Key("p/a/b/x"), "1").ok());
  ASSERT_TRUE(st.Put(s.Key("p/c/y"), "2").ok());
  ASSERT_TRUE(st.Delete(s.Key("p/a/b/x")).ok());
  PruneEmptyDirectories(st, s.Key("p/"), {s.Key("p/a/b/x")});
  namespace fs = std::filesystem;
  EXPECT_FALSE(fs::exists(st.LocalPath(s.Key("p/a"))));
  EXPECT_TRUE(fs::exists(st.LocalPath(s.Key("p/c/y"))));  // p still holds c: kept
  EXPECT_TRUE(fs::exists(st.LocalPath(s.Key("p"))));
  ASSERT_TRUE(st.Delete(s.Key("p/c/y")).ok());
  PruneEmptyDirectories(st, s.Key("p/c/"), {s.Key("p/c/y")});
  EXPECT_FALSE(fs::exists(st.LocalPath(s.Key("p/c"))));
  EXPECT_TRUE(fs::exists(st.LocalPath(s.Key("p"))));  // above the prefix: never
}

}  // namespace
}  // namespace lakepack::ops
