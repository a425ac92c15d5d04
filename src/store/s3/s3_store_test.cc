// S3-only behaviour of the S3 backend.  Tests named Live* talk to the test server and are skipped
// unless LAKEPACK_TEST_S3=1 (scripts/s3-server.sh); the rest use a scripted fake transport or a
// closed port on 127.0.0.1 and always run.
#include "store/s3/s3_store.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <deque>
#include <thread>

#include "store/s3/crypto.h"
#include "store/s3/multipart_writer.h"
#include "store/s3/s3_client.h"
#include "store/s3/xml.h"
#include "test_util.h"

namespace lakepack::s3 {
namespace {

using lakepack::testing::RandomBytes;

// Sets an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) {
      ::setenv(name, value, 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// Answers requests from a script and records what was sent.
class ScriptedTransport final : public HttpTransport {
 public:
  Result<HttpResponse> Send(const HttpRequest& request) override {
    std::this_thread::sleep_for(delay);  // how long each attempt takes (a stall, say)
    std::lock_guard<std::mutex> lock(mu);
    sent.push_back(request);
    sent.back().body = {};
    if (script.empty()) return Status::Internal("script exhausted at " + request.url);
    HttpResponse r = script.front();
    script.pop_front();
    return r;
  }
  static HttpResponse Answer(int status, std::string body = "", HeaderList headers = {}) {
    HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    r.headers = std::move(headers);
    return r;
  }
  static HttpResponse Error(int status, const std::string& code, const std::string& msg = "") {
    return Answer(status, "<?xml version=\"1.0\"?><Error><Code>" + code + "</Code><Message>" + msg +
                              "</Message></Error>");
  }
  static HttpResponse Lost(TransportFailure f) {
    HttpResponse r;
    r.failure = f;
    r.error = "scripted failure";
    return r;
  }

  std::chrono::milliseconds delay{0};
  std::mutex mu;
  std::deque<HttpResponse> script;
  std::vector<HttpRequest> sent;
};

class FakeServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    transport_ = std::make_shared<ScriptedTransport>();
    StoreOptions o;
    o.endpoint_url = "http://127.0.0.1:9999";
    o.region = "us-east-1";
    o.max_retries = 3;
    client_ = S3Client::Make("bkt", o, transport_).ValueOrDie();
  }
  ScopedEnv key_{"AWS_ACCESS_KEY_ID", "AKIDTEST"};
  ScopedEnv secret_{"AWS_SECRET_ACCESS_KEY", "SECRET"};
  ScopedEnv profile_{"AWS_PROFILE", nullptr};
  std::shared_ptr<ScriptedTransport> transport_;
  std::unique_ptr<S3Client> client_;
};

TEST(PartSize, GrowsEveryThousandPartsWithinS3Limits) {
  EXPECT_EQ(PartSizeFor(1 << 20, 1), kMinPartSize);  // below S3's minimum: raised
  EXPECT_EQ(PartSizeFor(8 << 20, 1), 8 << 20);
  EXPECT_EQ(PartSizeFor(8 << 20, 1000), 8 << 20);
  EXPECT_EQ(PartSizeFor(8 << 20, 1001), 16 << 20);
  EXPECT_EQ(PartSizeFor(8 << 20, 2001), 32 << 20);
  EXPECT_EQ(PartSizeFor(kMinPartSize, 10000), kMinPartSize * 512);
  EXPECT_EQ(PartSizeFor(int64_t{1} << 30, 9001), kMaxPartSize);  // capped at 5 GiB
  EXPECT_EQ(PartSizeFor(int64_t{100} << 30, 1), kMaxPartSize);
  // 10,000 parts hold S3's largest object (5 TiB) from the default part size on.
  EXPECT_GE(MaxObjectSize(8 << 20), int64_t{5} << 40);
  EXPECT_EQ(MaxObjectSize(kMinPartSize), int64_t{1000} * kMinPartSize * 1023);
  int64_t total = 0;
  for (int p = 1; p <= kMaxParts; ++p) total += PartSizeFor(8 << 20, p);
  EXPECT_EQ(total, MaxObjectSize(8 << 20));
}

TEST_F(FakeServerTest, PathStyleUrlAndSignature) {
  transport_->script = {ScriptedTransport::Answer(200, "x", {{"content-length", "1"}})};
  S3Request req = NewRequest("GET", "dir/a b+c.csv");
  req.query = {{"versionId", "v/1"}};
  ASSERT_TRUE(client_->Call(req).ok());
  const HttpRequest& sent = transport_->sent.at(0);
  EXPECT_EQ(sent.url, "http://127.0.0.1:9999/bkt/dir/a%20b%2Bc.csv?versionId=v%2F1");
  std::string auth;
  for (const auto& [k, v] : sent.headers) {
    if (k == "Authorization") auth = v;
  }
  EXPECT_EQ(auth.rfind("AWS4-HMAC-SHA256 Credential=AKIDTEST/", 0), 0u) << auth;
  EXPECT_NE(auth.find("/us-east-1/s3/aws4_request"), std::string::npos);
}

TEST_F(FakeServerTest, RetriesTransientFailuresThenSucceeds) {
  transport_->script = {
      ScriptedTransport::Error(503, "SlowDown"), ScriptedTransport::Lost(TransportFailure::kReset),
      ScriptedTransport::Error(500, "InternalError"), ScriptedTransport::Answer(200, "data")};
  CallInfo info;
  auto r = client_->Call(NewRequest("GET", "k"), &info);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->body, "data");
  EXPECT_EQ(info.attempts, 4);
  EXPECT_TRUE(info.maybe_applied);
}

// Issue 15: a transfer that stalled for CurlOptions::low_speed_time_s (30 s) used up the whole
// retry budget (kMaxRetryTime, 30 s), so it failed "after 1 attempts".  A stall is now retried
// (up to kMinTimeoutRetries times past the budget) on a fresh connection; other failures still
// respect the budget.  Here the budget is 20 ms and every attempt takes 30 ms.
TEST_F(FakeServerTest, StalledTransferIsRetriedPastTheTimeBudget) {
  client_->set_max_retry_time_for_testing(std::chrono::milliseconds(20));
  transport_->delay = std::chrono::milliseconds(30);
  transport_->script = {ScriptedTransport::Lost(TransportFailure::kTimeout),
                        ScriptedTransport::Lost(TransportFailure::kTimeout),
                        ScriptedTransport::Answer(200, "data")};
  CallInfo info;
  auto r = client_->Call(NewRequest("GET", "k"), &info);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->body, "data");
  EXPECT_EQ(info.attempts, 3);

  // Stalls without end: kMinTimeoutRetries retries, then Unavailable naming the stall.
  transport_->script.clear();
  for (int i = 0; i < 4; ++i) {
    transport_->script.push_back(ScriptedTransport::Lost(TransportFailure::kTimeout));
  }
  r = client_->Call(NewRequest("GET", "k"), &info);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsUnavailable()) << r.status().ToString();
  EXPECT_EQ(info.attempts, 1 + kMinTimeoutRetries);
  EXPECT_NE(r.status().message().find("timed out"), std::string::npos) << r.status().ToString();

  // A reset past the budget is not retried.
  transport_->script = {ScriptedTransport::Lost(TransportFailure::kReset),
                        ScriptedTransport::Answer(200, "data")};
  r = client_->Call(NewRequest("GET", "k"), &info);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(info.attempts, 1);
}

TEST_F(FakeServerTest, ExhaustedRetriesSayHowManyAttempts) {
  for (int i = 0; i < 4; ++i)
    transport_->script.push_back(ScriptedTransport::Error(503, "SlowDown"));
  auto r = client_->Call(NewRequest("GET", "k"));
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsUnavailable());
  EXPECT_NE(r.status().message().find("after 4 attempts"), std::string::npos)
      << r.status().ToString();
  EXPECT_NE(r.status().message().find("SlowDown"), std::string::npos);
}

TEST_F(FakeServerTest, ErrorMapping) {
  transport_->script = {ScriptedTransport::Error(404, "NoSuchKey", ""),
                        ScriptedTransport::Error(404, "NoSuchBucket", ""),
                        ScriptedTransport::Error(403, "SignatureDoesNotMatch", ""),
                        ScriptedTransport::Error(403, "InvalidAccessKeyId", "unknown key"),
                        ScriptedTransport::Error(412, "PreconditionFailed", ""),
                        ScriptedTransport::Answer(404)};
  auto missing = client_->Call(NewRequest("GET", "a/missing.csv"));
  EXPECT_TRUE(missing.status().IsNotFound());
  EXPECT_NE(missing.status().message().find("s3://bkt/a/missing.csv"), std::string::npos);
  auto bucket = client_->Call(NewRequest("GET", "k"));
  EXPECT_TRUE(bucket.status().IsNotFound());
  EXPECT_NE(bucket.status().message().find("bucket 'bkt'"), std::string::npos);
  auto sig = client_->Call(NewRequest("GET", "k"));
  EXPECT_EQ(sig.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(sig.status().message().find("SignatureDoesNotMatch"), std::string::npos);
  EXPECT_NE(sig.status().message().find("hint"), std::string::npos);
  auto key = client_->Call(NewRequest("GET", "k"));
  EXPECT_EQ(key.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(key.status().message().find("unknown key"), std::string::npos);
  EXPECT_TRUE(client_->Call(NewRequest("PUT", "k")).status().IsAlreadyExists());
  auto head = client_->HeadObject("h.bin");  // HEAD: a 404 without a body
  EXPECT_TRUE(head.status().IsNotFound());
  EXPECT_NE(head.status().message().find("s3://bkt/h.bin"), std::string::npos);
}

TEST_F(FakeServerTest, ErrorInsideA200Body) {
  transport_->script = {ScriptedTransport::Error(200, "InternalError"),
                        ScriptedTransport::Answer(200,
                                                  "<CopyObjectResult><ETag>e</ETag>"
                                                  "</CopyObjectResult>")};
  S3Request req = NewRequest("PUT", "dst");
  req.error_in_ok_body = true;
  CallInfo info;
  auto r = client_->Call(req, &info);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(info.attempts, 2);
}

TEST_F(FakeServerTest, ConditionalPutWhoseAnswerWasLostIsOurs) {
  const std::string body = "payload";
  transport_->script = {
      ScriptedTransport::Lost(TransportFailure::kReset),  // the server stored it, answer lost
      ScriptedTransport::Error(412, "PreconditionFailed"),
      ScriptedTransport::Answer(200, "",
                                {{"etag", "\"" + Md5Hex(body) + "\""}, {"content-length", "7"}})};
  PutOptions o;
  o.if_absent = true;
  auto r = client_->PutObject("lock", body, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->etag, Md5Hex(body));
  EXPECT_EQ(transport_->sent.at(2).method, "HEAD");
  // Someone else's object: the 412 stands.
  transport_->script = {
      ScriptedTransport::Lost(TransportFailure::kTimeout),
      ScriptedTransport::Error(412, "PreconditionFailed"),
      ScriptedTransport::Answer(
          200, "", {{"etag", "\"" + Md5Hex("theirs") + "\""}, {"content-length", "6"}})};
  EXPECT_TRUE(client_->PutObject("lock", body, o).status().IsAlreadyExists());
  // A 412 at the first attempt is believed without a HEAD.
  transport_->sent.clear();
  transport_->script = {ScriptedTransport::Error(412, "PreconditionFailed")};
  EXPECT_TRUE(client_->PutObject("lock", body, o).status().IsAlreadyExists());
  EXPECT_EQ(transport_->sent.size(), 1u);
}

TEST_F(FakeServerTest, PutSendsMd5AndSha256) {
  transport_->script = {ScriptedTransport::Answer(200, "", {{"etag", "\"x\""}})};
  ASSERT_TRUE(client_->PutObject("k", "hello", {}).ok());
  std::map<std::string, std::string> h(transport_->sent.at(0).headers.begin(),
                                       transport_->sent.at(0).headers.end());
  EXPECT_EQ(h["Content-MD5"], Md5Base64("hello"));
  EXPECT_EQ(h["x-amz-content-sha256"], Sha256Hex("hello"));
  EXPECT_EQ(h.count("If-None-Match"), 0u);
}

TEST(Unreachable, ClosedPortIsUnavailableQuickly) {
  ScopedEnv key("AWS_ACCESS_KEY_ID", "AKIDTEST");
  ScopedEnv secret("AWS_SECRET_ACCESS_KEY", "SECRET");
  StoreOptions o;
  o.endpoint_url = "http://127.0.0.1:1";  // nothing listens on port 1
  auto store = MakeS3Store("bkt", o);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  auto start = std::chrono::steady_clock::now();
  auto r = (*store)->Get("k");
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsUnavailable()) << r.status().ToString();
  EXPECT_NE(r.status().message().find("127.0.0.1:1"), std::string::npos) << r.status().ToString();
  EXPECT_LT(took, std::chrono::seconds(5));
}

TEST(FaultInjection, InjectsBothKindsAtTheRate) {
  auto inner = std::make_shared<ScriptedTransport>();
  for (int i = 0; i < 1000; ++i) inner->script.push_back(ScriptedTransport::Answer(200, "ok"));
  FaultInjectingTransport t(inner, 0.2, 42);
  int slowdown = 0, reset = 0;
  for (int i = 0; i < 1000; ++i) {
    HttpRequest req{"GET", "http://127.0.0.1/x", {}, {}};
    auto r = t.Send(req);
    ASSERT_TRUE(r.ok());
    slowdown += r->status == 503;
    reset += r->failure == TransportFailure::kReset;
  }
  EXPECT_EQ(slowdown + reset, t.injected());
  EXPECT_GT(slowdown, 50);
  EXPECT_GT(reset, 50);
  EXPECT_LT(slowdown + reset, 300);
  // A dropped answer was still sent: the server did the work.
  EXPECT_EQ(static_cast<int>(inner->sent.size()), 1000 - slowdown);
}

// ---- live tests against the test server ----

bool Live() {
  const char* v = std::getenv("LAKEPACK_TEST_S3");
  return v && std::string(v) == "1";
}

std::string UniquePrefix() {
  return "s3-store-test/" + std::to_string(::getpid()) + "-" +
         std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()) + "/";
}

// The keys of in-progress multipart uploads under `prefix`.
std::vector<std::string> PendingUploads(S3Client& client, const std::string& prefix) {
  S3Request req = NewRequest("GET", "");
  req.query = {{"uploads", ""}, {"prefix", prefix}};
  auto resp = client.Call(req);
  EXPECT_TRUE(resp.ok()) << resp.status().ToString();
  if (!resp.ok()) return {};
  auto uploads = ParseListMultipartUploads(resp->body);
  EXPECT_TRUE(uploads.ok()) << uploads.status().ToString();
  std::vector<std::string> keys;
  if (uploads.ok()) {
    for (auto& u : *uploads) keys.push_back(u.key);
  }
  return keys;
}

class LiveS3 : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!Live()) GTEST_SKIP() << "LAKEPACK_TEST_S3 is not 1";
    store_ = MakeS3Store(lakepack::testing::TestBucket(), {}).ValueOrDie();
    client_ = S3Client::Make(lakepack::testing::TestBucket(), {}).ValueOrDie();
    prefix_ = UniquePrefix();
  }
  void TearDown() override {
    if (!store_) return;
    auto all = store_->ListAll(prefix_);
    if (!all.ok()) return;
    std::vector<std::string> keys;
    for (auto& o : *all) keys.push_back(o.key);
    (void)store_->Delete(keys);
  }
  std::shared_ptr<ObjectStore> store_;
  std::unique_ptr<S3Client> client_;
  std::string prefix_;
};

TEST_F(LiveS3, MultipartWithSeveralPartsAndParallelGet) {
  WriterOptions o;
  o.part_size = 5 << 20;
  o.max_parallel_parts = 2;
  const std::string data = RandomBytes((17 << 20) + 3, 7);  // 4 parts
  auto w = store_->OpenWriter(prefix_ + "big", o);
  ASSERT_TRUE(w.ok());
  ASSERT_TRUE((*w)->Write(data.data(), data.size()).ok());
  auto info = (*w)->Finish();
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->size, static_cast<int64_t>(data.size()));
  EXPECT_NE(info->etag.find("-4"), std::string::npos) << info->etag;  // a 4-part ETag
  EXPECT_EQ(info->etag.find('"'), std::string::npos);
  auto head = store_->Head(prefix_ + "big");
  ASSERT_TRUE(head.ok());
  EXPECT_EQ(head->etag, info->etag);
  auto got = store_->Get(prefix_ + "big");  // > 8 MiB: parallel ranged GETs
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_TRUE(*got == data);
  EXPECT_TRUE(PendingUploads(*client_, prefix_).empty());
}

TEST_F(LiveS3, AbortAndDestructorLeaveNoUpload) {
  WriterOptions o;
  o.part_size = 5 << 20;
  const std::string data = RandomBytes((6 << 20), 8);  // one part sent, a tail buffered
  {
    auto w = store_->OpenWriter(prefix_ + "aborted", o);
    ASSERT_TRUE((*w)->Write(data.data(), data.size()).ok());
    ASSERT_EQ(PendingUploads(*client_, prefix_).size(), 1u);
    ASSERT_TRUE((*w)->Abort().ok());
    ASSERT_TRUE((*w)->Abort().ok());  // idempotent
  }
  EXPECT_TRUE(PendingUploads(*client_, prefix_).empty());
  {
    auto w = store_->OpenWriter(prefix_ + "dropped", o);
    ASSERT_TRUE((*w)->Write(data.data(), data.size()).ok());
  }
  EXPECT_TRUE(PendingUploads(*client_, prefix_).empty());
  EXPECT_TRUE(store_->Head(prefix_ + "dropped").status().IsNotFound());
}

TEST_F(LiveS3, MultipartIfAbsentKeepsTheExistingObject) {
  ASSERT_TRUE(store_->Put(prefix_ + "taken", "first").ok());
  WriterOptions o;
  o.part_size = 5 << 20;
  o.put.if_absent = true;
  const std::string data = RandomBytes((11 << 20), 9);
  auto w = store_->OpenWriter(prefix_ + "taken", o);
  ASSERT_TRUE((*w)->Write(data.data(), data.size()).ok());
  auto r = (*w)->Finish();
  EXPECT_TRUE(r.status().IsAlreadyExists()) << r.status().ToString();
  EXPECT_EQ(*store_->Get(prefix_ + "taken"), "first");
  EXPECT_TRUE(PendingUploads(*client_, prefix_).empty());
}

TEST_F(LiveS3, FaultInjectionStillGivesIdenticalBytes) {
  StoreTestHooks faulty;
  faulty.fault_rate = 0.1;
  auto store = MakeS3Store(lakepack::testing::TestBucket(), {}, faulty).ValueOrDie();
  for (int i = 0; i < 20; ++i) {
    const std::string data = RandomBytes(1000 + i * 7919, 100 + i);
    const std::string key = prefix_ + "f/" + std::to_string(i);
    ASSERT_TRUE(store->Put(key, data).ok());
    auto got = store->Get(key);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    ASSERT_TRUE(*got == data) << key;
    auto again = store->PutIfAbsent(key + ".lock", data);
    ASSERT_TRUE(again.ok()) << again.status().ToString();
    EXPECT_TRUE(store->PutIfAbsent(key + ".lock", "x").status().IsAlreadyExists());
  }
  WriterOptions o;
  o.part_size = 5 << 20;
  const std::string big = RandomBytes((16 << 20) + 5, 77);
  auto w = store->OpenWriter(prefix_ + "f/big", o);
  ASSERT_TRUE((*w)->Write(big.data(), big.size()).ok());
  auto info = (*w)->Finish();
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  auto got = store->Get(prefix_ + "f/big");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_TRUE(*got == big);
}

// Objects above the single-copy limit are copied server-side in UploadPartCopy parts.  The
// limit is lowered so a 13 MB object takes the path S3 needs for objects above 5 GiB; with
// injected faults too, since every part copy is a retried request.
TEST_F(LiveS3, LargeServerSideCopyGoesInParts) {
  for (double fault_rate : {0.0, 0.1}) {
    StoreTestHooks o;
    o.multipart_copy_threshold = 6 << 20;
    o.copy_part_size = 5 << 20;  // S3's minimum part: 3 parts, the last short
    o.fault_rate = fault_rate;
    auto store = MakeS3Store(lakepack::testing::TestBucket(), {}, o).ValueOrDie();
    const std::string data = RandomBytes((13 << 20) + 11, 21);
    ASSERT_TRUE(store->Put(prefix_ + "src", data).ok());
    const std::string dst = prefix_ + "dst" + std::to_string(fault_rate);
    auto info = store->Copy(prefix_ + "src", dst);
    ASSERT_TRUE(info.ok()) << info.status().ToString();
    EXPECT_EQ(info->size, static_cast<int64_t>(data.size()));
    EXPECT_NE(info->etag.find("-3"), std::string::npos) << info->etag;  // a 3-part object
    auto got = store->Get(dst);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_TRUE(*got == data);
    EXPECT_TRUE(PendingUploads(*client_, prefix_).empty());
    // A missing source is NotFound naming it, and leaves no upload behind.
    auto missing = store->Copy(prefix_ + "absent", prefix_ + "x");
    EXPECT_TRUE(missing.status().IsNotFound()) << missing.status().ToString();
    EXPECT_NE(missing.status().message().find("absent"), std::string::npos);
    // A small object still goes in one CopyObject.
    ASSERT_TRUE(store->Put(prefix_ + "small", "tiny").ok());
    auto small = store->Copy(prefix_ + "small", prefix_ + "small2");
    ASSERT_TRUE(small.ok()) << small.status().ToString();
    EXPECT_EQ(small->etag.find('-'), std::string::npos) << small->etag;
  }
}

TEST_F(LiveS3, WrongSecretIsPermissionDenied) {
  ScopedEnv secret("AWS_SECRET_ACCESS_KEY", "definitely-not-the-secret");
  ScopedEnv key("AWS_ACCESS_KEY_ID",
                std::getenv("AWS_ACCESS_KEY_ID") ? std::getenv("AWS_ACCESS_KEY_ID") : "testkey");
  auto store = MakeS3Store(lakepack::testing::TestBucket(), {}).ValueOrDie();
  auto r = store->Put(prefix_ + "nope", "x");
  if (r.ok()) GTEST_SKIP() << "this server does not verify signatures (moto)";
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied) << r.status().ToString();
  EXPECT_NE(r.status().message().find("SignatureDoesNotMatch"), std::string::npos)
      << r.status().ToString();
}

TEST_F(LiveS3, MissingBucketIsNotFoundNamingIt) {
  auto store = MakeS3Store("lakepack-no-such-bucket", {}).ValueOrDie();
  auto r = store->Get("k");
  EXPECT_TRUE(r.status().IsNotFound()) << r.status().ToString();
  auto l = store->List("");
  EXPECT_TRUE(l.status().IsNotFound()) << l.status().ToString();
  EXPECT_NE(l.status().message().find("lakepack-no-such-bucket"), std::string::npos);
}

// The body of fork-test object `k`: its name repeated, so a mix-up shows whose bytes came back.
std::string ForkBody(int k) {
  const std::string name = "k" + std::to_string(k) + ";";
  std::string b;
  while (b.size() < 4096) b += name;
  b.resize(4096);
  return b;
}

// Issue 15: a store used before fork() handed its pooled keep-alive connections to the children,
// so parent and children wrote requests on one socket and read each other's answers: get()
// returned another key's bytes or raw "HTTP/1.1 206" text, with no error.  Here the parent warms
// its pool from several threads, forks, and then the parent and every child GET the objects in
// different orders at once through the inherited store; every answer must be the object's own.
TEST_F(LiveS3, StoreUsedBeforeForkGivesEveryProcessItsOwnAnswers) {
  constexpr int kKeys = 8, kChildren = 4, kGets = 250;
  for (int k = 0; k < kKeys; ++k) {
    ASSERT_TRUE(store_->Put(prefix_ + "k" + std::to_string(k), ForkBody(k)).ok());
  }
  // Each process counts its wrong answers and its errors, and keeps the first of either.
  auto run = [&](int who, int* wrong, int* errors, std::string* first) {
    for (int i = 0; i < kGets; ++i) {
      const int k = (i + who * 3) % kKeys;
      auto got = store_->Get(prefix_ + "k" + std::to_string(k));
      if (!got.ok()) {
        ++*errors;
        if (first->empty()) first->assign(got.status().ToString().substr(0, 200));
      } else if (*got != ForkBody(k)) {
        ++*wrong;
        if (first->empty())
          first->assign("k" + std::to_string(k) + " got '" + got->substr(0, 16) + "'");
      }
    }
  };
  {  // several idle keep-alive connections in the pool at fork time
    std::vector<std::thread> warm;
    for (int t = 0; t < 4; ++t) {
      warm.emplace_back([&, t] {
        int w = 0, e = 0;
        std::string f;
        run(t, &w, &e, &f);
      });
    }
    for (auto& t : warm) t.join();
  }
  std::vector<std::pair<pid_t, int>> children;  // pid, read end of its report pipe
  for (int c = 1; c <= kChildren; ++c) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      int wrong = 0, errors = 0;
      std::string first;
      run(c, &wrong, &errors, &first);
      const std::string report = std::to_string(wrong) + " " + std::to_string(errors) + " " + first;
      ssize_t n = ::write(fds[1], report.data(), report.size());
      ::_exit(n == static_cast<ssize_t>(report.size()) ? 0 : 3);
    }
    ::close(fds[1]);
    children.emplace_back(pid, fds[0]);
  }
  int wrong = 0, errors = 0;
  std::string first;
  run(0, &wrong, &errors, &first);
  EXPECT_EQ(wrong, 0) << "parent: " << first;
  EXPECT_EQ(errors, 0) << "parent: " << first;
  for (auto [pid, fd] : children) {
    std::string report;
    char buf[512];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0) report.append(buf, static_cast<size_t>(n));
    ::close(fd);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child " << pid;
    EXPECT_EQ(report.rfind("0 0 ", 0), 0u)
        << "child " << pid << " (wrong, errors, first): " << report;
  }
}

TEST_F(LiveS3, KeysNeedingEncodingInListings) {
  const std::vector<std::string> names = {"a b", "a+b",   "100%", "\xc3\xa9t\xc3\xa9",
                                          "t~x", "x&y<z>"};
  for (const auto& n : names) ASSERT_TRUE(store_->Put(prefix_ + n, n).ok()) << n;
  auto all = store_->ListAll(prefix_);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  std::vector<std::string> listed;
  for (auto& o : *all) listed.push_back(o.key.substr(prefix_.size()));
  std::vector<std::string> expected = names;
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(listed, expected);
  std::vector<std::string> keys;
  for (const auto& n : names) keys.push_back(prefix_ + n);
  ASSERT_TRUE(store_->Delete(keys).ok());
  EXPECT_TRUE(store_->ListAll(prefix_)->empty());
}

// ---- HTTPS: the test server's TLS front (scripts/s3-server.sh) ----

// A transport that records the headers of every request it passes on.
class RecordingTransport final : public HttpTransport {
 public:
  explicit RecordingTransport(std::shared_ptr<HttpTransport> inner) : inner_(std::move(inner)) {}
  Result<HttpResponse> Send(const HttpRequest& request) override {
    {
      std::lock_guard<std::mutex> lock(mu);
      sent.push_back({request.method, request.url, request.headers, {}, nullptr, 0});
    }
    return inner_->Send(request);
  }
  std::string Header(size_t i, const std::string& name) {
    std::lock_guard<std::mutex> lock(mu);
    for (const auto& [k, v] : sent.at(i).headers) {
      if (k == name) return v;
    }
    return "";
  }
  std::mutex mu;
  std::vector<HttpRequest> sent;

 private:
  std::shared_ptr<HttpTransport> inner_;
};

class LiveTls : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!Live()) GTEST_SKIP() << "LAKEPACK_TEST_S3 is not 1";
    for (const char* v :
         {"LAKEPACK_S3_TLS_ENDPOINT", "LAKEPACK_S3_CA_BUNDLE", "LAKEPACK_S3_OTHER_CA_BUNDLE"}) {
      if (!std::getenv(v)) {
        const char* required = std::getenv("LAKEPACK_REQUIRE_S3");
        if (required && std::string(required) == "1") {
          FAIL() << v << " is unset: the S3 server has no TLS front (scripts/s3-server.sh start)";
        }
        GTEST_SKIP() << v << " is unset (no TLS front)";
      }
    }
    endpoint_ = std::getenv("LAKEPACK_S3_TLS_ENDPOINT");
    ca_ = std::getenv("LAKEPACK_S3_CA_BUNDLE");
    other_ca_ = std::getenv("LAKEPACK_S3_OTHER_CA_BUNDLE");
    prefix_ = UniquePrefix();
  }
  StoreOptions Options(const std::string& ca) {
    StoreOptions o;
    o.endpoint_url = endpoint_;
    o.ca_bundle = ca;
    return o;
  }
  // A failed PUT through `options`: IOError naming the endpoint, sent once, never retried.
  void ExpectTlsFailure(const StoreOptions& options, const std::string& why) {
    auto client = S3Client::Make(lakepack::testing::TestBucket(), options);
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    CallInfo info;
    S3Request req = NewRequest("PUT", prefix_ + "never");
    req.body = "x";
    auto r = (*client)->Call(req, &info);
    ASSERT_FALSE(r.ok());
    const std::string m = r.status().ToString();
    EXPECT_EQ(r.status().code(), StatusCode::kIOError) << m;
    EXPECT_NE(m.find("TLS failure"), std::string::npos) << m;
    EXPECT_NE(m.find(options.endpoint_url), std::string::npos) << m;
    EXPECT_NE(m.find(why), std::string::npos) << m;
    EXPECT_NE(m.find("not retried"), std::string::npos) << m;
    EXPECT_NE(m.find("AWS_CA_BUNDLE"), std::string::npos) << m;
    EXPECT_EQ(info.attempts, 1) << m;
    EXPECT_EQ((*client)->stats().requests, 1) << m;
  }
  void TearDown() override {
    if (endpoint_.empty()) return;
    // Through the TLS front and the plain endpoint (the same server under scripts/test.sh).
    for (const StoreOptions& o : {Options(ca_), StoreOptions{}}) {
      auto store = MakeS3Store(lakepack::testing::TestBucket(), o);
      if (!store.ok()) continue;
      auto all = (*store)->ListAll(prefix_);
      if (!all.ok()) continue;
      std::vector<std::string> keys;
      for (auto& info : *all) keys.push_back(info.key);
      (void)(*store)->Delete(keys);
    }
  }
  std::string endpoint_, ca_, other_ca_, prefix_;
};

TEST_F(LiveTls, TheTestCaFromCaBundleOrAwsCaBundleWorks) {
  const std::string data = RandomBytes(100000, 3);
  {
    auto store = MakeS3Store(lakepack::testing::TestBucket(), Options(ca_));
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    ASSERT_TRUE((*store)->Put(prefix_ + "a", data).ok());
    auto got = (*store)->Get(prefix_ + "a");
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_TRUE(*got == data);
  }
  {
    ScopedEnv bundle("AWS_CA_BUNDLE", ca_.c_str());
    auto store = MakeS3Store(lakepack::testing::TestBucket(), Options(""));
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    auto head = (*store)->Head(prefix_ + "a");
    ASSERT_TRUE(head.ok()) << head.status().ToString();
    EXPECT_EQ(head->size, static_cast<int64_t>(data.size()));
  }
  // --ca-bundle (StoreOptions) beats AWS_CA_BUNDLE.
  ScopedEnv wrong("AWS_CA_BUNDLE", other_ca_.c_str());
  auto store = MakeS3Store(lakepack::testing::TestBucket(), Options(ca_));
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_TRUE((*store)->Head(prefix_ + "a").ok());
}

TEST_F(LiveTls, AnUntrustedCertificateFailsOnceWithAClearError) {
  // The test CA is not among the system's, and the other CA did not sign the server's
  // certificate.
  ExpectTlsFailure(Options(""), "certificate");
  ExpectTlsFailure(Options(other_ca_), "certificate");
  ScopedEnv bundle("AWS_CA_BUNDLE", other_ca_.c_str());
  ExpectTlsFailure(Options(""), "certificate");
}

TEST_F(LiveTls, AWrongHostNameFailsOnceWithAClearError) {
  // The same server under its address: the certificate names only "localhost".
  StoreOptions o = Options(ca_);
  const std::string port = endpoint_.substr(endpoint_.rfind(':'));
  o.endpoint_url = "https://127.0.0.1" + port;
  ExpectTlsFailure(o, "127.0.0.1");
}

TEST_F(LiveTls, AMissingOrBadCaBundleIsRefusedUpFront) {
  StoreOptions o = Options("/nonexistent/ca.pem");
  auto r = S3Client::Make(lakepack::testing::TestBucket(), o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("/nonexistent/ca.pem (from --ca-bundle)"), std::string::npos)
      << r.status().ToString();
}

// Over https a body goes UNSIGNED-PAYLOAD (no SHA-256 pass); over http its SHA-256 is signed.
// Both are accepted by the server, which checks SigV4.
TEST_F(LiveTls, UploadsAreUnsignedOverHttpsAndSignedOverHttp) {
  const std::string data = RandomBytes(300000, 5);
  for (const bool https : {true, false}) {
    SCOPED_TRACE(https ? "https" : "http");
    CurlOptions curl;
    curl.ca_bundle = ca_;
    auto recorder = std::make_shared<RecordingTransport>(CurlTransport::Make(curl).ValueOrDie());
    StoreOptions o = https ? Options(ca_) : StoreOptions{};
    auto client = S3Client::Make(lakepack::testing::TestBucket(), o, recorder);
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    ASSERT_EQ((*client)->endpoint().rfind("https://", 0) == 0, https) << (*client)->endpoint();
    const std::string key = prefix_ + (https ? "tls" : "plain");
    auto put = (*client)->PutObject(key, data, {});
    ASSERT_TRUE(put.ok()) << put.status().ToString();
    S3Request get = NewRequest("GET", key);
    auto got = (*client)->Call(get);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_TRUE(got->body == data);
    ASSERT_EQ(recorder->sent.size(), 2u);
    EXPECT_EQ(recorder->sent[0].method, "PUT");
    EXPECT_EQ(recorder->Header(0, "x-amz-content-sha256"),
              https ? std::string("UNSIGNED-PAYLOAD") : Sha256Hex(data));
    // A GET has no body: its (empty) hash is signed either way.
    EXPECT_EQ(recorder->Header(1, "x-amz-content-sha256"), Sha256Hex(""));
  }
}

}  // namespace
}  // namespace lakepack::s3
