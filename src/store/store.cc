#include "lakepack/store.h"

#include <algorithm>
#include <deque>
#include <filesystem>
#include <future>

#include "store/local_store.h"
#include "store/s3/s3_store.h"

namespace lakepack {

std::string ObjectStore::Uri(std::string_view key) const {
  std::string root = root_uri();
  if (key.empty()) return root;
  return root + "/" + std::string(key);
}

Result<std::vector<ObjectInfo>> ObjectStore::ListAll(const std::string& prefix) {
  std::vector<ObjectInfo> all;
  ListOptions options;
  while (true) {
    LP_ASSIGN_OR_RETURN(ListPage page, List(prefix, options));
    for (auto& o : page.objects) all.push_back(std::move(o));
    if (page.next_continuation.empty()) break;
    options.continuation = page.next_continuation;
  }
  return all;
}

Result<StoreLocation> OpenStore(const std::string& uri, const StoreOptions& options) {
  constexpr std::string_view kS3 = "s3://", kFile = "file://";
  if (uri.rfind(kS3, 0) == 0) {
    std::string rest = uri.substr(kS3.size());
    size_t slash = rest.find('/');
    std::string bucket = rest.substr(0, slash);
    std::string key = slash == std::string::npos ? "" : rest.substr(slash + 1);
    if (bucket.empty()) return Status::InvalidArgument("no bucket in '" + uri + "'");
    LP_ASSIGN_OR_RETURN(auto store, s3::MakeS3Store(bucket, options));
    return StoreLocation{std::move(store), std::move(key)};
  }
  if (uri.find("://") != std::string::npos && uri.rfind(kFile, 0) != 0) {
    return Status::InvalidArgument("unsupported URI scheme in '" + uri +
                                   "' (use s3://, file:// or a path)");
  }
  std::string path = uri.rfind(kFile, 0) == 0 ? uri.substr(kFile.size()) : uri;
  if (path.empty()) return Status::InvalidArgument("empty path");
  bool trailing_slash = path.back() == '/';
  std::error_code ec;
  std::filesystem::path abs = std::filesystem::absolute(path, ec).lexically_normal();
  if (ec) return Status::InvalidArgument("bad path '" + path + "': " + ec.message());
  std::string key = abs.string().substr(1);  // drop the leading '/'
  while (!key.empty() && key.back() == '/') key.pop_back();
  if (trailing_slash && !key.empty()) key += '/';
  LP_ASSIGN_OR_RETURN(auto store, LocalStore::Make("/"));
  return StoreLocation{std::move(store), std::move(key)};
}

Status CopyObject(ObjectStore& src, const std::string& src_key, ObjectStore& dst,
                  const std::string& dst_key, const WriterOptions& options,
                  const std::function<void(int64_t)>& on_progress) {
  LP_ASSIGN_OR_RETURN(ObjectInfo info, src.Head(src_key));
  LP_ASSIGN_OR_RETURN(auto writer, dst.OpenWriter(dst_key, options));
  // Ranged reads of `chunk` bytes, `window` of them in flight, written in order: memory stays
  // at window * chunk while a remote source is read in parallel.
  const int64_t chunk = std::max<int64_t>(options.part_size, 1 << 20);
  const size_t window = static_cast<size_t>(std::max(1, options.max_parallel_parts));
  std::deque<std::future<Result<std::string>>> inflight;
  int64_t next = 0, written = 0;
  while (written < info.size) {
    while (inflight.size() < window && next < info.size) {
      inflight.push_back(std::async(std::launch::async, [&src, &src_key, next, chunk] {
        return src.GetRange(src_key, next, chunk);
      }));
      next += chunk;
    }
    Result<std::string> data = inflight.front().get();
    inflight.pop_front();
    if (!data.ok()) return data.status();  // the other futures finish in their destructors
    if (data->empty()) {
      return Status::IOError(src.Uri(src_key) + " shrank while being copied (at offset " +
                             std::to_string(written) + ")");
    }
    LP_RETURN_NOT_OK(writer->Write(data->data(), data->size()));
    written += static_cast<int64_t>(data->size());
    if (on_progress) on_progress(static_cast<int64_t>(data->size()));
  }
  return writer->Finish().status();
}

}  // namespace lakepack
