#include "ops/sync.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>

#include "base/json.h"
#include "base/tasks.h"
#include "ops/failures.h"
#include "ops/remove.h"
#include "store/s3/crypto.h"
#include "store/traffic.h"

namespace lakepack::ops {
namespace {

std::string WithSlash(std::string prefix) {
  if (!prefix.empty() && prefix.back() != '/') prefix += '/';
  return prefix;
}

bool IsMd5Hex(const std::string& s) {
  return s.size() == 32 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

std::string Describe(const SyncFailure& f) { return f.what + ": " + f.status.message(); }

}  // namespace

std::string ListedMd5(const std::string& store_root, const ObjectInfo& info) {
  if (store_root.compare(0, 5, "s3://") != 0) return "";
  std::string tag = info.etag;
  std::transform(tag.begin(), tag.end(), tag.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return IsMd5Hex(tag) ? tag : "";
}

SyncPlan PlanSync(const std::vector<SyncEntry>& src, const std::vector<SyncEntry>& dst,
                  const SyncPlanOptions& options) {
  std::map<std::string, const SyncEntry*> there;
  for (const auto& d : dst) there[d.rel] = &d;
  std::vector<const SyncEntry*> sorted;
  for (const auto& s : src) sorted.push_back(&s);
  std::sort(sorted.begin(), sorted.end(),
            [](const SyncEntry* a, const SyncEntry* b) { return a->rel < b->rel; });
  SyncPlan plan;
  for (const SyncEntry* s : sorted) {
    auto it = there.find(s->rel);
    if (it == there.end()) {
      plan.steps.push_back({SyncAction::kCopy, s->rel, s->size, "missing"});
      continue;
    }
    const SyncEntry& d = *it->second;
    there.erase(it);
    if (s->size != d.size) {
      plan.steps.push_back({SyncAction::kCopy, s->rel, s->size, "size"});
    } else if (options.size_only) {
      ++plan.unchanged;
    } else if (!s->md5.empty() && !d.md5.empty()) {
      if (s->md5 == d.md5) {
        ++plan.unchanged;
      } else {
        plan.steps.push_back({SyncAction::kCopy, s->rel, s->size, "checksum"});
      }
    } else if (options.etags_comparable && !s->etag.empty() && s->etag == d.etag) {
      ++plan.unchanged;
    } else {
      plan.steps.push_back({SyncAction::kCheck, s->rel, s->size, "checksum"});
    }
  }
  if (options.delete_extra) {
    for (const auto& [rel, d] : there) {  // what is left: only at the destination, in key order
      plan.steps.push_back({SyncAction::kDelete, rel, d->size, "not at source"});
    }
  }
  return plan;
}

Result<std::string> HashObject(ObjectStore& store, const std::string& key,
                               const JobContext& context, int64_t chunk) {
  s3::Md5Stream md5;
  std::string buf(static_cast<size_t>(chunk), '\0');
  for (int64_t offset = 0;; offset += chunk) {
    LP_RETURN_NOT_OK(context.CheckCancelled("hashing " + store.Uri(key)));
    LP_ASSIGN_OR_RETURN(int64_t n, store.ReadRange(key, offset, chunk, buf.data()));
    md5.Update(std::string_view(buf.data(), static_cast<size_t>(n)));
    if (n < chunk) break;
  }
  return md5.FinishHex();
}

Status SyncOptions::Validate() const {
  if (src.empty()) return Status::InvalidArgument("sync: the source is empty");
  if (dst.empty()) return Status::InvalidArgument("sync: the target is empty");
  CopyOptions c;
  c.src = src;
  c.dst = dst;
  c.jobs = jobs;
  c.parallel = parallel;
  c.part_size = part_size;
  c.max_failures = max_failures;
  return c.Validate();
}

Status SyncReport::ToStatus() const {
  return FailuresStatus(
      "sync", cancelled, failures, [](const SyncFailure& f) { return Describe(f); },
      std::to_string(copied + deleted) + " of " + std::to_string(to_copy + to_delete) +
          " objects were synced",
      true);
}

std::string SyncReport::ToJson() const {
  JsonWriter w;
  w.BeginObject();
  w.Key("dry_run").Bool(dry_run);
  w.Key("src_objects").Int(src_objects);
  w.Key("dst_objects").Int(dst_objects);
  w.Key("unchanged").Int(unchanged);
  w.Key("hashed").Int(hashed);
  w.Key("to_copy").Int(to_copy);
  w.Key("copied").Int(copied);
  w.Key("to_delete").Int(to_delete);
  w.Key("deleted").Int(deleted);
  w.Key("bytes").Int(bytes);
  w.Key("total_bytes").Int(total_bytes);
  w.Key("seconds").Double(seconds);
  w.Key("cancelled").Bool(cancelled);
  w.Key("actions").BeginArray();
  for (const auto& a : actions) {
    w.BeginObject();
    w.Key("action").String(a.action);
    if (!a.src.empty()) w.Key("src").String(a.src);
    w.Key("dst").String(a.dst);
    w.Key("reason").String(a.reason);
    w.Key("size").Int(a.size);
    w.EndObject();
  }
  w.EndArray();
  w.Key("failures").BeginArray();
  for (const auto& f : failures) {
    w.BeginObject();
    w.Key("what").String(f.what);
    w.Key("error").String(f.status.message());
    w.Key("code").String(StatusCodeName(f.status.code()));
    w.EndObject();
  }
  w.EndArray();
  WriteTrafficJson(w, stores);
  w.EndObject();
  return w.str();
}

Result<SyncReport> Sync(const SyncOptions& options, const JobContext& context) {
  const auto start = std::chrono::steady_clock::now();
  LP_RETURN_NOT_OK(options.Validate());
  LP_ASSIGN_OR_RETURN(StoreLocation src, OpenStore(options.src, options.store));
  LP_ASSIGN_OR_RETURN(StoreLocation dst, OpenStore(options.dst, options.store));
  const std::string src_prefix = WithSlash(src.key), dst_prefix = WithSlash(dst.key);
  const bool same_store = src.store->root_uri() == dst.store->root_uri();
  if (same_store && (src_prefix.compare(0, dst_prefix.size(), dst_prefix) == 0 ||
                     dst_prefix.compare(0, src_prefix.size(), src_prefix) == 0)) {
    return Status::InvalidArgument(
        "sync: " + src.store->Uri(src_prefix) + " and " + dst.store->Uri(dst_prefix) +
        " overlap; sync between prefixes that do not contain each other");
  }
  TrafficMeter traffic;
  traffic.Watch(src.store);
  traffic.Watch(dst.store);

  LP_ASSIGN_OR_RETURN(auto src_objects, src.store->ListAll(src_prefix));
  if (src_objects.empty()) {
    return Status::NotFound("no objects under " + src.store->Uri(src_prefix) +
                            " (nothing to sync; nothing was changed)");
  }
  LP_ASSIGN_OR_RETURN(auto dst_objects, dst.store->ListAll(dst_prefix));
  auto entries = [](const std::vector<ObjectInfo>& objects, const std::string& prefix,
                    const std::string& root) {
    std::vector<SyncEntry> out;
    out.reserve(objects.size());
    for (const auto& o : objects) {
      out.push_back({o.key.substr(prefix.size()), o.size, ListedMd5(root, o), o.etag});
    }
    return out;
  };
  SyncPlanOptions po;
  po.delete_extra = options.delete_extra;
  po.size_only = options.size_only;
  po.etags_comparable = src.store->root_uri().compare(0, 5, "s3://") == 0 &&
                        dst.store->root_uri().compare(0, 5, "s3://") == 0;
  SyncPlan plan = PlanSync(entries(src_objects, src_prefix, src.store->root_uri()),
                           entries(dst_objects, dst_prefix, dst.store->root_uri()), po);

  SyncReport report;
  report.dry_run = options.dry_run;
  report.src_objects = static_cast<int64_t>(src_objects.size());
  report.dst_objects = static_cast<int64_t>(dst_objects.size());
  report.unchanged = plan.unchanged;
  auto failures_left = [&]() {
    return options.max_failures < 0 ||
           static_cast<int64_t>(report.failures.size()) < options.max_failures;
  };

  // Contents the listings could not tell: hash both sides, in parallel.
  std::vector<size_t> checks;
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    if (plan.steps[i].action == SyncAction::kCheck) checks.push_back(i);
  }
  std::vector<char> differs(plan.steps.size(), 0);
  if (!checks.empty()) {
    std::mutex mu;
    TaskPolicy policy;
    policy.parallel = options.jobs;
    policy.max_failures = options.max_failures;
    TaskReport tasks =
        RunTasks(static_cast<int64_t>(checks.size()), policy, context, [&](int64_t k) -> Status {
          const SyncStep& step = plan.steps[checks[k]];
          LP_ASSIGN_OR_RETURN(std::string a,
                              HashObject(*src.store, src_prefix + step.rel, context));
          LP_ASSIGN_OR_RETURN(std::string b,
                              HashObject(*dst.store, dst_prefix + step.rel, context));
          std::lock_guard<std::mutex> lock(mu);
          report.hashed += 2;
          differs[checks[k]] = a != b;
          if (a == b) ++report.unchanged;
          return Status::OK();
        });
    for (auto& [k, st] : tasks.failures) {
      const SyncStep& step = plan.steps[checks[k]];
      report.failures.push_back({"comparing " + src.store->Uri(src_prefix + step.rel) + " with " +
                                     dst.store->Uri(dst_prefix + step.rel),
                                 std::move(st)});
    }
    if (tasks.cancelled) report.cancelled = true;
  }

  std::vector<CopyItem> copies;
  std::vector<std::string> deletes;
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    const SyncStep& step = plan.steps[i];
    if (step.action == SyncAction::kCheck && !differs[i]) continue;
    if (step.action == SyncAction::kDelete) {
      deletes.push_back(dst_prefix + step.rel);
      report.actions.push_back(
          {"delete", "", dst.store->Uri(dst_prefix + step.rel), step.reason, step.size});
      continue;
    }
    copies.push_back({src_prefix + step.rel, dst_prefix + step.rel, step.size});
    report.total_bytes += step.size;
    report.actions.push_back({"copy", src.store->Uri(src_prefix + step.rel),
                              dst.store->Uri(dst_prefix + step.rel), step.reason, step.size});
  }
  report.to_copy = static_cast<int64_t>(copies.size());
  report.to_delete = static_cast<int64_t>(deletes.size());

  if (!options.dry_run && !report.cancelled && failures_left()) {
    context.SetTotal(report.total_bytes);
    CopyOptions co;
    co.recursive = true;
    co.jobs = options.jobs;
    co.parallel = options.parallel;
    co.part_size = options.part_size;
    co.max_failures = options.max_failures < 0
                          ? -1
                          : options.max_failures - static_cast<int64_t>(report.failures.size());
    if (!copies.empty()) {
      CopyReport cr = CopyItems(src.store, dst.store, copies, co, context);
      report.copied = cr.copied;
      report.bytes = cr.bytes;
      report.cancelled = cr.cancelled;
      for (auto& f : cr.failures) {
        report.failures.push_back({"copying " + f.src_uri + " to " + f.dst_uri, f.status});
      }
    }
    if (!deletes.empty() && !report.cancelled && failures_left()) {
      const int64_t bound =
          options.max_failures < 0
              ? -1
              : options.max_failures - static_cast<int64_t>(report.failures.size());
      DeleteOutcome del =
          DeleteKeys(*dst.store, deletes, options.jobs, bound, JobContext{context.cancel, nullptr});
      report.deleted = del.deleted;
      report.cancelled = del.cancelled;
      for (auto& [i, st] : del.failures) {
        report.failures.push_back({"removing " + dst.store->Uri(deletes[i]), st});
      }
      PruneEmptyDirectories(*dst.store, dst_prefix, deletes);
    }
  }
  report.stores = traffic.Read();
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace lakepack::ops
