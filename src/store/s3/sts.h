// sts.h: temporary credentials from AWS STS (or a server that speaks its API, such as Ceph
// radosgw): AssumeRole, signed with source credentials, and AssumeRoleWithWebIdentity, which
// sends an OIDC token instead of a signature.
//
// Each provider asks STS again when its credentials are within kRefreshMargin of their
// Expiration (RefreshingCredentialsProvider).  STS calls are retried like S3 calls where that is
// safe (5xx, throttling, resets, timeouts: at most kStsAttempts attempts); an answer that refuses
// the call (AccessDenied, a bad token), a TLS failure or a host that does not resolve is not.
//
// Thread-safety: the providers are safe to use from many threads at once.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "store/s3/credentials.h"
#include "store/s3/http.h"

namespace lakepack::s3 {

// Attempts per STS call: a transient failure is retried twice.
constexpr int kStsAttempts = 3;

struct StsEndpoint {
  std::string url;     // "https://sts.us-east-1.amazonaws.com", "http://127.0.0.1:7480"
  std::string region;  // signs AssumeRole
  CurlOptions curl;    // the CA bundle; used when no transport is given
  // The transport STS calls go through; a CurlTransport made from `curl` when null.
  std::shared_ptr<HttpTransport> transport;
};

struct AssumeRoleParams {
  std::string role_arn;
  std::string session_name;  // "" → "lakepack-<unix seconds>"
  std::string external_id;   // "" → none
  int duration_seconds = 0;  // 0 → STS's default (an hour)
};

// Parses an AssumeRole or AssumeRoleWithWebIdentity answer.  `what` names the call in errors.
Result<TemporaryCredentials> ParseStsCredentials(std::string_view xml, const std::string& what);

// AssumeRole with credentials from `source`.  `describe` names where the role comes from
// ("role_arn of profile 'x'").
class AssumeRoleCredentialsProvider final : public RefreshingCredentialsProvider {
 public:
  AssumeRoleCredentialsProvider(std::shared_ptr<CredentialsProvider> source,
                                AssumeRoleParams params, StsEndpoint sts, std::string describe)
      : source_(std::move(source)),
        params_(std::move(params)),
        sts_(std::move(sts)),
        describe_(std::move(describe)) {}
  std::string Describe() const override;

 protected:
  Result<TemporaryCredentials> Fetch() override;

 private:
  std::shared_ptr<CredentialsProvider> source_;
  AssumeRoleParams params_;
  StsEndpoint sts_;
  std::string describe_;
};

// AssumeRoleWithWebIdentity with the token in `token_file` (read at every fetch).
class WebIdentityCredentialsProvider final : public RefreshingCredentialsProvider {
 public:
  WebIdentityCredentialsProvider(std::string token_file, AssumeRoleParams params, StsEndpoint sts,
                                 std::string describe)
      : token_file_(std::move(token_file)),
        params_(std::move(params)),
        sts_(std::move(sts)),
        describe_(std::move(describe)) {}
  std::string Describe() const override;

 protected:
  Result<TemporaryCredentials> Fetch() override;

 private:
  std::string token_file_;
  AssumeRoleParams params_;
  StsEndpoint sts_;
  std::string describe_;
};

}  // namespace lakepack::s3
