// OpenStore's sharing of S3 stores (one client, credentials and connection pool per bucket,
// options and environment) and the stores' request and byte counters.
#include "lakepack/store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>

#include "store/test_hooks.h"
#include "test_util.h"

namespace lakepack {
namespace {

// Sets variables for one test and puts every one it touched back afterwards.
class EnvGuard {
 public:
  ~EnvGuard() {
    for (const auto& [name, value] : saved_) {
      if (value) {
        ::setenv(name.c_str(), value->c_str(), 1);
      } else {
        ::unsetenv(name.c_str());
      }
    }
  }
  void Set(const std::string& name, const char* value) {
    if (!saved_.count(name)) {
      const char* old = std::getenv(name.c_str());
      saved_[name] = old ? std::optional<std::string>(old) : std::nullopt;
    }
    if (value) {
      ::setenv(name.c_str(), value, 1);
    } else {
      ::unsetenv(name.c_str());
    }
  }

 private:
  std::map<std::string, std::optional<std::string>> saved_;
};

// Opening an S3 store sends no request, so these tests need no server: only credentials.
class StoreCacheTest : public ::testing::Test {
 protected:
  StoreCacheTest() {
    env_.Set("AWS_ACCESS_KEY_ID", "cachekey");
    env_.Set("AWS_SECRET_ACCESS_KEY", "cachesecret");
    env_.Set("AWS_ENDPOINT_URL", "http://127.0.0.1:1");
    env_.Set("LAKEPACK_FAULT_RATE", nullptr);
    env_.Set("LAKEPACK_CRASH_AT", nullptr);
  }
  static ObjectStore* Open(const std::string& uri, const StoreOptions& options = {}) {
    auto loc = OpenStore(uri, options);
    EXPECT_TRUE(loc.ok()) << loc.status().ToString();
    return loc.ok() ? loc->store.get() : nullptr;
  }
  EnvGuard env_;
};

TEST_F(StoreCacheTest, SameBucketAndOptionsShareOneStore) {
  ObjectStore* a = Open("s3://cache-bucket/a/x.csv");
  ObjectStore* b = Open("s3://cache-bucket/b/y.parquet");
  ObjectStore* root = Open("s3://cache-bucket");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a, b);
  EXPECT_EQ(a, root);
  StoreOptions o;
  o.max_retries = 8;  // the default, spelt out: still the same options
  EXPECT_EQ(a, Open("s3://cache-bucket/c", o));
}

TEST_F(StoreCacheTest, KeysStayPerCall) {
  auto a = OpenStore("s3://cache-bucket/a/x.csv");
  auto b = OpenStore("s3://cache-bucket/b/");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->key, "a/x.csv");
  EXPECT_EQ(b->key, "b/");
}

TEST_F(StoreCacheTest, DifferentBucketOrOptionsGetTheirOwnStore) {
  ObjectStore* base = Open("s3://cache-bucket/k");
  ASSERT_NE(base, nullptr);
  EXPECT_NE(base, Open("s3://cache-bucket-2/k"));
  StoreOptions retries;
  retries.max_retries = 2;
  EXPECT_NE(base, Open("s3://cache-bucket/k", retries));
  StoreOptions region;
  region.region = "eu-west-3";
  EXPECT_NE(base, Open("s3://cache-bucket/k", region));
  StoreOptions endpoint;
  endpoint.endpoint_url = "http://127.0.0.1:2";
  EXPECT_NE(base, Open("s3://cache-bucket/k", endpoint));
  StoreOptions profile;
  profile.profile = "other";
  auto other_profile = OpenStore("s3://cache-bucket/k", profile);  // keys from the environment
  if (other_profile.ok()) EXPECT_NE(base, other_profile->store.get());
  // The test hooks are options too.
  StoreTestHooks hooks;
  hooks.multipart_copy_threshold = 5 << 20;
  auto hooked = OpenStoreWithHooks("s3://cache-bucket/k", {}, hooks);
  ASSERT_TRUE(hooked.ok());
  EXPECT_NE(base, hooked->store.get());
}

// The fault-injection hook is read when a client is made: a test that turns it on must get a
// client that injects faults, and turning it off again gives back the plain one.
TEST_F(StoreCacheTest, FaultRateIsPartOfTheKey) {
  ObjectStore* plain = Open("s3://cache-bucket/k");
  env_.Set("LAKEPACK_FAULT_RATE", "0.1");
  ObjectStore* faulty = Open("s3://cache-bucket/k");
  EXPECT_NE(plain, faulty);
  EXPECT_EQ(faulty, Open("s3://cache-bucket/other"));
  env_.Set("LAKEPACK_FAULT_RATE", "0.2");
  EXPECT_NE(faulty, Open("s3://cache-bucket/k"));
  env_.Set("LAKEPACK_FAULT_RATE", nullptr);
  EXPECT_EQ(plain, Open("s3://cache-bucket/k"));
}

// Credentials (and what they are resolved from) come from the environment when a store is made:
// changed credentials must not reuse a client signing with the old ones.
TEST_F(StoreCacheTest, ChangedCredentialsGetANewStore) {
  ObjectStore* first = Open("s3://cache-bucket/k");
  env_.Set("AWS_ACCESS_KEY_ID", "otherkey");
  ObjectStore* second = Open("s3://cache-bucket/k");
  EXPECT_NE(first, second);
  env_.Set("AWS_ENDPOINT_URL", "http://127.0.0.1:3");
  EXPECT_NE(second, Open("s3://cache-bucket/k"));
}

// A store that could not be made is not remembered: once the credentials file appears (same
// environment), the next OpenStore succeeds.
TEST_F(StoreCacheTest, FailuresAreNotCached) {
  const std::string dir =
      ::testing::TempDir() + "/lakepack_store_cache_" + std::to_string(::getpid());
  std::filesystem::create_directories(dir);
  const std::string creds = dir + "/credentials";
  std::filesystem::remove(creds);
  env_.Set("AWS_ACCESS_KEY_ID", nullptr);
  env_.Set("AWS_SECRET_ACCESS_KEY", nullptr);
  env_.Set("AWS_SESSION_TOKEN", nullptr);
  env_.Set("AWS_PROFILE", nullptr);
  env_.Set("AWS_CONFIG_FILE", (dir + "/config").c_str());
  env_.Set("AWS_SHARED_CREDENTIALS_FILE", creds.c_str());
  auto missing = OpenStore("s3://cache-bucket/k");
  EXPECT_FALSE(missing.ok());
  {
    std::ofstream out(creds);
    out << "[default]\naws_access_key_id = filekey\naws_secret_access_key = filesecret\n";
  }
  auto found = OpenStore("s3://cache-bucket/k");
  EXPECT_TRUE(found.ok()) << found.status().ToString();
  std::filesystem::remove_all(dir);
}

TEST(StoreStatsTest, LocalStoresCountNothing) {
  auto loc = OpenStore("/tmp");
  ASSERT_TRUE(loc.ok());
  StoreStats s = loc->store->stats();
  EXPECT_EQ(s.requests, 0);
  EXPECT_EQ(s.bytes_sent, 0);
}

// Against the test server: every request and its body bytes are counted, and two OpenStore calls
// count on the one shared client.
TEST(StoreStatsTest, S3CountsRequestsAndBytes) {
  if (!testing::S3Configured()) {
    const char* required = std::getenv("LAKEPACK_REQUIRE_S3");
    if (required && std::string(required) == "1") FAIL() << "LAKEPACK_REQUIRE_S3=1, no S3 server";
    GTEST_SKIP() << "no S3 test server (source /tmp/lakepack-s3/env)";
  }
  testing::Scratch scratch("s3");
  const std::string uri = scratch.Uri("stats.bin");
  auto a = OpenStore(uri);
  auto b = OpenStore(uri);
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(a->store.get(), b->store.get());
  const StoreStats before = a->store->stats();
  const std::string data(100'000, 'x');
  ASSERT_TRUE(a->store->Put(a->key, data).ok());
  auto got = b->store->Get(b->key);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, data);
  const StoreStats d = b->store->stats() - before;
  EXPECT_GE(d.requests, 2);  // the PUT and the GET (more only if retried)
  EXPECT_GE(d.bytes_sent, static_cast<int64_t>(data.size()));
  EXPECT_GE(d.bytes_received, static_cast<int64_t>(data.size()));
  EXPECT_LE(d.retries, d.requests);
}

}  // namespace
}  // namespace lakepack
