// Credential, region and endpoint resolution from the environment and temp ~/.aws files.
#include "store/s3/credentials.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace lakepack::s3 {
namespace {

const char* kVars[] = {"HOME",
                       "AWS_ACCESS_KEY_ID",
                       "AWS_SECRET_ACCESS_KEY",
                       "AWS_SESSION_TOKEN",
                       "AWS_PROFILE",
                       "AWS_SHARED_CREDENTIALS_FILE",
                       "AWS_CONFIG_FILE",
                       "AWS_REGION",
                       "AWS_DEFAULT_REGION",
                       "AWS_ENDPOINT_URL",
                       "AWS_ENDPOINT_URL_S3"};

// Saves the AWS environment, points HOME at an empty temp dir, restores all on exit.
class CredentialsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* v : kVars) {
      const char* s = std::getenv(v);
      if (s) saved_[v] = s;
      ::unsetenv(v);
    }
    home_ = std::filesystem::temp_directory_path() /
            ("lakepack-cred-test-" + std::to_string(::getpid()));
    std::filesystem::remove_all(home_);
    std::filesystem::create_directories(home_ / ".aws");
    ::setenv("HOME", home_.c_str(), 1);
  }
  void TearDown() override {
    for (const char* v : kVars) ::unsetenv(v);
    for (const auto& [k, v] : saved_) ::setenv(k.c_str(), v.c_str(), 1);
    std::filesystem::remove_all(home_);
  }
  void WriteFile(const std::string& rel, const std::string& text) {
    std::ofstream(home_ / rel) << text;
  }
  AwsCredentials Creds(const S3Config& c) { return c.credentials->Get().ValueOrDie(); }

  std::map<std::string, std::string> saved_;
  std::filesystem::path home_;
};

TEST_F(CredentialsTest, NothingFoundListsWhereItLooked) {
  auto r = ResolveS3Config({});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  const std::string& m = r.status().message();
  EXPECT_NE(m.find("AWS_ACCESS_KEY_ID"), std::string::npos) << m;
  EXPECT_NE(m.find((home_ / ".aws/credentials").string() + " (missing)"), std::string::npos) << m;
  EXPECT_NE(m.find(".aws/config"), std::string::npos) << m;
  EXPECT_NE(m.find("profile 'default'"), std::string::npos) << m;
}

TEST_F(CredentialsTest, EnvironmentWins) {
  WriteFile(".aws/credentials",
            "[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = S\n");
  ::setenv("AWS_ACCESS_KEY_ID", "ENVKEY", 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", "ENVSECRET", 1);
  ::setenv("AWS_SESSION_TOKEN", "TOK", 1);
  auto r = ResolveS3Config({});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Creds(*r).access_key_id, "ENVKEY");
  EXPECT_EQ(Creds(*r).session_token, "TOK");
  EXPECT_EQ(r->region, "us-east-1");
  EXPECT_EQ(r->endpoint_url, "");
  // An explicitly named profile beats the environment.
  StoreOptions o;
  o.profile = "default";
  auto p = ResolveS3Config(o);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_EQ(Creds(*p).access_key_id, "FILEKEY");
}

TEST_F(CredentialsTest, HalfTheEnvironmentIsAnError) {
  ::setenv("AWS_ACCESS_KEY_ID", "K", 1);
  auto r = ResolveS3Config({});
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("AWS_SECRET_ACCESS_KEY"), std::string::npos);
}

TEST_F(CredentialsTest, ProfilesFromBothFiles) {
  WriteFile(".aws/credentials",
            "# comment\n[default]\naws_access_key_id=DEF\naws_secret_access_key=DEFS\n\n"
            "[work]\naws_access_key_id = WORK\naws_secret_access_key = WORKS\n"
            "aws_session_token = WT\n");
  WriteFile(".aws/config",
            "[default]\nregion = eu-west-3\n\n[profile work]\nregion = ap-south-1\n"
            "endpoint_url = http://127.0.0.1:9/\ns3 =\n  addressing_style = path\n"
            "[profile cfgonly]\naws_access_key_id = CFG\naws_secret_access_key = CFGS\n");
  auto d = ResolveS3Config({});
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(Creds(*d).access_key_id, "DEF");
  EXPECT_EQ(d->region, "eu-west-3");

  ::setenv("AWS_PROFILE", "work", 1);
  auto w = ResolveS3Config({});
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_EQ(Creds(*w).access_key_id, "WORK");
  EXPECT_EQ(Creds(*w).session_token, "WT");
  EXPECT_EQ(w->region, "ap-south-1");
  EXPECT_EQ(w->endpoint_url, "http://127.0.0.1:9");
  EXPECT_NE(w->credentials->Describe().find("work"), std::string::npos);

  StoreOptions o;
  o.profile = "cfgonly";
  auto c = ResolveS3Config(o);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(Creds(*c).access_key_id, "CFG");

  o.profile = "nope";
  EXPECT_EQ(ResolveS3Config(o).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(CredentialsTest, FileLocationsFromEnvironment) {
  auto alt = home_ / "elsewhere";
  std::ofstream(alt) << "[default]\naws_access_key_id = ALT\naws_secret_access_key = ALTS\n";
  ::setenv("AWS_SHARED_CREDENTIALS_FILE", alt.c_str(), 1);
  auto r = ResolveS3Config({});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(Creds(*r).access_key_id, "ALT");
}

TEST_F(CredentialsTest, RegionAndEndpointPrecedence) {
  ::setenv("AWS_ACCESS_KEY_ID", "K", 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", "S", 1);
  WriteFile(".aws/config", "[default]\nregion = from-profile\nendpoint_url = http://profile:1\n");
  EXPECT_EQ(ResolveS3Config({})->region, "from-profile");
  EXPECT_EQ(ResolveS3Config({})->endpoint_url, "http://profile:1");
  ::setenv("AWS_DEFAULT_REGION", "from-default", 1);
  ::setenv("AWS_ENDPOINT_URL", "http://generic:2", 1);
  EXPECT_EQ(ResolveS3Config({})->region, "from-default");
  EXPECT_EQ(ResolveS3Config({})->endpoint_url, "http://generic:2");
  ::setenv("AWS_REGION", "from-region", 1);
  ::setenv("AWS_ENDPOINT_URL_S3", "http://s3only:3", 1);
  EXPECT_EQ(ResolveS3Config({})->region, "from-region");
  EXPECT_EQ(ResolveS3Config({})->endpoint_url, "http://s3only:3");
  StoreOptions o;
  o.region = "opt";
  o.endpoint_url = "https://opt:4/";
  EXPECT_EQ(ResolveS3Config(o)->region, "opt");
  EXPECT_EQ(ResolveS3Config(o)->endpoint_url, "https://opt:4");
  o.endpoint_url = "ftp://x";
  EXPECT_EQ(ResolveS3Config(o).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(CredentialsTest, CredentialProcessRunsAndRefreshesWhenExpired) {
  auto counter = home_ / "runs";
  auto script = home_ / "creds.sh";
  // Prints credentials whose Expiration is given in $1, counting its runs.
  std::ofstream(script) << "#!/bin/sh\necho x >> " << counter.string()
                        << "\nprintf '{\"Version\": 1, \"AccessKeyId\": \"PK\", "
                           "\"SecretAccessKey\": \"PS\", \"SessionToken\": \"PT\", "
                           "\"Expiration\": \"%s\"}' \"$1\"\n";
  std::filesystem::permissions(script, std::filesystem::perms::owner_all);
  WriteFile(".aws/config", "[profile past]\ncredential_process = " + script.string() +
                               " 2000-01-01T00:00:00Z\n[profile future]\ncredential_process = " +
                               script.string() + " 2999-01-01T00:00:00Z\n");
  StoreOptions o;
  o.profile = "past";
  auto past = ResolveS3Config(o);
  ASSERT_TRUE(past.ok()) << past.status().ToString();
  auto c = past->credentials->Get();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->access_key_id, "PK");
  EXPECT_EQ(c->secret_access_key, "PS");
  EXPECT_EQ(c->session_token, "PT");
  ASSERT_TRUE(past->credentials->Get().ok());
  auto* proc = dynamic_cast<ProcessCredentialsProvider*>(past->credentials.get());
  ASSERT_NE(proc, nullptr);
  EXPECT_EQ(proc->fetches(), 2);  // expired: every Get runs it again

  o.profile = "future";
  auto future = ResolveS3Config(o);
  ASSERT_TRUE(future.ok());
  ASSERT_TRUE(future->credentials->Get().ok());
  ASSERT_TRUE(future->credentials->Get().ok());
  EXPECT_EQ(dynamic_cast<ProcessCredentialsProvider*>(future->credentials.get())->fetches(), 1);
}

TEST_F(CredentialsTest, CredentialProcessFailure) {
  WriteFile(".aws/config", "[default]\ncredential_process = sh -c 'exit 3'\n");
  auto r = ResolveS3Config({});
  ASSERT_TRUE(r.ok());
  auto c = r->credentials->Get();
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("exit status 3"), std::string::npos) << c.status().ToString();
}

TEST(CredentialProcessOutput, Parsing) {
  auto ok = ParseCredentialProcessOutput(
      " {\"Version\":1,\"AccessKeyId\":\"A\\u0041\",\"SecretAccessKey\":\"s\\/x\"}\n", "cmd");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->credentials.access_key_id, "AA");
  EXPECT_EQ(ok->credentials.secret_access_key, "s/x");
  EXPECT_EQ(ok->expiration, std::chrono::system_clock::time_point::max());
  EXPECT_FALSE(ParseCredentialProcessOutput("{\"Version\": 2, \"AccessKeyId\": \"A\", "
                                            "\"SecretAccessKey\": \"S\"}",
                                            "cmd")
                   .ok());
  EXPECT_FALSE(ParseCredentialProcessOutput("{\"Version\": 1}", "cmd").ok());
  // \u escapes: exactly four hex digits; surrogate pairs join into one code point.
  auto u = ParseCredentialProcessOutput(
      "{\"Version\":1,\"AccessKeyId\":\"\\u00e9\\uD83D\\uDE00\",\"SecretAccessKey\":\"s\"}", "cmd");
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_EQ(u->credentials.access_key_id, "\xc3\xa9\xf0\x9f\x98\x80");
  auto bad = ParseCredentialProcessOutput("not json", "my-cmd");
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidData);
  EXPECT_NE(bad.status().message().find("my-cmd"), std::string::npos);
}

// Issue 16 F6: an Expiration before 1677 wrapped to a date far in the future, so a long-expired
// credential was cached as valid.  Now it is in the past (and is refreshed on every use).
TEST(CredentialProcessOutput, ExpirationLongAgoIsExpired) {
  auto r = ParseCredentialProcessOutput(
      "{\"Version\":1,\"AccessKeyId\":\"a\",\"SecretAccessKey\":\"b\","
      "\"Expiration\":\"1012-01-01T00:00:00Z\"}",
      "cmd");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_LT(r->expiration, std::chrono::system_clock::now());
  auto nan = ParseCredentialProcessOutput(
      "{\"Version\":1,\"AccessKeyId\":\"a\",\"SecretAccessKey\":\"b\","
      "\"Expiration\":\"2024-01-01T00:00:nanZ\"}",
      "cmd");
  EXPECT_EQ(nan.status().code(), StatusCode::kInvalidData) << nan.status().ToString();
}

// Issue 16 F1: a bad \u escape made std::stoul throw out of the parser, which aborted
// `lakepack cp` (exit 134) when the first request ran on a worker thread.  Now InvalidData naming
// the command and the place.
TEST(CredentialProcessOutput, BadUnicodeEscapeIsInvalidDataNotAnException) {
  for (const char* text :
       {"{\"\\uZZZZ\"", "{\"Version\":1,\"AccessKeyId\":\"\\uZZZZ\",\"SecretAccessKey\":\"b\"}",
        "{\"Version\":1,\"AccessKeyId\":\"\\u12\"}", "{\"Version\":1,\"AccessKeyId\":\"\\u-123\"}",
        "{\"Version\":1,\"AccessKeyId\":\"\\u 123\"}",
        "{\"Version\":1,\"AccessKeyId\":\"\\uD83D\"}",
        "{\"Version\":1,\"AccessKeyId\":\"\\uDE00x\"}"}) {
    Result<TemporaryCredentials> r = Status::Internal("not parsed");
    EXPECT_NO_THROW(r = ParseCredentialProcessOutput(text, "my-cmd")) << text;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidData) << text;
    EXPECT_NE(r.status().message().find("my-cmd"), std::string::npos) << r.status().ToString();
  }
}

// Role profiles that cannot work are refused when the store is opened, before any STS call.
TEST_F(CredentialsTest, RoleProfilesThatCannotWorkAreRefused) {
  WriteFile(".aws/config",
            "[profile loop1]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = loop2\n"
            "[profile loop2]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = loop1\n"
            "[profile imds]\nrole_arn = arn:aws:iam::1:role/a\n"
            "credential_source = Ec2InstanceMetadata\n"
            "[profile alone]\nrole_arn = arn:aws:iam::1:role/a\n"
            "[profile empty-source]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = nobody\n"
            "[profile bad-duration]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = keys\n"
            "duration_seconds = soon\n"
            "[profile keys]\naws_access_key_id = K\naws_secret_access_key = S\n");
  auto refused = [](const std::string& profile, const std::string& needle) {
    StoreOptions o;
    o.profile = profile;
    auto r = ResolveS3Config(o);
    ASSERT_FALSE(r.ok()) << profile;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().ToString();
    EXPECT_NE(r.status().message().find(needle), std::string::npos) << r.status().ToString();
  };
  refused("loop1", "loops back");
  refused("imds", "never consults instance or container metadata");
  refused("alone", "none of source_profile");
  refused("empty-source", "source_profile 'nobody'");
  refused("bad-duration", "duration_seconds 'soon'");
}

// role_arn wins over the profile's static keys, as in the AWS CLI; a chain resolves without any
// STS call until credentials are first needed.
TEST_F(CredentialsTest, RoleArnChainsResolveLazily) {
  WriteFile(".aws/config",
            "[profile top]\nrole_arn = arn:aws:iam::1:role/top\nsource_profile = middle\n"
            "aws_access_key_id = IGNORED\naws_secret_access_key = IGNORED\n"
            "[profile middle]\nrole_arn = arn:aws:iam::1:role/middle\nsource_profile = keys\n"
            "[profile keys]\naws_access_key_id = K\naws_secret_access_key = S\n"
            "[profile self]\nrole_arn = arn:aws:iam::1:role/self\nsource_profile = self\n"
            "aws_access_key_id = SK\naws_secret_access_key = SS\n");
  for (const std::string profile : {"top", "self"}) {
    StoreOptions o;
    o.profile = profile;
    auto r = ResolveS3Config(o);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_NE(dynamic_cast<RefreshingCredentialsProvider*>(r->credentials.get()), nullptr);
    EXPECT_NE(r->credentials->Describe().find("role/" + profile), std::string::npos)
        << r->credentials->Describe();
  }
}

}  // namespace
}  // namespace lakepack::s3
