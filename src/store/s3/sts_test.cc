// STS credentials: AssumeRole against the STS-enabled test server (radosgw, scripts/test.sh
// starts it: LAKEPACK_S3_STS_ENDPOINT, LAKEPACK_S3_STS_ROLE_ARN), and AssumeRoleWithWebIdentity
// against a fake STS on 127.0.0.1 in this process (radosgw validates web identity tokens only
// against an OIDC provider it fetches keys from, which a test machine without internet lacks).
#include "store/s3/sts.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <thread>

#include "store/s3/s3_client.h"
#include "store/s3/xml.h"

namespace lakepack::s3 {
namespace {

namespace fs = std::filesystem;

// An HTTP/1.1 server on 127.0.0.1 answering each request from a script (one connection per
// request), recording what it was sent.
class FakeSts {
 public:
  struct Answer {
    int status;
    std::string body;
  };
  FakeSts() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(::listen(fd_, 16), 0);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { Loop(); });
  }
  ~FakeSts() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  void Push(int status, std::string body) {
    std::lock_guard<std::mutex> lock(mu_);
    script_.push_back({status, std::move(body)});
  }
  std::vector<std::string> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

 private:
  void Loop() {
    while (true) {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0 || stop_) {
        if (c >= 0) ::close(c);
        return;
      }
      std::string in;
      char buf[4096];
      size_t header_end = std::string::npos, length = 0;
      while (true) {
        ssize_t n = ::recv(c, buf, sizeof buf, 0);
        if (n <= 0) break;
        in.append(buf, static_cast<size_t>(n));
        if (header_end == std::string::npos) {
          header_end = in.find("\r\n\r\n");
          if (header_end == std::string::npos) continue;
          std::string lower = in.substr(0, header_end);
          for (char& ch : lower)
            ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
          size_t cl = lower.find("content-length:");
          if (cl != std::string::npos) length = std::strtoul(lower.c_str() + cl + 15, nullptr, 10);
        }
        if (in.size() >= header_end + 4 + length) break;
      }
      Answer a{500, "<Error><Code>ScriptExhausted</Code></Error>"};
      {
        std::lock_guard<std::mutex> lock(mu_);
        requests_.push_back(in);
        if (!script_.empty()) {
          a = script_.front();
          script_.pop_front();
        }
      }
      const std::string out =
          "HTTP/1.1 " + std::to_string(a.status) +
          " X\r\nContent-Type: text/xml\r\nContent-Length: " + std::to_string(a.body.size()) +
          "\r\nConnection: close\r\n\r\n" + a.body;
      (void)::send(c, out.data(), out.size(), MSG_NOSIGNAL);
      ::close(c);
    }
  }
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::deque<Answer> script_;          // guarded by mu_
  std::vector<std::string> requests_;  // guarded by mu_
};

std::string IsoIn(std::chrono::seconds from_now) {
  const std::time_t t =
      std::chrono::system_clock::to_time_t(std::chrono::system_clock::now() + from_now);
  char s[32];
  std::strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return s;
}

std::string WebIdentityAnswer(const std::string& key, std::chrono::seconds expires_in) {
  return "<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
         "<AssumeRoleWithWebIdentityResult><Credentials><SessionToken>TOKEN-" +
         key + "</SessionToken><SecretAccessKey>SECRET-" + key + "</SecretAccessKey><Expiration>" +
         IsoIn(expires_in) + "</Expiration><AccessKeyId>" + key +
         "</AccessKeyId></Credentials></AssumeRoleWithWebIdentityResult>"
         "</AssumeRoleWithWebIdentityResponse>";
}

const char* kVars[] = {"HOME",
                       "AWS_ACCESS_KEY_ID",
                       "AWS_SECRET_ACCESS_KEY",
                       "AWS_SESSION_TOKEN",
                       "AWS_PROFILE",
                       "AWS_SHARED_CREDENTIALS_FILE",
                       "AWS_CONFIG_FILE",
                       "AWS_ENDPOINT_URL",
                       "AWS_ENDPOINT_URL_S3",
                       "AWS_ENDPOINT_URL_STS",
                       "AWS_WEB_IDENTITY_TOKEN_FILE",
                       "AWS_ROLE_ARN",
                       "AWS_ROLE_SESSION_NAME",
                       "AWS_CA_BUNDLE"};

// Saves the AWS environment and clears it, HOME in an empty temp dir; restores all on exit.
class StsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* v : kVars) {
      if (const char* s = std::getenv(v)) saved_[v] = s;
      ::unsetenv(v);
    }
    home_ = fs::temp_directory_path() / ("lakepack-sts-test-" + std::to_string(::getpid()));
    fs::remove_all(home_);
    fs::create_directories(home_ / ".aws");
    ::setenv("HOME", home_.c_str(), 1);
  }
  void TearDown() override {
    for (const char* v : kVars) ::unsetenv(v);
    for (const auto& [k, v] : saved_) ::setenv(k.c_str(), v.c_str(), 1);
    fs::remove_all(home_);
  }
  std::string Saved(const std::string& name) {
    auto it = saved_.find(name);
    return it == saved_.end() ? "" : it->second;
  }
  void WriteFile(const std::string& rel, const std::string& text) {
    std::ofstream(home_ / rel) << text;
  }
  std::map<std::string, std::string> saved_;
  fs::path home_;
};

TEST(ParseStsCredentials, AnswerAndErrors) {
  auto r = ParseStsCredentials(WebIdentityAnswer("AK", std::chrono::seconds(900)), "call");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->credentials.access_key_id, "AK");
  EXPECT_EQ(r->credentials.secret_access_key, "SECRET-AK");
  EXPECT_EQ(r->credentials.session_token, "TOKEN-AK");
  const auto left = r->expiration - std::chrono::system_clock::now();
  EXPECT_GT(left, std::chrono::seconds(890));
  EXPECT_LT(left, std::chrono::seconds(910));
  EXPECT_EQ(ParseStsCredentials("<x/>", "call").status().code(), StatusCode::kInvalidData);
  EXPECT_EQ(ParseStsCredentials("nope", "call").status().code(), StatusCode::kInvalidData);
}

TEST_F(StsTest, WebIdentityFromTheEnvironmentRefreshesBeforeExpiry) {
  FakeSts sts;
  const fs::path token = home_ / "token";
  WriteFile("token", "first-token\n");
  ::setenv("AWS_WEB_IDENTITY_TOKEN_FILE", token.c_str(), 1);
  ::setenv("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/web", 1);
  ::setenv("AWS_ROLE_SESSION_NAME", "sess1", 1);
  ::setenv("AWS_ENDPOINT_URL_STS", sts.url().c_str(), 1);
  auto cfg = ResolveS3Config({});
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  auto* p = dynamic_cast<RefreshingCredentialsProvider*>(cfg->credentials.get());
  ASSERT_NE(p, nullptr);
  EXPECT_NE(p->Describe().find("arn:aws:iam::123456789012:role/web"), std::string::npos);
  auto now = std::chrono::system_clock::now();
  p->set_clock_for_testing([&now] { return now; });

  // Credentials for 15 minutes (STS's minimum).
  sts.Push(200, WebIdentityAnswer("AK1", std::chrono::seconds(900)));
  auto c = p->Get();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->access_key_id, "AK1");
  EXPECT_EQ(c->session_token, "TOKEN-AK1");
  ASSERT_EQ(sts.requests().size(), 1u);
  const std::string req = sts.requests()[0];
  EXPECT_EQ(req.rfind("POST / HTTP/1.1", 0), 0u) << req;
  EXPECT_NE(req.find("Action=AssumeRoleWithWebIdentity"), std::string::npos) << req;
  EXPECT_NE(req.find("RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fweb"), std::string::npos)
      << req;
  EXPECT_NE(req.find("RoleSessionName=sess1"), std::string::npos) << req;
  // The token without its trailing newline (the last field of the form).
  EXPECT_TRUE(req.ends_with("&WebIdentityToken=first-token")) << req;
  EXPECT_EQ(req.find("Authorization"), std::string::npos) << "web identity is not signed: " << req;

  // Ten minutes on: still valid, no STS call.
  now += std::chrono::minutes(10);
  ASSERT_EQ(p->Get()->access_key_id, "AK1");
  EXPECT_EQ(p->fetches(), 1);
  // Less than kRefreshMargin left: refreshed, with the token file read again (it rotates).
  WriteFile("token", "second-token");
  now += std::chrono::seconds(900 - 600) - kRefreshMargin + std::chrono::seconds(5);
  sts.Push(200, WebIdentityAnswer("AK2", std::chrono::seconds(900)));
  c = p->Get();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->access_key_id, "AK2");
  EXPECT_EQ(p->fetches(), 2);
  ASSERT_EQ(sts.requests().size(), 2u);
  EXPECT_TRUE(sts.requests()[1].ends_with("&WebIdentityToken=second-token")) << sts.requests()[1];
}

TEST_F(StsTest, AFailedRefreshKeepsValidCredentialsThenFails) {
  FakeSts sts;
  WriteFile("token", "t");
  ::setenv("AWS_WEB_IDENTITY_TOKEN_FILE", (home_ / "token").c_str(), 1);
  ::setenv("AWS_ROLE_ARN", "arn:aws:iam::1:role/r", 1);
  ::setenv("AWS_ENDPOINT_URL_STS", sts.url().c_str(), 1);
  auto cfg = ResolveS3Config({});
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  auto* p = dynamic_cast<RefreshingCredentialsProvider*>(cfg->credentials.get());
  auto now = std::chrono::system_clock::now();
  p->set_clock_for_testing([&now] { return now; });
  sts.Push(200, WebIdentityAnswer("AK1", std::chrono::seconds(900)));
  ASSERT_TRUE(p->Get().ok());
  // Inside the margin, STS refuses: the old credentials still work for now.
  now += std::chrono::seconds(900) - kRefreshMargin + std::chrono::seconds(10);
  sts.Push(403,
           "<ErrorResponse><Error><Code>AccessDenied</Code><Message>token expired</Message>"
           "</Error></ErrorResponse>");
  auto c = p->Get();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->access_key_id, "AK1");
  // Past the expiry: the refusal is the answer, naming the role, the endpoint and STS's words;
  // a refusal is not retried.
  now += kRefreshMargin;
  sts.Push(403,
           "<ErrorResponse><Error><Code>AccessDenied</Code><Message>token expired</Message>"
           "</Error></ErrorResponse>");
  const size_t before = sts.requests().size();
  c = p->Get();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kPermissionDenied);
  const std::string m = c.status().message();
  EXPECT_NE(m.find("arn:aws:iam::1:role/r"), std::string::npos) << m;
  EXPECT_NE(m.find(sts.url()), std::string::npos) << m;
  EXPECT_NE(m.find("AccessDenied"), std::string::npos) << m;
  EXPECT_NE(m.find("token expired"), std::string::npos) << m;
  EXPECT_EQ(sts.requests().size(), before + 1);
}

TEST_F(StsTest, TransientStsFailuresAreRetried) {
  FakeSts sts;
  WriteFile("token", "t");
  ::setenv("AWS_WEB_IDENTITY_TOKEN_FILE", (home_ / "token").c_str(), 1);
  ::setenv("AWS_ROLE_ARN", "arn:aws:iam::1:role/r", 1);
  ::setenv("AWS_ENDPOINT_URL_STS", sts.url().c_str(), 1);
  auto cfg = ResolveS3Config({});
  ASSERT_TRUE(cfg.ok());
  sts.Push(503, "<ErrorResponse><Error><Code>ServiceUnavailable</Code></Error></ErrorResponse>");
  sts.Push(200, WebIdentityAnswer("AK1", std::chrono::seconds(900)));
  auto c = cfg->credentials->Get();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(sts.requests().size(), 2u);
  // Always failing: kStsAttempts attempts, then Unavailable.
  FakeSts down;
  ::setenv("AWS_ENDPOINT_URL_STS", down.url().c_str(), 1);
  auto cfg2 = ResolveS3Config({});
  ASSERT_TRUE(cfg2.ok());
  auto failed = cfg2->credentials->Get();
  EXPECT_EQ(failed.status().code(), StatusCode::kUnavailable) << failed.status().ToString();
  EXPECT_EQ(down.requests().size(), static_cast<size_t>(kStsAttempts));
}

TEST_F(StsTest, WebIdentityNeedsBothVariables) {
  ::setenv("AWS_ROLE_ARN", "arn:aws:iam::1:role/r", 1);
  auto r = ResolveS3Config({});
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("AWS_WEB_IDENTITY_TOKEN_FILE"), std::string::npos);
}

// ---- AssumeRole against radosgw ----

class LiveSts : public StsTest {
 protected:
  void SetUp() override {
    StsTest::SetUp();
    const char* e = std::getenv("LAKEPACK_S3_STS_ENDPOINT");
    const char* arn = std::getenv("LAKEPACK_S3_STS_ROLE_ARN");
    if (!e || !arn) {
      const char* required = std::getenv("LAKEPACK_REQUIRE_S3");
      const char* kind = std::getenv("LAKEPACK_S3_SERVER_KIND");
      if (required && std::string(required) == "1" && kind && std::string(kind) == "ceph") {
        FAIL() << "LAKEPACK_REQUIRE_S3=1 but no STS-enabled server (LAKEPACK_S3_STS_ENDPOINT, "
                  "LAKEPACK_S3_STS_ROLE_ARN; scripts/test.sh starts one)";
      }
      GTEST_SKIP() << "no STS-enabled S3 server (LAKEPACK_S3_STS_ENDPOINT unset)";
    }
    endpoint_ = e;
    role_arn_ = arn;
    bucket_ =
        std::getenv("LAKEPACK_TEST_BUCKET") ? std::getenv("LAKEPACK_TEST_BUCKET") : "lakepack-test";
    // The S3 and STS endpoint both: radosgw serves STS where it serves S3.
    ::setenv("AWS_ENDPOINT_URL", endpoint_.c_str(), 1);
    prefix_ = "sts-test/" + std::to_string(::getpid()) + "/";
  }
  std::string endpoint_, role_arn_, bucket_, prefix_;
};

TEST_F(LiveSts, RoleArnWithSourceProfileAssumesTheRoleAndRefreshes) {
  WriteFile(".aws/credentials",
            "[base]\naws_access_key_id = testkey\n"
            "aws_secret_access_key = testsecret\n");
  WriteFile(".aws/config", "[profile worker]\nrole_arn = " + role_arn_ +
                               "\nsource_profile = base\nrole_session_name = lakepack-sts-test\n"
                               "duration_seconds = 900\n");
  StoreOptions o;
  o.profile = "worker";
  auto client = S3Client::Make(bucket_, o);
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  auto* p = dynamic_cast<RefreshingCredentialsProvider*>((*client)->config().credentials.get());
  ASSERT_NE(p, nullptr) << (*client)->config().credentials->Describe();
  EXPECT_NE(p->Describe().find(role_arn_), std::string::npos) << p->Describe();
  EXPECT_NE(p->Describe().find("profile 'base'"), std::string::npos) << p->Describe();
  auto now = std::chrono::system_clock::now();
  p->set_clock_for_testing([&now] { return now; });

  auto first = p->Get();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_NE(first->access_key_id, "testkey");
  EXPECT_FALSE(first->session_token.empty());
  // The role's temporary credentials work on the bucket (the role's policy allows s3:*).
  auto put = (*client)->PutObject(prefix_ + "a", "assumed", {});
  ASSERT_TRUE(put.ok()) << put.status().ToString();

  // Near the end of the 900 s: a new AssumeRole, new keys, and they work too.
  now += std::chrono::seconds(900) - kRefreshMargin + std::chrono::seconds(1);
  auto second = p->Get();
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(p->fetches(), 2);
  EXPECT_NE(second->access_key_id, first->access_key_id);
  S3Request get = NewRequest("GET", prefix_ + "a");
  auto got = (*client)->Call(get);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(got->body, "assumed");
  S3Request del = NewRequest("DELETE", prefix_ + "a");
  EXPECT_TRUE((*client)->Call(del).ok());
}

TEST_F(LiveSts, ARoleTheUserMayNotAssumeIsRefused) {
  WriteFile(".aws/config",
            "[profile base]\naws_access_key_id = testkey\naws_secret_access_key = testsecret\n"
            "[profile bad]\nrole_arn = arn:aws:iam:::role/no-such-role\nsource_profile = base\n");
  StoreOptions o;
  o.profile = "bad";
  auto cfg = ResolveS3Config(o);
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  auto c = cfg->credentials->Get();
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("no-such-role"), std::string::npos) << c.status().ToString();
  EXPECT_NE(c.status().message().find(endpoint_), std::string::npos) << c.status().ToString();
}

}  // namespace
}  // namespace lakepack::s3
