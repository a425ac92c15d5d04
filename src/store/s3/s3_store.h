// s3_store.h: the S3 backend of ObjectStore (one bucket of an S3-compatible server).
//
// Layers, bottom up: http (libcurl transport, with an optional fault-injecting decorator for
// tests), sigv4 (pure request signing), credentials (environment, profile files,
// credential_process), xml (S3 response bodies), s3_client (signed requests with retries),
// and this store, which adds multipart writes and batch deletes.
//
// Thread-safety: an S3Store is safe to use from many threads at once.
#pragma once

#include <memory>
#include <string>

#include "lakepack/store.h"
#include "store/test_hooks.h"

namespace lakepack::s3 {

// Opens bucket `bucket` with credentials, region and endpoint resolved from `options` and the
// AWS environment.  Fails with InvalidArgument when no credentials can be found.
Result<std::shared_ptr<ObjectStore>> MakeS3Store(const std::string& bucket,
                                                 const StoreOptions& options,
                                                 const StoreTestHooks& hooks = {});

}  // namespace lakepack::s3
