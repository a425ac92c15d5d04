// Placeholder until the S3 backend lands; replaced wholesale by it.
#include "store/s3/s3_store.h"

namespace lakepack::s3 {
Result<std::shared_ptr<ObjectStore>> MakeS3Store(const std::string& bucket,
                                                 const StoreOptions& options) {
  return Status::NotImplemented("S3 backend not built yet");
}
}  // namespace lakepack::s3
