// Local-backend specifics beyond the conformance suite: atomic visibility on disk and URI parsing.
#include "store/local_store.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "test_util.h"

namespace lakepack {
namespace {

namespace fs = std::filesystem;

TEST(LocalStore, KilledWriterLeavesOnlyAnInvisibleTempFile) {
  testing::Scratch scratch("local");
  auto& store = scratch.store();
  ASSERT_TRUE(store.Put(scratch.Key("t.csv"), "old contents").ok());
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {  // child: start overwriting, then die mid-write
    auto w = store.OpenWriter(scratch.Key("t.csv"), WriterOptions{});
    if (!w.ok()) _exit(3);
    std::string chunk(1 << 20, 'x');
    if (!(*w)->Write(chunk.data(), chunk.size()).ok()) _exit(4);
    ::kill(::getpid(), SIGKILL);
    _exit(5);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(*store.Get(scratch.Key("t.csv")), "old contents");
  auto listed = store.ListAll(scratch.prefix());
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].key, scratch.Key("t.csv"));
  // The temp file is on disk, but hidden.
  int temps = 0;
  for (auto& e : fs::directory_iterator(fs::path(store.LocalPath(scratch.Key("t.csv"))).parent_path())) {
    if (LocalStore::IsTempName(e.path().filename().string())) ++temps;
  }
  EXPECT_EQ(temps, 1);
}

TEST(LocalStore, RejectsKeysThatEscapeTheRoot) {
  auto store = LocalStore::Make("/tmp/lakepack-root-test").ValueOrDie();
  for (const char* bad : {"../etc/passwd", "a/../../b", "a//b", "./a", "dir/"}) {
    auto r = store->Put(bad, "x", PutOptions{});
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
  }
  EXPECT_EQ(LocalStore::Make("relative/dir").status().code(), StatusCode::kInvalidArgument);
}

// Issue 13, WR-7: every method refuses a key or prefix that would leave the root (list("../")
// listed the root's parent before).
TEST(LocalStore, EveryMethodStaysInsideTheRoot) {
  const fs::path base = fs::temp_directory_path() / ("lakepack-wr7-" + std::to_string(::getpid()));
  fs::remove_all(base);
  fs::create_directories(base / "root");
  std::ofstream(base / "secret.txt") << "secret";
  auto store = LocalStore::Make((base / "root").string()).ValueOrDie();
  ASSERT_TRUE(store->Put("in.txt", "x", PutOptions{}).ok());
  const auto invalid = [](const Status& st) { return st.code() == StatusCode::kInvalidArgument; };
  for (const std::string bad : {"../secret.txt", "a/../../secret.txt", "./in.txt", "a//b"}) {
    EXPECT_TRUE(invalid(store->Head(bad).status())) << bad;
    EXPECT_TRUE(invalid(store->Get(bad).status())) << bad;
    EXPECT_TRUE(invalid(store->GetRange(bad, 0, 3).status())) << bad;
    char buf[4];
    EXPECT_TRUE(invalid(store->ReadRange(bad, 0, 3, buf).status())) << bad;
    EXPECT_TRUE(invalid(store->Put(bad, "y", PutOptions{}).status())) << bad;
    EXPECT_TRUE(invalid(store->OpenWriter(bad, WriterOptions{}).status())) << bad;
    EXPECT_TRUE(invalid(store->Delete({bad}))) << bad;
    EXPECT_TRUE(invalid(store->Copy(bad, "copy.txt").status())) << bad;
    EXPECT_TRUE(invalid(store->Copy("in.txt", bad).status())) << bad;
    EXPECT_TRUE(invalid(store->AbortIncompleteWrites(bad))) << bad;
  }
  for (const std::string bad : {"../", "..", "a/../", "./", "a//"}) {
    EXPECT_TRUE(invalid(store->List(bad, ListOptions{}).status())) << bad;
  }
  EXPECT_TRUE(store->List("", ListOptions{}).ok());
  EXPECT_TRUE(store->List("i", ListOptions{}).ok());
  EXPECT_TRUE(fs::exists(base / "secret.txt"));
  fs::remove_all(base);
}

TEST(OpenStore, ParsesUris) {
  auto s3 = OpenStore("file:///tmp/x/y.csv");
  ASSERT_TRUE(s3.ok());
  EXPECT_TRUE(s3->store->is_local());
  EXPECT_EQ(s3->key, "tmp/x/y.csv");
  EXPECT_EQ(s3->store->Uri(s3->key), "file:///tmp/x/y.csv");

  auto dir = OpenStore("/tmp/x/dir/");
  ASSERT_TRUE(dir.ok());
  EXPECT_EQ(dir->key, "tmp/x/dir/");

  auto rel = OpenStore("rel/a.csv");
  ASSERT_TRUE(rel.ok());
  EXPECT_EQ("/" + rel->key, (fs::current_path() / "rel/a.csv").string());

  // Issue 13, WR-9: a mistyped S3 URI is an error, not a local directory named "s3:".
  for (const char* typo : {"s3:/bucket/key", "S3://bucket/key", "s3:bucket", "s3:"}) {
    EXPECT_EQ(OpenStore(typo).status().code(), StatusCode::kInvalidArgument) << typo;
  }

  auto norm = OpenStore("/tmp/./x/../y.csv");
  ASSERT_TRUE(norm.ok());
  EXPECT_EQ(norm->key, "tmp/y.csv");

  EXPECT_EQ(OpenStore("gs://bucket/x").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(OpenStore("s3:///nobucket").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(OpenStore("").status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace lakepack
