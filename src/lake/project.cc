// project.cc: the snapshot-to-lake steps (see lakepack/lake.h).
#include <algorithm>
#include <atomic>
#include <charconv>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "arrow/compute/api.h"
#include "arrow/compute/initialize.h"
#include "arrow/table.h"
#include "arrow/util/byte_size.h"
#include "base/json.h"
#include "base/tasks.h"
#include "format/arrow_io.h"
#include "format/arrow_status.h"
#include "format/format.h"
#include "format/reader.h"
#include "format/writer.h"
#include "lake/claims.h"
#include "lake/export_reader.h"
#include "lake/partition_spec.h"
#include "lakepack/lake.h"
#include "manifest/grouping.h"
#include "manifest/manifest.h"
#include "pack/rolling_writer.h"
#include "parquet/arrow/reader.h"
#include "parquet/file_reader.h"
#include "parquet/metadata.h"

namespace lakepack::lake {
namespace {

// A group's rows held in memory (Arrow bytes, all partitions) before the largest partition's
// are written out as a staging file: bounds step 1.2's memory whatever the partition count.
constexpr int64_t kStagingBudgetBytes = 64LL << 20;
// A partition's pending rows become a staging file at this size even under the budget.
constexpr int64_t kStagingFileArrowBytes = 32LL << 20;
// S3 multipart parts of staging files: small and few in flight, as many files are open at once.
constexpr int64_t kStagingPartBytes = 5LL << 20;
// A partition's remaining rows go into one last file when they are estimated at no more than
// this many targets: a tail under half the target is merged into the previous file.
constexpr double kMergeTailBelow = 1.5;
// One pass: the rows every partition's writer holds before encoding them (its pending row
// group), all partitions together; over it, the largest is written out as a (smaller) row group.
constexpr int64_t kOnePassWriterBudgetBytes = 64LL << 20;
// One pass: split rows queued between the reading thread and the writing one.
constexpr int64_t kOnePassQueueBytes = 32LL << 20;
// One pass: more partitions than this means as many open files: the staged path is taken instead.
constexpr size_t kOnePassMaxPartitions = 256;
// Prefix of the lake files this job writes (and the only ones its clean-up may delete).
constexpr const char* kLakeFilePrefix = "part-";

std::string Dir(std::string key) {
  if (!key.empty() && key.back() != '/') key += '/';
  return key;
}

std::string Join(const std::string& dir, const std::string& rel) {
  if (rel.empty()) return dir;
  return dir + rel + "/";
}

int64_t JInt(const JsonValue* v, int64_t missing = 0) {
  if (!v) return missing;
  return v->AsInt64().value_or(missing);
}
std::string JStr(const JsonValue* v) {
  return v && v->kind == JsonValue::Kind::kString ? v->string : std::string();
}
// A checksum as written (hex digits); 0 when empty or not hex (then it matches no real one).
uint64_t ParseHex(const std::string& s) {
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n, 16);
  return ec == std::errc() && end == s.data() + s.size() ? n : 0;
}

Result<JsonValue> ParseRecord(const std::string& text, const std::string& source) {
  auto j = ParseJson(text);
  if (!j.ok()) return Status::InvalidData(source + ": " + j.status().message());
  if (j->kind != JsonValue::Kind::kObject) return Status::InvalidData(source + ": not an object");
  return std::move(*j);
}

// `batch` with `schema`'s columns (by name) and types (cast when they differ).
Result<std::shared_ptr<arrow::RecordBatch>> Conform(
    const std::shared_ptr<arrow::RecordBatch>& batch, const std::shared_ptr<arrow::Schema>& schema,
    const std::string& source) {
  if (batch->schema()->Equals(*schema, false)) return batch;
  std::vector<std::shared_ptr<arrow::Array>> cols;
  for (const auto& f : schema->fields()) {
    auto col = batch->GetColumnByName(f->name());
    if (!col) {
      return Status::InvalidData(source + ": column '" + f->name() +
                                 "' is missing (the first file of the snapshot has it)");
    }
    if (!col->type()->Equals(*f->type())) {
      auto cast = arrow::compute::Cast(*col, f->type());
      if (!cast.ok()) {
        return Status::InvalidData(source + ": column '" + f->name() + "' is " +
                                   col->type()->ToString() + ", not " + f->type()->ToString());
      }
      col = *cast;
    }
    cols.push_back(col);
  }
  if (static_cast<int>(cols.size()) != batch->num_columns()) {
    for (const auto& f : batch->schema()->fields()) {
      if (schema->GetFieldIndex(f->name()) < 0) {
        return Status::InvalidData(source + ": column '" + f->name() +
                                   "' is not in the first file of the snapshot");
      }
    }
  }
  return arrow::RecordBatch::Make(schema, batch->num_rows(), std::move(cols));
}

// `schema` with view types (polars exports string_view) as their plain kinds, which every
// kernel and Parquet reader handles.
std::shared_ptr<arrow::Schema> Normalize(const std::shared_ptr<arrow::Schema>& schema) {
  std::vector<std::shared_ptr<arrow::Field>> fields;
  bool changed = false;
  for (const auto& f : schema->fields()) {
    if (f->type()->id() == arrow::Type::STRING_VIEW) {
      fields.push_back(f->WithType(arrow::utf8()));
      changed = true;
    } else if (f->type()->id() == arrow::Type::BINARY_VIEW) {
      fields.push_back(f->WithType(arrow::binary()));
      changed = true;
    } else {
      fields.push_back(f);
    }
  }
  return changed ? arrow::schema(fields, schema->metadata()) : schema;
}

class ProjectImpl;

// One pass: a bounded queue of partition slices from the reading thread to the writing one.
class SliceQueue {
 public:
  explicit SliceQueue(int64_t max_bytes) : max_bytes_(max_bytes) {}
  // False once the consumer gave up.
  bool Push(PartitionSlice s) {
    int64_t bytes = arrow::util::TotalBufferSize(*s.batch);
    std::unique_lock<std::mutex> l(mu_);
    changed_.wait(l, [&] { return cancelled_ || items_.empty() || bytes_ + bytes <= max_bytes_; });
    if (cancelled_) return false;
    bytes_ += bytes;
    items_.push_back({std::move(s), bytes});
    changed_.notify_all();
    return true;
  }
  void Finish(Status st) {
    std::lock_guard<std::mutex> l(mu_);
    finished_ = true;
    final_ = std::move(st);
    changed_.notify_all();
  }
  // nullopt at the end of the stream; the producer's error if it failed.
  Result<std::optional<PartitionSlice>> Pop() {
    std::unique_lock<std::mutex> l(mu_);
    changed_.wait(l, [&] { return !items_.empty() || finished_; });
    if (items_.empty()) {
      if (!final_.ok()) return final_;
      return std::optional<PartitionSlice>();
    }
    auto item = std::move(items_.front());
    items_.pop_front();
    bytes_ -= item.second;
    changed_.notify_all();
    return std::optional<PartitionSlice>(std::move(item.first));
  }
  void Cancel() {
    std::lock_guard<std::mutex> l(mu_);
    cancelled_ = true;
    items_.clear();
    bytes_ = 0;
    changed_.notify_all();
  }

 private:
  const int64_t max_bytes_;
  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<std::pair<PartitionSlice, int64_t>> items_;  // guarded by mu_
  int64_t bytes_ = 0;
  bool finished_ = false, cancelled_ = false;
  Status final_;
};

class ProjectImpl final : public Project {
 public:
  explicit ProjectImpl(ProjectOptions o) : Project(std::move(o)) {}

  Status Init() {
    LP_RETURN_NOT_OK(options_.Validate());
    // The temporal, sort and take kernels live in libarrow_compute, registered on demand.
    LP_ARROW_RETURN_NOT_OK(arrow::compute::Initialize(), "arrow compute");
    LP_ASSIGN_OR_RETURN(spec_, PartitionSpec::Parse(options_.partition_keys));
    LP_ASSIGN_OR_RETURN(StoreLocation s, OpenStore(options_.s3uri_staging, options_.store));
    staging_ = s.store;
    sroot_ = Dir(s.key);
    LP_ASSIGN_OR_RETURN(StoreLocation l, OpenStore(options_.s3uri_datalake, options_.store));
    lake_ = l.store->root_uri() == s.store->root_uri() ? staging_ : l.store;
    lroot_ = Dir(l.key);
    LP_ASSIGN_OR_RETURN(claims_,
                        Claims::Open(staging_, sroot_ + "manifests/_lakepack/", options_.lease_ms));
    return Status::OK();
  }

  // ---- keys --------------------------------------------------------------------------------
  std::string ManifestsDir() const { return sroot_ + "manifests/"; }
  std::string StateDir() const { return ManifestsDir() + "_lakepack/"; }
  std::string GroupSummaryKey(const std::string& kind, const std::string& id) const {
    return ManifestsDir() + kind + "/manifest-summary/manifest-summary-" + id + ".json";
  }
  std::string GroupDataKey(const std::string& kind, const std::string& id) const {
    return ManifestsDir() + kind + "/manifest-data/manifest-data-" + id + ".parquet";
  }
  std::string StagingDatalake() const { return sroot_ + "datalake/"; }
  std::string CommitKey() const { return lroot_ + "_lakepack/log-000000000000.json"; }

  std::vector<std::string> KeyColumns(const arrow::Schema& schema) const {
    if (!options_.key_columns.empty()) return options_.key_columns;
    if (!options_.sort_by.empty()) return options_.sort_by;
    if (schema.num_fields() > 0) return {schema.field(0)->name()};
    return {};
  }

  // The schemas a snapshot's first batch fixes, for staging and the one pass alike: the input's
  // (normalized, checked against the partition spec), the written one, and the key columns of
  // the checksum, which must be in it.
  struct WrittenSchemas {
    std::shared_ptr<arrow::Schema> in, out;
    std::vector<std::string> keys;
  };
  Result<WrittenSchemas> SchemasOf(const std::shared_ptr<arrow::Schema>& first,
                                   const std::string& source) const {
    WrittenSchemas w;
    w.in = Normalize(first);
    LP_RETURN_NOT_OK(spec_.Check(*w.in, source));
    w.out = spec_.OutputSchema(*w.in);
    w.keys = KeyColumns(*w.out);
    for (const auto& k : w.keys) {
      if (w.out->GetFieldIndex(k) < 0) {
        return Status::InvalidArgument("key column '" + k + "' is not in the written data (" +
                                       w.out->ToString() + ")");
      }
    }
    return w;
  }

  // ---- step 1.1 ----------------------------------------------------------------------------
  Result<StepReport> PlanSnapshotToStaging() override {
    StepReport r;
    const std::string marker = StateDir() + "plan-snapshot.json";
    auto existing = staging_->Get(marker);
    if (existing.ok()) {
      LP_ASSIGN_OR_RETURN(JsonValue j, ParseRecord(*existing, staging_->Uri(marker)));
      r.groups = JInt(j.Find("groups"));
      r.already_done = r.groups;
      return r;
    }
    if (!existing.status().IsNotFound()) return existing.status();
    LP_ASSIGN_OR_RETURN(manifest::Manifest snap,
                        manifest::ReadManifest(options_.s3uri_db_snapshot_manifest_summary,
                                               staging_, options_.store));
    std::vector<int64_t> sizes;
    sizes.reserve(snap.files.size());
    for (const auto& f : snap.files) sizes.push_back(f.size);
    auto groups = manifest::PlanGroups(sizes, options_.target_db_snapshot_file_group_size);
    for (size_t g = 0; g < groups.size(); ++g) {
      std::vector<manifest::FileEntry> files;
      for (int64_t i : groups[g].files) files.push_back(snap.files[static_cast<size_t>(i)]);
      std::string id = std::to_string(g + 1);
      auto m = manifest::MakeManifest(std::move(files),
                                      staging_->Uri(GroupDataKey("snapshot-file-groups", id)),
                                      staging_->Uri(GroupSummaryKey("snapshot-file-groups", id)));
      LP_RETURN_NOT_OK(manifest::WriteManifest(m, staging_, options_.store));
      r.files += 2;
    }
    JsonWriter w;
    w.BeginObject();
    w.Key("groups").Int(static_cast<int64_t>(groups.size()));
    w.Key("snapshot_fingerprint").String(snap.fingerprint);
    w.Key("snapshot_files").Int(static_cast<int64_t>(snap.files.size()));
    w.Key("snapshot_size").Int(snap.size);
    w.Key("snapshot_n_record").Int(snap.rows);
    w.Key("target_size").Int(options_.target_db_snapshot_file_group_size);
    w.EndObject();
    auto put = staging_->PutIfAbsent(marker, w.str());
    if (!put.ok() && !put.status().IsAlreadyExists()) return put.status();
    r.groups = static_cast<int64_t>(groups.size());
    r.processed = r.groups;
    return r;
  }

  Result<JsonValue> ReadMarker(const std::string& name, const char* step) {
    const std::string key = StateDir() + name;
    auto text = staging_->Get(key);
    if (text.status().IsNotFound()) {
      return Status::InvalidArgument(std::string("step ") + step + " has not run yet (no " +
                                     staging_->Uri(key) + ")");
    }
    LP_RETURN_NOT_OK(text.status());
    return ParseRecord(*text, staging_->Uri(key));
  }

  // One unit (group `i` of `kind`): claimed, `work` run, done; or skipped (done before, or
  // held by a live worker).  A failed unit's claim is withdrawn, so a retry may take it at once.
  Result<StepReport> ProcessUnit(const std::string& kind, int64_t i, int64_t n,
                                 const std::function<Status(int64_t, StepReport*)>& work) {
    if (i < 1 || i > n) {
      return Status::InvalidArgument(kind + " group " + std::to_string(i) +
                                     " is not in the plan (1.." + std::to_string(n) + ")");
    }
    StepReport r;
    r.groups = 1;
    const std::string unit = kind + "-" + std::to_string(i);
    LP_ASSIGN_OR_RETURN(Claims::Outcome claim, claims_->TryClaim(unit));
    if (claim == Claims::Outcome::kDone) {
      r.already_done = 1;
      return r;
    }
    if (claim == Claims::Outcome::kBusy) {
      r.busy = 1;
      return r;
    }
    Status st = work(i, &r);
    if (!st.ok()) {
      claims_->Release(unit);
      return st;
    }
    r.processed = 1;
    return r;
  }

  static void Add(StepReport* into, const StepReport& r) {
    into->processed += r.processed;
    into->already_done += r.already_done;
    into->busy += r.busy;
    into->rows += r.rows;
    into->bytes += r.bytes;
    into->files += r.files;
  }

  // ProcessUnit for units 1..n, options_.parallel at once on the shared executor (RunTasks);
  // stops at the first failure.
  Result<StepReport> ForEachUnit(int64_t n, const std::string& kind,
                                 const std::function<Status(int64_t, StepReport*)>& work) {
    std::mutex mu;
    StepReport total;
    total.groups = n;
    TaskPolicy policy;
    policy.parallel = options_.parallel;
    policy.max_failures = 1;
    TaskReport tasks = RunTasks(n, policy, JobContext{}, [&](int64_t t) -> Status {
      LP_ASSIGN_OR_RETURN(StepReport r, ProcessUnit(kind, t + 1, n, work));
      std::lock_guard<std::mutex> l(mu);
      Add(&total, r);
      return Status::OK();
    });
    if (!tasks.ok()) return tasks.FirstError(kind + " step");
    return total;
  }

  // ---- step 1.2 ----------------------------------------------------------------------------
  Result<StepReport> ProcessSnapshotGroups(const ReadGroupFn& read) override {
    LP_ASSIGN_OR_RETURN(JsonValue plan, ReadMarker("plan-snapshot.json", "1.1"));
    int64_t n = JInt(plan.Find("groups"));
    return ForEachUnit(n, "stage",
                       [&](int64_t i, StepReport* r) { return StageGroup(i, read, r); });
  }

  Result<StepReport> ProcessSnapshotGroup(int64_t index, const ReadGroupFn& read) override {
    LP_ASSIGN_OR_RETURN(JsonValue plan, ReadMarker("plan-snapshot.json", "1.1"));
    return ProcessUnit("stage", index, JInt(plan.Find("groups")),
                       [&](int64_t i, StepReport* r) { return StageGroup(i, read, r); });
  }

  Result<GroupManifest> LoadGroup(int64_t i) {
    std::string id = std::to_string(i);
    LP_ASSIGN_OR_RETURN(
        auto m, manifest::ReadManifest(staging_->Uri(GroupSummaryKey("snapshot-file-groups", id)),
                                       staging_, options_.store));
    GroupManifest g;
    g.index = i;
    g.summary_uri = m.summary_uri;
    g.data_uri = m.data_uri;
    g.fingerprint = m.fingerprint;
    g.size = m.size;
    g.rows = m.rows;
    for (const auto& f : m.files) {
      g.uris.push_back(f.uri);
      g.sizes.push_back(f.size);
      g.etags.push_back(f.etag);
      g.n_records.push_back(f.rows);
    }
    return g;
  }

  // Streams every batch of the group's files (built-in readers) into `sink`.
  Status ReadBuiltIn(
      const GroupManifest& g,
      const std::function<Status(std::shared_ptr<arrow::RecordBatch>, const std::string&)>& sink) {
    for (const auto& uri : g.uris) {
      LP_ASSIGN_OR_RETURN(StoreLocation loc, manifest::Resolve(uri, staging_, options_.store));
      LP_ASSIGN_OR_RETURN(auto reader,
                          OpenExportFile(loc.store, loc.key, uri, options_.input_format));
      while (true) {
        std::shared_ptr<arrow::RecordBatch> b;
        LP_ARROW_RETURN_NOT_OK(reader->ReadNext(&b), uri);
        if (!b) break;
        if (b->num_rows() == 0) continue;
        LP_RETURN_NOT_OK(sink(std::move(b), uri));
      }
    }
    return Status::OK();
  }

  // One partition's rows of a group not yet written, and the staging files written for it.
  struct StagePart {
    std::vector<std::shared_ptr<arrow::RecordBatch>> pending;
    int64_t pending_bytes = 0;
    int64_t rows = 0;
    uint64_t checksum = 0;
    int64_t files = 0;
  };

  Status StageGroup(int64_t i, const ReadGroupFn& read, StepReport* r) {
    LP_ASSIGN_OR_RETURN(GroupManifest g, LoadGroup(i));
    std::map<std::string, StagePart> parts;
    std::shared_ptr<arrow::Schema> in_schema, out_schema;
    std::vector<std::string> keys;
    std::vector<manifest::FileEntry> entries;
    int64_t pending_total = 0;
    // Writes `path`'s pending rows as one staging file.  A file is written whole, so one Parquet
    // writer (its per-column buffers) is open at a time whatever the number of partitions.
    auto flush = [&](const std::string& path, StagePart& p) -> Status {
      if (p.pending.empty()) return Status::OK();
      char seq[16];
      std::snprintf(seq, sizeof seq, "%05lld", static_cast<long long>(p.files));
      std::string key =
          Join(StagingDatalake(), path) + g.fingerprint + "-" + seq + ".snappy.parquet";
      format::WriteOptions wo;
      wo.object.part_size = kStagingPartBytes;
      LP_ASSIGN_OR_RETURN(
          auto writer,
          format::OpenBatchWriter(staging_, key, format::Format::kParquet, out_schema, wo));
      int64_t rows = 0;
      for (const auto& b : p.pending) {
        LP_RETURN_NOT_OK(writer->Write(*b));
        rows += b->num_rows();
      }
      LP_ASSIGN_OR_RETURN(ObjectInfo info, writer->Close());
      manifest::FileEntry e;
      e.uri = staging_->Uri(key);
      e.size = info.size;
      e.etag = info.etag;
      e.rows = rows;
      e.partition = path;
      entries.push_back(std::move(e));
      r->bytes += info.size;
      r->files++;
      p.files++;
      pending_total -= p.pending_bytes;
      p.pending.clear();
      p.pending_bytes = 0;
      return Status::OK();
    };
    auto sink = [&](std::shared_ptr<arrow::RecordBatch> b, const std::string& source) -> Status {
      if (!in_schema) {
        LP_ASSIGN_OR_RETURN(WrittenSchemas w, SchemasOf(b->schema(), source));
        in_schema = std::move(w.in);
        out_schema = std::move(w.out);
        keys = std::move(w.keys);
      }
      LP_ASSIGN_OR_RETURN(b, Conform(b, in_schema, source));
      LP_ASSIGN_OR_RETURN(auto slices, spec_.Split(b, source));
      for (auto& s : slices) {
        StagePart& p = parts[s.path];
        LP_ASSIGN_OR_RETURN(uint64_t sum, KeyChecksum(*s.batch, keys));
        p.checksum += sum;
        p.rows += s.batch->num_rows();
        int64_t bytes = arrow::util::TotalBufferSize(*s.batch);
        p.pending_bytes += bytes;
        pending_total += bytes;
        p.pending.push_back(std::move(s.batch));
        if (p.pending_bytes >= kStagingFileArrowBytes) LP_RETURN_NOT_OK(flush(s.path, p));
      }
      // Over the group's memory budget: write out the partition holding the most.
      while (pending_total > kStagingBudgetBytes) {
        auto largest =
            std::max_element(parts.begin(), parts.end(), [](const auto& x, const auto& y) {
              return x.second.pending_bytes < y.second.pending_bytes;
            });
        LP_RETURN_NOT_OK(flush(largest->first, largest->second));
      }
      return Status::OK();
    };
    if (read) {
      LP_ASSIGN_OR_RETURN(auto reader, read(g));
      std::string source = "group " + std::to_string(i) + " (batch_read_snapshot_data_file)";
      while (true) {
        std::shared_ptr<arrow::RecordBatch> b;
        LP_ARROW_RETURN_NOT_OK(reader->ReadNext(&b), source);
        if (!b) break;
        if (b->num_rows() == 0) continue;
        LP_RETURN_NOT_OK(sink(std::move(b), source));
      }
    } else {
      LP_RETURN_NOT_OK(ReadBuiltIn(g, sink));
    }
    for (auto& [path, p] : parts) LP_RETURN_NOT_OK(flush(path, p));
    JsonWriter parts_json;
    parts_json.BeginArray();
    int64_t rows = 0;
    for (const auto& e : entries) {
      parts_json.BeginObject();
      parts_json.Key("partition").String(e.partition);
      parts_json.Key("uri").String(e.uri);
      parts_json.Key("size").Int(e.size);
      parts_json.Key("etag").String(e.etag);
      parts_json.Key("rows").Int(e.rows);
      parts_json.EndObject();
    }
    parts_json.EndArray();
    JsonWriter sums;
    sums.BeginArray();
    for (const auto& [path, p] : parts) {
      rows += p.rows;
      sums.BeginObject().Key("partition").String(path).Key("rows").Int(p.rows);
      sums.Key("checksum").String(ChecksumHex(p.checksum)).EndObject();
    }
    sums.EndArray();
    if (g.rows >= 0 && !read && rows != g.rows) {
      return Status::InvalidData("group " + std::to_string(i) + ": read " + std::to_string(rows) +
                                 " rows but its manifest lists " + std::to_string(g.rows) + " (" +
                                 g.summary_uri + ")");
    }
    auto sm = manifest::MakeManifest(entries, "", "");
    sm.data_uri = staging_->Uri(GroupDataKey("staging-file-groups", sm.fingerprint));
    sm.summary_uri = staging_->Uri(GroupSummaryKey("staging-file-groups", sm.fingerprint));
    LP_RETURN_NOT_OK(manifest::WriteManifest(sm, staging_, options_.store));
    JsonWriter w;
    w.BeginObject();
    w.Key("group").Int(i);
    w.Key("source_fingerprint").String(g.fingerprint);
    w.Key("staging_manifest").String(sm.summary_uri);
    w.Key("rows").Int(rows);
    w.Key("files").Raw(parts_json.str());
    w.Key("partitions").Raw(sums.str());
    w.EndObject();
    LP_RETURN_NOT_OK(claims_->MarkDone("stage-" + std::to_string(i), w.str()));
    r->rows += rows;
    return Status::OK();
  }

  // ---- step 2.1 ----------------------------------------------------------------------------
  struct PartitionPlan {
    std::vector<manifest::FileEntry> files;
    int64_t rows = 0;
    uint64_t checksum = 0;
  };

  Result<std::vector<JsonValue>> DoneRecords(const std::string& kind, int64_t n, const char* step) {
    std::vector<JsonValue> out;
    std::vector<int64_t> missing;
    for (int64_t i = 1; i <= n; ++i) {
      std::string unit = kind + "-" + std::to_string(i);
      LP_ASSIGN_OR_RETURN(auto done, claims_->ReadDone(unit));
      if (!done) {
        missing.push_back(i);
        continue;
      }
      LP_ASSIGN_OR_RETURN(JsonValue j, ParseRecord(*done, unit));
      out.push_back(std::move(j));
    }
    if (!missing.empty()) {
      std::string list;
      for (size_t k = 0; k < missing.size() && k < 10; ++k)
        list += (k ? ", " : "") + std::to_string(missing[k]);
      if (missing.size() > 10) list += ", ...";
      return Status::InvalidArgument(
          std::string("step ") + step + " is not finished: " + std::to_string(missing.size()) +
          " of " + std::to_string(n) + " groups are not done (" + list +
          "); run it again (a group claimed by a live worker is left to it)");
    }
    return out;
  }

  Result<StepReport> PlanStagingToDatalake() override {
    StepReport r;
    const std::string marker = StateDir() + "plan-datalake.json";
    auto existing = staging_->Get(marker);
    if (existing.ok()) {
      LP_ASSIGN_OR_RETURN(JsonValue j, ParseRecord(*existing, staging_->Uri(marker)));
      r.groups = JInt(j.Find("groups"));
      r.already_done = r.groups;
      return r;
    }
    if (!existing.status().IsNotFound()) return existing.status();
    LP_ASSIGN_OR_RETURN(JsonValue plan, ReadMarker("plan-snapshot.json", "1.1"));
    LP_ASSIGN_OR_RETURN(auto records, DoneRecords("stage", JInt(plan.Find("groups")), "1.2"));
    std::map<std::string, PartitionPlan> parts;
    for (const auto& rec : records) {
      const JsonValue* files = rec.Find("files");
      if (!files) continue;
      for (const auto& f : files->array) {
        auto& p = parts[JStr(f.Find("partition"))];
        manifest::FileEntry e;
        e.uri = JStr(f.Find("uri"));
        e.size = JInt(f.Find("size"));
        e.etag = JStr(f.Find("etag"));
        e.rows = JInt(f.Find("rows"));
        e.partition = JStr(f.Find("partition"));
        p.files.push_back(std::move(e));
      }
      if (const JsonValue* sums = rec.Find("partitions")) {
        for (const auto& q : sums->array) {
          auto& p = parts[JStr(q.Find("partition"))];
          p.rows += JInt(q.Find("rows"));
          p.checksum += ParseHex(JStr(q.Find("checksum")));
        }
      }
    }
    int64_t index = 0;
    JsonWriter w;
    w.BeginObject();
    w.Key("partitions").BeginArray();
    for (auto& [path, p] : parts) {
      ++index;
      std::sort(p.files.begin(), p.files.end(),
                [](const auto& a, const auto& b) { return a.uri < b.uri; });
      std::string id = std::to_string(index);
      JsonWriter details;
      details.BeginObject();
      details.Key("partition_uri").String(staging_->Uri(Join(StagingDatalake(), path)));
      details.Key("partition").String(path);
      details.Key("rows").Int(p.rows);
      details.Key("checksum").String(ChecksumHex(p.checksum));
      details.EndObject();
      auto m = manifest::MakeManifest(
          p.files, staging_->Uri(GroupDataKey("partition-file-groups", id)),
          staging_->Uri(GroupSummaryKey("partition-file-groups", id)), details.str());
      LP_RETURN_NOT_OK(manifest::WriteManifest(m, staging_, options_.store));
      w.BeginObject();
      w.Key("group").Int(index);
      w.Key("partition").String(path);
      w.Key("rows").Int(p.rows);
      w.Key("checksum").String(ChecksumHex(p.checksum));
      w.Key("size").Int(m.size);
      w.Key("staging_files").Int(static_cast<int64_t>(p.files.size()));
      w.EndObject();
      r.files += 2;
    }
    w.EndArray();
    w.Key("groups").Int(index);
    w.EndObject();
    auto put = staging_->PutIfAbsent(marker, w.str());
    if (!put.ok() && !put.status().IsAlreadyExists()) return put.status();
    r.groups = index;
    r.processed = index;
    return r;
  }

  // ---- step 2.2 ----------------------------------------------------------------------------
  Result<StepReport> ProcessPartitionGroups() override {
    LP_ASSIGN_OR_RETURN(JsonValue plan, ReadMarker("plan-datalake.json", "2.1"));
    int64_t n = JInt(plan.Find("groups"));
    bool one_pass = JStr(plan.Find("mode")) == "one-pass";
    return ForEachUnit(n, "compact",
                       [&](int64_t i, StepReport* r) { return CompactGroup(i, one_pass, r); });
  }

  Result<StepReport> ProcessPartitionGroup(int64_t index) override {
    LP_ASSIGN_OR_RETURN(JsonValue plan, ReadMarker("plan-datalake.json", "2.1"));
    bool one_pass = JStr(plan.Find("mode")) == "one-pass";
    return ProcessUnit("compact", index, JInt(plan.Find("groups")),
                       [&](int64_t i, StepReport* r) { return CompactGroup(i, one_pass, r); });
  }

  Status CompactGroup(int64_t i, bool one_pass, StepReport* r) {
    std::string id = std::to_string(i);
    if (one_pass) {
      // The one pass writes these groups' done records itself; one missing means it was stopped.
      return Status::Unavailable("partition group " + id +
                                 " belongs to a one-pass run that has not finished: run the whole "
                                 "job (lake run / Project.run()) again to finish it");
    }
    LP_ASSIGN_OR_RETURN(
        auto m, manifest::ReadManifest(staging_->Uri(GroupSummaryKey("partition-file-groups", id)),
                                       staging_, options_.store));
    auto details = ParseRecord(m.details_json, m.summary_uri);
    LP_RETURN_NOT_OK(details.status());
    const std::string path = JStr(details->Find("partition"));
    const int64_t want_rows = JInt(details->Find("rows"));
    const std::string lake_dir = Join(lroot_, path);
    const std::string stem = std::string(kLakeFilePrefix) + m.fingerprint.substr(0, 16) + "-";
    const int64_t target = options_.target_parquet_file_size;

    std::shared_ptr<arrow::Schema> schema;
    std::vector<std::string> keys;
    std::unique_ptr<pack::RollingWriter> writer;
    int64_t rows_closed = 0, bytes_closed = 0, rows_fed = 0;
    uint64_t checksum = 0;
    std::vector<pack::WrittenFile> written;
    const double input_bpr = want_rows > 0 ? static_cast<double>(m.size) / want_rows : 1.0;

    auto open = [&](int64_t index) -> Result<std::shared_ptr<format::ObjectOutputStream>> {
      // The tail rule: when what is left fits in kMergeTailBelow targets, it all goes here.
      int64_t remaining = want_rows - rows_closed;
      double bpr = rows_closed > 0 ? static_cast<double>(bytes_closed) / rows_closed : input_bpr;
      if (remaining * bpr <= kMergeTailBelow * target) writer->set_limit(4 * target);
      char name[32];
      std::snprintf(name, sizeof name, "%05lld", static_cast<long long>(index));
      return format::OpenOutputStream(lake_, lake_dir + stem + name + ".snappy.parquet");
    };
    auto closed = [&](const pack::WrittenFile& f) {
      rows_closed += f.rows;
      bytes_closed += f.bytes;
      written.push_back(f);
    };
    auto feed = [&](std::shared_ptr<arrow::RecordBatch> b, const std::string& source) -> Status {
      if (!schema) {
        schema = b->schema();
        keys = KeyColumns(*schema);
        LP_ASSIGN_OR_RETURN(writer, pack::RollingWriter::Make(format::Format::kParquet, schema,
                                                              target, open, closed));
      }
      LP_ASSIGN_OR_RETURN(b, Conform(b, schema, source));
      LP_ASSIGN_OR_RETURN(uint64_t sum, KeyChecksum(*b, keys));
      checksum += sum;
      rows_fed += b->num_rows();
      return writer->Write(b);
    };
    std::vector<std::shared_ptr<arrow::RecordBatch>> held;  // sort_by: the partition's rows
    for (const auto& f : m.files) {
      LP_ASSIGN_OR_RETURN(StoreLocation loc, manifest::Resolve(f.uri, staging_, options_.store));
      auto reader = format::OpenBatchReader(loc.store, loc.key, format::Format::kParquet);
      if (!reader.ok()) {
        return Status(reader.status().code(), "partition '" + path + "': staging file " + f.uri +
                                                  " cannot be read: " + reader.status().message());
      }
      while (true) {
        std::shared_ptr<arrow::RecordBatch> b;
        LP_ARROW_RETURN_NOT_OK((*reader)->ReadNext(&b), f.uri);
        if (!b) break;
        if (b->num_rows() == 0) continue;
        if (!options_.sort_by.empty()) {
          held.push_back(std::move(b));
        } else {
          LP_RETURN_NOT_OK(feed(std::move(b), f.uri));
        }
      }
    }
    if (!held.empty()) {
      auto schema0 = held.front()->schema();
      for (auto& b : held) {
        LP_ASSIGN_OR_RETURN(b, Conform(b, schema0, path));
      }
      LP_ARROW_ASSIGN_OR_RETURN(auto table, arrow::Table::FromRecordBatches(schema0, held), path);
      held.clear();
      std::vector<arrow::compute::SortKey> sk;
      for (size_t k = 0; k < options_.sort_by.size(); ++k) {
        bool desc = options_.descending.empty()       ? false
                    : options_.descending.size() == 1 ? options_.descending[0]
                                                      : options_.descending[k];
        sk.emplace_back(options_.sort_by[k], desc ? arrow::compute::SortOrder::Descending
                                                  : arrow::compute::SortOrder::Ascending);
      }
      LP_ARROW_ASSIGN_OR_RETURN(
          auto idx,
          arrow::compute::SortIndices(arrow::Datum(table), arrow::compute::SortOptions(sk)),
          "sort " + path);
      LP_ARROW_ASSIGN_OR_RETURN(auto sorted, arrow::compute::Take(table, idx), "sort " + path);
      table.reset();
      arrow::TableBatchReader tr(*sorted.table());
      tr.set_chunksize(64 * 1024);
      while (true) {
        std::shared_ptr<arrow::RecordBatch> b;
        LP_ARROW_RETURN_NOT_OK(tr.ReadNext(&b), path);
        if (!b) break;
        LP_RETURN_NOT_OK(feed(std::move(b), path));
      }
    }
    if (writer) LP_RETURN_NOT_OK(writer->Finish());
    if (rows_fed != want_rows) {
      return Status::InvalidData("partition '" + path + "': staging files hold " +
                                 std::to_string(rows_fed) + " rows, step 1.2 wrote " +
                                 std::to_string(want_rows));
    }
    JsonWriter w;
    w.BeginObject();
    w.Key("group").Int(i);
    w.Key("partition").String(path);
    w.Key("rows").Int(rows_fed);
    w.Key("checksum").String(ChecksumHex(checksum));
    w.Key("files").BeginArray();
    for (const auto& f : written) {
      w.BeginObject();
      w.Key("uri").String(f.uri);
      w.Key("size").Int(f.bytes);
      w.Key("etag").String(f.etag);
      w.Key("rows").Int(f.rows);
      w.EndObject();
      r->bytes += f.bytes;
      r->files++;
    }
    w.EndArray();
    w.EndObject();
    LP_RETURN_NOT_OK(claims_->MarkDone("compact-" + id, w.str()));
    r->rows += rows_fed;
    return Status::OK();
  }

  // ---- one pass (Run on one machine) --------------------------------------------------------
  // Claims the one pass and runs it.  true: the lake's files are written and recorded (now or
  // before); false: the staged steps are to be used (another worker planned them, or too many
  // partitions).
  Result<bool> OnePass(const ReadGroupFn& read, StepReport* report) {
    const std::string unit = "onepass-1";
    auto marker = staging_->Get(StateDir() + "plan-datalake.json");
    if (marker.ok()) {
      LP_ASSIGN_OR_RETURN(JsonValue j,
                          ParseRecord(*marker, staging_->Uri(StateDir() + "plan-datalake.json")));
      if (JStr(j.Find("mode")) != "one-pass") return false;  // a staged compaction was planned
    } else if (!marker.status().IsNotFound()) {
      return marker.status();
    }
    // Groups staged (or being staged) already: the staged steps finish what they began.
    ListOptions first;
    first.max_keys = 1;
    LP_ASSIGN_OR_RETURN(ListPage staged, staging_->List(StateDir() + "stage-", first));
    if (!staged.objects.empty()) return false;
    LP_ASSIGN_OR_RETURN(Claims::Outcome claim, claims_->TryClaim(unit));
    if (claim == Claims::Outcome::kDone) {
      LP_ASSIGN_OR_RETURN(auto done, claims_->ReadDone(unit));
      LP_ASSIGN_OR_RETURN(JsonValue j, ParseRecord(done.value_or("{}"), unit));
      report->already_done = 1;
      return JStr(j.Find("mode")) == "one-pass";
    }
    if (claim == Claims::Outcome::kBusy) {
      return Status::Unavailable(
          "the one pass of this project is being run by another live worker");
    }
    auto ran = OnePassWork(read, report);
    if (!ran.ok()) {
      claims_->Release(unit);
      return ran.status();
    }
    if (!*ran) {
      // Taken over by a staged plan: this claim is withdrawn, the staged steps go on.
      claims_->Release(unit);
      return false;
    }
    LP_RETURN_NOT_OK(claims_->MarkDone(unit, R"({"mode":"one-pass"})"));
    report->processed = 1;
    return true;
  }

  // One partition's exact-size writer in the one pass.
  struct PassPart {
    std::string path;
    std::unique_ptr<pack::RollingWriter> writer;
    int64_t rows = 0;  // fed to the writer
    uint64_t checksum = 0;
    int64_t rows_closed = 0, bytes_closed = 0;
    std::vector<pack::WrittenFile> files;
  };

  Result<bool> OnePassWork(const ReadGroupFn& read, StepReport* report) {
    LP_ASSIGN_OR_RETURN(JsonValue plan, ReadMarker("plan-snapshot.json", "1.1"));
    const int64_t n = JInt(plan.Find("groups"));
    const int64_t snap_rows = JInt(plan.Find("snapshot_n_record"), -1);
    const int64_t snap_size = JInt(plan.Find("snapshot_size"));
    const std::string fp = JStr(plan.Find("snapshot_fingerprint"));
    const std::string stem = std::string(kLakeFilePrefix) + fp.substr(0, 16) + "-";
    const int64_t target = options_.target_parquet_file_size;
    const double input_bpr = snap_rows > 0 ? static_cast<double>(snap_size) / snap_rows : 0;

    // The reading thread: groups in order, conformed, split by partition, into the queue.
    std::atomic<int64_t> rows_read{0};
    std::shared_ptr<arrow::Schema> in_schema, out_schema;
    std::vector<std::string> keys;
    SliceQueue queue(kOnePassQueueBytes);
    auto produce = [&]() -> Status {
      auto sink = [&](std::shared_ptr<arrow::RecordBatch> b, const std::string& source) -> Status {
        if (!in_schema) {
          LP_ASSIGN_OR_RETURN(WrittenSchemas w, SchemasOf(b->schema(), source));
          in_schema = std::move(w.in);
          out_schema = std::move(w.out);
          keys = std::move(w.keys);
        }
        LP_ASSIGN_OR_RETURN(b, Conform(b, in_schema, source));
        rows_read += b->num_rows();
        LP_ASSIGN_OR_RETURN(auto slices, spec_.Split(b, source));
        for (auto& sl : slices) {
          if (!queue.Push(std::move(sl))) return Status::Cancelled("one pass stopped");
        }
        return Status::OK();
      };
      for (int64_t i = 1; i <= n; ++i) {
        LP_ASSIGN_OR_RETURN(GroupManifest g, LoadGroup(i));
        int64_t before = rows_read;
        if (read) {
          LP_ASSIGN_OR_RETURN(auto reader, read(g));
          std::string source = "group " + std::to_string(i) + " (batch_read_snapshot_data_file)";
          while (true) {
            std::shared_ptr<arrow::RecordBatch> b;
            LP_ARROW_RETURN_NOT_OK(reader->ReadNext(&b), source);
            if (!b) break;
            if (b->num_rows() == 0) continue;
            LP_RETURN_NOT_OK(sink(std::move(b), source));
          }
        } else {
          LP_RETURN_NOT_OK(ReadBuiltIn(g, sink));
          if (g.rows >= 0 && rows_read - before != g.rows) {
            return Status::InvalidData("group " + std::to_string(i) + ": read " +
                                       std::to_string(rows_read - before) +
                                       " rows but its manifest lists " + std::to_string(g.rows) +
                                       " (" + g.summary_uri + ")");
          }
        }
      }
      return Status::OK();
    };
    std::thread producer([&] { queue.Finish(produce()); });
    struct Joiner {  // stops and joins the reading thread on every way out
      SliceQueue& queue;
      std::thread& thread;
      ~Joiner() {
        queue.Cancel();
        thread.join();
      }
    } joiner{queue, producer};

    std::map<std::string, PassPart> parts;  // declared after joiner: aborted before the join
    int64_t pending = 0, rows_consumed = 0;
    bool too_many = false;
    while (true) {
      LP_ASSIGN_OR_RETURN(auto slice, queue.Pop());
      if (!slice) break;
      auto [it, fresh] = parts.try_emplace(slice->path);
      PassPart& p = it->second;
      if (fresh) {
        if (parts.size() > kOnePassMaxPartitions) {
          too_many = true;
          break;
        }
        p.path = slice->path;
        const std::string dir = Join(lroot_, p.path);
        PassPart* pp = &p;
        auto open =
            [this, pp, dir, stem, target, snap_rows, input_bpr, early = !read,
             &rows_consumed](int64_t index) -> Result<std::shared_ptr<format::ObjectOutputStream>> {
          // The tail rule, when the pass can tell: all that can still come for this partition
          // (its rows not in a closed file, and every snapshot row not split yet) fits in 1.5
          // targets.  Only with the built-in readers, whose rows the manifest counts.
          if (early && snap_rows >= 0) {
            int64_t upper =
                (pp->rows - pp->rows_closed) + std::max<int64_t>(0, snap_rows - rows_consumed);
            double bpr = pp->rows_closed > 0
                             ? static_cast<double>(pp->bytes_closed) / pp->rows_closed
                             : input_bpr;
            if (bpr > 0 && upper * bpr <= kMergeTailBelow * target)
              pp->writer->set_limit(4 * target);
          }
          char name[32];
          std::snprintf(name, sizeof name, "%05lld", static_cast<long long>(index));
          WriterOptions wo;
          wo.part_size = kStagingPartBytes;  // many files open at once
          wo.max_parallel_parts = 2;
          return format::OpenOutputStream(lake_, dir + stem + name + ".snappy.parquet", wo);
        };
        auto closed = [pp](const pack::WrittenFile& f) {
          pp->rows_closed += f.rows;
          pp->bytes_closed += f.bytes;
          pp->files.push_back(f);
        };
        LP_ASSIGN_OR_RETURN(p.writer, pack::RollingWriter::Make(format::Format::kParquet,
                                                                out_schema, target, open, closed));
      }
      LP_ASSIGN_OR_RETURN(uint64_t sum, KeyChecksum(*slice->batch, keys));
      p.checksum += sum;
      p.rows += slice->batch->num_rows();
      rows_consumed += slice->batch->num_rows();
      int64_t before = p.writer->pending_bytes();
      LP_RETURN_NOT_OK(p.writer->Write(slice->batch));
      pending += p.writer->pending_bytes() - before;
      // Over the fan-out's budget: the partition holding the most writes its rows out now.
      while (pending > kOnePassWriterBudgetBytes) {
        PassPart* largest = nullptr;
        for (auto& [path, q] : parts) {
          if (q.writer &&
              (!largest || q.writer->pending_bytes() > largest->writer->pending_bytes())) {
            largest = &q;
          }
        }
        int64_t had = largest->writer->pending_bytes();
        if (had == 0) break;
        LP_RETURN_NOT_OK(largest->writer->FlushPending());
        pending -= had - largest->writer->pending_bytes();
      }
    }
    if (too_many) {
      // As many open files as partitions: not for one pass.  Nothing of it is kept.
      std::vector<std::string> written;
      for (auto& [path, p] : parts) {
        if (p.writer) p.writer->Abort();
        for (const auto& f : p.files) written.push_back(FileKey(f.uri));
      }
      if (!written.empty()) LP_RETURN_NOT_OK(lake_->Delete(written));
      LP_RETURN_NOT_OK(claims_->MarkDone(
          "onepass-1", R"({"mode":"staged","reason":"more than 256 partitions"})"));
      return false;
    }
    for (auto& [path, p] : parts) {
      LP_RETURN_NOT_OK(p.writer->Finish());
      p.writer.reset();
      // A short tail the pass could not foresee: the last two files become one.
      if (p.files.size() >= 2 && p.files.back().bytes * 2 < target) {
        LP_RETURN_NOT_OK(MergeLastTwo(&p, report));
      }
    }
    if (!read && snap_rows >= 0 && rows_read != snap_rows) {
      return Status::InvalidData("the snapshot manifest lists " + std::to_string(snap_rows) +
                                 " rows but " + std::to_string(rows_read.load()) + " were read");
    }
    // The record: a datalake plan marked one-pass, then one done record per partition.
    JsonWriter w;
    w.BeginObject();
    w.Key("mode").String("one-pass");
    w.Key("rewritten_bytes").Int(report->rewritten_bytes);
    w.Key("partitions").BeginArray();
    int64_t index = 0;
    for (const auto& [path, p] : parts) {
      w.BeginObject();
      w.Key("group").Int(++index);
      w.Key("partition").String(path);
      w.Key("rows").Int(p.rows);
      w.Key("checksum").String(ChecksumHex(p.checksum));
      w.Key("size").Int(0);
      w.Key("staging_files").Int(0);
      w.EndObject();
    }
    w.EndArray();
    w.Key("groups").Int(index);
    w.EndObject();
    const std::string marker_key = StateDir() + "plan-datalake.json";
    auto put = staging_->PutIfAbsent(marker_key, w.str());
    if (!put.ok()) {
      if (!put.status().IsAlreadyExists()) return put.status();
      LP_ASSIGN_OR_RETURN(std::string text, staging_->Get(marker_key));
      LP_ASSIGN_OR_RETURN(JsonValue j, ParseRecord(text, staging_->Uri(marker_key)));
      if (JStr(j.Find("mode")) != "one-pass") {
        // A staged compaction was planned meanwhile: it is the one that counts.
        std::vector<std::string> written;
        for (const auto& [path, p] : parts) {
          for (const auto& f : p.files) written.push_back(FileKey(f.uri));
        }
        if (!written.empty()) LP_RETURN_NOT_OK(lake_->Delete(written));
        return false;
      }
    }
    index = 0;
    for (const auto& [path, p] : parts) {
      ++index;
      JsonWriter d;
      d.BeginObject();
      d.Key("group").Int(index);
      d.Key("partition").String(path);
      d.Key("rows").Int(p.rows);
      d.Key("checksum").String(ChecksumHex(p.checksum));
      d.Key("files").BeginArray();
      for (const auto& f : p.files) {
        d.BeginObject();
        d.Key("uri").String(f.uri);
        d.Key("size").Int(f.bytes);
        d.Key("etag").String(f.etag);
        d.Key("rows").Int(f.rows);
        d.EndObject();
        report->bytes += f.bytes;
        report->files++;
      }
      d.EndArray();
      d.EndObject();
      LP_RETURN_NOT_OK(claims_->MarkDone("compact-" + std::to_string(index), d.str()));
      report->rows += p.rows;
    }
    report->groups = index;
    return true;
  }

  // The lake key of one of its file URIs.
  std::string FileKey(const std::string& uri) const {
    auto loc = manifest::Resolve(uri, lake_, options_.store);
    return loc.ok() ? loc->key : uri;
  }

  // Rewrites a partition's last two files as one (the tail under half the target goes into the
  // file before it), named after the first of them with "-m".
  Status MergeLastTwo(PassPart* p, StepReport* report) {
    pack::WrittenFile a = p->files[p->files.size() - 2], b = p->files.back();
    std::string key_a = FileKey(a.uri), key_b = FileKey(b.uri);
    std::string key =
        key_a.substr(0, key_a.size() - std::string(".snappy.parquet").size()) + "-m.snappy.parquet";
    format::WriteOptions wo;
    wo.row_group_bytes = pack::RollingWriter::kMaxRowGroupArrowBytes;
    std::unique_ptr<format::BatchWriter> writer;
    int64_t rows = 0;
    for (const auto& k : {key_a, key_b}) {
      LP_ASSIGN_OR_RETURN(auto reader, format::OpenBatchReader(lake_, k, format::Format::kParquet));
      while (true) {
        std::shared_ptr<arrow::RecordBatch> batch;
        LP_ARROW_RETURN_NOT_OK(reader->ReadNext(&batch), lake_->Uri(k));
        if (!batch) break;
        if (!writer) {
          LP_ASSIGN_OR_RETURN(writer, format::OpenBatchWriter(lake_, key, format::Format::kParquet,
                                                              batch->schema(), wo));
        }
        LP_RETURN_NOT_OK(writer->Write(*batch));
        rows += batch->num_rows();
      }
    }
    LP_ASSIGN_OR_RETURN(ObjectInfo info, writer->Close());
    if (rows != a.rows + b.rows) {
      return Status::Internal(lake_->Uri(key) + ": merged " + std::to_string(rows) + " rows of " +
                              std::to_string(a.rows + b.rows));
    }
    LP_RETURN_NOT_OK(lake_->Delete(std::vector<std::string>{key_a, key_b}));
    pack::WrittenFile m;
    m.index = a.index;
    m.uri = lake_->Uri(key);
    m.rows = rows;
    m.bytes = info.size;
    m.etag = info.etag;
    p->files.pop_back();
    p->files.back() = m;
    report->rewritten_bytes += info.size;
    return Status::OK();
  }

  // ---- step 3.1 ----------------------------------------------------------------------------
  // Rows (footer) and key checksum of one stored lake file.
  Status ReadBack(const std::string& key, const std::vector<std::string>& keys, int64_t* rows,
                  uint64_t* checksum) {
    LP_ASSIGN_OR_RETURN(auto file, format::OpenInputFile(lake_, key));
    const std::string uri = lake_->Uri(key);
    parquet::arrow::FileReaderBuilder builder;
    LP_ARROW_RETURN_NOT_OK(builder.Open(file), uri);
    std::unique_ptr<parquet::arrow::FileReader> reader;
    LP_ARROW_RETURN_NOT_OK(builder.Build(&reader), uri);
    *rows = reader->parquet_reader()->metadata()->num_rows();
    std::shared_ptr<arrow::Schema> schema;
    LP_ARROW_RETURN_NOT_OK(reader->GetSchema(&schema), uri);
    std::vector<int> cols;
    for (const auto& k : keys) {
      int c = schema->GetFieldIndex(k);
      if (c < 0) return Status::InvalidData(uri + ": key column '" + k + "' is missing");
      cols.push_back(c);
    }
    std::vector<int> groups(static_cast<size_t>(reader->num_row_groups()));
    for (size_t g = 0; g < groups.size(); ++g) groups[g] = static_cast<int>(g);
    LP_ARROW_ASSIGN_OR_RETURN(auto br, reader->GetRecordBatchReader(groups, cols), uri);
    *checksum = 0;
    while (true) {
      std::shared_ptr<arrow::RecordBatch> b;
      LP_ARROW_RETURN_NOT_OK(br->ReadNext(&b), uri);
      if (!b) break;
      LP_ASSIGN_OR_RETURN(uint64_t s, KeyChecksum(*b, keys));
      *checksum += s;
    }
    return Status::OK();
  }

  Result<ValidateReport> ValidateDatalake() override {
    ValidateReport v;
    LP_ASSIGN_OR_RETURN(JsonValue snap_plan, ReadMarker("plan-snapshot.json", "1.1"));
    v.before_n_files = JInt(snap_plan.Find("snapshot_files"));
    v.before_total_size = JInt(snap_plan.Find("snapshot_size"));
    v.before_total_n_record = JInt(snap_plan.Find("snapshot_n_record"), -1);
    LP_ASSIGN_OR_RETURN(JsonValue plan, ReadMarker("plan-datalake.json", "2.1"));
    int64_t n = JInt(plan.Find("groups"));
    LP_ASSIGN_OR_RETURN(auto records, DoneRecords("compact", n, "2.2"));
    const JsonValue* planned = plan.Find("partitions");
    v.mode = JStr(plan.Find("mode")) == "one-pass" ? "one-pass" : "staged";
    v.rewritten_bytes = JInt(plan.Find("rewritten_bytes"));
    if (planned) {
      for (const auto& p : planned->array) v.staged_bytes += JInt(p.Find("size"));
    }
    std::map<std::string, std::pair<int64_t, std::string>> staged;  // partition -> rows, checksum
    int64_t staged_rows = 0;
    if (planned) {
      for (const auto& p : planned->array) {
        staged[JStr(p.Find("partition"))] = {JInt(p.Find("rows")), JStr(p.Find("checksum"))};
        staged_rows += JInt(p.Find("rows"));
      }
    }
    if (v.before_total_n_record >= 0 && staged_rows != v.before_total_n_record) {
      return Status::InvalidData("validation: the snapshot manifest lists " +
                                 std::to_string(v.before_total_n_record) + " rows but " +
                                 std::to_string(staged_rows) + " were staged");
    }
    std::vector<manifest::FileEntry> lake_files;
    std::set<std::string> keep;
    for (const auto& rec : records) {
      PartitionStat ps;
      ps.partition = JStr(rec.Find("partition"));
      uint64_t sum = 0;
      for (const auto& f : rec.Find("files")->array) {
        manifest::FileEntry e;
        e.uri = JStr(f.Find("uri"));
        e.size = JInt(f.Find("size"));
        e.etag = JStr(f.Find("etag"));
        e.partition = ps.partition;
        LP_ASSIGN_OR_RETURN(StoreLocation loc, manifest::Resolve(e.uri, lake_, options_.store));
        int64_t rows = 0;
        uint64_t s = 0;
        std::vector<std::string> keys;
        // The key columns are those of the written schema, as in step 2.2.
        {
          LP_ASSIGN_OR_RETURN(auto file, format::OpenInputFile(lake_, loc.key));
          parquet::arrow::FileReaderBuilder b;
          Status st = format::FromArrow(b.Open(file), e.uri);
          if (!st.ok()) {
            return Status(st.code(), "validation: partition '" + ps.partition + "': lake file " +
                                         e.uri + ": " + st.message());
          }
          std::unique_ptr<parquet::arrow::FileReader> fr;
          LP_ARROW_RETURN_NOT_OK(b.Build(&fr), e.uri);
          std::shared_ptr<arrow::Schema> schema;
          LP_ARROW_RETURN_NOT_OK(fr->GetSchema(&schema), e.uri);
          keys = KeyColumns(*schema);
        }
        Status st = ReadBack(loc.key, keys, &rows, &s);
        if (!st.ok()) {
          return Status(st.code(), "validation: partition '" + ps.partition + "': " + st.message());
        }
        e.rows = rows;
        sum += s;
        ps.rows += rows;
        ps.n_files++;
        ps.total_size += e.size;
        keep.insert(loc.key);
        lake_files.push_back(std::move(e));
      }
      ps.checksum = ChecksumHex(sum);
      auto it = staged.find(ps.partition);
      if (it == staged.end()) {
        return Status::InvalidData("validation: partition '" + ps.partition +
                                   "' is not in the plan");
      }
      if (it->second.first != ps.rows || it->second.second != ps.checksum) {
        return Status::InvalidData("validation: partition '" + ps.partition + "': the lake holds " +
                                   std::to_string(ps.rows) + " rows (key checksum " + ps.checksum +
                                   "), the snapshot " + std::to_string(it->second.first) + " (" +
                                   it->second.second + ")");
      }
      v.after_n_files += ps.n_files;
      v.after_total_size += ps.total_size;
      v.after_total_n_record += ps.rows;
      v.partitions.push_back(std::move(ps));
    }
    if (v.partitions.size() != staged.size()) {
      return Status::InvalidData("validation: " + std::to_string(staged.size()) +
                                 " partitions were staged but " +
                                 std::to_string(v.partitions.size()) + " compacted");
    }
    v.n_partition = static_cast<int64_t>(v.partitions.size());
    LP_RETURN_NOT_OK(Publish(lake_files, &v));
    LP_RETURN_NOT_OK(CleanLake(keep));
    PutOptions po;
    po.content_type = "application/json";
    LP_RETURN_NOT_OK(
        staging_->Put(ManifestsDir() + "validate-datalake-result.json", v.ToJson(), po).status());
    return v;
  }

  // The lake's file set as one commit record naming the lake manifest.
  Status Publish(const std::vector<manifest::FileEntry>& files, ValidateReport* v) {
    auto m = manifest::MakeManifest(files, "", "");
    m.data_uri = lake_->Uri(lroot_ + "_lakepack/manifest-data-" + m.fingerprint + ".parquet");
    m.summary_uri = lake_->Uri(lroot_ + "_lakepack/manifest-summary-" + m.fingerprint + ".json");
    LP_RETURN_NOT_OK(manifest::WriteManifest(m, lake_, options_.store));
    JsonWriter w;
    w.BeginObject();
    w.Key("manifest").String(m.summary_uri);
    w.Key("fingerprint").String(m.fingerprint);
    w.Key("rows").Int(v->after_total_n_record);
    w.Key("size").Int(v->after_total_size);
    w.Key("files").Int(v->after_n_files);
    w.Key("partitions").BeginArray();
    for (const auto& p : v->partitions) {
      w.BeginObject();
      w.Key("partition").String(p.partition);
      w.Key("rows").Int(p.rows);
      w.Key("checksum").String(p.checksum);
      w.Key("size").Int(p.total_size);
      w.Key("files").Int(p.n_files);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
    const std::string key = CommitKey();
    auto put = lake_->PutIfAbsent(key, w.str());
    if (!put.ok()) {
      if (!put.status().IsAlreadyExists()) return put.status();
      LP_ASSIGN_OR_RETURN(std::string text, lake_->Get(key));
      LP_ASSIGN_OR_RETURN(JsonValue j, ParseRecord(text, lake_->Uri(key)));
      if (JStr(j.Find("fingerprint")) != m.fingerprint) {
        return Status::AlreadyExists(lake_->Uri(key) + " already publishes another file set (" +
                                     JStr(j.Find("fingerprint")) + ", not " + m.fingerprint + ")");
      }
    }
    v->commit_uri = lake_->Uri(key);
    return Status::OK();
  }

  // Deletes this job's lake files that the commit does not name (left by redone attempts).
  Status CleanLake(const std::set<std::string>& keep) {
    LP_ASSIGN_OR_RETURN(auto objects, lake_->ListAll(lroot_));
    std::vector<std::string> stale;
    for (const auto& o : objects) {
      std::string rel = o.key.substr(lroot_.size());
      if (rel.rfind("_lakepack/", 0) == 0) continue;
      size_t slash = rel.rfind('/');
      std::string base = slash == std::string::npos ? rel : rel.substr(slash + 1);
      if (base.rfind(kLakeFilePrefix, 0) == 0 && !keep.count(o.key)) stale.push_back(o.key);
    }
    if (stale.empty()) return Status::OK();
    return lake_->Delete(stale);
  }

  Result<ValidateReport> Run(const ReadGroupFn& read) override {
    LP_RETURN_NOT_OK(PlanSnapshotToStaging().status());
    if (options_.one_pass && options_.create_datalake && options_.sort_by.empty()) {
      StepReport pass;
      LP_ASSIGN_OR_RETURN(bool done, OnePass(read, &pass));
      if (done) return ValidateDatalake();
    }
    LP_ASSIGN_OR_RETURN(StepReport staged, ProcessSnapshotGroups(read));
    if (staged.busy > 0) {
      return Status::Unavailable(std::to_string(staged.busy) +
                                 " snapshot groups are being processed by another live worker");
    }
    if (!options_.create_datalake) {
      ValidateReport v;
      v.after_total_n_record = staged.rows;
      return v;
    }
    LP_RETURN_NOT_OK(PlanStagingToDatalake().status());
    LP_ASSIGN_OR_RETURN(StepReport compacted, ProcessPartitionGroups());
    if (compacted.busy > 0) {
      return Status::Unavailable(std::to_string(compacted.busy) +
                                 " partition groups are being compacted by another live worker");
    }
    return ValidateDatalake();
  }

  // Done units of `kind` among 1..n.
  Result<int64_t> CountDone(const std::string& kind, int64_t n) {
    int64_t done = 0;
    for (int64_t i = 1; i <= n; ++i) {
      LP_ASSIGN_OR_RETURN(auto d, claims_->ReadDone(kind + "-" + std::to_string(i)));
      done += d.has_value();
    }
    return done;
  }

  Result<std::string> DryRunJson(const std::string& step) override {
    if (step != "plan" && step != "run") {
      return Status::InvalidArgument("a dry run is for plan or run, not '" + step + "'");
    }
    JsonWriter w;
    w.BeginObject();
    w.Key("dry_run").Bool(true);
    w.Key("step").String(step);
    // Step 1.1: the plan on the store, or the one it would write.
    int64_t groups = 0;
    bool planned = false;
    auto marker = staging_->Get(StateDir() + "plan-snapshot.json");
    w.Key("plan").BeginObject();
    if (marker.ok()) {
      LP_ASSIGN_OR_RETURN(JsonValue j,
                          ParseRecord(*marker, staging_->Uri(StateDir() + "plan-snapshot.json")));
      planned = true;
      groups = JInt(j.Find("groups"));
      w.Key("planned").Bool(true);
      w.Key("groups").Int(groups);
      w.Key("snapshot_files").Int(JInt(j.Find("snapshot_files")));
      w.Key("snapshot_size").Int(JInt(j.Find("snapshot_size")));
      w.Key("snapshot_n_record").Int(JInt(j.Find("snapshot_n_record"), -1));
      w.Key("writes").Int(0);
    } else {
      if (!marker.status().IsNotFound()) return marker.status();
      LP_ASSIGN_OR_RETURN(manifest::Manifest snap,
                          manifest::ReadManifest(options_.s3uri_db_snapshot_manifest_summary,
                                                 staging_, options_.store));
      std::vector<int64_t> sizes;
      for (const auto& f : snap.files) sizes.push_back(f.size);
      auto plan = manifest::PlanGroups(sizes, options_.target_db_snapshot_file_group_size);
      groups = static_cast<int64_t>(plan.size());
      int64_t largest = 0, smallest = 0;
      for (size_t g = 0; g < plan.size(); ++g) {
        int64_t size = 0;
        for (int64_t i : plan[g].files) size += sizes[static_cast<size_t>(i)];
        largest = std::max(largest, size);
        smallest = g == 0 ? size : std::min(smallest, size);
      }
      w.Key("planned").Bool(false);
      w.Key("groups").Int(groups);
      w.Key("snapshot_files").Int(static_cast<int64_t>(snap.files.size()));
      w.Key("snapshot_size").Int(snap.size);
      w.Key("snapshot_n_record").Int(snap.rows);
      w.Key("target_size").Int(options_.target_db_snapshot_file_group_size);
      w.Key("largest_group").Int(largest);
      w.Key("smallest_group").Int(smallest);
      // A group manifest is two objects; then the plan's marker.
      w.Key("writes").Int(2 * groups + 1);
      w.Key("writes_under").String(staging_->Uri(ManifestsDir()));
    }
    w.EndObject();
    if (step == "run") {
      auto lake_plan = staging_->Get(StateDir() + "plan-datalake.json");
      std::string lake_mode;
      int64_t lake_groups = 0;
      if (lake_plan.ok()) {
        LP_ASSIGN_OR_RETURN(JsonValue j,
                            ParseRecord(*lake_plan, StateDir() + "plan-datalake.json"));
        lake_mode = JStr(j.Find("mode")) == "one-pass" ? "one-pass" : "staged";
        lake_groups = JInt(j.Find("groups"));
      } else if (!lake_plan.status().IsNotFound()) {
        return lake_plan.status();
      }
      const bool committed = lake_->Head(CommitKey()).ok();
      std::string path;
      if (!options_.create_datalake) {
        path = "stage only";
      } else if (!lake_mode.empty()) {
        path = lake_mode;
      } else {
        path = options_.one_pass && options_.sort_by.empty() ? "one-pass" : "staged";
      }
      w.Key("path").String(path);
      int64_t staged_done = 0;
      if (planned) {
        LP_ASSIGN_OR_RETURN(staged_done, CountDone("stage", groups));
      }
      w.Key("snapshot_to_staging").BeginObject();
      w.Key("groups").Int(groups).Key("done").Int(staged_done);
      w.EndObject();
      w.Key("staging_to_datalake").BeginObject();
      w.Key("planned").Bool(!lake_mode.empty());
      if (!lake_mode.empty()) {
        LP_ASSIGN_OR_RETURN(int64_t compacted, CountDone("compact", lake_groups));
        w.Key("groups").Int(lake_groups).Key("done").Int(compacted);
      }
      w.EndObject();
      w.Key("committed").Bool(committed);
      w.Key("would").BeginArray();
      if (!committed) {
        if (!planned) w.String("plan " + std::to_string(groups) + " snapshot file groups");
        if (path == "one-pass") {
          w.String("read " + std::to_string(groups) +
                   " groups once and write the lake files of every partition straight to " +
                   lake_->Uri(lroot_) + " (no staging files)");
        } else {
          if (staged_done < groups) {
            w.String("stage " + std::to_string(groups - staged_done) +
                     " snapshot file groups under " + staging_->Uri(StagingDatalake()));
          }
          if (options_.create_datalake)
            w.String("compact every partition into " + lake_->Uri(lroot_));
        }
        if (options_.create_datalake) {
          w.String("validate rows and key checksums per partition, then publish " +
                   lake_->Uri(CommitKey()));
        }
      }
      w.EndArray();
    }
    w.EndObject();
    return w.str();
  }

  Result<std::string> StatusJson() override {
    JsonWriter w;
    w.BeginObject();
    auto step = [&](const char* name, const char* marker, const char* kind) -> Status {
      w.Key(name).BeginObject();
      auto text = staging_->Get(StateDir() + marker);
      if (text.status().IsNotFound()) {
        w.Key("planned").Bool(false);
        w.EndObject();
        return Status::OK();
      }
      LP_RETURN_NOT_OK(text.status());
      LP_ASSIGN_OR_RETURN(JsonValue j, ParseRecord(*text, marker));
      int64_t n = JInt(j.Find("groups"));
      int64_t done = 0;
      for (int64_t i = 1; i <= n; ++i) {
        LP_ASSIGN_OR_RETURN(auto d, claims_->ReadDone(std::string(kind) + "-" + std::to_string(i)));
        done += d.has_value();
      }
      w.Key("planned").Bool(true);
      w.Key("groups").Int(n);
      w.Key("done").Int(done);
      w.EndObject();
      return Status::OK();
    };
    LP_RETURN_NOT_OK(step("snapshot_to_staging", "plan-snapshot.json", "stage"));
    LP_RETURN_NOT_OK(step("staging_to_datalake", "plan-datalake.json", "compact"));
    // How the lake files were (or are being) written: "one-pass" or "staged" once planned.
    auto lake_plan = staging_->Get(StateDir() + "plan-datalake.json");
    if (lake_plan.ok()) {
      LP_ASSIGN_OR_RETURN(JsonValue j, ParseRecord(*lake_plan, "plan-datalake.json"));
      w.Key("mode").String(JStr(j.Find("mode")) == "one-pass" ? "one-pass" : "staged");
    }
    auto commit = lake_->Head(CommitKey());
    w.Key("committed").Bool(commit.ok());
    if (commit.ok()) w.Key("commit").String(lake_->Uri(CommitKey()));
    w.EndObject();
    return w.str();
  }

 private:
  PartitionSpec spec_;
  std::shared_ptr<ObjectStore> staging_, lake_;
  std::string sroot_, lroot_;
  std::unique_ptr<Claims> claims_;
};

}  // namespace

Status ProjectOptions::Validate() const {
  if (s3uri_db_snapshot_manifest_summary.empty()) {
    return Status::InvalidArgument("s3uri_db_snapshot_manifest_summary is required");
  }
  if (s3uri_staging.empty()) return Status::InvalidArgument("s3uri_staging is required");
  if (s3uri_datalake.empty()) return Status::InvalidArgument("s3uri_datalake is required");
  if (target_db_snapshot_file_group_size <= 0) {
    return Status::InvalidArgument("target_db_snapshot_file_group_size must be positive");
  }
  if (target_parquet_file_size <= 0) {
    return Status::InvalidArgument("target_parquet_file_size must be positive");
  }
  if (!descending.empty() && descending.size() != 1 && descending.size() != sort_by.size()) {
    return Status::InvalidArgument("descending needs one value, or one per sort_by column");
  }
  if (!input_format.empty() && input_format != "csv" && input_format != "jsonl" &&
      input_format != "json" && input_format != "parquet" && input_format != "dynamodb") {
    return Status::InvalidArgument("input_format '" + input_format +
                                   "' is not one of csv, jsonl, parquet, dynamodb");
  }
  if (parallel < 1) return Status::InvalidArgument("parallel must be at least 1");
  if (lease_ms <= 0) return Status::InvalidArgument("lease_ms must be positive");
  return Status::OK();
}

std::string ValidateReport::ToJson() const {
  JsonWriter w;
  w.BeginObject();
  w.Key("before_n_files").Int(before_n_files);
  w.Key("before_total_size").Int(before_total_size);
  w.Key("before_total_n_record");
  if (before_total_n_record >= 0) {
    w.Int(before_total_n_record);
  } else {
    w.Null();
  }
  w.Key("after_n_files").Int(after_n_files);
  w.Key("after_total_size").Int(after_total_size);
  w.Key("after_total_n_record").Int(after_total_n_record);
  w.Key("n_partition").Int(n_partition);
  w.Key("partitions").BeginArray();
  for (const auto& p : partitions) {
    w.BeginObject();
    w.Key("partition").String(p.partition);
    w.Key("n_files").Int(p.n_files);
    w.Key("total_size").Int(p.total_size);
    w.Key("total_n_record").Int(p.rows);
    w.Key("checksum").String(p.checksum);
    w.EndObject();
  }
  w.EndArray();
  w.Key("commit").String(commit_uri);
  w.Key("mode").String(mode);
  w.Key("staged_bytes").Int(staged_bytes);
  w.Key("rewritten_bytes").Int(rewritten_bytes);
  w.EndObject();
  return w.str();
}

Result<std::unique_ptr<Project>> Project::Make(ProjectOptions options) {
  auto p = std::make_unique<ProjectImpl>(std::move(options));
  LP_RETURN_NOT_OK(p->Init());
  return std::unique_ptr<Project>(std::move(p));
}

Result<int64_t> BuildSnapshotManifest(const std::string& prefix, const std::string& summary_uri,
                                      const std::string& data_uri, bool count_rows,
                                      const StoreOptions& options) {
  LP_ASSIGN_OR_RETURN(StoreLocation loc, OpenStore(prefix, options));
  LP_ASSIGN_OR_RETURN(auto objects, loc.store->ListAll(loc.key));
  std::vector<manifest::FileEntry> files;
  for (const auto& o : objects) {
    std::string base = o.key.substr(o.key.rfind('/') + 1);
    if (base.rfind("manifest-", 0) == 0 || o.key.find("/_lakepack/") != std::string::npos) continue;
    auto fmt = format::DetectFormat(base);  // a compression suffix (.gz, .zst) is stripped
    if (!fmt.ok()) continue;  // not a data file (a marker, a listing)
    manifest::FileEntry e;
    e.uri = loc.store->Uri(o.key);
    e.size = o.size;
    e.etag = o.etag;
    if (count_rows && *fmt == format::Format::kParquet) {
      LP_ASSIGN_OR_RETURN(auto file, format::OpenInputFile(loc.store, o.key));
      try {
        auto reader = parquet::ParquetFileReader::Open(file);
        e.rows = reader->metadata()->num_rows();
      } catch (const std::exception& ex) {
        return Status::InvalidData(e.uri + ": " + ex.what());
      }
    }
    files.push_back(std::move(e));
  }
  auto m = manifest::MakeManifest(std::move(files), data_uri, summary_uri,
                                  R"({"create_by":"lakepack"})");
  LP_RETURN_NOT_OK(manifest::WriteManifest(m, loc.store, options));
  return static_cast<int64_t>(m.files.size());
}

}  // namespace lakepack::lake
