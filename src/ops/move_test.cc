#include "ops/move.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "test_util.h"

namespace lakepack::ops {
namespace {

class MoveJobTest : public ::testing::TestWithParam<std::string> {
 protected:
  void Put(const std::string& name, const std::string& data) {
    ASSERT_TRUE(s_.store().Put(s_.Key(name), data).ok());
  }
  bool Exists(const std::string& name) { return s_.store().Head(s_.Key(name)).ok(); }
  CopyOptions Options(const std::string& src, const std::string& dst, bool recursive) {
    CopyOptions o;
    o.src = s_.Uri(src);
    o.dst = s_.Uri(dst);
    o.recursive = recursive;
    return o;
  }
  testing::Scratch s_{GetParam()};
};

TEST_P(MoveJobTest, MovesAndRefusesToMoveOntoItself) {
  Put("src/a", "aa");
  Put("src/sub/b", "bbb");
  Put("one", "1");
  auto r = Move(Options("src", "src/sub", true), {});
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().ToString();
  r = Move(Options("one", "one", false), {});
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().ToString();
  EXPECT_TRUE(Exists("one"));

  r = Move(Options("src", "dst", true), {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->ok()) << r->ToStatus().ToString();
  EXPECT_EQ(r->moved, 2);
  EXPECT_EQ(*s_.store().Get(s_.Key("dst/a")), "aa");
  EXPECT_EQ(*s_.store().Get(s_.Key("dst/sub/b")), "bbb");
  EXPECT_FALSE(Exists("src/a"));
  EXPECT_FALSE(Exists("src/sub/b"));
  if (GetParam() == "local") {
    EXPECT_FALSE(std::filesystem::exists(s_.store().LocalPath(s_.Key("src"))));
  }
  r = Move(Options("one", "dir/", false), {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(*s_.store().Get(s_.Key("dir/one")), "1");
  EXPECT_FALSE(Exists("one"));
}

INSTANTIATE_TEST_SUITE_P(Stores, MoveJobTest, ::testing::ValuesIn(testing::StoreKinds()),
                         testing::KindName);

// A copy that fails keeps its source; the others move.
TEST(MoveJob, AFailedCopyKeepsItsSource) {
  testing::Scratch s("local");
  ASSERT_TRUE(s.store().Put(s.Key("src/a/x"), "1").ok());
  ASSERT_TRUE(s.store().Put(s.Key("src/b"), "2").ok());
  ASSERT_TRUE(s.store().Put(s.Key("dst/a"), "a file where a directory is needed").ok());
  CopyOptions o;
  o.src = s.Uri("src");
  o.dst = s.Uri("dst");
  o.recursive = true;
  auto r = Move(o, {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->moved, 1);
  EXPECT_TRUE(s.store().Head(s.Key("src/a/x")).ok());
  EXPECT_FALSE(s.store().Head(s.Key("src/b")).ok());
  const std::string msg = r->ToStatus().message();
  EXPECT_EQ(msg.rfind("copying " + s.Uri("src/a/x"), 0), 0u) << msg;
  const std::string tail = "; 1 of 2 objects were moved";
  EXPECT_EQ(msg.substr(msg.size() - tail.size()), tail) << msg;
}

// Across backends: local -> S3 streams, then the local source goes.
TEST(MoveJob, LocalToS3) {
  if (!testing::S3Configured()) GTEST_SKIP() << "no S3 test server";
  testing::Scratch local("local"), s3("s3");
  ASSERT_TRUE(local.store().Put(local.Key("f.bin"), std::string(100000, 'f')).ok());
  CopyOptions o;
  o.src = local.Uri("f.bin");
  o.dst = s3.Uri("in/");
  auto r = Move(o, {});
  ASSERT_TRUE(r.ok() && r->ok()) << (r.ok() ? r->ToStatus() : r.status()).ToString();
  EXPECT_EQ(s3.store().Head(s3.Key("in/f.bin")).ValueOrDie().size, 100000);
  EXPECT_TRUE(local.store().Head(local.Key("f.bin")).status().IsNotFound());
}

}  // namespace
}  // namespace lakepack::ops
