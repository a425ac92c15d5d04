// test_hooks.h: store settings only tests may change — kept out of the public StoreOptions
// (lakepack/store.h) so that no user sets them by accident.
//
// Thread-safety: plain values; OpenStoreWithHooks as OpenStore.
#pragma once

#include <cstdint>
#include <string>

#include "lakepack/store.h"

namespace lakepack {

struct StoreTestHooks {
  // Probability with which the S3 transport injects a fault (a 503, or a dropped response after
  // the server did the work).  0 in production; LAKEPACK_FAULT_RATE sets it too.
  double fault_rate = 0.0;
  // S3 server-side copies (Copy, cp within a bucket): objects larger than this are copied as a
  // multipart upload of UploadPartCopy parts of `copy_part_size` bytes.  0 means the defaults:
  // S3's single-copy limit, 5 GiB, and 512 MiB parts.  Lowered only to test the multipart path.
  int64_t multipart_copy_threshold = 0;
  int64_t copy_part_size = 0;
};

// OpenStore (store.h) with test hooks.
Result<StoreLocation> OpenStoreWithHooks(const std::string& uri, const StoreOptions& options,
                                         const StoreTestHooks& hooks);

}  // namespace lakepack
