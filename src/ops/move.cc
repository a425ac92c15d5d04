#include "ops/move.h"

#include <algorithm>
#include <chrono>
#include <mutex>

#include "base/json.h"
#include "base/tasks.h"
#include "ops/remove.h"
#include "store/traffic.h"

namespace lakepack::ops {
namespace {

std::string WithSlash(std::string prefix) {
  if (!prefix.empty() && prefix.back() != '/') prefix += '/';
  return prefix;
}

std::string Describe(const CopyFailure& f, const char* verb) {
  return std::string(verb) + " " + f.src_uri + " to " + f.dst_uri + ": " + f.status.message();
}

}  // namespace

Status MoveReport::ToStatus() const {
  std::vector<std::string> named;
  for (const auto& f : copy.failures) named.push_back(Describe(f, "copying"));
  for (const auto& f : failures) named.push_back(Describe(f, "moving"));
  const std::string tally =
      std::to_string(moved) + " of " + std::to_string(copy.planned) + " objects were moved";
  if (copy.cancelled) {
    std::string message = "mv cancelled; " + tally;
    for (size_t k = 0; k < named.size(); ++k) message += (k == 0 ? "; failed: " : "; ") + named[k];
    return Status::Cancelled(message);
  }
  if (named.empty()) return Status::OK();
  std::string message = named[0];
  if (named.size() > 1) {
    message += " (and " + std::to_string(named.size() - 1) + " more failed:";
    for (size_t k = 1; k < named.size(); ++k) message += (k > 1 ? "; " : " ") + named[k];
    message += ")";
  }
  const Status& first = copy.failures.empty() ? failures[0].status : copy.failures[0].status;
  if (copy.recursive || copy.planned > 1) message += "; " + tally;
  return Status(first.code(), message);
}

std::string MoveReport::ToJson() const {
  JsonWriter w;
  w.BeginObject();
  w.Key("moved").Int(moved);
  w.Key("objects").Int(copy.copied);
  w.Key("planned").Int(copy.planned);
  w.Key("bytes").Int(copy.bytes);
  w.Key("total_bytes").Int(copy.total_bytes);
  w.Key("seconds").Double(copy.seconds);
  w.Key("cancelled").Bool(copy.cancelled);
  w.Key("failures").BeginArray();
  auto put = [&](const CopyFailure& f, const char* stage) {
    w.BeginObject();
    w.Key("stage").String(stage);
    w.Key("src").String(f.src_uri);
    w.Key("dst").String(f.dst_uri);
    w.Key("error").String(f.status.message());
    w.Key("code").String(StatusCodeName(f.status.code()));
    w.EndObject();
  };
  for (const auto& f : copy.failures) put(f, "copy");
  for (const auto& f : failures) put(f, "delete");
  w.EndArray();
  WriteTrafficJson(w, copy.stores);
  w.EndObject();
  return w.str();
}

Result<MoveReport> Move(const CopyOptions& options, const JobContext& context) {
  const auto start = std::chrono::steady_clock::now();
  LP_RETURN_NOT_OK(options.Validate());
  LP_ASSIGN_OR_RETURN(StoreLocation src, OpenStore(options.src, options.store));
  LP_ASSIGN_OR_RETURN(StoreLocation dst, OpenStore(options.dst, options.store));
  const bool same_store = src.store->root_uri() == dst.store->root_uri();
  if (same_store && options.recursive) {
    const std::string a = WithSlash(src.key), b = WithSlash(dst.key);
    if (b.compare(0, a.size(), a) == 0 || a.compare(0, b.size(), b) == 0) {
      return Status::InvalidArgument("mv: " + src.store->Uri(a) + " and " + dst.store->Uri(b) +
                                     " overlap; nothing was moved");
    }
  }
  TrafficMeter traffic;
  traffic.Watch(src.store);
  traffic.Watch(dst.store);
  LP_ASSIGN_OR_RETURN(auto items,
                      PlanCopy(*src.store, src.key, *dst.store, dst.key, options.recursive));
  if (same_store) {
    for (const auto& item : items) {
      if (item.src_key == item.dst_key) {
        return Status::InvalidArgument("mv: " + src.store->Uri(item.src_key) +
                                       " would be moved onto itself; nothing was moved");
      }
    }
  }
  int64_t total = 0;
  for (const auto& item : items) total += item.size;
  context.SetTotal(total);
  std::vector<int64_t> copied;
  MoveReport report;
  report.copy = CopyItems(src.store, dst.store, items, options, context,
                          [&](int64_t i) { copied.push_back(i); });
  std::sort(copied.begin(), copied.end());

  // Verify each copy (its target holds the source's size), then delete its source.  Runs even
  // after a cancel: the copies that finished are whole, and their sources may go.
  std::vector<std::string> sources;
  std::vector<int64_t> source_item;
  std::mutex mu;
  TaskPolicy policy;
  policy.parallel = options.jobs;
  policy.max_failures = -1;
  TaskReport verified =
      RunTasks(static_cast<int64_t>(copied.size()), policy, JobContext{}, [&](int64_t k) -> Status {
        const CopyItem& item = items[copied[k]];
        LP_ASSIGN_OR_RETURN(ObjectInfo info, dst.store->Head(item.dst_key));
        if (info.size != item.size) {
          return Status::IOError("the copy holds " + std::to_string(info.size) +
                                 " bytes, the source " + std::to_string(item.size) +
                                 "; the source was kept");
        }
        std::lock_guard<std::mutex> lock(mu);
        source_item.push_back(copied[k]);
        return Status::OK();
      });
  for (auto& [k, st] : verified.failures) {
    const CopyItem& item = items[copied[k]];
    report.failures.push_back(
        {src.store->Uri(item.src_key), dst.store->Uri(item.dst_key), std::move(st)});
  }
  std::sort(source_item.begin(), source_item.end());
  for (int64_t i : source_item) sources.push_back(items[i].src_key);
  DeleteOutcome del = DeleteKeys(*src.store, sources, options.jobs, -1, JobContext{});
  report.moved = del.deleted;
  for (auto& [k, st] : del.failures) {
    const CopyItem& item = items[source_item[k]];
    report.failures.push_back({src.store->Uri(item.src_key), dst.store->Uri(item.dst_key),
                               Status(st.code(),
                                      "the copy is complete but the source could not "
                                      "be deleted: " +
                                          st.message())});
  }
  if (options.recursive) PruneEmptyDirectories(*src.store, WithSlash(src.key), sources);
  report.copy.stores = traffic.Read();
  report.copy.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace lakepack::ops
