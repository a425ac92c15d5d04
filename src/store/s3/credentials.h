// credentials.h: where the S3 backend gets its credentials, region and endpoint.
//
// Credentials, first match wins:
//   1. AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN), unless a profile was given
//      explicitly in StoreOptions::profile;
//   2. the profile (StoreOptions::profile, else AWS_PROFILE, else "default"): static keys in the
//      shared credentials file (AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials, section
//      "[NAME]"), then in the config file (AWS_CONFIG_FILE, else ~/.aws/config, section
//      "[profile NAME]", or "[default]"), then `credential_process` in either: the command is run
//      through /bin/sh and its JSON output (Version 1: AccessKeyId, SecretAccessKey, SessionToken,
//      Expiration) is cached until a minute before Expiration.
// Instance and container metadata endpoints are NEVER consulted.
// Region: StoreOptions::region, AWS_REGION, AWS_DEFAULT_REGION, the profile's `region`, us-east-1.
// Endpoint: StoreOptions::endpoint_url, AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile's
// `endpoint_url`; "" means AWS itself (virtual-hosted https://BUCKET.s3.REGION.amazonaws.com).
//
// Thread-safety: ResolveS3Config is safe to call from many threads (it reads the environment and
// files); a CredentialsProvider is safe to use from many threads at once.
#pragma once

#include <chrono>
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

struct ProcessCredentials {
  AwsCredentials credentials;
  // When they stop working; time_point::max() when the output had no Expiration.
  std::chrono::system_clock::time_point expiration;
};

// Parses the JSON a credential_process prints.  `command` names it in errors.
Result<ProcessCredentials> ParseCredentialProcessOutput(std::string_view json,
                                                        const std::string& command);

class ProcessCredentialsProvider final : public CredentialsProvider {
 public:
  ProcessCredentialsProvider(std::string command, std::string source)
      : command_(std::move(command)), source_(std::move(source)) {}
  Result<AwsCredentials> Get() override;
  std::string Describe() const override { return source_; }
  // How many times the command has run (for tests of the refresh logic).
  int runs() const;

 private:
  std::string command_;
  std::string source_;
  mutable std::mutex mu_;
  bool have_ = false;          // guarded by mu_
  ProcessCredentials cached_;  // guarded by mu_
  int runs_ = 0;               // guarded by mu_
};

// section name → key → value, from an AWS-style INI file.  Keys are lower-cased; nested
// sub-sections (indented lines after "s3 =") are skipped.
using IniFile = std::map<std::string, std::map<std::string, std::string>>;
IniFile ParseIni(std::string_view text);

struct S3Config {
  std::string region;
  std::string endpoint_url;  // without a trailing '/'; "" for AWS
  std::string profile;
  std::shared_ptr<CredentialsProvider> credentials;
};

// Resolves credentials, region and endpoint as described above.  Fails with InvalidArgument,
// listing every place it looked, when no credentials are found.
Result<S3Config> ResolveS3Config(const StoreOptions& options);

}  // namespace lakepack::s3
