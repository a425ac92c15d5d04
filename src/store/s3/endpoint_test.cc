// Endpoint URLs: their parts, and that userinfo is refused and never shown.
#include "store/s3/endpoint.h"

#include <gtest/gtest.h>

#include "store/s3/credentials.h"

namespace lakepack::s3 {
namespace {

TEST(Endpoint, Split) {
  EndpointParts p = SplitEndpoint("https://h.example:443/base/");
  EXPECT_TRUE(p.https);
  EXPECT_EQ(p.host, "h.example");
  EXPECT_EQ(p.base_path, "/base");
  EXPECT_EQ(p.origin, "https://h.example:443");
  p = SplitEndpoint("http://127.0.0.1:7480");
  EXPECT_FALSE(p.https);
  EXPECT_EQ(p.host, "127.0.0.1:7480");
  EXPECT_EQ(p.base_path, "");
  EXPECT_EQ(SplitEndpoint("http://h:80").host, "h");
}

TEST(Endpoint, RedactUrlDropsUserinfoOnly) {
  EXPECT_EQ(RedactUrl("http://user:pass@127.0.0.1:9/x"), "http://***@127.0.0.1:9/x");
  EXPECT_EQ(RedactUrl("https://user@h"), "https://***@h");
  EXPECT_EQ(RedactUrl("http://a:b@c@h/p@q"), "http://***@h/p@q");
  EXPECT_EQ(RedactUrl("http://h/p@q"), "http://h/p@q");
  EXPECT_EQ(RedactUrl("not a url"), "not a url");
}

TEST(Endpoint, UserinfoIsRefusedWithoutEchoingIt) {
  const Status st = ValidateEndpointUrl("http://alice:s3cr3t@127.0.0.1:9", "S3 endpoint URL");
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(st.message().find("s3cr3t"), std::string::npos) << st.message();
  EXPECT_EQ(st.message().find("alice"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("http://***@127.0.0.1:9"), std::string::npos) << st.message();
  const Status scheme = ValidateEndpointUrl("ftp://alice:s3cr3t@h", "S3 endpoint URL");
  EXPECT_EQ(scheme.message().find("s3cr3t"), std::string::npos) << scheme.message();
  EXPECT_TRUE(ValidateEndpointUrl("https://h:1/b", "S3 endpoint URL").ok());
}

// Through the resolution every store open goes through.
TEST(Endpoint, ResolutionRefusesUserinfo) {
  StoreOptions o;
  o.endpoint_url = "http://alice:s3cr3t@127.0.0.1:9";
  auto r = ResolveS3Config(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message().find("s3cr3t"), std::string::npos) << r.status().ToString();
}

}  // namespace
}  // namespace lakepack::s3
