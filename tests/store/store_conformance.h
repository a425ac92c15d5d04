// store_conformance.h: the ObjectStore conformance suite, as a mixin every backend's test
// instantiates (the pattern of Arrow's filesystem/test_util.h): a backend, or a decorator, adds
// one test file with a fixture that derives from StoreConformanceTest, says how to make a fresh
// scratch place in it and where it deviates, and expands LAKEPACK_STORE_CONFORMANCE_TESTS; it
// touches no shared file.
//
//   class MyStoreConformance : public testing::StoreConformanceTest {
//    protected:
//     std::unique_ptr<testing::Scratch> MakeScratch() override { ... }
//     std::string UriScheme() const override { return "my://"; }
//   };
//   LAKEPACK_STORE_CONFORMANCE_TESTS(MyStoreConformance)
//
// Instantiated by: src/store/memory_store_test.cc (memory), tests/store/local_conformance_test.cc
// (local disk), tests/store/s3_conformance_test.cc (S3, and S3 with ~10% injected faults).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <latch>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "lakepack/store.h"
#include "test_util.h"

namespace lakepack::testing {

class StoreConformanceTest : public ::testing::Test {
 protected:
  // A fresh, empty place in the store under test, or nullptr when the backend is not configured
  // here (the test is then skipped, saying why: SkipReason()).
  virtual std::unique_ptr<Scratch> MakeScratch() = 0;
  virtual std::string SkipReason() const { return "backend not configured"; }
  // Deviations, one small predicate each.
  // How the store's URIs begin ("file:///", "s3://", "mem://").
  virtual std::string UriScheme() const = 0;

  void SetUp() override {
    scratch_ = MakeScratch();
    if (!scratch_) GTEST_SKIP() << SkipReason();
  }
  void TearDown() override { scratch_.reset(); }

  ObjectStore& store() { return scratch_->store(); }
  std::string Key(const std::string& name) { return scratch_->Key(name); }

  // Puts `n` small objects named prefix + index, using several threads.
  void PutMany(const std::string& prefix, int n) {
    std::atomic<int> next{0};
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&] {
        for (int i = next++; i < n; i = next++) {
          char name[32];
          snprintf(name, sizeof name, "%05d", i);
          if (!store().Put(prefix + name, std::string("v") + name).ok()) ++failures;
        }
      });
    }
    for (auto& t : threads) t.join();
    ASSERT_EQ(failures.load(), 0);
  }

 public:
  void TestPutGetHead() {
    std::string data = RandomBytes(100000, 1);
    auto put = store().Put(Key("a/b.bin"), data);
    ASSERT_TRUE(put.ok()) << put.status().ToString();
    EXPECT_EQ(put->size, 100000);
    auto head = store().Head(Key("a/b.bin"));
    ASSERT_TRUE(head.ok()) << head.status().ToString();
    EXPECT_EQ(head->size, 100000);
    EXPECT_FALSE(head->etag.empty());
    EXPECT_EQ(head->key, Key("a/b.bin"));
    auto got = store().Get(Key("a/b.bin"));
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_TRUE(*got == data);
  }

  void TestEmptyObject() {
    ASSERT_TRUE(store().Put(Key("empty"), "").ok());
    auto head = store().Head(Key("empty"));
    ASSERT_TRUE(head.ok());
    EXPECT_EQ(head->size, 0);
    auto got = store().Get(Key("empty"));
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(*got, "");
    auto range = store().GetRange(Key("empty"), 0, 10);
    ASSERT_TRUE(range.ok()) << range.status().ToString();
    EXPECT_EQ(*range, "");
  }

  void TestMissingObjectIsNotFoundAndNamesTheKey() {
    auto head = store().Head(Key("nope/missing.csv"));
    ASSERT_FALSE(head.ok());
    EXPECT_TRUE(head.status().IsNotFound()) << head.status().ToString();
    EXPECT_NE(head.status().message().find("missing.csv"), std::string::npos)
        << head.status().message();
    auto get = store().Get(Key("nope/missing.csv"));
    ASSERT_FALSE(get.ok());
    EXPECT_TRUE(get.status().IsNotFound()) << get.status().ToString();
    auto range = store().GetRange(Key("nope/missing.csv"), 10, 10);
    EXPECT_TRUE(range.status().IsNotFound()) << range.status().ToString();
  }

  void TestPutOverwrites() {
    ASSERT_TRUE(store().Put(Key("k"), "first").ok());
    ASSERT_TRUE(store().Put(Key("k"), "second, longer").ok());
    EXPECT_EQ(*store().Get(Key("k")), "second, longer");
  }

  void TestPutIfAbsent() {
    auto first = store().PutIfAbsent(Key("lock"), "mine");
    ASSERT_TRUE(first.ok()) << first.status().ToString();
    auto second = store().PutIfAbsent(Key("lock"), "theirs");
    ASSERT_FALSE(second.ok());
    EXPECT_TRUE(second.status().IsAlreadyExists()) << second.status().ToString();
    EXPECT_EQ(*store().Get(Key("lock")), "mine");
  }

  void TestPutIfAbsentRaceHasExactlyOneWinner() {
    constexpr int kThreads = 8;
    for (int round = 0; round < 5; ++round) {
      std::string key = Key("race/" + std::to_string(round));
      std::latch start(kThreads);
      std::atomic<int> wins{0}, losses{0}, errors{0};
      std::atomic<int> winner{-1};
      std::vector<std::thread> threads;
      for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
          start.arrive_and_wait();
          auto r = store().PutIfAbsent(key, "writer-" + std::to_string(t));
          if (r.ok()) {
            ++wins;
            winner = t;
          } else if (r.status().IsAlreadyExists()) {
            ++losses;
          } else {
            ++errors;
            ADD_FAILURE() << r.status().ToString();
          }
        });
      }
      for (auto& t : threads) t.join();
      EXPECT_EQ(wins.load(), 1) << "round " << round;
      EXPECT_EQ(losses.load(), kThreads - 1) << "round " << round;
      EXPECT_EQ(errors.load(), 0);
      ASSERT_GE(winner.load(), 0);
      EXPECT_EQ(*store().Get(key), "writer-" + std::to_string(winner.load()));
    }
  }

  void TestRangedReadsAtOddOffsets() {
    const int64_t size = 3 * 1000 * 1000 + 17;
    std::string data = RandomBytes(size, 7);
    ASSERT_TRUE(store().Put(Key("big.bin"), data).ok());
    struct Case {
      int64_t offset, length;
    } cases[] = {{0, 1},         {1, 7},        {12345, 99999},
                 {size - 3, 10}, {size - 1, 1}, {999999, 1000001},
                 {0, size},      {7, size * 2}};
    for (const auto& c : cases) {
      auto got = store().GetRange(Key("big.bin"), c.offset, c.length);
      ASSERT_TRUE(got.ok()) << c.offset << ": " << got.status().ToString();
      int64_t expect_len = std::min(c.length, size - c.offset);
      ASSERT_EQ(static_cast<int64_t>(got->size()), expect_len) << "offset " << c.offset;
      EXPECT_TRUE(*got == data.substr(c.offset, expect_len)) << "offset " << c.offset;
    }
    for (int64_t past : {size, size + 100}) {
      auto got = store().GetRange(Key("big.bin"), past, 5);
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      EXPECT_EQ(*got, "") << "offset " << past;
    }
    // ReadRange: the same bytes into the caller's memory, and not one byte past what it read.
    constexpr char kGuard = '\x5a';
    for (const auto& c : cases) {
      int64_t expect_len = std::min(c.length, size - c.offset);
      std::string buffer(static_cast<size_t>(expect_len) + 64, kGuard);
      auto n = store().ReadRange(Key("big.bin"), c.offset, c.length, buffer.data());
      ASSERT_TRUE(n.ok()) << c.offset << ": " << n.status().ToString();
      ASSERT_EQ(*n, expect_len) << "offset " << c.offset;
      EXPECT_TRUE(buffer.compare(0, expect_len, data, c.offset, expect_len) == 0)
          << "offset " << c.offset;
      EXPECT_EQ(buffer.substr(expect_len), std::string(64, kGuard)) << "offset " << c.offset;
    }
    char byte = kGuard;
    for (int64_t past : {size, size + 100}) {
      auto n = store().ReadRange(Key("big.bin"), past, 1, &byte);
      ASSERT_TRUE(n.ok()) << n.status().ToString();
      EXPECT_EQ(*n, 0) << "offset " << past;
    }
    EXPECT_TRUE(store().ReadRange(Key("nope.bin"), 0, 1, &byte).status().IsNotFound());
  }

  // direct_io is a hint: aligned whole blocks, then an unaligned tail, then aligned blocks again
  // (which must fall back to buffered writes at an unaligned offset) all land byte for byte.
  void TestDirectIoWriterKeepsEveryByte() {
    constexpr size_t kBlock = 4096;
    std::string data = RandomBytes(6 * 1000 * 1000 + 333, 11);
    auto free_aligned = [](char* p) { std::free(p); };
    std::unique_ptr<char, decltype(free_aligned)> aligned(
        static_cast<char*>(std::aligned_alloc(kBlock, 2 << 20)), free_aligned);
    WriterOptions options;
    options.direct_io = true;
    options.part_size = 5 << 20;
    auto writer = store().OpenWriter(Key("direct.bin"), options);
    ASSERT_TRUE(writer.ok()) << writer.status().ToString();
    size_t pos = 0;
    for (size_t n : {size_t{2} << 20, size_t{1} << 20, size_t{1000}, size_t{1} << 20}) {
      std::memcpy(aligned.get(), data.data() + pos, n);
      ASSERT_TRUE((*writer)->Write(aligned.get(), n).ok());
      pos += n;
    }
    ASSERT_TRUE((*writer)->Write(data.data() + pos, data.size() - pos).ok());
    ASSERT_TRUE((*writer)->Finish().ok());
    auto got = store().Get(Key("direct.bin"));
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_TRUE(*got == data);
  }

  // CopyObject between this store and local disk, both ways, in several ranges read in parallel
  // into reused buffers.
  void TestCopyObjectAcrossStoresInRanges() {
    Scratch local("local");
    std::string data = RandomBytes(7 * 1000 * 1000 + 5, 13);
    ASSERT_TRUE(store().Put(Key("copy-src.bin"), data).ok());
    WriterOptions options;
    options.part_size = 1 << 20;  // 7 ranges
    options.max_parallel_parts = 3;
    int64_t progress = 0;
    ASSERT_TRUE(CopyObject(store(), Key("copy-src.bin"), local.store(), local.Key("down.bin"),
                           options, [&](int64_t n) { progress += n; })
                    .ok());
    EXPECT_EQ(progress, static_cast<int64_t>(data.size()));
    auto down = local.store().Get(local.Key("down.bin"));
    ASSERT_TRUE(down.ok());
    EXPECT_TRUE(*down == data);
    options.part_size = 5 << 20;  // S3's minimum part: two parts
    ASSERT_TRUE(
        CopyObject(local.store(), local.Key("down.bin"), store(), Key("up.bin"), options).ok());
    auto up = store().Get(Key("up.bin"));
    ASSERT_TRUE(up.ok());
    EXPECT_TRUE(*up == data);
    auto missing = CopyObject(store(), Key("absent.bin"), local.store(), local.Key("x.bin"));
    EXPECT_TRUE(missing.IsNotFound()) << missing.ToString();
    EXPECT_TRUE(local.store().Head(local.Key("x.bin")).status().IsNotFound());
  }

  void TestKeysWithOddCharactersRoundTrip() {
    const std::vector<std::string> names = {
        "with space.txt",   "plus+sign.txt",     "percent%20literal.txt", "unicode-é-日本語.txt",
        "tilde~and=eq.txt", "amp&q?hash#.txt",   "semi;colon,comma.txt",  "dir with space/x y",
        "quote'dq\"x",      "star*paren(1).txt", "caret^brace{}.txt",     "a/b/c/deep key+%.bin"};
    for (const auto& n : names) {
      auto put = store().Put(Key(n), "data:" + n);
      ASSERT_TRUE(put.ok()) << n << ": " << put.status().ToString();
    }
    for (const auto& n : names) {
      auto got = store().Get(Key(n));
      ASSERT_TRUE(got.ok()) << n << ": " << got.status().ToString();
      EXPECT_EQ(*got, "data:" + n);
      auto head = store().Head(Key(n));
      ASSERT_TRUE(head.ok()) << n;
      EXPECT_EQ(head->key, Key(n));
    }
    auto all = store().ListAll(scratch_->prefix());
    ASSERT_TRUE(all.ok()) << all.status().ToString();
    std::vector<std::string> listed;
    for (auto& o : *all) listed.push_back(o.key.substr(scratch_->prefix().size()));
    std::vector<std::string> expected = names;
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(listed, expected);
    auto copied = store().Copy(Key(names[1]), Key("copy of " + names[3]));
    ASSERT_TRUE(copied.ok()) << copied.status().ToString();
    EXPECT_EQ(*store().Get(Key("copy of " + names[3])), "data:" + names[1]);
    std::vector<std::string> keys;
    for (const auto& n : names) keys.push_back(Key(n));
    ASSERT_TRUE(store().Delete(keys).ok());
    for (const auto& n : names) EXPECT_TRUE(store().Head(Key(n)).status().IsNotFound()) << n;
  }

  void TestListMoreThanAThousandKeysInPages() {
    const int n = 1100;
    PutMany(Key("many/"), n);
    auto all = store().ListAll(Key("many/"));
    ASSERT_TRUE(all.ok()) << all.status().ToString();
    ASSERT_EQ(static_cast<int>(all->size()), n);
    EXPECT_TRUE(
        std::is_sorted(all->begin(), all->end(),
                       [](const ObjectInfo& a, const ObjectInfo& b) { return a.key < b.key; }));
    EXPECT_EQ((*all)[0].key, Key("many/00000"));
    EXPECT_EQ((*all)[n - 1].key, Key("many/01099"));
    EXPECT_EQ((*all)[5].size, 6);

    // Explicit paging with a small page size visits every key once, in order.
    ListOptions options;
    options.max_keys = 250;
    std::vector<std::string> seen;
    int pages = 0;
    while (true) {
      auto page = store().List(Key("many/"), options);
      ASSERT_TRUE(page.ok()) << page.status().ToString();
      EXPECT_LE(static_cast<int>(page->objects.size()), 250);
      for (auto& o : page->objects) seen.push_back(o.key);
      ++pages;
      if (page->next_continuation.empty()) break;
      options.continuation = page->next_continuation;
      ASSERT_LT(pages, 100) << "paging does not end";
    }
    EXPECT_EQ(static_cast<int>(seen.size()), n);
    EXPECT_GE(pages, 5);
    EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
    EXPECT_EQ(std::adjacent_find(seen.begin(), seen.end()), seen.end()) << "a key was listed twice";

    // Batch delete of all of them (more than S3's 1000-key batch) in one call.
    std::vector<std::string> keys;
    for (auto& o : *all) keys.push_back(o.key);
    keys.push_back(Key("many/not-there"));
    auto del = store().Delete(keys);
    ASSERT_TRUE(del.ok()) << del.ToString();
    auto after = store().ListAll(Key("many/"));
    ASSERT_TRUE(after.ok());
    EXPECT_TRUE(after->empty()) << after->size() << " keys left";
  }

  void TestListWithDelimiterAndStartAfter() {
    for (const char* k : {"a/1", "a/2", "b/c/3", "d", "e.csv", "f/"}) {
      if (std::string(k).back() == '/') continue;  // not a key
      ASSERT_TRUE(store().Put(Key(k), k).ok());
    }
    ListOptions options;
    options.delimiter = "/";
    auto page = store().List(scratch_->prefix(), options);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    std::vector<std::string> objects, prefixes;
    for (auto& o : page->objects) objects.push_back(o.key);
    EXPECT_EQ(objects, (std::vector<std::string>{Key("d"), Key("e.csv")}));
    EXPECT_EQ(page->common_prefixes, (std::vector<std::string>{Key("a/"), Key("b/")}));
    EXPECT_TRUE(page->next_continuation.empty());

    // A prefix that is not a whole "directory" name.
    auto partial = store().List(Key("a/"), ListOptions{});
    ASSERT_TRUE(partial.ok());
    ASSERT_EQ(partial->objects.size(), 2u);

    ListOptions after;
    after.start_after = Key("a/2");
    auto rest = store().List(scratch_->prefix(), after);
    ASSERT_TRUE(rest.ok());
    objects.clear();
    for (auto& o : rest->objects) objects.push_back(o.key);
    EXPECT_EQ(objects, (std::vector<std::string>{Key("b/c/3"), Key("d"), Key("e.csv")}));

    auto none = store().List(Key("zzz/"), ListOptions{});
    ASSERT_TRUE(none.ok());
    EXPECT_TRUE(none->objects.empty());
  }

  void TestCopyObject() {
    std::string data = RandomBytes(200000, 3);
    ASSERT_TRUE(store().Put(Key("src.bin"), data).ok());
    auto copied = store().Copy(Key("src.bin"), Key("sub/dst.bin"));
    ASSERT_TRUE(copied.ok()) << copied.status().ToString();
    EXPECT_TRUE(*store().Get(Key("sub/dst.bin")) == data);
    EXPECT_EQ(store().Head(Key("sub/dst.bin"))->size, 200000);
    auto missing = store().Copy(Key("nope.bin"), Key("x.bin"));
    EXPECT_TRUE(missing.status().IsNotFound()) << missing.status().ToString();
    EXPECT_TRUE(store().Head(Key("x.bin")).status().IsNotFound());
  }

  void TestStreamingWriterWithSeveralParts() {
    WriterOptions options;
    options.part_size = 5 << 20;  // S3's minimum part size
    options.max_parallel_parts = 3;
    auto writer = store().OpenWriter(Key("stream/big.bin"), options);
    ASSERT_TRUE(writer.ok()) << writer.status().ToString();
    std::string data = RandomBytes(23 * 1000 * 1000 + 11, 5);  // 5 parts, odd sized tail
    size_t pos = 0, chunk = 1;
    while (pos < data.size()) {  // odd, growing chunk sizes
      size_t n = std::min(chunk, data.size() - pos);
      ASSERT_TRUE((*writer)->Write(data.data() + pos, n).ok());
      pos += n;
      chunk = chunk * 3 + 7;
    }
    EXPECT_EQ((*writer)->bytes_written(), static_cast<int64_t>(data.size()));
    // Nothing is visible before Finish.
    EXPECT_TRUE(store().Head(Key("stream/big.bin")).status().IsNotFound());
    auto info = (*writer)->Finish();
    ASSERT_TRUE(info.ok()) << info.status().ToString();
    EXPECT_EQ(info->size, static_cast<int64_t>(data.size()));
    auto got = store().Get(Key("stream/big.bin"));
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_TRUE(*got == data);
    auto listed = store().ListAll(Key("stream/"));
    ASSERT_TRUE(listed.ok());
    ASSERT_EQ(listed->size(), 1u);
    EXPECT_EQ((*listed)[0].size, static_cast<int64_t>(data.size()));
  }

  void TestSmallWriterObject() {
    auto writer = store().OpenWriter(Key("small.txt"));
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->Write("hello ", 6).ok());
    ASSERT_TRUE((*writer)->Write("world", 5).ok());
    ASSERT_TRUE((*writer)->Finish().ok());
    EXPECT_EQ(*store().Get(Key("small.txt")), "hello world");
    auto empty = store().OpenWriter(Key("empty-stream"));
    ASSERT_TRUE(empty.ok());
    ASSERT_TRUE((*empty)->Finish().ok());
    EXPECT_EQ(store().Head(Key("empty-stream"))->size, 0);
  }

  void TestWriterDestroyedWithoutFinishLeavesNothing() {
    {
      WriterOptions options;
      options.part_size = 5 << 20;
      auto writer = store().OpenWriter(Key("aborted/x.bin"), options);
      ASSERT_TRUE(writer.ok());
      std::string data = RandomBytes(12 << 20, 9);  // enough for parts to be uploaded
      ASSERT_TRUE((*writer)->Write(data.data(), data.size()).ok());
    }  // destroyed here
    EXPECT_TRUE(store().Head(Key("aborted/x.bin")).status().IsNotFound());
    auto listed = store().ListAll(Key("aborted/"));
    ASSERT_TRUE(listed.ok());
    EXPECT_TRUE(listed->empty());

    auto writer = store().OpenWriter(Key("aborted/y.bin"));
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->Write("abc", 3).ok());
    ASSERT_TRUE((*writer)->Abort().ok());
    ASSERT_TRUE((*writer)->Abort().ok());  // idempotent
    EXPECT_TRUE(store().Head(Key("aborted/y.bin")).status().IsNotFound());
  }

  void TestWriterIfAbsentKeepsTheExistingObject() {
    ASSERT_TRUE(store().Put(Key("state.json"), "original").ok());
    WriterOptions options;
    options.put.if_absent = true;
    auto writer = store().OpenWriter(Key("state.json"), options);
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->Write("replacement", 11).ok());
    auto done = (*writer)->Finish();
    ASSERT_FALSE(done.ok());
    EXPECT_TRUE(done.status().IsAlreadyExists()) << done.status().ToString();
    EXPECT_EQ(*store().Get(Key("state.json")), "original");

    auto fresh = store().OpenWriter(Key("fresh.json"), options);
    ASSERT_TRUE(fresh.ok());
    ASSERT_TRUE((*fresh)->Write("new", 3).ok());
    ASSERT_TRUE((*fresh)->Finish().ok());
    EXPECT_EQ(*store().Get(Key("fresh.json")), "new");
  }

  void TestDeleteOfMissingKeyIsNotAnError() {
    EXPECT_TRUE(store().Delete(Key("never-existed")).ok());
    ASSERT_TRUE(store().Put(Key("x"), "1").ok());
    ASSERT_TRUE(store().Delete(Key("x")).ok());
    EXPECT_TRUE(store().Head(Key("x")).status().IsNotFound());
  }

  void TestUriNamesTheStore() {
    std::string uri = store().Uri(Key("a.csv"));
    EXPECT_NE(uri.find("a.csv"), std::string::npos);
    EXPECT_EQ(uri.rfind(UriScheme(), 0), 0u) << uri;
  }

 protected:
  std::unique_ptr<Scratch> scratch_;
};

}  // namespace lakepack::testing

// Expands to one TEST_F per conformance test for FIXTURE (a StoreConformanceTest).
#define LAKEPACK_STORE_CONFORMANCE_TEST(FIXTURE, NAME) \
  TEST_F(FIXTURE, NAME) { Test##NAME(); }
#define LAKEPACK_STORE_CONFORMANCE_TESTS(FIXTURE)                                     \
  LAKEPACK_STORE_CONFORMANCE_TEST(FIXTURE, PutGetHead)                                \
  LAKEPACK_STORE_CONFORMANCE_TEST(FIXTURE, EmptyObject)                               \
  LAKEPACK_STORE_CONFORMANCE_TEST(FIXTURE, MissingObjectIsNotFoundAndNamesTheKey)     \
  LAKEPACK_STORE_CONFORMANCE_TEST(FIXTURE, PutOverwrites)                             \
  LAKEPACK_STORE_CONFORMANCE_TEST(FIXTURE, PutIfAbsent)                               \
  LAKEPACK_STORE_CONFORMANCE_TEST(FIXTURE, PutIfAbsentRaceHasExactlyOneWinner)        \
  LAKEPACK_STORE_CONFORMANCE_TEST(FIXTURE, RangedReadsAtOddOffsets)                   \
  LAKEPACK_STORE_CONFORMANCE_TEST(FIXTURE, DirectIoWriterKeepsEveryByte)              \
  LAKEPACK_STORE_CONFORMANCE_TEST(FIXTURE, CopyObjectAcrossStoresInRanges)            \
  LAKEPACK_STORE_CONFORMANCE_TEST(FIXTURE, KeysWithOddCharactersRoundTrip)            \
  LAKEPACK_STORE_CONFORMANCE_TEST(FIXTURE, ListMoreThanAThousandKeysInPages)          \
  LAKEPACK_STORE_CONFORMANCE_TEST(FIXTURE, ListWithDelimiterAndStartAfter)            \
  LAKEPACK_STORE_CONFORMANCE_TEST(FIXTURE, CopyObject)                                \
  LAKEPACK_STORE_CONFORMANCE_TEST(FIXTURE, StreamingWriterWithSeveralParts)           \
  LAKEPACK_STORE_CONFORMANCE_TEST(FIXTURE, SmallWriterObject)                         \
  LAKEPACK_STORE_CONFORMANCE_TEST(FIXTURE, WriterDestroyedWithoutFinishLeavesNothing) \
  LAKEPACK_STORE_CONFORMANCE_TEST(FIXTURE, WriterIfAbsentKeepsTheExistingObject)      \
  LAKEPACK_STORE_CONFORMANCE_TEST(FIXTURE, DeleteOfMissingKeyIsNotAnError)            \
  LAKEPACK_STORE_CONFORMANCE_TEST(FIXTURE, UriNamesTheStore)
