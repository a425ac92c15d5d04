// endpoint.h: the parts of an endpoint URL ("https://host:port/base") that the S3 and STS clients
// need, and the form of it that may be shown.
//
// An endpoint never carries credentials: a URL with userinfo ("http://user:pass@host") is refused
// (ValidateEndpointUrl), and every message shows RedactUrl() of what the user gave, which drops
// the userinfo, so a password typed into --endpoint-url is never echoed.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "lakepack/status.h"

namespace lakepack::s3 {

struct EndpointParts {
  bool https = false;
  // The Host header: host[:port], the port kept only when it is not the scheme's default (as curl
  // sends it, and so as it must be signed).
  std::string host;
  std::string base_path;  // "" or "/base", without a trailing '/'
  std::string origin;     // "scheme://host[:port]", what request URLs start with
};

// REQUIRES: `url` passed ValidateEndpointUrl.
EndpointParts SplitEndpoint(const std::string& url);

// `url` with any "user[:password]@" of its authority replaced by "***@".  Safe on any string.
std::string RedactUrl(std::string_view url);

// OK when `url` starts with http:// or https://, names a host and has no userinfo; else
// InvalidArgument naming `what` ("S3 endpoint URL", "STS endpoint URL") and the redacted URL.
Status ValidateEndpointUrl(const std::string& url, const std::string& what);

}  // namespace lakepack::s3
