#include "lakepack/store.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>

#include "base/tasks.h"
#include "store/local_store.h"
#include "store/s3/s3_store.h"
#include "store/test_hooks.h"
#include "store/testing/crash_store.h"

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

namespace {

// What an S3 client is resolved from besides StoreOptions (store/s3/credentials.cc reads these;
// s3_client.cc reads LAKEPACK_FAULT_RATE, the fault-injection test hook, when it makes the
// client, so a test that turns faults on gets a client that injects them).
constexpr const char* kS3Environment[] = {"AWS_ENDPOINT_URL_S3",
                                          "AWS_ENDPOINT_URL",
                                          "AWS_REGION",
                                          "AWS_DEFAULT_REGION",
                                          "AWS_PROFILE",
                                          "AWS_ACCESS_KEY_ID",
                                          "AWS_SECRET_ACCESS_KEY",
                                          "AWS_SESSION_TOKEN",
                                          "AWS_CONFIG_FILE",
                                          "AWS_SHARED_CREDENTIALS_FILE",
                                          "AWS_CA_BUNDLE",
                                          "AWS_WEB_IDENTITY_TOKEN_FILE",
                                          "AWS_ROLE_ARN",
                                          "AWS_ROLE_SESSION_NAME",
                                          "AWS_ENDPOINT_URL_STS",
                                          "HOME",
                                          "LAKEPACK_FAULT_RATE"};

// Everything an S3 store is made from, as one string: the cache key.
std::string S3StoreKey(const std::string& bucket, const StoreOptions& options,
                       const StoreTestHooks& hooks) {
  std::string key;
  auto add = [&key](std::string_view v) {
    key.append(v);
    key.push_back('\0');
  };
  add(bucket);
  add(options.endpoint_url);
  add(options.region);
  add(options.profile);
  add(options.ca_bundle);
  add(std::to_string(options.max_retries));
  char rate[64];
  std::snprintf(rate, sizeof rate, "%a", hooks.fault_rate);  // exact, unlike to_string
  add(rate);
  add(std::to_string(hooks.multipart_copy_threshold));
  add(std::to_string(hooks.copy_part_size));
  for (const char* name : kS3Environment) {
    const char* v = std::getenv(name);
    add(v ? std::string("=") + v : std::string("unset"));  // set-but-empty differs from unset
  }
  return key;
}

// One S3 store per key for the life of the process (never freed: stores may be used by
// detached work until exit, and each holds only a client and its idle connections).
Result<std::shared_ptr<ObjectStore>> SharedS3Store(const std::string& bucket,
                                                   const StoreOptions& options,
                                                   const StoreTestHooks& hooks) {
  static std::mutex mu;
  static auto* stores = new std::map<std::string, std::shared_ptr<ObjectStore>>();
  const std::string key = S3StoreKey(bucket, options, hooks);
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = stores->find(key);
    if (it != stores->end()) return it->second;
  }
  // Made outside the lock (resolving credentials may run a credential_process); if two threads
  // race, the first one stored wins and the other's store is dropped unused.
  LP_ASSIGN_OR_RETURN(std::shared_ptr<ObjectStore> store, s3::MakeS3Store(bucket, options, hooks));
  std::lock_guard<std::mutex> lock(mu);
  return stores->emplace(key, std::move(store)).first->second;
}

}  // namespace

Result<StoreLocation> OpenStore(const std::string& uri, const StoreOptions& options) {
  return OpenStoreWithHooks(uri, options, StoreTestHooks{});
}

Result<StoreLocation> OpenStoreWithHooks(const std::string& uri, const StoreOptions& options,
                                         const StoreTestHooks& hooks) {
  constexpr std::string_view kS3 = "s3://", kFile = "file://";
  if (uri.rfind(kS3, 0) == 0) {
    std::string rest = uri.substr(kS3.size());
    size_t slash = rest.find('/');
    std::string bucket = rest.substr(0, slash);
    std::string key = slash == std::string::npos ? "" : rest.substr(slash + 1);
    if (bucket.empty()) return Status::InvalidArgument("no bucket in '" + uri + "'");
    LP_ASSIGN_OR_RETURN(auto store, SharedS3Store(bucket, options, hooks));
    return StoreLocation{MaybeWrapForCrashTest(std::move(store)), std::move(key)};
  }
  // "s3:/bucket/key", "S3://..." or "s3:bucket": meant as S3, not a local directory named "s3:"
  // (issue 13, WR-9: `lakepack ls s3:/x` listed nothing and exited 0).
  if (uri.size() >= 3 && (uri[0] == 's' || uri[0] == 'S') && uri[1] == '3' && uri[2] == ':') {
    return Status::InvalidArgument("'" + uri + "' is not an S3 URI: write s3://bucket/key");
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
  return StoreLocation{MaybeWrapForCrashTest(std::move(store)), std::move(key)};
}

Result<int64_t> ObjectStore::ReadRange(const std::string& key, int64_t offset, int64_t length,
                                       char* out) {
  LP_ASSIGN_OR_RETURN(std::string data, GetRange(key, offset, length));
  std::memcpy(out, data.data(), data.size());
  return static_cast<int64_t>(data.size());
}

namespace {

// Copy buffers are aligned to this, so that a local destination can write them with O_DIRECT
// (which needs block-aligned memory; 4 KiB covers every common logical block size).
constexpr size_t kCopyBufferAlignment = 4096;

struct AlignedFree {
  void operator()(char* p) const { std::free(p); }
};
using AlignedBuffer = std::unique_ptr<char[], AlignedFree>;

}  // namespace

Status CopyObject(ObjectStore& src, const std::string& src_key, ObjectStore& dst,
                  const std::string& dst_key, const WriterOptions& options,
                  const std::function<void(int64_t)>& on_progress) {
  LP_ASSIGN_OR_RETURN(ObjectInfo info, src.Head(src_key));
  WriterOptions wo = options;
  wo.direct_io = true;  // a copy writes each byte once and never reads it back
  LP_ASSIGN_OR_RETURN(auto writer, dst.OpenWriter(dst_key, wo));
  // Ranged reads of `chunk` bytes, `window` of them in flight, written in order.  Each range is
  // read into one of `window` buffers allocated once and reused, so memory stays at
  // window × chunk and, after the first round, no fresh pages are touched (on VMs a first touch
  // costs more than the copy itself).
  const int64_t chunk = std::max<int64_t>(options.part_size, 1 << 20);
  const size_t window = static_cast<size_t>(std::max(1, options.max_parallel_parts));
  const size_t buffer_bytes = (static_cast<size_t>(chunk) + kCopyBufferAlignment - 1) /
                              kCopyBufferAlignment * kCopyBufferAlignment;
  std::vector<AlignedBuffer> free_buffers;
  // Each read is an AsyncTask on the shared executor (base/tasks.h): no thread per range, and
  // when the pool is busy (copies inside copies) the wait reads the range itself.  Member order
  // matters: on an early return the task (whose destructor drops it if not started, else waits
  // for its read) is destroyed before the buffer the read writes into.
  struct InFlight {
    AlignedBuffer buffer;
    std::shared_ptr<Result<int64_t>> bytes;
    AsyncTask read;
  };
  std::deque<InFlight> inflight;
  int64_t next = 0, written = 0;
  while (written < info.size) {
    while (inflight.size() < window && next < info.size) {
      AlignedBuffer buffer;
      if (!free_buffers.empty()) {
        buffer = std::move(free_buffers.back());
        free_buffers.pop_back();
      } else {
        buffer.reset(static_cast<char*>(std::aligned_alloc(kCopyBufferAlignment, buffer_bytes)));
        if (!buffer) return Status::Internal("out of memory for a copy buffer");
      }
      const int64_t length = std::min(chunk, info.size - next);
      char* out = buffer.get();
      auto bytes = std::make_shared<Result<int64_t>>(Status::Internal("range not read"));
      AsyncTask read = AsyncTask::Start([&src, &src_key, next, length, out, bytes] {
        *bytes = src.ReadRange(src_key, next, length, out);
      });
      inflight.push_back({std::move(buffer), std::move(bytes), std::move(read)});
      next += length;
    }
    InFlight front = std::move(inflight.front());
    inflight.pop_front();
    front.read.Wait();
    Result<int64_t> n = std::move(*front.bytes);
    if (!n.ok()) return n.status();
    if (*n <= 0) {
      return Status::IOError(src.Uri(src_key) + " shrank while being copied (at offset " +
                             std::to_string(written) + ")");
    }
    LP_RETURN_NOT_OK(writer->Write(front.buffer.get(), static_cast<size_t>(*n)));
    written += *n;
    if (on_progress) on_progress(*n);
    free_buffers.push_back(std::move(front.buffer));
  }
  return writer->Finish().status();
}

}  // namespace lakepack
