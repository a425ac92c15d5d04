#include "files/store_cache.h"

#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <tuple>

namespace lakepack::files {

bool IsS3Url(const std::string& url) { return url.rfind("s3://", 0) == 0; }

Result<StoreLocation> ResolveUrl(const std::string& url, const StoreOptions& options) {
  if (!IsS3Url(url)) return OpenStore(url, options);
  const std::string rest = url.substr(5);
  const size_t slash = rest.find('/');
  const std::string bucket = rest.substr(0, slash);
  std::string key = slash == std::string::npos ? "" : rest.substr(slash + 1);
  if (bucket.empty()) return Status::InvalidArgument("no bucket in '" + url + "'");
  // The S3 client reads the fault-injection test hook (LAKEPACK_FAULT_RATE) when it is made, so
  // the hook's value is part of the key: a test that turns it on gets a client that injects.
  const char* faults = std::getenv("LAKEPACK_FAULT_RATE");
  using CacheKey = std::tuple<std::string, std::string, std::string, std::string, int, std::string>;
  CacheKey ck{bucket,         options.endpoint_url, options.region,
              options.profile, options.max_retries, faults ? faults : ""};
  static std::mutex mu;
  static auto* cache = new std::map<CacheKey, std::shared_ptr<ObjectStore>>();  // never freed
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = cache->find(ck);
    if (it != cache->end()) return StoreLocation{it->second, std::move(key)};
  }
  LP_ASSIGN_OR_RETURN(StoreLocation loc, OpenStore("s3://" + bucket, options));
  std::lock_guard<std::mutex> lock(mu);
  auto [it, inserted] = cache->emplace(ck, loc.store);
  return StoreLocation{it->second, std::move(key)};
}

}  // namespace lakepack::files
