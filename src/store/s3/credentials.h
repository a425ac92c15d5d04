// credentials.h: where the S3 backend gets its credentials, region and endpoint.
//
// Credentials, first match wins:
//   1. AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN), unless a profile was given
//      explicitly in StoreOptions::profile;
//   2. web identity: AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN (+ AWS_ROLE_SESSION_NAME), unless
//      a profile was given explicitly: STS AssumeRoleWithWebIdentity with the token file's
//      contents (read afresh at every refresh: the token rotates);
//   3. the profile (StoreOptions::profile, else AWS_PROFILE, else "default"), from the shared
//      credentials file (AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials, section "[NAME]")
//      and the config file (AWS_CONFIG_FILE, else ~/.aws/config, section "[profile NAME]", or
//      "[default]"), credentials file first, in this order:
//        a. `role_arn` with `source_profile` (or `credential_source = Environment`): STS
//           AssumeRole signed with the source profile's credentials (which may themselves be a
//           role: chains are followed, loops refused), with the profile's `role_session_name`,
//           `external_id` and `duration_seconds`;
//        b. `role_arn` with `web_identity_token_file`: as 2;
//        c. static keys (`aws_access_key_id`, `aws_secret_access_key`, `aws_session_token`);
//        d. `credential_process`: the command is run through /bin/sh and its JSON output
//           (Version 1: AccessKeyId, SecretAccessKey, SessionToken, Expiration) is used.
// Temporary credentials (STS, credential_process with an Expiration) are refreshed when a request
// needs them less than kRefreshMargin before they expire, so long jobs keep working.
// STS is reached at AWS_ENDPOINT_URL_STS, else AWS_ENDPOINT_URL, else the profile's
// `endpoint_url`, else https://sts.REGION.amazonaws.com (StoreOptions::endpoint_url, an S3
// endpoint, is not used for STS).
// Instance and container metadata endpoints are NEVER consulted (as with
// AWS_EC2_METADATA_DISABLED=true); `credential_source = Ec2InstanceMetadata | EcsContainer` is
// refused.
// Region: StoreOptions::region, AWS_REGION, AWS_DEFAULT_REGION, the profile's `region`, us-east-1.
// Endpoint: StoreOptions::endpoint_url, AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile's
// `endpoint_url`; "" means AWS itself (virtual-hosted https://BUCKET.s3.REGION.amazonaws.com).
// An endpoint with userinfo ("http://user:pass@host") is refused, and never echoed (endpoint.h).
// CA bundle (HTTPS to S3 and STS): StoreOptions::ca_bundle, AWS_CA_BUNDLE, the profile's
// `ca_bundle`; "" means the system's CAs.  It must be a readable file.
//
// Thread-safety: ResolveS3Config is safe to call from many threads (it reads the environment and
// files); a CredentialsProvider is safe to use from many threads at once.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "lakepack/status.h"
#include "lakepack/store.h"
#include "store/s3/sigv4.h"

namespace lakepack::s3 {

class CredentialsProvider {
 public:
  virtual ~CredentialsProvider() = default;
  // Current credentials; may refresh them (credential_process).
  virtual Result<AwsCredentials> Get() = 0;
  // Where these credentials come from, for error messages ("environment", "profile 'x' in ...").
  virtual std::string Describe() const = 0;
};

// Temporary credentials are refreshed when less than this is left: a request signed with them
// must reach the server before the deadline, and a refresh (an STS round trip) takes a moment.
constexpr std::chrono::seconds kRefreshMargin{60};

class StaticCredentialsProvider final : public CredentialsProvider {
 public:
  StaticCredentialsProvider(AwsCredentials credentials, std::string source)
      : credentials_(std::move(credentials)), source_(std::move(source)) {}
  Result<AwsCredentials> Get() override { return credentials_; }
  std::string Describe() const override { return source_; }

 private:
  AwsCredentials credentials_;
  std::string source_;
};

struct TemporaryCredentials {
  AwsCredentials credentials;
  // When they stop working; time_point::max() when they do not expire.
  std::chrono::system_clock::time_point expiration;
};

// Credentials fetched by Fetch() and kept until kRefreshMargin before they expire.  A failed
// refresh while the old credentials are still valid returns those (the next call tries again).
// Fetches run one at a time (under the provider's lock).
class RefreshingCredentialsProvider : public CredentialsProvider {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;
  Result<AwsCredentials> Get() final;
  // How many times Fetch() has run (for tests of the refresh logic).
  int fetches() const;
  // Replaces the system clock, so a test can step past an expiry without waiting for it.
  void set_clock_for_testing(Clock clock);

 protected:
  virtual Result<TemporaryCredentials> Fetch() = 0;

 private:
  mutable std::mutex mu_;
  Clock clock_;                  // guarded by mu_; empty = system_clock::now
  bool have_ = false;            // guarded by mu_
  TemporaryCredentials cached_;  // guarded by mu_
  int fetches_ = 0;              // guarded by mu_
};

// Parses the JSON a credential_process prints.  `command` names it in errors.
Result<TemporaryCredentials> ParseCredentialProcessOutput(std::string_view json,
                                                          const std::string& command);

class ProcessCredentialsProvider final : public RefreshingCredentialsProvider {
 public:
  ProcessCredentialsProvider(std::string command, std::string source)
      : command_(std::move(command)), source_(std::move(source)) {}
  std::string Describe() const override { return source_; }

 protected:
  Result<TemporaryCredentials> Fetch() override;

 private:
  std::string command_;
  std::string source_;
};

// section name → key → value, from an AWS-style INI file.  Keys are lower-cased; nested
// sub-sections (indented lines after "s3 =") are skipped.
using IniFile = std::map<std::string, std::map<std::string, std::string>>;
IniFile ParseIni(std::string_view text);

struct S3Config {
  std::string region;
  std::string endpoint_url;  // without a trailing '/'; "" for AWS
  std::string profile;
  std::string ca_bundle;  // "" = the system's CAs
  std::shared_ptr<CredentialsProvider> credentials;
};

// Resolves credentials, region and endpoint as described above.  Fails with InvalidArgument,
// listing every place it looked, when no credentials are found.
Result<S3Config> ResolveS3Config(const StoreOptions& options);

}  // namespace lakepack::s3
