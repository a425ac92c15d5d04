// store_cache.h: one ObjectStore per S3 bucket (and options) per process, shared by every files
// job.
//
// Opening an S3 store resolves credentials and builds a connection pool; a files job touches
// thousands of URLs in a few buckets, so it opens each bucket once.  Entries live for the process:
// the store re-reads credentials itself when they expire.  Local paths all resolve to one
// LocalStore rooted at "/".
//
// Thread-safety: ResolveUrl is safe to call from many threads.
#pragma once

#include <string>

#include "lakepack/status.h"
#include "lakepack/store.h"

namespace lakepack::files {

// The store and key of `url` ("s3://bucket/key", "file:///abs", or a local path).
Result<StoreLocation> ResolveUrl(const std::string& url, const StoreOptions& options);

// True for "s3://..." URLs.
bool IsS3Url(const std::string& url);

}  // namespace lakepack::files
