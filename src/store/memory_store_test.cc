// MemoryStore: the ObjectStore conformance suite (store_conformance.h), plus what is its own.
#include "store/memory_store.h"

#include "store/store_conformance.h"

namespace lakepack::testing {
namespace {

class MemoryStoreConformance : public StoreConformanceTest {
 protected:
  std::unique_ptr<Scratch> MakeScratch() override {
    return std::make_unique<Scratch>(MemoryStore::Make(), "t/");
  }
  std::string UriScheme() const override { return "mem://"; }
};

LAKEPACK_STORE_CONFORMANCE_TESTS(MemoryStoreConformance)

TEST(MemoryStore, StoresDoNotShareObjects) {
  auto a = MemoryStore::Make("same"), b = MemoryStore::Make("same");
  ASSERT_TRUE(a->Put("k", "v").ok());
  EXPECT_TRUE(b->Head("k").status().IsNotFound());
  EXPECT_EQ(a->object_count(), 1u);
  EXPECT_EQ(a->Uri("k"), "mem://same/k");
}

TEST(MemoryStore, DelimiterPagesDoNotRepeatARolledUpPrefix) {
  auto s = MemoryStore::Make();
  for (const char* k : {"p/a/1", "p/a/2", "p/a/3", "p/b", "p/c/1"}) ASSERT_TRUE(s->Put(k, k).ok());
  ListOptions o;
  o.delimiter = "/";
  o.max_keys = 1;
  std::vector<std::string> names;
  for (int pages = 0; pages < 10; ++pages) {
    auto page = s->List("p/", o);
    ASSERT_TRUE(page.ok());
    for (auto& x : page->objects) names.push_back(x.key);
    for (auto& x : page->common_prefixes) names.push_back(x);
    if (page->next_continuation.empty()) break;
    o.continuation = page->next_continuation;
  }
  EXPECT_EQ(names, (std::vector<std::string>{"p/a/", "p/b", "p/c/"}));
}

TEST(MemoryStore, EqualBytesEqualEtag) {
  auto s = MemoryStore::Make();
  auto x = s->Put("x", "same bytes"), y = s->Put("y", "same bytes"), z = s->Put("z", "other");
  ASSERT_TRUE(x.ok() && y.ok() && z.ok());
  EXPECT_EQ(x->etag, y->etag);
  EXPECT_NE(x->etag, z->etag);
}

}  // namespace
}  // namespace lakepack::testing
