#include "files/store_cache.h"

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
  using CacheKey =
      std::tuple<std::string, std::string, std::string, std::string, int, double, int64_t, int64_t>;
  CacheKey ck{bucket,
              options.endpoint_url,
              options.region,
              options.profile,
              options.max_retries,
              options.fault_rate,
              options.multipart_copy_threshold,
              options.copy_part_size};
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
