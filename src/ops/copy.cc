#include "ops/copy.h"

#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>

#include "base/json.h"
#include "base/tasks.h"
#include "ops/failures.h"
#include "store/forwarding_store.h"
#include "store/traffic.h"

namespace lakepack::ops {
namespace {

std::string JoinKey(const std::string& dir, const std::string& name) {
  if (dir.empty()) return name;
  return dir.back() == '/' ? dir + name : dir + "/" + name;
}

std::string BaseName(const std::string& key) {
  size_t slash = key.rfind('/');
  return slash == std::string::npos ? key : key.substr(slash + 1);
}

// True when `key` in `store` names a container rather than an object: "", "x/", a local directory.
bool IsDirectoryLike(ObjectStore& store, const std::string& key) {
  if (key.empty() || key.back() == '/') return true;
  std::error_code ec;
  return store.is_local() && std::filesystem::is_directory(store.LocalPath(key), ec);
}

// The source as a streamed copy sees it: every read first asks whether the job was cancelled, so
// a cancelled copy of a large object stops within one range and its writer aborts.
class CancellableSource : public ForwardingStore {
 public:
  CancellableSource(std::shared_ptr<ObjectStore> inner, const JobContext& context)
      : ForwardingStore(std::move(inner)), context_(context) {}
  Result<int64_t> ReadRange(const std::string& key, int64_t offset, int64_t length,
                            char* out) override {
    LP_RETURN_NOT_OK(context_.CheckCancelled("copy of " + Uri(key)));
    return ForwardingStore::ReadRange(key, offset, length, out);
  }
  Result<std::string> GetRange(const std::string& key, int64_t offset, int64_t length) override {
    LP_RETURN_NOT_OK(context_.CheckCancelled("copy of " + Uri(key)));
    return ForwardingStore::GetRange(key, offset, length);
  }

 private:
  const JobContext& context_;
};

std::string Describe(const CopyFailure& f) {
  return "copying " + f.src_uri + " to " + f.dst_uri + ": " + f.status.message();
}

}  // namespace

Status CopyOptions::Validate() const {
  if (src.empty()) return Status::InvalidArgument("copy: the source is empty");
  if (dst.empty()) return Status::InvalidArgument("copy: the target is empty");
  if (jobs < 1) {
    return Status::InvalidArgument("--jobs must be >= 1, not " + std::to_string(jobs));
  }
  if (parallel < 1 || parallel > kMaxParallelRanges) {
    return Status::InvalidArgument("--parallel must be 1.." + std::to_string(kMaxParallelRanges) +
                                   ", not " + std::to_string(parallel));
  }
  if (part_size < 1) return Status::InvalidArgument("--part-size must be positive");
  if (max_failures == 0 || max_failures < -1) {
    return Status::InvalidArgument("--max-failures must be >= 1 (or -1: no bound)");
  }
  return Status::OK();
}

Status CopyReport::ToStatus() const {
  // Cancellation wins: the caller asked to stop, and failures before it are only reported.
  return FailuresStatus(
      "copy", cancelled, failures, [](const CopyFailure& f) { return Describe(f); },
      std::to_string(copied) + " of " + std::to_string(planned) + " objects were copied",
      recursive || planned > 1);
}

std::string CopyReport::ToJson() const {
  JsonWriter w;
  w.BeginObject();
  w.Key("objects").Int(copied);
  w.Key("planned").Int(planned);
  w.Key("bytes").Int(bytes);
  w.Key("total_bytes").Int(total_bytes);
  w.Key("seconds").Double(seconds);
  w.Key("cancelled").Bool(cancelled);
  w.Key("failures").BeginArray();
  for (const auto& f : failures) {
    w.BeginObject();
    w.Key("src").String(f.src_uri);
    w.Key("dst").String(f.dst_uri);
    w.Key("error").String(f.status.message());
    w.Key("code").String(StatusCodeName(f.status.code()));
    w.EndObject();
  }
  w.EndArray();
  WriteTrafficJson(w, stores);
  w.EndObject();
  return w.str();
}

Result<std::vector<CopyItem>> PlanCopy(ObjectStore& src, const std::string& src_key,
                                       ObjectStore& dst, const std::string& dst_key,
                                       bool recursive) {
  std::vector<CopyItem> items;
  if (!recursive) {
    if (src_key.empty() || src_key.back() == '/') {
      return Status::InvalidArgument(src.Uri(src_key) +
                                     " is a prefix; copy it recursively (--recursive)");
    }
    auto head = src.Head(src_key);
    if (!head.ok()) {
      if (head.status().IsNotFound() && IsDirectoryLike(src, src_key)) {
        return Status::InvalidArgument(src.Uri(src_key) +
                                       " is a directory; copy it recursively (--recursive)");
      }
      return head.status();
    }
    std::string target =
        IsDirectoryLike(dst, dst_key) ? JoinKey(dst_key, BaseName(src_key)) : dst_key;
    items.push_back({src_key, target, head->size});
    return items;
  }
  std::string prefix = src_key;
  if (!prefix.empty() && prefix.back() != '/') prefix += '/';
  LP_ASSIGN_OR_RETURN(auto objects, src.ListAll(prefix));
  if (objects.empty()) return Status::NotFound("no objects under " + src.Uri(prefix));
  for (auto& o : objects) {
    items.push_back({o.key, JoinKey(dst_key, o.key.substr(prefix.size())), o.size});
  }
  return items;
}

CopyReport CopyItems(const std::shared_ptr<ObjectStore>& src,
                     const std::shared_ptr<ObjectStore>& dst, const std::vector<CopyItem>& items,
                     const CopyOptions& options, const JobContext& context,
                     const std::function<void(int64_t)>& on_copied) {
  const auto start = std::chrono::steady_clock::now();
  TrafficMeter traffic;
  traffic.Watch(src);
  traffic.Watch(dst);
  CopyReport report;
  report.recursive = options.recursive;
  report.planned = static_cast<int64_t>(items.size());
  for (const auto& item : items) report.total_bytes += item.size;

  WriterOptions wo;
  wo.part_size = options.part_size;
  wo.max_parallel_parts = options.parallel;
  // Within one store the server copies; across stores the bytes stream through.
  const bool same_store = src->root_uri() == dst->root_uri();
  CancellableSource source(src, context);
  std::mutex mu;  // guards report.copied / bytes
  TaskPolicy policy;
  policy.parallel = options.jobs;
  policy.max_failures = options.max_failures;
  TaskReport tasks = RunTasks(report.planned, policy, context, [&](int64_t i) -> Status {
    const CopyItem& item = items[i];
    Status st;
    if (same_store) {
      st = src->Copy(item.src_key, item.dst_key).status();
      if (st.ok()) context.AddProgress(item.size);
    } else {
      st = CopyObject(source, item.src_key, *dst, item.dst_key, wo,
                      [&](int64_t n) { context.AddProgress(n); });
    }
    // A read stopped by the token is the job's cancellation, not this object's failure.
    if (!st.ok() && context.cancelled()) return Status::Cancelled("copy cancelled");
    if (st.ok()) {
      std::lock_guard<std::mutex> lock(mu);
      ++report.copied;
      report.bytes += item.size;
      if (on_copied) on_copied(i);
    }
    return st;
  });
  report.cancelled = tasks.cancelled;
  for (auto& [i, st] : tasks.failures) {
    report.failures.push_back(
        {src->Uri(items[i].src_key), dst->Uri(items[i].dst_key), std::move(st)});
  }
  report.stores = traffic.Read();
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

Result<CopyReport> Copy(const CopyOptions& options, const JobContext& context) {
  const auto start = std::chrono::steady_clock::now();
  LP_RETURN_NOT_OK(options.Validate());
  LP_ASSIGN_OR_RETURN(StoreLocation src, OpenStore(options.src, options.store));
  LP_ASSIGN_OR_RETURN(StoreLocation dst, OpenStore(options.dst, options.store));
  TrafficMeter traffic;
  traffic.Watch(src.store);
  traffic.Watch(dst.store);
  LP_ASSIGN_OR_RETURN(auto items,
                      PlanCopy(*src.store, src.key, *dst.store, dst.key, options.recursive));
  int64_t total = 0;
  for (const auto& item : items) total += item.size;
  context.SetTotal(total);
  CopyReport report = CopyItems(src.store, dst.store, items, options, context);
  // The listing's requests belong to the job too.
  report.stores = traffic.Read();
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace lakepack::ops
