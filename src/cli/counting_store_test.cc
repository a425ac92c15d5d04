// CountingStore counts exactly the bytes written through it and changes nothing else.
#include "cli/counting_store.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace lakepack::cli {
namespace {

TEST(CountingStoreTest, CountsWriterAndPutBytesAndPassesThrough) {
  testing::Scratch scratch("local");
  auto counting = std::make_shared<CountingStore>(scratch.shared_store());
  EXPECT_EQ(counting->root_uri(), scratch.store().root_uri());
  EXPECT_EQ(counting->bytes_written(), 0);

  auto w = counting->OpenWriter(scratch.Key("a"), {});
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  ASSERT_TRUE((*w)->Write("hello ", 6).ok());
  ASSERT_TRUE((*w)->Write("world", 5).ok());
  EXPECT_EQ(counting->bytes_written(), 11);
  EXPECT_EQ((*w)->bytes_written(), 11);
  auto info = (*w)->Finish();
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->size, 11);

  ASSERT_TRUE(counting->Put(scratch.Key("b"), "abc").ok());
  EXPECT_EQ(counting->bytes_written(), 14);

  // The objects are really in the wrapped store.
  EXPECT_EQ(scratch.store().Get(scratch.Key("a")).ValueOrDie(), "hello world");
  EXPECT_EQ(counting->Get(scratch.Key("b")).ValueOrDie(), "abc");
  auto all = counting->ListAll(scratch.prefix());
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 2u);

  ASSERT_TRUE(counting->Delete(scratch.Key("b")).ok());
  EXPECT_TRUE(scratch.store().Head(scratch.Key("b")).status().IsNotFound());

  // An aborted writer leaves nothing behind; its bytes were still handed over, so they count.
  auto aborted = counting->OpenWriter(scratch.Key("c"), {});
  ASSERT_TRUE(aborted.ok());
  ASSERT_TRUE((*aborted)->Write("xy", 2).ok());
  ASSERT_TRUE((*aborted)->Abort().ok());
  EXPECT_TRUE(counting->Head(scratch.Key("c")).status().IsNotFound());
  EXPECT_EQ(counting->bytes_written(), 16);
}

}  // namespace
}  // namespace lakepack::cli
