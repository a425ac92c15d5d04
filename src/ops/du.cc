#include "lakepack/du.h"

#include <filesystem>

#include "base/json.h"

namespace lakepack::ops {
namespace {

std::string WithSlash(std::string prefix) {
  if (!prefix.empty() && prefix.back() != '/') prefix += '/';
  return prefix;
}

// Every object under `prefix` (all pages), summed; none is NotFound.
Result<UsageReport> Sum(ObjectStore& store, const std::string& prefix, const JobContext& context) {
  UsageReport report;
  report.uri = store.Uri(prefix);
  ListOptions options;
  while (true) {
    LP_RETURN_NOT_OK(context.CheckCancelled("du"));
    LP_ASSIGN_OR_RETURN(ListPage page, store.List(prefix, options));
    for (const auto& o : page.objects) {
      const std::string rel = o.key.substr(prefix.size());
      const size_t slash = rel.find('/');
      std::string name = slash == std::string::npos ? rel : rel.substr(0, slash + 1);
      // Keys come sorted, so a child's objects are adjacent.
      if (report.children.empty() || report.children.back().name != name) {
        report.children.push_back({std::move(name), 0, 0});
      }
      report.children.back().objects += 1;
      report.children.back().bytes += o.size;
      report.objects += 1;
      report.bytes += o.size;
    }
    context.AddProgress(static_cast<int64_t>(page.objects.size()));
    if (page.next_continuation.empty()) break;
    options.continuation = page.next_continuation;
  }
  if (report.objects == 0) return Status::NotFound("no objects under " + report.uri);
  return report;
}

}  // namespace

std::string UsageReport::ToJson() const {
  JsonWriter w;
  w.BeginObject();
  w.Key("uri").String(uri);
  w.Key("prefix").Bool(prefix);
  w.Key("objects").Int(objects);
  w.Key("bytes").Int(bytes);
  w.Key("children").BeginArray();
  for (const auto& c : children) {
    w.BeginObject();
    w.Key("name").String(c.name);
    w.Key("objects").Int(c.objects);
    w.Key("bytes").Int(c.bytes);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return w.str();
}

Result<UsageReport> DiskUsage(const std::string& uri, const StoreOptions& store_options,
                              const JobContext& context) {
  LP_ASSIGN_OR_RETURN(StoreLocation loc, OpenStore(uri, store_options));
  ObjectStore& store = *loc.store;
  auto sum = Sum(store, WithSlash(loc.key), context);
  if (sum.ok() || !sum.status().IsNotFound() || loc.key.empty() || loc.key.back() == '/') {
    return sum;
  }
  // Nothing below "KEY/": KEY may be one object.
  auto head = store.Head(loc.key);
  if (!head.ok()) {
    if (head.status().IsNotFound())
      return Status::NotFound("no object or prefix " + store.Uri(loc.key));
    return head.status();
  }
  UsageReport report;
  report.uri = store.Uri(loc.key);
  report.prefix = false;
  report.objects = 1;
  report.bytes = head->size;
  return report;
}

std::string StatReport::ToJson() const {
  JsonWriter w;
  w.BeginObject();
  w.Key("uri").String(uri);
  if (prefix) {
    w.Key("type").String("prefix");
    w.Key("objects").Int(usage.objects);
    w.Key("bytes").Int(usage.bytes);
  } else {
    w.Key("type").String("object");
    w.Key("key").String(info.key);
    w.Key("size").Int(info.size);
    w.Key("etag").String(info.etag);
    w.Key("mtime_ns").Int(info.mtime_ns);
  }
  w.EndObject();
  return w.str();
}

Result<StatReport> Stat(const std::string& uri, const StoreOptions& store_options,
                        const JobContext& context) {
  LP_ASSIGN_OR_RETURN(StoreLocation loc, OpenStore(uri, store_options));
  ObjectStore& store = *loc.store;
  StatReport report;
  std::error_code ec;
  const bool local_dir =
      store.is_local() && std::filesystem::is_directory(store.LocalPath(loc.key), ec);
  if (!loc.key.empty() && loc.key.back() != '/' && !local_dir) {
    auto head = store.Head(loc.key);
    if (head.ok()) {
      report.uri = store.Uri(loc.key);
      report.info = *head;
      return report;
    }
    if (!head.status().IsNotFound()) return head.status();
  }
  auto usage = Sum(store, WithSlash(loc.key), context);
  if (!usage.ok()) {
    if (usage.status().IsNotFound()) {
      return Status::NotFound("no object or prefix " + store.Uri(loc.key));
    }
    return usage.status();
  }
  report.prefix = true;
  report.uri = usage->uri;
  report.usage = std::move(*usage);
  return report;
}

}  // namespace lakepack::ops
