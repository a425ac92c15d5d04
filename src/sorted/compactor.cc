// compactor.cc: Table::Compact and Table::CollectGarbage (lakepack/sorted.h) — the executor
// of compaction_picker's jobs (claim, merge, one replace record) and the garbage collector.
#include <algorithm>
#include <chrono>
#include <map>
#include <set>

#include "base/json.h"
#include "base/tasks.h"
#include "lakepack/sorted.h"
#include "sorted/compaction_picker.h"
#include "sorted/file_io.h"
#include "sorted/merge.h"
#include "sorted/rows.h"
#include "sorted/table_impl.h"
#include "txlog/claims.h"

namespace lakepack::sorted {
namespace {

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

Result<std::unique_ptr<txlog::Claims>> OpenClaims(Table::Impl* t) {
  txlog::ClaimsOptions co;
  co.prefix = t->prefix + "compaction/";
  return txlog::Claims::Open(t->store, co);
}

std::string DoneRecord(const CompactionJobReport& r) {
  JsonWriter w;
  w.BeginObject().Key("outcome").String(r.outcome).Key("generation").Int(r.generation);
  w.Key("rows").Int(r.rows).Key("outputs").BeginArray();
  for (const auto& o : r.outputs) w.String(o);
  w.EndArray().EndObject();
  return w.str();
}

// The outputs of one job: one file per leaf the rows reach, opened as the rows arrive (they
// arrive in key order, so the leaves are visited in order and one writer is open at a time).
class LeafRouter {
 public:
  LeafRouter(Table::Impl* t, std::vector<const Partition*> leaves)
      : t_(t), leaves_(std::move(leaves)), options_(t->options) {
    // One page per column chunk: a lookup reads whole row groups (file_io.h) and ZSTD pays a
    // context per page, so smaller pages cost the merge time and save a query nothing.
    options_.page_rows = std::max(options_.page_rows, options_.row_group_rows);
  }

  Status Write(const std::shared_ptr<arrow::RecordBatch>& batch) {
    const int nr = t_->schema().num_row_keys();
    const int64_t n = batch->num_rows();
    int64_t begin = 0;
    while (begin < n) {
      if (leaf_ >= leaves_.size()) {
        return Status::Internal("sorted: compaction: a row beyond the job's partition");
      }
      const Partition* p = leaves_[leaf_];
      int64_t end = n;
      if (leaves_.size() > 1 && p->has_max) end = LowerBound(*batch, nr, begin, n, p->max);
      if (end == begin) {  // the next row belongs to a later leaf
        LP_RETURN_NOT_OK(FinishCurrent());
        ++leaf_;
        continue;
      }
      if (!writer_) {
        key_ = t_->NewFileKey(p->id);
        keys_.push_back(key_);
        LP_ASSIGN_OR_RETURN(writer_,
                            SortedFileWriter::Open(t_->store, key_, t_->schema(), options_));
      }
      LP_RETURN_NOT_OK(
          writer_->Write(begin == 0 && end == n ? batch : batch->Slice(begin, end - begin)));
      begin = end;
    }
    return Status::OK();
  }

  Status FinishCurrent() {
    if (!writer_) return Status::OK();
    LP_ASSIGN_OR_RETURN(WrittenFile w, writer_->Finish());
    writer_.reset();
    FileRef f;
    f.path = key_.substr(t_->prefix.size());
    f.partition = leaves_[leaf_]->id;
    f.rows = w.rows;
    f.bytes = w.bytes;
    f.min = std::move(w.min);
    f.max = std::move(w.max);
    files_.push_back(std::move(f));
    return Status::OK();
  }

  // Deletes every output written (they were never referenced).
  void Discard() {
    writer_.reset();  // an unfinished object never appears
    if (!keys_.empty()) (void)t_->store->Delete(keys_);
    keys_.clear();
    files_.clear();
  }

  std::vector<FileRef>& files() { return files_; }

 private:
  Table::Impl* t_;
  std::vector<const Partition*> leaves_;
  TableOptions options_;
  size_t leaf_ = 0;
  std::unique_ptr<SortedFileWriter> writer_;
  std::string key_;
  std::vector<std::string> keys_;
  std::vector<FileRef> files_;
};

// Claims, merges and commits one job.
Result<CompactionJobReport> RunJob(Table::Impl* t, txlog::Claims& claims, const CompactionJob& job,
                                   const PartitionTree& tree,
                                   const std::map<std::string, FileRef>& files,
                                   const CompactOptions& o, int64_t* rows_so_far) {
  const auto start = std::chrono::steady_clock::now();
  CompactionJobReport r;
  r.id = job.id;
  r.partition = job.partition;
  r.inputs = job.inputs;
  r.bytes_in = job.bytes;
  LP_ASSIGN_OR_RETURN(auto claim, claims.TryClaim(job.id, o.lease_ms));
  if (!claim) {
    r.outcome = "claimed";
    return r;
  }
  LP_ASSIGN_OR_RETURN(auto keeper, claims.KeepAlive(*claim, "compaction job " + job.id + " of " +
                                                                t->store->Uri(t->prefix)));
  LP_RETURN_NOT_OK(t->EnsureIntent());
  std::vector<MergeInput> inputs;
  for (const std::string& p : job.inputs) {
    inputs.push_back({t->store, t->prefix + p, files.at(p).bytes});
  }
  LeafRouter router(t, LeavesUnder(tree, job.partition));
  MergeOptions mo;
  mo.cancelled = o.cancelled;
  // The outputs are encoded and written on the shared executor while the merge goes on: one
  // batch in flight, so memory stays bounded and the files receive the batches in order.
  std::shared_ptr<arrow::RecordBatch> pending;
  Status write_status;
  bool in_flight = false;
  AsyncTask writing;  // after what its task uses: destroyed (waited for) first
  auto wait_write = [&]() -> Status {
    if (in_flight) {
      writing.Wait();
      in_flight = false;
      pending.reset();
    }
    return write_status;
  };
  auto merged = MergeSortedFiles(
      inputs, t->schema(), mo, [&](const std::shared_ptr<arrow::RecordBatch>& b) -> Status {
        LP_RETURN_NOT_OK(wait_write());
        pending = b;
        in_flight = true;
        writing = AsyncTask::Start([&] { write_status = router.Write(pending); });
        *rows_so_far += b->num_rows();
        if (o.on_progress) o.on_progress(*rows_so_far);
        return keeper->status();
      });
  Status st = wait_write();
  if (!merged.ok()) st = merged.status();
  if (st.ok()) st = router.FinishCurrent();
  if (st.ok() && *merged != job.rows) {
    st =
        Status::Internal("sorted: compaction job " + job.id + " merged " + std::to_string(*merged) +
                         " rows, its inputs hold " + std::to_string(job.rows));
  }
  if (st.ok()) st = keeper->status();  // the claim is still ours
  if (!st.ok()) {
    router.Discard();
    keeper->Stop();
    return st;
  }
  r.rows = *merged;
  for (const FileRef& f : router.files()) {
    r.outputs.push_back(f.path);
    r.bytes_out += f.bytes;
  }
  // The outputs are still there: GC deletes an uncommitted object only once it is older than
  // the grace period, and a job that wrote an output that long ago must not commit it blind.
  for (const FileRef& f : router.files()) {
    auto head = t->store->Head(t->prefix + f.path);
    if (!head.ok()) {
      router.Discard();
      keeper->Stop();
      return Status::Unavailable(
          "sorted: compaction job " + job.id + ": its output " + t->store->Uri(t->prefix + f.path) +
          " is gone before the commit (deleted by GC after the grace period?): " +
          head.status().message());
    }
  }
  // The outputs stand where their newest input stood in commit order, so rows with equal keys
  // keep their order against files committed after the inputs (exactly so when the inputs are
  // consecutive in commit order, as a major compaction's are).
  int64_t generation = -1;
  for (const std::string& p : job.inputs) generation = std::max(generation, files.at(p).generation);
  for (FileRef& f : router.files()) f.generation = generation;
  // One record replaces every input by the outputs, if every input is still referenced.
  bool lost = false;
  const std::string record =
      ReplaceFilesRecord(job.id, job.partition, job.inputs, router.files(), NowMs());
  Result<int64_t> g = Status::Internal("unset");
  {
    std::lock_guard<std::mutex> lock(t->mu);
    g = t->folded->Commit([&](const TableState& s, int64_t) -> Result<std::string> {
      for (const std::string& p : job.inputs) {
        if (!s.files().count(p)) {
          lost = true;
          return Status::AlreadyExists("sorted: compaction job " + job.id + ": input " + p +
                                       " was replaced by another commit");
        }
      }
      return record;
    });
  }
  if (!g.ok() && !lost) {
    // Unclear: the outputs may be referenced (a lost answer the log could not settle), so they
    // are left for GC, which deletes them only if no record names them.
    keeper->Stop();
    return g.status();
  }
  if (lost) {
    router.Discard();
    r.outcome = "lost";
    r.outputs.clear();
    r.bytes_out = 0;
  } else {
    r.outcome = "committed";
    r.generation = *g;
  }
  Status done = claims.MarkDone(job.id, DoneRecord(r));
  keeper->Stop();
  if (!done.ok() && !done.IsAlreadyExists()) return done;
  r.seconds = Seconds(start);
  return r;
}

}  // namespace

std::string CompactReport::ToJson() const {
  const CompactReport& r = *this;
  JsonWriter w;
  w.BeginObject().Key("dry_run").Bool(r.dry_run).Key("planned").Int(r.planned);
  w.Key("committed").Int(r.committed).Key("lost").Int(r.lost).Key("claimed").Int(r.claimed);
  w.Key("rows").Int(r.rows).Key("files_in").Int(r.files_in).Key("files_out").Int(r.files_out);
  w.Key("bytes_in").Int(r.bytes_in).Key("bytes_out").Int(r.bytes_out);
  w.Key("seconds").Double(r.seconds);
  w.Key("rows_per_second").Double(r.seconds > 0 && !r.dry_run ? r.rows / r.seconds : 0);
  w.Key("jobs").BeginArray();
  for (const auto& j : r.jobs) {
    w.BeginObject().Key("id").String(j.id).Key("partition").String(j.partition);
    w.Key("outcome").String(j.outcome).Key("rows").Int(j.rows);
    w.Key("bytes_in").Int(j.bytes_in).Key("bytes_out").Int(j.bytes_out);
    w.Key("generation").Int(j.generation).Key("seconds").Double(j.seconds);
    w.Key("inputs").BeginArray();
    for (const auto& p : j.inputs) w.String(p);
    w.EndArray().Key("outputs").BeginArray();
    for (const auto& p : j.outputs) w.String(p);
    w.EndArray().EndObject();
  }
  w.EndArray().EndObject();
  return w.str();
}

std::string GcReport::ToJson() const {
  const GcReport& r = *this;
  JsonWriter w;
  w.BeginObject().Key("dry_run").Bool(r.dry_run).Key("deleted").BeginArray();
  for (const auto& u : r.deleted) w.String(u);
  w.EndArray().Key("bytes").Int(r.bytes).Key("kept_young").Int(r.kept_young);
  w.Key("claims_deleted").Int(r.claims_deleted).Key("generation").Int(r.generation);
  w.EndObject();
  return w.str();
}

Result<CompactReport> Table::Compact(const CompactOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  PickerOptions po;
  po.major = options.major;
  po.ratio = options.ratio;
  po.max_files = options.max_files;
  LP_RETURN_NOT_OK(po.Validate());
  if (options.lease_ms <= 0) {
    return Status::InvalidArgument("compaction: the lease must be positive");
  }
  PartitionTree tree;
  std::map<std::string, FileRef> files;
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    LP_RETURN_NOT_OK(impl_->folded->Refresh());
    tree = impl_->folded->state().partitions();
    files = impl_->folded->state().files();
  }
  std::vector<CompactionJob> jobs = PickCompactions(tree, files, po);
  if (options.max_jobs > 0 && static_cast<int64_t>(jobs.size()) > options.max_jobs) {
    jobs.resize(static_cast<size_t>(options.max_jobs));
  }
  CompactReport report;
  report.dry_run = options.dry_run;
  report.planned = static_cast<int64_t>(jobs.size());
  std::unique_ptr<txlog::Claims> claims;
  if (!options.dry_run) {
    LP_ASSIGN_OR_RETURN(claims, OpenClaims(impl_.get()));
  }
  int64_t rows_so_far = 0;
  for (const CompactionJob& job : jobs) {
    CompactionJobReport r;
    if (options.dry_run) {
      r.id = job.id;
      r.partition = job.partition;
      r.outcome = "planned";
      r.inputs = job.inputs;
      r.rows = job.rows;
      r.bytes_in = job.bytes;
    } else {
      if (options.cancelled && options.cancelled()) {
        return Status::Cancelled("sorted: compaction cancelled");
      }
      LP_ASSIGN_OR_RETURN(r, RunJob(impl_.get(), *claims, job, tree, files, options, &rows_so_far));
    }
    if (r.outcome == "committed") {
      ++report.committed;
      report.rows += r.rows;
      report.files_in += static_cast<int64_t>(r.inputs.size());
      report.files_out += static_cast<int64_t>(r.outputs.size());
      report.bytes_in += r.bytes_in;
      report.bytes_out += r.bytes_out;
    } else if (r.outcome == "lost") {
      ++report.lost;
    } else if (r.outcome == "claimed") {
      ++report.claimed;
    } else {
      report.rows += r.rows;
      report.files_in += static_cast<int64_t>(r.inputs.size());
      report.bytes_in += r.bytes_in;
    }
    report.jobs.push_back(std::move(r));
  }
  report.seconds = Seconds(start);
  return report;
}

Result<GcReport> Table::CollectGarbage(const GcOptions& options) {
  if (options.grace_ms < 0) return Status::InvalidArgument("gc: the grace period must be >= 0");
  Table::Impl* t = impl_.get();
  GcReport report;
  report.dry_run = options.dry_run;
  const int64_t now = NowMs();
  auto old_enough = [&](int64_t since_ms) { return now - since_ms >= options.grace_ms; };
  // List first, then read the state: an object committed in between is seen as referenced.
  LP_ASSIGN_OR_RETURN(auto objects, t->store->ListAll(t->prefix + "data/"));
  LP_ASSIGN_OR_RETURN(auto claim_objects, t->store->ListAll(t->prefix + "compaction/"));
  std::set<std::string> referenced;
  std::map<std::string, int64_t> unreferenced;
  {
    std::lock_guard<std::mutex> lock(t->mu);
    LP_RETURN_NOT_OK(t->folded->Refresh());
    for (const auto& [path, f] : t->folded->state().files()) referenced.insert(path);
    unreferenced = t->folded->state().unreferenced();
  }
  // A session (data/<session>/) that wrote an object within the grace period may still commit
  // its older ones (a batch writer spills files for as long as its ingest runs): an object that
  // no record ever named counts from its session's newest object.
  auto session_of = [&](const std::string& key) {
    size_t start = t->prefix.size() + 5;  // after "data/"
    return key.substr(0, key.find('/', start));
  };
  std::map<std::string, int64_t> session_newest;
  for (const ObjectInfo& obj : objects) {
    auto& newest = session_newest[session_of(obj.key)];
    newest = std::max(newest, obj.mtime_ns / 1'000'000);
  }
  std::vector<std::string> keys, logged;
  for (const ObjectInfo& obj : objects) {
    const std::string path = obj.key.substr(t->prefix.size());
    if (referenced.count(path)) continue;
    int64_t since = obj.mtime_ns / 1'000'000;
    auto it = unreferenced.find(path);
    if (it != unreferenced.end()) {
      since = std::max(since, it->second);  // replaced: from the replace
    } else {
      since = std::max(since, session_newest[session_of(obj.key)]);
    }
    if (!old_enough(since)) {
      ++report.kept_young;
      continue;
    }
    keys.push_back(obj.key);
    if (it != unreferenced.end()) logged.push_back(path);
    report.deleted.push_back(t->store->Uri(obj.key));
    report.bytes += obj.size;
  }
  // Claims of jobs whose newest object (claim, lease renewal, done marker) is past the grace
  // period: a live job renews its lease every lease / 3.
  std::map<std::string, std::pair<int64_t, std::vector<std::string>>> units;
  const std::string claims_prefix = t->prefix + "compaction/";
  for (const ObjectInfo& obj : claim_objects) {
    std::string rest = obj.key.substr(claims_prefix.size());
    std::string unit = rest.substr(0, rest.find('/'));
    auto& u = units[unit];
    u.first = std::max(u.first, obj.mtime_ns / 1'000'000);
    u.second.push_back(obj.key);
  }
  std::vector<std::string> claim_keys;
  for (auto& [unit, u] : units) {
    if (!old_enough(u.first)) continue;
    ++report.claims_deleted;
    for (auto& k : u.second) claim_keys.push_back(std::move(k));
  }
  if (options.dry_run) return report;
  for (size_t i = 0; i < keys.size(); i += 1000) {
    std::vector<std::string> chunk(keys.begin() + i,
                                   keys.begin() + std::min(keys.size(), i + 1000));
    LP_RETURN_NOT_OK(t->store->Delete(chunk));
  }
  for (size_t i = 0; i < claim_keys.size(); i += 1000) {
    std::vector<std::string> chunk(claim_keys.begin() + i,
                                   claim_keys.begin() + std::min(claim_keys.size(), i + 1000));
    LP_RETURN_NOT_OK(t->store->Delete(chunk));
  }
  if (!logged.empty()) {
    // The state forgets the replaced files it deleted (a crash before this record only makes the
    // next GC find them absent).
    std::lock_guard<std::mutex> lock(t->mu);
    LP_ASSIGN_OR_RETURN(report.generation,
                        t->folded->Commit([&](const TableState& s, int64_t) -> Result<std::string> {
                          std::vector<std::string> still;
                          for (const auto& p : logged) {
                            if (s.unreferenced().count(p) && !s.files().count(p)) {
                              still.push_back(p);
                            }
                          }
                          return DeleteFilesRecord(still);
                        }));
  }
  return report;
}

}  // namespace lakepack::sorted
