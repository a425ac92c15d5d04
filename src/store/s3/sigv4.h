// sigv4.h: AWS Signature Version 4 for S3 requests, as a pure function.
//
// A request goes in (method, host, canonical path, query, headers to sign, payload hash) together
// with the credentials, the region and the clock reading; the headers to add come out
// (Authorization, x-amz-date, x-amz-content-sha256, x-amz-security-token).  No I/O, no clock, no
// globals, so it is checked against AWS's published examples (sigv4_test.cc).
//
// Thread-safety: every function here is pure and safe to call from many threads at once.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lakepack::s3 {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // "" unless temporary credentials
};

// S3's UriEncode(): every byte except A-Z a-z 0-9 '-' '.' '_' '~' becomes %XX (upper-case hex);
// '/' is kept when !encode_slash (object key paths) and encoded otherwise (query values).
std::string UriEncode(std::string_view s, bool encode_slash);
// The inverse of UriEncode (and of form encoding when plus_is_space: '+' becomes ' ').
// Malformed escapes are kept as they are.
std::string UriDecode(std::string_view s, bool plus_is_space);

// "name=value&..." sorted by encoded name then value, names and values UriEncode()d with '/'
// encoded.  The same string serves as the URL's query and the canonical query.
std::string CanonicalQueryString(const HeaderList& query);

// "20130524T000000Z" (ISO 8601 basic, UTC).
std::string AmzDate(std::chrono::system_clock::time_point t);

// The x-amz-content-sha256 value of a body that is not signed (allowed over TLS only, by AWS).
inline constexpr const char* kUnsignedPayload = "UNSIGNED-PAYLOAD";

struct SignableRequest {
  std::string method;          // "GET", "PUT", ...
  std::string host;            // the Host header: host[:port], the port only when not the default
  std::string path;            // canonical URI, already UriEncode()d, e.g. "/bucket/my%20key"
  HeaderList query;            // decoded names and values
  HeaderList headers;          // further headers to sign (e.g. range, content-md5), any case
  std::string payload_sha256;  // hex SHA-256 of the body, or "UNSIGNED-PAYLOAD"
};

struct SignedHeaders {
  HeaderList headers;             // to add to the request: x-amz-date, x-amz-content-sha256,
                                  // x-amz-security-token (if any), Authorization
  std::string canonical_request;  // exposed for tests and for debugging SignatureDoesNotMatch
  std::string string_to_sign;
  std::string signature;  // hex
};

// Signs `request` for service "s3" (or `service`) in `region` at time `now`.
// Signed headers: host, x-amz-content-sha256, x-amz-date, x-amz-security-token and every header
// of request.headers.
SignedHeaders SignV4(const SignableRequest& request, const AwsCredentials& credentials,
                     const std::string& region, std::chrono::system_clock::time_point now,
                     const std::string& service = "s3");

}  // namespace lakepack::s3
