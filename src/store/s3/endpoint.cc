#include "store/s3/endpoint.h"

namespace lakepack::s3 {
namespace {

// [begin, end) of the authority ("user:pass@host:port") after "scheme://"; npos when none.
void Authority(std::string_view url, size_t* begin, size_t* end) {
  const size_t scheme = url.find("://");
  if (scheme == std::string_view::npos) {
    *begin = *end = std::string_view::npos;
    return;
  }
  *begin = scheme + 3;
  *end = url.find_first_of("/?#", *begin);
  if (*end == std::string_view::npos) *end = url.size();
}

}  // namespace

EndpointParts SplitEndpoint(const std::string& url) {
  EndpointParts p;
  p.https = url.rfind("https://", 0) == 0;
  size_t begin, end;
  Authority(url, &begin, &end);
  p.host = url.substr(begin, end - begin);
  p.base_path = url.substr(end);
  while (!p.base_path.empty() && p.base_path.back() == '/') p.base_path.pop_back();
  const std::string default_port = p.https ? ":443" : ":80";
  if (p.host.size() > default_port.size() &&
      p.host.compare(p.host.size() - default_port.size(), default_port.size(), default_port) == 0) {
    p.host.resize(p.host.size() - default_port.size());
  }
  p.origin = url.substr(0, end);
  return p;
}

std::string RedactUrl(std::string_view url) {
  size_t begin, end;
  Authority(url, &begin, &end);
  if (begin == std::string_view::npos) return std::string(url);
  const size_t at = url.substr(begin, end - begin).rfind('@');
  if (at == std::string_view::npos) return std::string(url);
  return std::string(url.substr(0, begin)) + "***" + std::string(url.substr(begin + at));
}

Status ValidateEndpointUrl(const std::string& url, const std::string& what) {
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
    return Status::InvalidArgument(what + " '" + RedactUrl(url) +
                                   "' must start with http:// or https://");
  }
  size_t begin, end;
  Authority(url, &begin, &end);
  if (url.substr(begin, end - begin).find('@') != std::string::npos) {
    return Status::InvalidArgument(
        what + " '" + RedactUrl(url) +
        "' has a user name or password in it (shown as ***): lakepack sends no credentials in "
        "URLs; give the keys through the environment or a profile instead");
  }
  if (begin == end) return Status::InvalidArgument(what + " '" + url + "' names no host");
  return Status::OK();
}

}  // namespace lakepack::s3
