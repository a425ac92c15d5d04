// The local store's listing against a model: every page, for every prefix, start key, delimiter
// and page size, equals what S3's rules give for the same keys (the byte order of whole keys, one
// common prefix per rolled-up group, a continuation only when more follows).
#include "store/local_listing.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include "store/local_store.h"

namespace lakepack {
namespace {

namespace fs = std::filesystem;

// Names chosen so that directory order and key order differ: '-' and '.' sort before '/', '0'
// after it; a directory with only a temp file in it; an empty directory.
const std::vector<std::string> kKeys = {"a-b",   "a.txt",   "a/x",   "a/y/z", "a/y/z2", "a0",
                                        "b/c-x", "b/c.d/e", "b/c/d", "b/c0",  "c",      "d/e/f",
                                        "d/e-f", "e/f/g/h", "e0/x",  "f",     "g/h.k",  "g/h/i/j"};

class LocalListing : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ =
        (fs::temp_directory_path() / ("lakepack-listing-" + std::to_string(::getpid()))).string();
    fs::remove_all(root_);
    for (const auto& k : kKeys) {
      fs::create_directories(fs::path(root_ + "/" + k).parent_path());
      std::ofstream(root_ + "/" + k) << k;
    }
    fs::create_directories(root_ + "/h/empty");
    fs::create_directories(root_ + "/i");
    std::ofstream(root_ + "/i/.x.lakepack-tmp-0123") << "temp";
    std::ofstream(root_ + "/a/.y.lakepack-tmp-4567") << "temp";
  }
  void TearDown() override { fs::remove_all(root_); }

  // What S3 answers: keys with the prefix after `after`, rolled up at the first delimiter after
  // the prefix, in byte order, at most max_keys, with a continuation if more follow.
  static ListPage Model(const std::string& prefix, const std::string& delimiter,
                        const std::string& after, int max_keys) {
    std::set<std::pair<std::string, bool>> names;  // (name, is_prefix)
    for (const auto& k : kKeys) {
      if (k.compare(0, prefix.size(), prefix) != 0) continue;
      size_t d = delimiter.empty() ? std::string::npos : k.find(delimiter, prefix.size());
      if (d != std::string::npos) {
        names.insert({k.substr(0, d + delimiter.size()), true});
      } else {
        names.insert({k, false});
      }
    }
    ListPage page;
    int count = 0;
    std::string last;
    for (const auto& [name, is_prefix] : names) {
      if (!after.empty() && name <= after) continue;
      if (count == max_keys) {
        page.next_continuation = last;
        break;
      }
      ++count;
      last = name;
      if (is_prefix) {
        page.common_prefixes.push_back(name);
      } else {
        ObjectInfo o;
        o.key = name;
        page.objects.push_back(o);
      }
    }
    return page;
  }

  static std::string Describe(const ListPage& p) {
    std::string s;
    for (const auto& o : p.objects) s += o.key + " ";
    s += "| ";
    for (const auto& c : p.common_prefixes) s += c + " ";
    return s + "| next=" + p.next_continuation;
  }

  std::string root_;
};

TEST_F(LocalListing, EveryPageMatchesTheModel) {
  std::vector<std::string> prefixes = {"",    "a", "a/",  "a/y", "b/c", "b/c/",
                                       "d/e", "e", "g/h", "h/",  "i",   "zz"};
  std::vector<std::string> afters = {""};
  for (const auto& k : kKeys) afters.push_back(k);
  for (std::string extra : {"a/", "a/y/", "b/", "b/c/", "e/f/", "g/", "0", "zzz"}) {
    afters.push_back(extra);
  }
  int checked = 0;
  for (const auto& prefix : prefixes) {
    for (const std::string delimiter : {"", "/", "-"}) {
      for (const auto& after : afters) {
        for (int max_keys : {1, 2, 3, 1000}) {
          ListOptions o;
          o.delimiter = delimiter;
          o.start_after = after;
          o.max_keys = max_keys;
          auto got = ListLocalPage(root_, prefix, o, &LocalStore::IsTempName);
          ASSERT_TRUE(got.ok()) << got.status().ToString();
          ListPage want = Model(prefix, delimiter, after, max_keys);
          ASSERT_EQ(Describe(*got), Describe(want))
              << "prefix '" << prefix << "' delimiter '" << delimiter << "' after '" << after
              << "' max_keys " << max_keys;
          ++checked;
        }
      }
    }
  }
  EXPECT_GT(checked, 1000);
}

// Following continuations page by page gives every key exactly once, in order.
TEST_F(LocalListing, PagesChainToTheWholeListing) {
  for (int max_keys : {1, 4}) {
    std::vector<std::string> keys;
    ListOptions o;
    o.max_keys = max_keys;
    while (true) {
      auto page = ListLocalPage(root_, "", o, &LocalStore::IsTempName);
      ASSERT_TRUE(page.ok());
      for (const auto& obj : page->objects) keys.push_back(obj.key);
      if (page->next_continuation.empty()) break;
      o.continuation = page->next_continuation;
    }
    std::vector<std::string> want = kKeys;
    std::sort(want.begin(), want.end());
    EXPECT_EQ(keys, want) << "max_keys " << max_keys;
  }
}

// A large directory is cached between pages; a file added to it afterwards is still listed (the
// cache follows the directory's mtime, and only a snapshot older than the clock tick is kept).
TEST_F(LocalListing, LargeDirectorySeesNewFilesBetweenPages) {
  const std::string dir = root_ + "/big";
  fs::create_directories(dir);
  for (int i = 0; i < 1500; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "f%05d", i * 2);
    std::ofstream(dir + "/" + name) << i;
  }
  auto list_all = [&]() {
    std::vector<std::string> keys;
    ListOptions o;
    o.max_keys = 1000;
    while (true) {
      auto page = ListLocalPage(root_, "big/", o, &LocalStore::IsTempName);
      EXPECT_TRUE(page.ok());
      for (const auto& obj : page->objects) keys.push_back(obj.key);
      if (page->next_continuation.empty()) break;
      o.continuation = page->next_continuation;
    }
    return keys;
  };
  // As if the files landed a while ago: the directory's snapshot is now old enough to be cached.
  fs::last_write_time(dir, fs::file_time_type::clock::now() - std::chrono::seconds(10));
  EXPECT_EQ(list_all().size(), 1500u);
  EXPECT_EQ(list_all().size(), 1500u);  // from the cache
  std::ofstream(dir + "/f00001") << "new";  // sorts near the front, into the first page
  std::ofstream(dir + "/f99999") << "new";  // and at the end
  auto keys = list_all();
  EXPECT_EQ(keys.size(), 1502u);
  EXPECT_EQ(keys[1], "big/f00001");
  EXPECT_EQ(keys.back(), "big/f99999");
}

}  // namespace
}  // namespace lakepack
