#include "store/s3/multipart_copy.h"

#include <algorithm>
#include <vector>

#include "store/parallel_for.h"
#include "store/s3/multipart_writer.h"
#include "store/s3/xml.h"

namespace lakepack::s3 {
namespace {

Status AbortUpload(S3Client& client, const std::string& key, const std::string& upload_id) {
  S3Request req = NewRequest("DELETE", key);
  req.query = {{"uploadId", upload_id}};
  CallInfo info;
  auto resp = client.Call(req, &info);
  if (!resp.ok() && info.error_code != "NoSuchUpload") return resp.status();
  return Status::OK();
}

}  // namespace

Result<ObjectInfo> MultipartCopy(S3Client& client, const std::string& src_key,
                                 const ObjectInfo& src, const std::string& dst_key,
                                 int64_t part_size) {
  part_size = std::clamp(part_size, kMinPartSize, kMaxPartSize);
  while ((src.size + part_size - 1) / part_size > kMaxParts && part_size < kMaxPartSize) {
    part_size = std::min(part_size * 2, kMaxPartSize);
  }
  const int parts = static_cast<int>(std::max<int64_t>(1, (src.size + part_size - 1) / part_size));
  if (parts > kMaxParts) {
    return Status::InvalidArgument(client.Uri(src_key) + " is too large to copy (" +
                                   std::to_string(src.size) + " bytes)");
  }
  const std::string what = client.Uri(dst_key) + " (copy of " + client.Uri(src_key) + ")";

  S3Request create = NewRequest("POST", dst_key);
  create.query = {{"uploads", ""}};
  LP_ASSIGN_OR_RETURN(HttpResponse created, client.Call(create));
  LP_ASSIGN_OR_RETURN(std::string upload_id, ParseInitiateMultipartUpload(created.body));

  std::vector<CompletedPart> done(static_cast<size_t>(parts));
  Status copied = ParallelFor(0, parts, kParallelPartCopies, [&](int64_t i) -> Status {
    const int64_t first = i * part_size;
    const int64_t last = std::min(src.size, first + part_size) - 1;
    S3Request req = NewRequest("PUT", dst_key);
    req.query = {{"partNumber", std::to_string(i + 1)}, {"uploadId", upload_id}};
    req.headers = {{"x-amz-copy-source", "/" + client.bucket() + "/" + UriEncode(src_key, false)},
                   {"x-amz-copy-source-range",
                    "bytes=" + std::to_string(first) + "-" + std::to_string(last)}};
    if (!src.etag.empty()) {
      req.headers.emplace_back("x-amz-copy-source-if-match", "\"" + src.etag + "\"");
    }
    req.error_in_ok_body = true;
    req.describe = what;
    auto resp = client.Call(req);
    Result<CopyObjectResult> part =
        resp.ok() ? ParseCopyPartResult(resp->body) : Result<CopyObjectResult>(resp.status());
    if (!part.ok()) {
      Status st = part.status();
      if (st.IsAlreadyExists()) {  // 412: the source's ETag no longer matches
        st = Status::NotFound(client.Uri(src_key) + " changed during the copy to " +
                              client.Uri(dst_key));
      }
      return st.WithContext("part " + std::to_string(i + 1) + " of " + what);
    }
    done[static_cast<size_t>(i)] = {static_cast<int>(i + 1), part->etag};
    return Status::OK();
  });
  if (!copied.ok()) {
    (void)AbortUpload(client, dst_key, upload_id);
    return copied;
  }

  const std::string body = BuildCompleteMultipartUpload(done);
  S3Request complete = NewRequest("POST", dst_key);
  complete.query = {{"uploadId", upload_id}};
  complete.body = body;
  complete.error_in_ok_body = true;
  CallInfo info;
  auto resp = client.Call(complete, &info);
  if (!resp.ok()) {
    // A completion whose answer was lost: the upload is gone and the object is there.
    if (info.maybe_applied && info.error_code == "NoSuchUpload") {
      LP_ASSIGN_OR_RETURN(ObjectInfo now, client.HeadObject(dst_key));
      if (now.size == src.size) return now;
    }
    (void)AbortUpload(client, dst_key, upload_id);
    return resp.status().WithContext(what);
  }
  return client.HeadObject(dst_key);
}

}  // namespace lakepack::s3
