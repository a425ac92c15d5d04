// xml.h: the XML bodies of the S3 API: parsing responses (pugixml) and building requests.
//
// Parsers are lenient about what servers leave out (Ceph sends an empty <Message> in errors and
// an empty <ETag> in CompleteMultipartUploadResult) and strict about what we need: a body that
// is not the expected document is InvalidData naming the element that was missing.  ETags come
// back without their quotes.
//
// Thread-safety: every function is pure and safe to call from many threads at once.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lakepack/status.h"

namespace lakepack::s3 {

struct S3Error {
  std::string code;     // "NoSuchKey", "SlowDown", ...
  std::string message;  // may be "" (Ceph)
  std::string resource;
  std::string request_id;
};

// The <Error> document of `body`, or nullopt when the body is not one (e.g. a HEAD response).
std::optional<S3Error> ParseError(std::string_view body);

struct ListedObject {
  std::string key;
  int64_t size = 0;
  std::string etag;
  int64_t mtime_ns = 0;
};

struct ListObjectsV2Result {
  std::vector<ListedObject> objects;
  std::vector<std::string> common_prefixes;
  bool is_truncated = false;
  std::string next_continuation_token;
};

// A ListBucketResult (ListObjectsV2).  When it says <EncodingType>url</EncodingType>, keys and
// prefixes are URL-decoded ('+' is a space, as AWS encodes it).
Result<ListObjectsV2Result> ParseListObjectsV2(std::string_view body);

// The UploadId of an InitiateMultipartUploadResult.
Result<std::string> ParseInitiateMultipartUpload(std::string_view body);

// The ETag of a CompleteMultipartUploadResult; "" when the server left it empty (Ceph 16).
Result<std::string> ParseCompleteMultipartUpload(std::string_view body);

struct CopyObjectResult {
  std::string etag;
  int64_t mtime_ns = 0;
};
Result<CopyObjectResult> ParseCopyObjectResult(std::string_view body);
// <CopyPartResult>, the answer to UploadPartCopy (same fields).
Result<CopyObjectResult> ParseCopyPartResult(std::string_view body);

struct DeleteError {
  std::string key;
  std::string code;
  std::string message;
};
// The <Error> entries of a DeleteResult (empty when every key was deleted).
Result<std::vector<DeleteError>> ParseDeleteResult(std::string_view body);

struct MultipartUpload {
  std::string key;
  std::string upload_id;
};
// The uploads of a ListMultipartUploadsResult (one page).
Result<std::vector<MultipartUpload>> ParseListMultipartUploads(std::string_view body);

struct CompletedPart {
  int part_number = 0;
  std::string etag;  // without quotes
};
std::string BuildCompleteMultipartUpload(const std::vector<CompletedPart>& parts);
// A quiet <Delete> of `keys` (only failures are reported back).
std::string BuildDelete(const std::vector<std::string>& keys);

// "2009-10-12T17:50:30.000Z" (RFC 3339: 'Z' or a ±HH:MM offset) → nanoseconds since the epoch;
// 0 if unparseable or a field is out of range.  Dates outside int64 nanoseconds saturate: before
// 1677-09-21 → INT64_MIN, after 2262-04-11 → INT64_MAX.
int64_t ParseIso8601(std::string_view s);
// "Wed, 12 Oct 2009 17:50:00 GMT" (HTTP-date, RFC 7231) → nanoseconds since the epoch; 0 if
// unparseable; saturated as ParseIso8601.
int64_t ParseHttpDate(std::string_view s);
// Removes one pair of surrounding double quotes (and &quot; entities already decoded by XML).
std::string StripQuotes(std::string_view etag);

}  // namespace lakepack::s3
