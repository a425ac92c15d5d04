// Parsing and building the XML bodies of S3, with the shapes AWS, moto and Ceph send.
#include "store/s3/xml.h"

#include <gtest/gtest.h>

namespace lakepack::s3 {
namespace {

TEST(Xml, ErrorWithAndWithoutMessage) {
  auto e = ParseError(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>NoSuchKey</Code><Message>The "
      "specified key does not exist.</Message><Resource>/b/k</Resource><RequestId>4442587FB7D0A2F9"
      "</RequestId></Error>");
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->code, "NoSuchKey");
  EXPECT_EQ(e->message, "The specified key does not exist.");
  EXPECT_EQ(e->request_id, "4442587FB7D0A2F9");
  // Ceph 16: an empty Message.
  auto ceph = ParseError(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>NoSuchBucket</Code><Message>"
      "</Message><BucketName>nope</BucketName><RequestId>tx0</RequestId><HostId>x</HostId></"
      "Error>");
  ASSERT_TRUE(ceph.has_value());
  EXPECT_EQ(ceph->code, "NoSuchBucket");
  EXPECT_EQ(ceph->message, "");
  EXPECT_FALSE(ParseError("").has_value());
  EXPECT_FALSE(ParseError("<html>bad gateway</html>").has_value());
  EXPECT_FALSE(ParseError("not xml at all").has_value());
}

TEST(Xml, ListObjectsV2UrlEncoded) {
  auto r = ParseListObjectsV2(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
      "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>b</Name>"
      "<Prefix>p%2F</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys><EncodingType>url"
      "</EncodingType><IsTruncated>true</IsTruncated>"
      "<Contents><Key>p/a+b%2Bc%25.csv</Key><LastModified>2009-10-12T17:50:30.500Z</LastModified>"
      "<ETag>&quot;fba9dede5f27731c9771645a39863328&quot;</ETag><Size>434234</Size>"
      "<StorageClass>STANDARD</StorageClass></Contents>"
      "<Contents><Key>p/%C3%A9t%C3%A9</Key><LastModified>2009-10-12T17:50:30Z</LastModified>"
      "<ETag>\"abc-2\"</ETag><Size>0</Size></Contents>"
      "<CommonPrefixes><Prefix>p/sub%20dir/</Prefix></CommonPrefixes>"
      "<NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>"
      "</ListBucketResult>");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->objects.size(), 2u);
  EXPECT_EQ(r->objects[0].key, "p/a b+c%.csv");
  EXPECT_EQ(r->objects[0].size, 434234);
  EXPECT_EQ(r->objects[0].etag, "fba9dede5f27731c9771645a39863328");
  EXPECT_EQ(r->objects[0].mtime_ns, 1255369830500000000LL);
  EXPECT_EQ(r->objects[1].key, "p/\xc3\xa9t\xc3\xa9");
  EXPECT_EQ(r->objects[1].etag, "abc-2");
  EXPECT_EQ(r->common_prefixes, std::vector<std::string>{"p/sub dir/"});
  EXPECT_TRUE(r->is_truncated);
  EXPECT_EQ(r->next_continuation_token, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
}

TEST(Xml, ListObjectsV2PlainKeysAreNotDecoded) {
  auto r = ParseListObjectsV2(
      "<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>a+b%20</Key><Size>1</Size>"
      "</Contents></ListBucketResult>");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->objects.at(0).key, "a+b%20");
  EXPECT_FALSE(r->is_truncated);
}

TEST(Xml, WrongDocumentIsInvalidData) {
  auto r = ParseListObjectsV2("<Error><Code>InternalError</Code></Error>");
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidData);
  EXPECT_NE(r.status().message().find("ListBucketResult"), std::string::npos);
  EXPECT_EQ(ParseInitiateMultipartUpload("garbage").status().code(), StatusCode::kInvalidData);
  EXPECT_FALSE(ParseListObjectsV2("<ListBucketResult><IsTruncated>true</IsTruncated>"
                                  "</ListBucketResult>")
                   .ok());
}

TEST(Xml, MultipartResults) {
  auto id = ParseInitiateMultipartUpload(
      "<?xml version=\"1.0\"?><InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key>"
      "<UploadId>VXBsb2FkIElE</UploadId></InitiateMultipartUploadResult>");
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(*id, "VXBsb2FkIElE");
  auto etag = ParseCompleteMultipartUpload(
      "<CompleteMultipartUploadResult><Location>x</Location><Bucket>b</Bucket><Key>k</Key>"
      "<ETag>\"3858f62230ac3c915f300c664312c11f-9\"</ETag></CompleteMultipartUploadResult>");
  ASSERT_TRUE(etag.ok());
  EXPECT_EQ(*etag, "3858f62230ac3c915f300c664312c11f-9");
  // Ceph 16 leaves it empty.
  auto empty = ParseCompleteMultipartUpload(
      "<CompleteMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><ETag></ETag>"
      "</CompleteMultipartUploadResult>");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(*empty, "");
  // moto 5's root name.
  auto moto = ParseCompleteMultipartUpload(
      "<CompleteMultipartUploadResponse><ETag>&quot;abc-2&quot;</ETag>"
      "</CompleteMultipartUploadResponse>");
  ASSERT_TRUE(moto.ok()) << moto.status().ToString();
  EXPECT_EQ(*moto, "abc-2");
  auto uploads = ParseListMultipartUploads(
      "<ListMultipartUploadsResult><Upload><Key>a b</Key><UploadId>u1</UploadId></Upload>"
      "</ListMultipartUploadsResult>");
  ASSERT_TRUE(uploads.ok());
  ASSERT_EQ(uploads->size(), 1u);
  EXPECT_EQ((*uploads)[0].upload_id, "u1");
}

TEST(Xml, CopyResultQuotedOrNot) {
  auto aws = ParseCopyObjectResult(
      "<CopyObjectResult><LastModified>2009-10-28T22:32:00.000Z</LastModified>"
      "<ETag>\"9b2cf535f27731c974343645a3985328\"</ETag></CopyObjectResult>");
  ASSERT_TRUE(aws.ok());
  EXPECT_EQ(aws->etag, "9b2cf535f27731c974343645a3985328");
  EXPECT_GT(aws->mtime_ns, 0);
  auto ceph = ParseCopyObjectResult(
      "<CopyObjectResult><LastModified>2009-10-28T22:32:00.000Z</LastModified>"
      "<ETag>9b2cf535f27731c974343645a3985328</ETag></CopyObjectResult>");
  ASSERT_TRUE(ceph.ok());
  EXPECT_EQ(ceph->etag, "9b2cf535f27731c974343645a3985328");
}

TEST(Xml, DeleteResultErrors) {
  auto r = ParseDeleteResult(
      "<DeleteResult><Deleted><Key>ok</Key></Deleted><Error><Key>a&amp;b</Key><Code>AccessDenied"
      "</Code><Message>Access Denied</Message></Error></DeleteResult>");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].key, "a&b");
  EXPECT_EQ((*r)[0].code, "AccessDenied");
  auto none = ParseDeleteResult("<DeleteResult/>");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST(Xml, BuildDeleteEscapesKeys) {
  std::string body = BuildDelete({"a&b", "<c>", "q\"'", "plain/k"});
  EXPECT_NE(body.find("<Key>a&amp;b</Key>"), std::string::npos);
  EXPECT_NE(body.find("<Key>&lt;c&gt;</Key>"), std::string::npos);
  EXPECT_NE(body.find("<Key>q&quot;&apos;</Key>"), std::string::npos);
  EXPECT_NE(body.find("<Quiet>true</Quiet>"), std::string::npos);
  // And it reads back as the same keys.
  std::string as_result = "<DeleteResult>";
  for (std::string k : {"a&amp;b", "&lt;c&gt;"}) {
    as_result += "<Error><Key>" + k + "</Key><Code>X</Code></Error>";
  }
  as_result += "</DeleteResult>";
  auto back = ParseDeleteResult(as_result);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ((*back)[1].key, "<c>");
}

TEST(Xml, BuildCompleteMultipartUpload) {
  std::string body = BuildCompleteMultipartUpload({{1, "aaa"}, {2, "bbb"}});
  EXPECT_EQ(body,
            "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
            "<Part><PartNumber>1</PartNumber><ETag>\"aaa\"</ETag></Part>"
            "<Part><PartNumber>2</PartNumber><ETag>\"bbb\"</ETag></Part>"
            "</CompleteMultipartUpload>");
}

TEST(Xml, Dates) {
  EXPECT_EQ(ParseIso8601("1970-01-01T00:00:01.000Z"), 1000000000LL);
  EXPECT_EQ(ParseHttpDate("Wed, 12 Oct 2009 17:50:00 GMT"), 1255369800000000000LL);
  EXPECT_EQ(ParseIso8601("yesterday"), 0);
  EXPECT_EQ(ParseIso8601("2009-10-12T17:50:30.5Z"), 1255369830500000000LL);
  EXPECT_EQ(ParseIso8601("2009-10-12T19:50:30+02:00"), 1255369830000000000LL);
  EXPECT_EQ(ParseIso8601("1969-12-31T23:59:59.000000001234Z"), -999999999LL);
}

// Issue 16 F6: dates from a server or a credential_process Expiration overflowed (UB): a year-1012
// Expiration wrapped to ~2181 and an expired credential was taken as valid.  Fields are now
// range-checked and the result saturates at the ends of int64 nanoseconds.
TEST(Xml, DatesOutsideTheNanosecondRangeSaturateAndBadFieldsAreUnparseable) {
  EXPECT_EQ(ParseIso8601("1012-01-01T00:00:00Z"), INT64_MIN);
  EXPECT_EQ(ParseIso8601("1012-01-02T03:04:05.123Z"), INT64_MIN);
  EXPECT_EQ(ParseIso8601("1677-09-21T00:12:43Z"), INT64_MIN);  // just before the range
  EXPECT_EQ(ParseIso8601("1677-09-21T00:12:45Z"), -9223372035000000000LL);
  EXPECT_EQ(ParseIso8601("2262-04-11T23:47:16Z"), INT64_MAX);
  EXPECT_EQ(ParseIso8601("9999-12-31T23:59:59Z"), INT64_MAX);
  EXPECT_EQ(ParseHttpDate("Mon, 01 Jan 1012 00:00:00 GMT"), INT64_MIN);
  EXPECT_EQ(ParseHttpDate("Fri, 31 Dec 9999 23:59:59 GMT"), INT64_MAX);
  for (const char* bad :
       {"-2147483648-01-01T00:00:00Z", "2024--2147483648-01T00:00:00Z", "2024-01-01T00:00:nanZ",
        "2024-13-01T00:00:00Z", "2024-01-32T00:00:00Z", "2024-01-01T24:00:00Z",
        "2024-01-01T00:60:00Z", "2024-01-01T00:00:61Z", "2024-01-01T00:00:00.Z",
        "2024-01-01T00:00:00Zjunk", "2024-01-01T00:00:00+25:00",
        "2024-01-01T00:00:000000000000000000000000000000000000000000000000000000Z"}) {
    EXPECT_EQ(ParseIso8601(bad), 0) << bad;
  }
  EXPECT_EQ(StripQuotes("\"x\""), "x");
  EXPECT_EQ(StripQuotes("x"), "x");
}

}  // namespace
}  // namespace lakepack::s3
