// fuzz_xml: every S3 XML response parser (store/s3/xml.h) and the date and ETag helpers, on the
// same arbitrary bytes, as a misbehaving or hostile S3 server could send them.
#include "fuzz_input.h"
#include "store/s3/xml.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  namespace s3 = lakepack::s3;
  (void)s3::ParseError(body);
  (void)s3::ParseListObjectsV2(body);
  (void)s3::ParseInitiateMultipartUpload(body);
  (void)s3::ParseCompleteMultipartUpload(body);
  (void)s3::ParseCopyObjectResult(body);
  (void)s3::ParseCopyPartResult(body);
  (void)s3::ParseDeleteResult(body);
  (void)s3::ParseListMultipartUploads(body);
  (void)s3::ParseIso8601(body);
  (void)s3::ParseHttpDate(body);
  (void)s3::StripQuotes(body);
  return 0;
}
