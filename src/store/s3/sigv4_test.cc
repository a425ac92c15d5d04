// Checks SignV4 against the worked examples AWS publishes in the S3 API reference, "Signature
// Calculations for the Authorization Header: Transferring Payload in a Single Chunk", and the
// URI-encoding rules of the same page.
#include "store/s3/sigv4.h"

#include <gtest/gtest.h>

#include "store/s3/crypto.h"

namespace lakepack::s3 {
namespace {

// The documented example clock: Fri, 24 May 2013 00:00:00 GMT.
std::chrono::system_clock::time_point ExampleTime() {
  return std::chrono::system_clock::from_time_t(1369353600);
}

AwsCredentials ExampleCredentials() {
  return {"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};
}

const char kEmptySha[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

TEST(SigV4, ExampleGetObject) {
  SignableRequest r;
  r.method = "GET";
  r.host = "examplebucket.s3.amazonaws.com";
  r.path = "/test.txt";
  r.headers = {{"Range", "bytes=0-9"}};
  r.payload_sha256 = Sha256Hex("");
  EXPECT_EQ(r.payload_sha256, kEmptySha);
  SignedHeaders s = SignV4(r, ExampleCredentials(), "us-east-1", ExampleTime());
  EXPECT_EQ(s.canonical_request,
            "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
            "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
            "\nx-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(s.string_to_sign,
            "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
            "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
  EXPECT_EQ(s.signature, "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
  std::string auth;
  for (const auto& [k, v] : s.headers) {
    if (k == "Authorization") auth = v;
  }
  EXPECT_EQ(auth,
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4, ExamplePutObjectEncodesDollarInKey) {
  const std::string body = "Welcome to Amazon S3.";
  SignableRequest r;
  r.method = "PUT";
  r.host = "examplebucket.s3.amazonaws.com";
  r.path = "/" + UriEncode("test$file.text", false);
  EXPECT_EQ(r.path, "/test%24file.text");
  r.headers = {{"Date", "Fri, 24 May 2013 00:00:00 GMT"},
               {"x-amz-storage-class", "REDUCED_REDUNDANCY"}};
  r.payload_sha256 = Sha256Hex(body);
  EXPECT_EQ(r.payload_sha256, "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  SignedHeaders s = SignV4(r, ExampleCredentials(), "us-east-1", ExampleTime());
  EXPECT_EQ(s.canonical_request,
            "PUT\n/test%24file.text\n\ndate:Fri, 24 May 2013 00:00:00 GMT\n"
            "host:examplebucket.s3.amazonaws.com\n"
            "x-amz-content-sha256:44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072"
            "\nx-amz-date:20130524T000000Z\nx-amz-storage-class:REDUCED_REDUNDANCY\n\n"
            "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class\n"
            "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  EXPECT_EQ(s.string_to_sign,
            "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
            "9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d");
  EXPECT_EQ(s.signature, "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

TEST(SigV4, ExampleGetBucketLifecycleHasEmptyQueryValue) {
  SignableRequest r{"GET",    "examplebucket.s3.amazonaws.com", "/", {{"lifecycle", ""}}, {},
                    kEmptySha};
  SignedHeaders s = SignV4(r, ExampleCredentials(), "us-east-1", ExampleTime());
  EXPECT_NE(s.canonical_request.find("\n/\nlifecycle=\n"), std::string::npos);
  EXPECT_EQ(s.signature, "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
}

TEST(SigV4, ExampleListObjectsSortsQuery) {
  // Given out of order: the canonical query must sort by name.
  SignableRequest r{"GET", "examplebucket.s3.amazonaws.com",
                    "/",   {{"prefix", "J"}, {"max-keys", "2"}},
                    {},    kEmptySha};
  SignedHeaders s = SignV4(r, ExampleCredentials(), "us-east-1", ExampleTime());
  EXPECT_NE(s.canonical_request.find("\n/\nmax-keys=2&prefix=J\n"), std::string::npos);
  EXPECT_EQ(s.signature, "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

TEST(SigV4, SessionTokenIsSignedAndSent) {
  SignableRequest r{"GET", "h", "/b/k", {}, {}, kEmptySha};
  AwsCredentials c = ExampleCredentials();
  c.session_token = "TOKEN";
  SignedHeaders s = SignV4(r, c, "eu-west-1", ExampleTime());
  EXPECT_NE(s.canonical_request.find("x-amz-security-token:TOKEN\n"), std::string::npos);
  bool sent = false;
  for (const auto& [k, v] : s.headers) sent |= (k == "x-amz-security-token" && v == "TOKEN");
  EXPECT_TRUE(sent);
  EXPECT_NE(s.string_to_sign.find("20130524/eu-west-1/s3/aws4_request"), std::string::npos);
}

TEST(SigV4, HeaderValuesAreTrimmedAndNamesLowerCased) {
  SignableRequest r{"GET", "h", "/", {}, {{"X-Amz-Meta-A", "  two   spaces  "}}, kEmptySha};
  SignedHeaders s = SignV4(r, ExampleCredentials(), "us-east-1", ExampleTime());
  EXPECT_NE(s.canonical_request.find("\nx-amz-meta-a:two spaces\n"), std::string::npos)
      << s.canonical_request;
}

TEST(UriEncode, KeysInPathsAndQueries) {
  EXPECT_EQ(UriEncode("a b", false), "a%20b");
  EXPECT_EQ(UriEncode("a+b", false), "a%2Bb");
  EXPECT_EQ(UriEncode("100%", false), "100%25");
  EXPECT_EQ(UriEncode("dir/sub/file~1.csv", false), "dir/sub/file~1.csv");
  EXPECT_EQ(UriEncode("dir/sub", true), "dir%2Fsub");
  EXPECT_EQ(UriEncode("\xc3\xa9t\xc3\xa9", false), "%C3%A9t%C3%A9");  // "été"
  EXPECT_EQ(UriEncode("a=b&c", true), "a%3Db%26c");
  EXPECT_EQ(UriEncode("-._~AZaz09", true), "-._~AZaz09");
  EXPECT_EQ(UriEncode("*'()!", false), "%2A%27%28%29%21");
}

TEST(UriEncode, CanonicalQueryEncodesSlashAndSpace) {
  EXPECT_EQ(CanonicalQueryString({{"prefix", "a b/c+d"}, {"delimiter", "/"}, {"list-type", "2"}}),
            "delimiter=%2F&list-type=2&prefix=a%20b%2Fc%2Bd");
}

TEST(UriDecode, InvertsEncoding) {
  for (std::string s : {"a b", "a+b", "100%", "x/y~z", "\xc3\xa9t\xc3\xa9", "%zz"}) {
    EXPECT_EQ(UriDecode(UriEncode(s, true), false), s);
    EXPECT_EQ(UriDecode(UriEncode(s, true), true), s);
  }
  EXPECT_EQ(UriDecode("a+b%2Bc", true), "a b+c");
  EXPECT_EQ(UriDecode("a+b", false), "a+b");
  EXPECT_EQ(UriDecode("bad%2", false), "bad%2");
}

TEST(Crypto, KnownDigests) {
  EXPECT_EQ(Md5Hex(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(Md5Base64(""), "1B2M2Y8AsgTpgAmY7PhCfg==");
  EXPECT_EQ(Base64Encode("ab"), "YWI=");
}

}  // namespace
}  // namespace lakepack::s3
