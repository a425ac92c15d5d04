#include "ops/remove.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <set>

#include "base/json.h"
#include "base/tasks.h"
#include "ops/failures.h"
#include "store/traffic.h"

namespace lakepack::ops {
namespace {

std::string Describe(const RemoveFailure& f) {
  return "removing " + f.uri + ": " + f.status.message();
}

bool IsLocalDirectory(ObjectStore& store, const std::string& key) {
  std::error_code ec;
  return store.is_local() && std::filesystem::is_directory(store.LocalPath(key), ec);
}

}  // namespace

bool NamesStoreRoot(const std::string& uri) {
  constexpr std::string_view kS3 = "s3://";
  if (uri.compare(0, kS3.size(), kS3) == 0) {
    const size_t slash = uri.find('/', kS3.size());
    return slash == std::string::npos || uri.find_first_not_of('/', slash) == std::string::npos;
  }
  constexpr std::string_view kFile = "file://";
  std::string path = uri.compare(0, kFile.size(), kFile) == 0 ? uri.substr(kFile.size()) : uri;
  if (path.empty()) return false;
  std::error_code ec;
  std::filesystem::path abs = std::filesystem::absolute(path, ec);
  if (ec) return false;
  return abs.lexically_normal() == std::filesystem::path("/");
}

Status RemoveOptions::Validate() const {
  if (uri.empty()) return Status::InvalidArgument("rm: the URI is empty");
  if (jobs < 1) return Status::InvalidArgument("--jobs must be >= 1, not " + std::to_string(jobs));
  if (max_failures == 0 || max_failures < -1) {
    return Status::InvalidArgument("--max-failures must be >= 1 (or -1: no bound)");
  }
  const bool root = NamesStoreRoot(uri);
  if (!recursive && (root || uri.back() == '/')) {
    return Status::InvalidArgument(
        uri + " is a prefix; remove it with --recursive (nothing was removed)");
  }
  if (root && !confirm_root) {
    return Status::InvalidArgument(
        uri +
        " is a whole bucket or store root; removing everything in it needs --yes as well "
        "(nothing was removed)");
  }
  return Status::OK();
}

Status RemoveReport::ToStatus() const {
  return FailuresStatus(
      "rm", cancelled, failures, [](const RemoveFailure& f) { return Describe(f); },
      std::to_string(removed) + " of " + std::to_string(planned) + " objects were removed",
      recursive || planned > 1);
}

std::string RemoveReport::ToJson() const {
  JsonWriter w;
  w.BeginObject();
  w.Key("uri").String(uri);
  w.Key("dry_run").Bool(dry_run);
  w.Key("planned").Int(planned);
  w.Key("removed").Int(removed);
  w.Key("total_bytes").Int(total_bytes);
  w.Key("seconds").Double(seconds);
  w.Key("cancelled").Bool(cancelled);
  if (dry_run) {
    w.Key("objects").BeginArray();
    for (const auto& u : uris) w.String(u);
    w.EndArray();
  }
  w.Key("failures").BeginArray();
  for (const auto& f : failures) {
    w.BeginObject();
    w.Key("uri").String(f.uri);
    w.Key("error").String(f.status.message());
    w.Key("code").String(StatusCodeName(f.status.code()));
    w.EndObject();
  }
  w.EndArray();
  WriteTrafficJson(w, stores);
  w.EndObject();
  return w.str();
}

DeleteOutcome DeleteKeys(ObjectStore& store, const std::vector<std::string>& keys, int jobs,
                         int64_t max_failures, const JobContext& context) {
  DeleteOutcome out;
  const int64_t n = static_cast<int64_t>(keys.size());
  const int64_t batches = (n + kRemoveBatch - 1) / kRemoveBatch;
  std::mutex mu;  // guards out
  int64_t failed = 0;
  TaskPolicy policy;
  policy.parallel = jobs;
  policy.max_failures = -1;  // the bound counts keys, not batches: checked below
  TaskReport tasks = RunTasks(batches, policy, context, [&](int64_t b) -> Status {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (max_failures > 0 && failed >= max_failures) return Status::OK();
    }
    LP_RETURN_NOT_OK(context.CheckCancelled("rm"));
    const int64_t begin = b * kRemoveBatch, end = std::min(n, begin + kRemoveBatch);
    std::vector<std::string> batch(keys.begin() + begin, keys.begin() + end);
    if (store.Delete(batch).ok()) {
      std::lock_guard<std::mutex> lock(mu);
      out.deleted += end - begin;
      context.AddProgress(end - begin);
      return Status::OK();
    }
    // Name each failure: the batch again, one key at a time.
    for (int64_t i = begin; i < end; ++i) {
      Status st = store.Delete(keys[i]);
      std::lock_guard<std::mutex> lock(mu);
      if (st.ok()) {
        ++out.deleted;
        context.AddProgress(1);
      } else {
        ++failed;
        out.failures.emplace_back(i, std::move(st));
      }
    }
    return Status::OK();
  });
  out.cancelled = tasks.cancelled;
  std::sort(out.failures.begin(), out.failures.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

void PruneEmptyDirectories(ObjectStore& store, const std::string& prefix,
                           const std::vector<std::string>& keys) {
  if (!store.is_local()) return;
  namespace fs = std::filesystem;
  std::string top = prefix;
  while (!top.empty() && top.back() == '/') top.pop_back();
  if (top.empty()) return;  // never the store root itself
  const fs::path top_path = fs::path(store.LocalPath(top)).lexically_normal();
  // Deepest first: a longer path sorts after its parent, so walk the set backwards.
  std::set<std::string> dirs;
  for (const auto& key : keys) {
    fs::path p = fs::path(store.LocalPath(key)).lexically_normal().parent_path();
    while (true) {
      auto rel = p.lexically_relative(top_path);
      if (rel.empty() || *rel.begin() == "..") break;  // above the prefix
      dirs.insert(p.string());
      if (p == top_path) break;
      p = p.parent_path();
    }
  }
  for (auto it = dirs.rbegin(); it != dirs.rend(); ++it) {
    std::error_code ec;
    if (fs::is_directory(*it, ec) && fs::is_empty(*it, ec)) fs::remove(*it, ec);
  }
}

Result<RemoveReport> Remove(const RemoveOptions& options, const JobContext& context) {
  const auto start = std::chrono::steady_clock::now();
  LP_RETURN_NOT_OK(options.Validate());
  LP_ASSIGN_OR_RETURN(StoreLocation loc, OpenStore(options.uri, options.store));
  ObjectStore& store = *loc.store;
  TrafficMeter traffic;
  traffic.Watch(loc.store);
  RemoveReport report;
  report.uri = store.Uri(loc.key);
  report.recursive = options.recursive;
  report.dry_run = options.dry_run;

  std::vector<std::string> keys;
  std::string prefix = loc.key;
  if (!options.recursive) {
    auto head = store.Head(loc.key);
    if (!head.ok()) {
      if (head.status().IsNotFound()) {
        // A prefix or a directory is not removed without --recursive: say so rather than "missing".
        bool is_prefix = IsLocalDirectory(store, loc.key);
        if (!is_prefix) {
          ListOptions lo;
          lo.max_keys = 1;
          auto page = store.List(loc.key + "/", lo);
          is_prefix = page.ok() && !page->objects.empty();
        }
        if (is_prefix) {
          return Status::InvalidArgument(report.uri +
                                         " is a prefix; remove it with --recursive (nothing was "
                                         "removed)");
        }
      }
      return head.status();
    }
    keys.push_back(loc.key);
    report.total_bytes = head->size;
  } else {
    if (!prefix.empty() && prefix.back() != '/') prefix += '/';
    LP_ASSIGN_OR_RETURN(auto objects, store.ListAll(prefix));
    if (objects.empty()) return Status::NotFound("no objects under " + store.Uri(prefix));
    for (auto& o : objects) {
      keys.push_back(o.key);
      report.total_bytes += o.size;
    }
  }
  report.planned = static_cast<int64_t>(keys.size());
  for (const auto& k : keys) report.uris.push_back(store.Uri(k));
  if (!options.dry_run) {
    context.SetTotal(report.planned);
    DeleteOutcome del = DeleteKeys(store, keys, options.jobs, options.max_failures, context);
    report.removed = del.deleted;
    report.cancelled = del.cancelled;
    for (auto& [i, st] : del.failures) report.failures.push_back({store.Uri(keys[i]), st});
    if (options.recursive) PruneEmptyDirectories(store, prefix, keys);
  }
  report.stores = traffic.Read();
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace lakepack::ops
