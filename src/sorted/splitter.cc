// splitter.cc: Table::Split (lakepack/sorted.h) — the executor of split_planner's jobs: one
// split_partition record per leaf, built from the state at commit time.
#include <mutex>

#include "base/json.h"
#include "lakepack/sorted.h"
#include "sorted/key_codec.h"
#include "sorted/split_planner.h"
#include "sorted/table_impl.h"

namespace lakepack::sorted {
namespace {

// The row key fields of an encoded key, readable: "v" or "v1,v2".
std::string KeyText(const TableSchema& schema, const std::string& enc) {
  std::string out;
  size_t pos = 0;
  for (int i = 0; i < schema.num_row_keys(); ++i) {
    auto v = DecodeValue(schema.key_type(i), enc, &pos);
    if (!v.ok()) return ToHex(enc);
    if (i > 0) out += ",";
    if (const int64_t* n = std::get_if<int64_t>(&*v)) {
      out += std::to_string(*n);
    } else {
      out += std::get<std::string>(*v);
    }
  }
  return out;
}

}  // namespace

std::string SplitReport::ToJson() const {
  JsonWriter w;
  w.BeginObject().Key("dry_run").Bool(dry_run).Key("threshold").Int(threshold);
  w.Key("planned").Int(planned).Key("committed").Int(committed).Key("lost").Int(lost);
  w.Key("jobs").BeginArray();
  for (const auto& j : jobs) {
    w.BeginObject().Key("partition").String(j.partition).Key("split").String(j.split_text);
    w.Key("outcome").String(j.outcome).Key("rows").Int(j.rows).Key("rows_left").Int(j.rows_left);
    w.Key("files").Int(j.files).Key("generation").Int(j.generation).EndObject();
  }
  w.EndArray().Key("skipped").BeginArray();
  for (const auto& s : skipped) w.String(s);
  w.EndArray().EndObject();
  return w.str();
}

Result<SplitReport> Table::Split(const SplitOptions& options) {
  if (options.threshold < 0) {
    return Status::InvalidArgument("split: the threshold must be at least 1 row (0: the table's)");
  }
  SplitReport report;
  report.dry_run = options.dry_run;
  std::lock_guard<std::mutex> lock(impl_->mu);
  LP_RETURN_NOT_OK(impl_->folded->Refresh());
  const TableState& state = impl_->folded->state();
  SplitterOptions so;
  so.threshold = options.threshold > 0         ? options.threshold
                 : state.split_threshold() > 0 ? state.split_threshold()
                                               : kDefaultSplitThreshold;
  LP_RETURN_NOT_OK(so.Validate());
  report.threshold = so.threshold;
  const SplitPlan plan = PlanSplits(state, so);
  for (const auto& [id, why] : plan.skipped) report.skipped.push_back(id + ": " + why);
  report.planned = static_cast<int64_t>(plan.jobs.size());
  for (const SplitJob& job : plan.jobs) {
    SplitJobReport r;
    r.partition = job.partition;
    r.split_text = KeyText(impl_->schema(), job.split);
    r.rows = job.rows;
    r.rows_left = job.rows_left;
    r.files = job.files;
    r.outcome = "planned";
    if (!options.dry_run) {
      bool lost = false;
      auto g = impl_->folded->Commit([&](const TableState& s, int64_t) -> Result<std::string> {
        const Partition* p = s.partitions().Find(job.partition);
        if (!p || !p->leaf) {
          lost = true;
          return Status::AlreadyExists("split: " + job.partition + " was split already");
        }
        return SplitRecord(job.partition, job.split);
      });
      if (lost) {
        r.outcome = "lost";
        ++report.lost;
      } else {
        if (!g.ok()) return g.status();
        r.outcome = "committed";
        r.generation = *g;
        ++report.committed;
      }
    }
    report.jobs.push_back(std::move(r));
  }
  return report;
}

}  // namespace lakepack::sorted
