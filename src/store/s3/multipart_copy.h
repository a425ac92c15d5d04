// multipart_copy.h: server-side copy of objects too large for one CopyObject (S3 stops at 5 GiB),
// as a multipart upload whose parts are UploadPartCopy ranges of the source.
//
// The bytes never leave the server.  Every part names the source's ETag
// (x-amz-copy-source-if-match), so a source replaced during the copy fails the copy instead of
// producing a mix of two objects.  On any failure the upload is aborted: nothing becomes visible.
//
// Thread-safety: MultipartCopy may be called from many threads at once (it starts threads of its
// own for the parts).
#pragma once

#include <cstdint>
#include <string>

#include "lakepack/store.h"
#include "store/s3/s3_client.h"

namespace lakepack::s3 {

// One CopyObject copies at most 5 GiB (S3 limit); larger objects are copied in parts.
constexpr int64_t kMaxSingleCopySize = int64_t{5} << 30;
// Parts of a multipart copy: large, since each part costs a request but no client bandwidth;
// S3 allows 5 MiB to 5 GiB per part.
constexpr int64_t kCopyPartSize = int64_t{512} << 20;
// Part copies in flight at once.
constexpr int kParallelPartCopies = 4;

// Copies `src` (as returned by a HEAD of src_key) to dst_key in the client's bucket, in parts of
// `part_size` bytes (raised as needed to stay within 10,000 parts, clamped to S3's limits).
Result<ObjectInfo> MultipartCopy(S3Client& client, const std::string& src_key,
                                 const ObjectInfo& src, const std::string& dst_key,
                                 int64_t part_size = kCopyPartSize);

}  // namespace lakepack::s3
