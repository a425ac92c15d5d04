#include "ops/sync.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "store/memory_store.h"
#include "store/s3/crypto.h"
#include "test_util.h"

namespace lakepack::ops {
namespace {

// ---- the plan: synthetic listings, no I/O ----

std::string Describe(const SyncPlan& plan) {
  std::string out;
  for (const auto& s : plan.steps) {
    const char* a = s.action == SyncAction::kCopy     ? "copy"
                    : s.action == SyncAction::kDelete ? "delete"
                                                      : "check";
    out += std::string(a) + " " + s.rel + " (" + s.reason + "); ";
  }
  return out + std::to_string(plan.unchanged) + " unchanged";
}

const std::string kMd5A(32, 'a'), kMd5B(32, 'b');

TEST(PlanSync, CopiesWhatIsMissingOrDiffersInSizeOrMd5AndChecksTheRest) {
  std::vector<SyncEntry> src = {
      {"z_missing", 5, "", "t1"}, {"same_md5", 3, kMd5A, "x"}, {"other_md5", 3, kMd5A, "x"},
      {"bigger", 4, kMd5A, "x"},  {"no_md5", 3, "", "t2"},     {"sub/k", 1, "", "t3"},
  };
  std::vector<SyncEntry> dst = {
      {"same_md5", 3, kMd5A, "y"}, {"other_md5", 3, kMd5B, "y"}, {"bigger", 3, kMd5A, "y"},
      {"no_md5", 3, kMd5A, "y"},   {"sub/k", 1, "", "t3"},       {"extra", 9, "", ""},
  };
  SyncPlan plan = PlanSync(src, dst, {});
  // Sorted by key; the equal local tags "t3" are not content tags: checked, not trusted.
  EXPECT_EQ(Describe(plan),
            "copy bigger (size); check no_md5 (checksum); copy other_md5 (checksum); "
            "check sub/k (checksum); copy z_missing (missing); 1 unchanged");

  SyncPlanOptions o;
  o.delete_extra = true;
  o.etags_comparable = true;  // S3 to S3: equal ETags are equal contents
  plan = PlanSync(src, dst, o);
  EXPECT_EQ(Describe(plan),
            "copy bigger (size); check no_md5 (checksum); copy other_md5 (checksum); "
            "copy z_missing (missing); delete extra (not at source); 2 unchanged");
  EXPECT_EQ(plan.steps.back().size, 9);
}

TEST(PlanSync, SizeOnlyIsExplicitAndNeverDeletesWithoutBeingAsked) {
  std::vector<SyncEntry> src = {{"a", 3, kMd5A, ""}, {"b", 2, "", ""}};
  std::vector<SyncEntry> dst = {{"a", 3, kMd5B, ""}, {"b", 3, "", ""}, {"c", 1, "", ""}};
  SyncPlanOptions o;
  o.size_only = true;
  EXPECT_EQ(Describe(PlanSync(src, dst, o)), "copy b (size); 1 unchanged");
  EXPECT_EQ(Describe(PlanSync(src, {}, {})), "copy a (missing); copy b (missing); 0 unchanged");
  o.size_only = false;
  o.delete_extra = true;
  EXPECT_EQ(Describe(PlanSync({}, dst, o)),
            "delete a (not at source); delete b (not at source); delete c (not at source); "
            "0 unchanged");
}

TEST(ListedMd5, OnlyAnS3SinglePartEtagIsAContentMd5) {
  ObjectInfo info;
  info.etag = "9E107D9D372BB6826BD81D3542A419D6";
  EXPECT_EQ(ListedMd5("s3://b", info), "9e107d9d372bb6826bd81d3542a419d6");
  EXPECT_EQ(ListedMd5("file:///", info), "");  // a local tag is mtime+size
  EXPECT_EQ(ListedMd5("mem://m", info), "");
  info.etag = "9e107d9d372bb6826bd81d3542a419d6-3";  // multipart: an MD5 of part MD5s
  EXPECT_EQ(ListedMd5("s3://b", info), "");
}

TEST(HashObject, IsTheMd5OfTheBytesAcrossChunks) {
  auto mem = MemoryStore::Make();
  const std::string data = testing::RandomBytes(100000, 7);
  ASSERT_TRUE(mem->Put("k", data).ok());
  auto h = HashObject(*mem, "k", {}, 4096);
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ(*h, s3::Md5Hex(data));
  ASSERT_TRUE(mem->Put("empty", "").ok());
  EXPECT_EQ(*HashObject(*mem, "empty", {}), s3::Md5Hex(""));
  EXPECT_TRUE(HashObject(*mem, "none", {}).status().IsNotFound());
}

// ---- the job, on each backend ----

class SyncJobTest : public ::testing::TestWithParam<std::string> {
 protected:
  void Put(const std::string& name, const std::string& data) {
    ASSERT_TRUE(s_.store().Put(s_.Key(name), data).ok());
  }
  std::string Get(const std::string& name) {
    auto r = s_.store().Get(s_.Key(name));
    return r.ok() ? *r : "<" + r.status().ToString() + ">";
  }
  bool Exists(const std::string& name) { return s_.store().Head(s_.Key(name)).ok(); }
  SyncOptions Options() {
    SyncOptions o;
    o.src = s_.Uri("src");
    o.dst = s_.Uri("dst");
    return o;
  }
  testing::Scratch s_{GetParam()};
};

TEST_P(SyncJobTest, CopiesWhatDiffersByContentNotByTimeAndDeletesOnlyWhenAsked) {
  Put("src/same", "identical");
  Put("src/edited", "new bytes");  // same size as the destination's: only content tells
  Put("src/sub/new", "n");
  Put("dst/same", "identical");  // written later: another mtime, the same content
  Put("dst/edited", "old bytes");
  Put("dst/extra", "only here");
  Put("dstx/keep", "a sibling prefix: never touched");

  SyncOptions o = Options();
  o.dry_run = true;
  o.delete_extra = true;
  auto r = Sync(o, {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->to_copy, 2);
  EXPECT_EQ(r->to_delete, 1);
  EXPECT_EQ(r->copied + r->deleted, 0);
  EXPECT_EQ(Get("dst/edited"), "old bytes");  // a dry run changes nothing
  EXPECT_TRUE(Exists("dst/extra"));

  o.dry_run = false;
  o.delete_extra = false;
  r = Sync(o, {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->ok()) << r->ToStatus().ToString();
  EXPECT_EQ(r->copied, 2);
  EXPECT_EQ(r->unchanged, 1);
  EXPECT_EQ(Get("dst/edited"), "new bytes");
  EXPECT_EQ(Get("dst/sub/new"), "n");
  EXPECT_TRUE(Exists("dst/extra"));  // no --delete: kept

  o.delete_extra = true;
  r = Sync(o, {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->copied, 0);
  EXPECT_EQ(r->unchanged, 3);
  EXPECT_EQ(r->deleted, 1);
  EXPECT_FALSE(Exists("dst/extra"));
  EXPECT_TRUE(Exists("dstx/keep"));
  ASSERT_EQ(r->actions.size(), 1u);
  EXPECT_EQ(r->actions[0].action, "delete");
  EXPECT_NE(r->ToJson().find("\"deleted\":1"), std::string::npos) << r->ToJson();
}

TEST_P(SyncJobTest, AnEmptySourceChangesNothingEvenWithDelete) {
  Put("dst/a", "a");
  SyncOptions o = Options();
  o.delete_extra = true;
  auto r = Sync(o, {});
  EXPECT_TRUE(r.status().IsNotFound()) << r.status().ToString();
  EXPECT_TRUE(Exists("dst/a"));
  o.src = s_.Uri("");  // a prefix holding DST: refused
  EXPECT_EQ(Sync(o, {}).status().code(), StatusCode::kInvalidArgument);
}

INSTANTIATE_TEST_SUITE_P(Stores, SyncJobTest, ::testing::ValuesIn(testing::StoreKinds()),
                         testing::KindName);

TEST(SyncJob, FailuresAreEachNamedAndCounted) {
  testing::Scratch s("local");
  ASSERT_TRUE(s.store().Put(s.Key("src/a/x"), "1").ok());
  ASSERT_TRUE(s.store().Put(s.Key("src/a/y"), "2").ok());
  ASSERT_TRUE(s.store().Put(s.Key("src/b"), "3").ok());
  ASSERT_TRUE(s.store().Put(s.Key("dst/a"), "a file where a directory is needed").ok());
  SyncOptions o;
  o.src = s.Uri("src");
  o.dst = s.Uri("dst");
  auto r = Sync(o, {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->failures.size(), 2u);
  EXPECT_EQ(r->copied, 1);
  const std::string msg = r->ToStatus().message();
  EXPECT_EQ(msg.rfind("copying " + s.Uri("src/a/x"), 0), 0u) << msg;
  EXPECT_NE(msg.find("src/a/y"), std::string::npos) << msg;
  const std::string tail = "; 1 of 3 objects were synced";
  EXPECT_EQ(msg.substr(msg.size() - tail.size()), tail) << msg;
}

// Across backends the ETags are incomparable (a local tag is mtime+size): both sides are hashed,
// so a second sync copies nothing, and an edit of the same size is still found.
TEST(SyncJob, LocalAndS3CompareByMd5) {
  if (!testing::S3Configured()) GTEST_SKIP() << "no S3 test server";
  testing::Scratch local("local"), s3("s3");
  ASSERT_TRUE(local.store().Put(local.Key("d/a"), "aaaa").ok());
  ASSERT_TRUE(local.store().Put(local.Key("d/b"), std::string(9 << 20, 'b')).ok());
  SyncOptions o;
  o.src = local.Uri("d");
  o.dst = s3.Uri("d");
  o.part_size = 5 << 20;  // b goes up as a multipart upload: its ETag is no MD5
  auto r = Sync(o, {});
  ASSERT_TRUE(r.ok() && r->ok()) << (r.ok() ? r->ToStatus() : r.status()).ToString();
  EXPECT_EQ(r->copied, 2);
  r = Sync(o, {});
  ASSERT_TRUE(r.ok() && r->ok());
  EXPECT_EQ(r->copied, 0);
  EXPECT_EQ(r->unchanged, 2);
  EXPECT_EQ(r->hashed, 4);
  ASSERT_TRUE(local.store().Put(local.Key("d/a"), "abcd").ok());
  // Back the other way too: S3 -> local.
  SyncOptions back;
  back.src = s3.Uri("d");
  back.dst = local.Uri("d");
  r = Sync(back, {});
  ASSERT_TRUE(r.ok() && r->ok());
  EXPECT_EQ(r->copied, 1);
  EXPECT_EQ(*local.store().Get(local.Key("d/a")), "aaaa");
}

}  // namespace
}  // namespace lakepack::ops
