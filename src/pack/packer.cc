// packer.cc: see packer.h.
#include "pack/packer.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <set>
#include <thread>

#define XXH_INLINE_ALL
#include "arrow/compute/cast.h"
#include "arrow/vendored/xxhash/xxhash.h"
#include "format/arrow_io.h"
#include "format/arrow_status.h"
#include "format/reader.h"
#include "format/schema_file.h"
#include "format/schema_policy.h"
#include "pack/batch_queue.h"
#include "pack/lock.h"
#include "pack/rolling_writer.h"
#include "pack/state.h"
#include "store/traffic.h"
#include "txlog/lease.h"
#include "txlog/log.h"

namespace lakepack::pack {
namespace {

// Bytes of parsed batches the producer may run ahead of the encoder: one Parquet row group's
// worth.  The Parquet writer encodes a whole row group at once (RollingWriter), so a smaller queue
// would stall the parser for most of that time; with this one the next row group is parsed while
// the current one is encoded (2 GB CSV -> Parquet: 108% -> 186% CPU, 13.6 s -> 7.9 s).
constexpr int64_t kQueueBytes = RollingWriter::kMaxRowGroupArrowBytes;
// Batches queued at most: CSV and JSON Lines batches are ~1 MB blocks, so the byte bound rules.
constexpr int64_t kQueueBatches = 256;

std::string DirPrefix(const std::string& key) {
  if (key.empty() || key.back() == '/') return key;
  return key + "/";
}

// Bytes hashed at a time by ContentChecksum.
constexpr int64_t kChecksumReadBytes = 4 << 20;

// "xxh3-64:<16 hex>" of the object's bytes (PackedInput::checksum): fast (GB/s), and collisions
// between an input's old and new bytes are not a concern at 64 bits.
Result<std::string> ContentChecksum(const std::shared_ptr<ObjectStore>& store,
                                    const std::string& key) {
  LP_ASSIGN_OR_RETURN(auto file, format::OpenInputFile(store, key));
  XXH3_state_t state;
  XXH3_64bits_reset(&state);
  while (true) {
    LP_ARROW_ASSIGN_OR_RETURN(auto buf, file->Read(kChecksumReadBytes), store->Uri(key));
    if (buf->size() == 0) break;
    XXH3_64bits_update(&state, buf->data(), static_cast<size_t>(buf->size()));
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx",
                static_cast<unsigned long long>(XXH3_64bits_digest(&state)));
  return "xxh3-64:" + std::string(hex);
}

// The objects directly under `prefix` (not in sub-directories), every page.
Result<std::vector<ObjectInfo>> ListDir(ObjectStore& store, const std::string& prefix) {
  std::vector<ObjectInfo> out;
  ListOptions lo;
  lo.delimiter = "/";
  while (true) {
    LP_ASSIGN_OR_RETURN(ListPage page, store.List(prefix, lo));
    for (auto& o : page.objects) out.push_back(std::move(o));
    if (page.next_continuation.empty()) break;
    lo.continuation = page.next_continuation;
  }
  return out;
}

class PackRun {
 public:
  explicit PackRun(const PackOptions& o) : o_(o) {}

  Result<PackReport> Run() {
    auto start = std::chrono::steady_clock::now();
    LP_RETURN_NOT_OK(Open());
    auto deadline = start + std::chrono::seconds(o_.wait_seconds);
    while (true) {
      auto report = Attempt();
      bool busy = !report.ok() && (report.status().IsAlreadyExists() ||
                                   report.status().code() == StatusCode::kUnavailable);
      if (busy && Cancelled()) return CancelledStatus();
      if (!busy || std::chrono::steady_clock::now() >= deadline) {
        if (report.ok()) {
          report->stores = traffic_.Read();
          report->seconds =
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        }
        return report;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
  }

 private:
  Status Open() {
    LP_ASSIGN_OR_RETURN(auto in, OpenStore(o_.input_base, o_.store));
    LP_ASSIGN_OR_RETURN(auto out, OpenStore(o_.output_base, o_.store));
    in_ = in.store;  // OpenStore wraps both for crash tests (store/testing/crash_store.h)
    out_ = out.store;
    traffic_.Watch(in_);
    traffic_.Watch(out_);
    in_prefix_ = DirPrefix(in.key) + o_.table + "/";
    LP_ASSIGN_OR_RETURN(OutputPlace place,
                        OutputPlaceOf(out.key, o_.table, o_.suffix, o_.out_ext, o_.partition));
    table_prefix_ = place.table_prefix;
    part_prefix_ = place.part_prefix;
    state_prefix_ = place.state_prefix;
    // An output table inside the input table (or the other way round) would pack its own output
    // again on every run.
    const std::string in_uri = in_->Uri(in_prefix_), out_uri = out_->Uri(table_prefix_);
    if (out_uri.rfind(in_uri, 0) == 0 || in_uri.rfind(out_uri, 0) == 0) {
      return Status::InvalidArgument(
          "pack: the output table " + out_uri + " and the input table " + in_uri +
          " overlap, so every run would pack its own output again; choose an OUTPUT_BASE "
          "outside the input table");
    }
    LP_ASSIGN_OR_RETURN(OutputExtension out_ext, ParseOutputExtension(o_.out_ext));
    out_format_ = out_ext.format;
    out_codec_ = out_ext.compression;
    if (!o_.schema_file.empty()) {
      LP_ASSIGN_OR_RETURN(schema_file_, format::LoadSchemaFile(o_.schema_file, o_.store));
    }
    return Status::OK();
  }

  std::string TableName() const {
    return out_->Uri(part_prefix_) + OutputStem(o_.table, o_.suffix) + "_N." + o_.out_ext;
  }

  // One of the state directory's logs: "intent-" or "commit-" records (state.h).
  Result<std::unique_ptr<txlog::Log>> OpenLog(const char* stem) {
    txlog::LogOptions lo;
    lo.prefix = state_prefix_;
    lo.stem = stem;
    return txlog::Log::Open(out_, std::move(lo));
  }

  // Whether another packer took over run `generation` (it started the next run, which it does
  // only once our lease expired): the phrase for the lease keeper's message, or nullopt.
  // `lakepack pack --unlock` (unlock-G) counts as a take-over: the next run recovers G.
  Result<std::optional<std::string>> TakenOver(int64_t generation) {
    LP_ASSIGN_OR_RETURN(
        auto next, txlog::TakenOverOnceExists(*out_, state_prefix_ + IntentName(generation + 1),
                                              "another packer"));
    if (next) return next;
    return txlog::TakenOverOnceExists(*out_, state_prefix_ + UnlockName(generation),
                                      "`lakepack pack --unlock`");
  }

  Result<PackReport> Attempt() {
    PackReport report;
    // 1. State: the latest intent and commit (txlog logs in the state directory).  Fresh logs
    // each attempt: a cancelled run takes its intent back (Undo).
    LP_ASSIGN_OR_RETURN(auto intents, OpenLog("intent-"));
    LP_ASSIGN_OR_RETURN(auto commits, OpenLog("commit-"));
    LP_ASSIGN_OR_RETURN(const int64_t max_intent, intents->Latest());
    LP_ASSIGN_OR_RETURN(const int64_t max_commit, commits->Latest());
    Commit committed;
    bool have_commit = max_commit >= 0;
    if (have_commit) {
      LP_ASSIGN_OR_RETURN(std::string text, commits->Read(max_commit));
      LP_ASSIGN_OR_RETURN(committed, ParseCommit(text, out_->Uri(commits->RecordKey(max_commit))));
    }
    LP_ASSIGN_OR_RETURN(const LockState lock,
                        ReadLock(*out_, state_prefix_, *intents, max_intent, max_commit));
    if (lock.Live(NowUnixMs())) {
      const int64_t expiry = lock.expiry_ms;
      return Status::Unavailable("another packer is working on " + TableName() + " (" +
                                 DescribeOwner(lock) + "); retry later (its lock " +
                                 (expiry == INT64_MAX
                                      ? std::string("has no expiry that can be computed")
                                      : "expires at " + IsoTime(expiry) + " unless renewed") +
                                 "; `lakepack pack --status` shows it)");
    }
    const Intent& abandoned = lock.intent;
    const bool recovering = lock.held;
    const int64_t generation = std::max(max_intent, max_commit) + 1;

    // 2. Listings and plan.
    LP_ASSIGN_OR_RETURN(auto part_files, ListDir(*out_, part_prefix_));
    for (auto& f : part_files) f.key = f.key.substr(part_prefix_.size());
    LP_ASSIGN_OR_RETURN(auto inputs, in_->ListAll(in_prefix_));
    if (inputs.empty()) {
      return Status::NotFound("pack: no input table " + in_->Uri(in_prefix_) +
                              " (nothing is stored under it; check INPUT_BASE and TABLE)");
    }
    std::map<std::string, std::string> key_of_uri;
    for (auto& in : inputs) {
      std::string uri = in_->Uri(in.key);
      key_of_uri[uri] = in.key;
      in.key = uri;
    }
    PlanRequest req;
    req.table = o_.table;
    req.suffix = o_.suffix;
    req.out_ext = o_.out_ext;
    req.in_ext = o_.in_ext;
    req.file_limit_bytes = o_.file_limit_bytes;
    req.partition_files = std::move(part_files);
    req.inputs = std::move(inputs);
    req.committed = have_commit ? &committed : nullptr;
    req.abandoned = recovering ? &abandoned : nullptr;
    req.append_new_file = o_.append_new_file;
    LP_ASSIGN_OR_RETURN(PackPlan plan, MakePlan(req));
    // Packed inputs whose ETag changed and size did not: the same bytes (touch, cp without -p, a
    // re-upload) are still packed; other bytes are a change.
    refreshed_.clear();
    for (const auto& v : plan.verify) {
      LP_ASSIGN_OR_RETURN(std::string sum, ContentChecksum(in_, key_of_uri.at(v.now.key)));
      if (sum == v.then.checksum) {
        ++plan.already_packed;
        PackedInput p = v.then;
        p.etag = v.now.etag;
        refreshed_.push_back(p);
      } else {
        plan.changed.push_back(v);
      }
    }
    plan.verify.clear();
    if (!plan.changed.empty()) {
      std::string msg = "pack: " + std::to_string(plan.changed.size()) +
                        " input(s) changed since they were packed into " + TableName() + ":";
      for (const auto& c : plan.changed) {
        msg += " " + c.now.key + " (packed by run " +
               (c.then.generation >= 0 ? std::to_string(c.then.generation) : std::string("?")) +
               ", " + std::to_string(c.then.size) + " bytes; now " + std::to_string(c.now.size) +
               " bytes" + (c.then.size == c.now.size ? ", other content" : "") + ");";
      }
      msg +=
          " their rows are in the table already, so packing them again would duplicate rows. "
          "Nothing was written. Give new data a new file name";
      return Status::InvalidData(msg);
    }
    report.plan_text = DescribePlan(plan, req);
    if (std::string d = o_.csv.Describe(); !d.empty()) {
      report.plan_text += "CSV inputs read with: " + d + "\n";
    }
    report.already_packed = plan.already_packed;
    report.input_bytes = plan.input_bytes;
    report.recovered = recovering;
    std::set<std::string> pvals;
    for (const auto& in : plan.inputs) {
      report.inputs.push_back(in.key);
      if (!o_.input_partition_name.empty()) {
        std::string rel = key_of_uri[in.key].substr(in_prefix_.size());
        for (const auto& [k, v] : PartitionValuesOf(rel)) {
          if (k == o_.input_partition_name) pvals.insert(v);
        }
      }
    }
    report.input_partition_values.assign(pvals.begin(), pvals.end());
    if (!plan.nothing_to_do() || recovering) {
      // The target schema from every input's columns, before anything is written: a mismatch
      // fails here (kFail), with nothing written and no lock taken.
      LP_RETURN_NOT_OK(ResolveSchema(plan, key_of_uri, recovering ? &abandoned : nullptr));
    }
    if (o_.dry_run) return report;
    if (plan.nothing_to_do() && !recovering) return report;
    if (Cancelled()) return CancelledStatus();

    // 3. The intent: our lock on generation G.
    Intent intent;
    intent.generation = generation;
    intent.owner = ThisProcessOwner();
    intent.created_ms = NowUnixMs();
    intent.lease_ms = o_.lock_timeout_seconds * 1000;
    intent.prev_latest_n = plan.latest_n;
    intent.recovers = recovering ? abandoned.generation : -1;
    if (plan.rewrite_latest) {
      intent.base_file = plan.latest_name;
      intent.base_copy = recovering && !abandoned.base_copy.empty()
                             ? abandoned.base_copy
                             : BaseCopyName(generation, plan.latest_name);
      intent.base_size = plan.latest_size;
      intent.base_etag = plan.latest_etag;
    }
    Status locked = intents->Append(generation, ToJson(intent));
    if (!locked.ok()) {
      if (locked.IsAlreadyExists()) {
        return Status::AlreadyExists("another packer started run " + std::to_string(generation) +
                                     " on " + TableName() + " at the same time (" +
                                     out_->Uri(intents->RecordKey(generation)) +
                                     " exists); retry later");
      }
      return locked;
    }
    report.generation = generation;
    const std::string run_name = "run " + std::to_string(generation) + " on " + TableName();
    txlog::LeaseOptions lease;
    lease.store = out_;
    lease.lease_key = state_prefix_ + LeaseName(generation);
    lease.renewal_record = [generation](int64_t now_ms) {
      return ToJson(LeaseRenewal{generation, now_ms});
    };
    lease.taken_over = [this, generation] { return TakenOver(generation); };
    lease.lease_ms = intent.lease_ms;
    lease.what = run_name;
    LP_RETURN_NOT_OK(lease.Validate());
    auto keeper = txlog::LeaseKeeper::Start(std::move(lease));

    const std::string base_key = plan.rewrite_latest ? state_prefix_ + intent.base_copy : "";
    Status wrote = [&]() -> Status {
      // 4. Recovery: drop what the crashed run may have written: its committed files above the
      // latest N it recorded, and what its interrupted writes left (temp files, incomplete
      // multipart uploads) of the keys its intent names: those files, the one it was writing
      // (one at a time, in N order), the latest file and its base copy, its state objects.
      if (recovering) {
        std::set<std::string> keys;
        int64_t top = abandoned.prev_latest_n;
        for (const auto& f : plan.stale_files) {
          keys.insert(part_prefix_ + f);
          if (auto n = ParseFileNumber(f); n.ok()) top = std::max(top, *n);
        }
        keys.insert(part_prefix_ + OutputFileName(o_.table, o_.suffix, top + 1, o_.out_ext));
        if (!abandoned.base_file.empty()) {
          keys.insert(part_prefix_ + abandoned.base_file);
          keys.insert(state_prefix_ + abandoned.base_copy);
        }
        keys.insert(state_prefix_ + CommitName(abandoned.generation));
        keys.insert(state_prefix_ + LeaseName(abandoned.generation));
        for (const auto& k : keys) LP_RETURN_NOT_OK(out_->AbortIncompleteWrites(k));
      }
      if (!plan.stale_files.empty()) {
        std::vector<std::string> keys;
        for (const auto& f : plan.stale_files) keys.push_back(part_prefix_ + f);
        LP_RETURN_NOT_OK(out_->Delete(keys));
      }

      // 5. Preserve the latest file's original bytes before it is rewritten.
      if (plan.rewrite_latest) {
        auto head = out_->Head(base_key);
        if (!head.ok() && !head.status().IsNotFound()) return head.status();
        if (!head.ok() || head->size != intent.base_size) {
          // No copy yet: the original was never touched (it is rewritten only after the copy).
          LP_ASSIGN_OR_RETURN(auto copied, out_->Copy(part_prefix_ + plan.latest_name, base_key));
          if (copied.size != intent.base_size) {
            return Status::IOError("copy of " + out_->Uri(part_prefix_ + plan.latest_name) +
                                   " has " + std::to_string(copied.size) + " bytes, expected " +
                                   std::to_string(intent.base_size) +
                                   " (did someone else change it?)");
          }
        }
      }

      // 6. Stream base rows, then inputs, into the output files.
      LP_RETURN_NOT_OK(WriteAll(plan, base_key, key_of_uri, *keeper, &report));
      if (Cancelled()) return CancelledStatus();
      return Status::OK();
    }();
    if (!wrote.ok()) {
      keeper->Stop();
      // Cancelled or failed (bad data, a store error...): put the table back and release the lock.
      return Undo(plan, intent, base_key, keeper->status(), user_cancelled_ ? nullptr : &wrote);
    }
    LP_RETURN_NOT_OK(keeper->status());

    // 7. Commit, unless another packer took over after our lease expired.
    LP_ASSIGN_OR_RETURN(auto taken, TakenOver(generation));
    if (taken) {
      return Status::Cancelled("run " + std::to_string(generation) + " on " + TableName() +
                               " lost its lock (" + *taken + ", its lease being " +
                               std::to_string(o_.lock_timeout_seconds) +
                               " s); its output will be redone by the next run");
    }
    Commit c;
    c.generation = generation;
    c.created_ms = NowUnixMs();
    std::map<std::string, PackedInput> packed;
    for (const auto& p : committed.packed) packed[p.uri] = p;
    for (const auto& p : refreshed_) packed[p.uri] = p;
    for (size_t i = 0; i < plan.inputs.size(); ++i) {
      const auto& in = plan.inputs[i];
      packed[in.key] = PackedInput{in.key, in.size, in.etag, checksums_[i], generation};
    }
    for (auto& [uri, p] : packed) c.packed.push_back(p);
    std::map<int64_t, ManifestFile> files;
    for (const auto& f : committed.files) files[f.n] = f;
    for (const auto& f : written_) files[f.n] = f;
    for (auto& [n, f] : files) c.files.push_back(f);
    LP_RETURN_NOT_OK(commits->Append(generation, ToJson(c)));
    keeper->Stop();  // before its lease object is deleted: a renewal in flight would recreate it

    // 8. Garbage: base copies (ours and any a crash after a commit left behind), leases and
    // unlock records — of this run and earlier ones only: a packer may already have started run
    // G+1.
    std::vector<std::string> garbage = {state_prefix_ + LeaseName(generation)};
    if (!base_key.empty()) garbage.push_back(base_key);
    for (const char* stem : {"base-", "lease-", "unlock-"}) {
      auto left = out_->ListAll(state_prefix_ + stem);
      if (!left.ok()) break;  // harmless: the next run's step 8 tries again
      for (const auto& o : *left) {
        auto name = ParseStateObjectName(BaseName(o.key));
        if (name && name->generation <= generation &&
            (name->kind == StateObjectKind::kBase || name->kind == StateObjectKind::kLease ||
             name->kind == StateObjectKind::kUnlock)) {
          garbage.push_back(o.key);
        }
      }
    }
    std::sort(garbage.begin(), garbage.end());
    garbage.erase(std::unique(garbage.begin(), garbage.end()), garbage.end());
    (void)out_->Delete(garbage);  // harmless if it fails
    return report;
  }

  // Sets target_, base_own_ and own_ (plan.inputs' own columns): the schema file if given, else
  // the latest file's (from its base copy when a crashed run may have rewritten it), else the first
  // input's, with every input folded in under on_schema_mismatch (schema_policy.h).
  Status ResolveSchema(const PackPlan& plan, const std::map<std::string, std::string>& key_of_uri,
                       const Intent* abandoned) {
    std::string latest_key;
    if (plan.latest_n >= 0) latest_key = part_prefix_ + plan.latest_name;
    if (plan.rewrite_latest && abandoned && !abandoned->base_copy.empty()) {
      auto head = out_->Head(state_prefix_ + abandoned->base_copy);
      if (!head.ok() && !head.status().IsNotFound()) return head.status();
      if (head.ok() && head->size == abandoned->base_size) {
        latest_key = state_prefix_ + abandoned->base_copy;
      }
    }
    std::string source;
    target_ = nullptr;
    base_own_ = nullptr;
    if (schema_file_) {
      target_ = schema_file_;
      source = "the schema file " + o_.schema_file;
    }
    if (!latest_key.empty()) {
      LP_ASSIGN_OR_RETURN(auto reader, format::OpenBatchReader(out_, latest_key, out_format_));
      base_own_ = reader->schema();
      (void)reader->Close();
      const std::string latest_uri = out_->Uri(part_prefix_ + plan.latest_name);
      if (!target_) {
        target_ = base_own_;
        source = "the latest output file " + latest_uri;
      } else if (plan.rewrite_latest) {
        LP_RETURN_NOT_OK(
            format::MergeSchema(*base_own_, latest_uri, source, o_.on_schema_mismatch, &target_));
      }
    }
    own_.clear();
    for (const auto& in : plan.inputs) {
      const std::string& key = key_of_uri.at(in.key);
      LP_ASSIGN_OR_RETURN(auto fmt, format::DetectFormat(key));
      format::ReadOptions ro;
      ro.use_threads = false;
      ro.csv = o_.csv;
      if (o_.read_block_bytes > 0) ro.block_size = o_.read_block_bytes;
      LP_ASSIGN_OR_RETURN(auto reader, format::OpenBatchReader(in_, key, fmt, ro));
      own_.push_back(reader->schema());
      (void)reader->Close();
      if (!target_) {
        if (own_.back()->num_fields() == 0) continue;  // an empty input sets no schema
        target_ = own_.back();
        source = "the first input " + in.key;
        continue;
      }
      LP_RETURN_NOT_OK(
          format::MergeSchema(*own_.back(), in.key, source, o_.on_schema_mismatch, &target_));
    }
    // Every input empty (no columns, no rows) and nothing else to go by: no rows to write.
    if (!target_) target_ = arrow::schema(arrow::FieldVector{});
    return Status::OK();
  }

  bool Cancelled() const { return o_.cancelled && o_.cancelled(); }

  Status CancelledStatus() {
    user_cancelled_ = true;  // Undo() puts back what the run wrote, and says so
    return Status::Cancelled("pack of " + TableName() +
                             " cancelled; the table is as it was before the run");
  }

  // One input of the run: the base copy or an input file.
  struct Source {
    std::shared_ptr<ObjectStore> store;
    std::string key;
    format::Format format;
    std::string uri;
    bool allow_cast;
    std::shared_ptr<arrow::Schema> own;  // its own columns (ResolveSchema)
    bool is_input;  // an input (read with the run's CSV dialect), not the base copy (ours)
  };

  // Reads every source in order into `queue`, conformed to `target`.  Runs on the producer
  // thread; stops quietly when the queue is cancelled.
  Status Produce(const std::vector<Source>& sources, const std::shared_ptr<arrow::Schema>& target,
                 BatchQueue& queue) {
    for (const auto& src : sources) {
      format::ReadOptions ro;
      if (src.format != format::Format::kParquet) {
        // Its own columns with the target's types: the reader projects nothing away.
        ro.schema = format::ReadSchemaFor(*src.own, *target);
        ro.check_schema = false;
        ro.on_schema_mismatch = o_.on_schema_mismatch;
      }
      if (src.is_input) ro.csv = o_.csv;
      if (o_.read_block_bytes > 0) ro.block_size = o_.read_block_bytes;
      // Parquet output: the encoder (this run's calling thread) keeps one core busy, so parsing
      // on this thread alone keeps up, and skips Arrow's parallel parse's hand-offs and memory
      // churn (2 GB CSV: 15.0 -> 13.6 CPU s, 8.0 -> 7.5 s, peak RSS ~270 -> ~320 MB).
      if (out_format_ == format::Format::kParquet) ro.use_threads = false;
      LP_ASSIGN_OR_RETURN(auto reader, format::OpenBatchReader(src.store, src.key, src.format, ro));
      format::ConformOptions co;
      co.policy = o_.on_schema_mismatch;
      co.allow_cast = src.allow_cast;
      co.cast_hint = " (Parquet inputs are cast only with --cast-parquet)";
      co.name = src.uri;
      while (true) {
        std::shared_ptr<arrow::RecordBatch> batch;
        LP_ARROW_RETURN_NOT_OK(reader->ReadNext(&batch), src.uri);
        if (!batch) break;
        LP_ASSIGN_OR_RETURN(batch, format::ConformBatch(batch, target, co));
        co.first_row += batch->num_rows();
        if (!queue.Push(std::move(batch))) {
          (void)reader->Close();  // stopped early: lets its read-ahead wind down
          return Status::OK();
        }
      }
    }
    return Status::OK();
  }

  // Step 6.  Returns CancelledStatus() when `cancelled` says so, and the keeper's status once the
  // lock is lost; either way the open output file is aborted.
  Status WriteAll(const PackPlan& plan, const std::string& base_key,
                  const std::map<std::string, std::string>& key_of_uri,
                  const txlog::LeaseKeeper& keeper, PackReport* report) {
    const std::shared_ptr<arrow::Schema> target = target_;
    std::vector<Source> sources;
    if (!base_key.empty()) {
      sources.push_back(
          {out_, base_key, out_format_, out_->Uri(base_key), /*allow_cast=*/true, base_own_,
           /*is_input=*/false});
    }
    for (size_t i = 0; i < plan.inputs.size(); ++i) {
      const std::string& key = key_of_uri.at(plan.inputs[i].key);
      LP_ASSIGN_OR_RETURN(auto fmt, format::DetectFormat(key));
      bool cast = fmt != format::Format::kParquet || o_.cast_parquet;
      sources.push_back({in_, key, fmt, plan.inputs[i].key, cast, own_[i], /*is_input=*/true});
    }
    auto open = [&](int64_t index) -> Result<std::shared_ptr<format::ObjectOutputStream>> {
      LP_RETURN_NOT_OK(keeper.status());
      std::string name = OutputFileName(o_.table, o_.suffix, plan.first_n + index, o_.out_ext);
      return format::OpenOutputStream(out_, part_prefix_ + name);
    };
    auto closed = [&](const WrittenFile& f) {
      ManifestFile m;
      m.n = plan.first_n + f.index;
      m.name = OutputFileName(o_.table, o_.suffix, m.n, o_.out_ext);
      m.size = f.bytes;
      m.etag = f.etag;
      m.rows = f.rows;
      written_.push_back(m);
      report->files.push_back({f.uri, f.rows, f.bytes});
      report->rows += f.rows;
      if (o_.on_file) o_.on_file(f.uri, f.rows, f.bytes);
    };

    BatchQueue queue(kQueueBatches, kQueueBytes);
    // The inputs' checksums (recorded in the commit), on a thread of their own: a second read
    // of each input, overlapped with parsing and encoding.
    checksums_.assign(plan.inputs.size(), std::string());
    std::atomic<bool> stop_hashing{false};
    Status hashed;
    std::thread hasher([&] {
      for (size_t i = 0; i < plan.inputs.size() && !stop_hashing.load(); ++i) {
        auto sum = ContentChecksum(in_, key_of_uri.at(plan.inputs[i].key));
        if (!sum.ok()) {
          hashed = sum.status();
          return;
        }
        checksums_[i] = *sum;
      }
    });
    struct HashJoiner {
      std::atomic<bool>& stop;
      std::thread& thread;
      ~HashJoiner() {
        stop.store(true);
        thread.join();
      }
    } hash_joiner{stop_hashing, hasher};
    std::thread producer([&] { queue.Finish(Produce(sources, target, queue)); });
    struct Joiner {  // stops and joins the producer on every way out
      BatchQueue& queue;
      std::thread& thread;
      ~Joiner() {
        queue.Cancel();
        thread.join();
      }
    } joiner{queue, producer};

    std::unique_ptr<RollingWriter> writer;  // declared after joiner: aborted before the join
    while (true) {
      if (Cancelled()) return CancelledStatus();  // the writer's destructor aborts its file
      LP_RETURN_NOT_OK(keeper.status());
      LP_ASSIGN_OR_RETURN(auto batch, queue.Pop());
      if (!batch) break;
      if (!writer) {
        LP_ASSIGN_OR_RETURN(writer, RollingWriter::Make(out_format_, target, o_.file_limit_bytes,
                                                        open, closed, out_codec_));
      }
      LP_RETURN_NOT_OK(writer->Write(batch));
    }
    if (Cancelled()) return CancelledStatus();
    if (writer) LP_RETURN_NOT_OK(writer->Finish());
    hasher.join();
    hasher = std::thread([] {});  // HashJoiner joins this one
    LP_RETURN_NOT_OK(hashed);
    report->rewrote_latest = plan.rewrite_latest;
    return Status::OK();
  }

  // After a cancelled step 6: puts the table back as it was before the run (see
  // PackOptions::cancelled).  `lock` is the stopped lease keeper's status.
  // `error` (null: cancelled) is the failure that stopped the run: its code is kept and the
  // message says what was undone.
  Status Undo(const PackPlan& plan, const Intent& intent, const std::string& base_key,
              const Status& lock, const Status* error = nullptr) {
    const std::string cancelled = "pack of " + TableName() + " cancelled";
    auto done = [&](const std::string& what) {
      if (!error) return Status::Cancelled(cancelled + what);
      return Status(error->code(), error->message() + what);
    };
    if (!lock.ok()) {  // not ours now
      if (error && error->message() == lock.message()) return *error;
      return done("; " + lock.message());
    }
    auto failed = [&](const Status& st) {
      return done(error ? "; undoing the run failed (" + st.ToString() +
                              "): its lock stays and the next run recovers the table"
                        : ", but putting the table back failed (" + st.ToString() +
                              "); the next run recovers it");
    };
    std::vector<std::string> ours;
    bool latest_rewritten = false;
    for (const auto& f : written_) {
      if (plan.rewrite_latest && f.n == plan.latest_n) {
        latest_rewritten = true;
      } else {
        ours.push_back(part_prefix_ + f.name);
      }
    }
    if (!ours.empty()) {
      Status st = out_->Delete(ours);
      if (!st.ok()) return failed(st);
    }
    if (latest_rewritten) {
      auto copied = out_->Copy(base_key, part_prefix_ + plan.latest_name);
      if (!copied.ok()) return failed(copied.status());
      if (copied->size != intent.base_size) {
        return failed(Status::IOError(out_->Uri(base_key) + " has " + std::to_string(copied->size) +
                                      " bytes, expected " + std::to_string(intent.base_size)));
      }
    }
    written_.clear();
    // The intent goes last: until then a crash here is recovered like any other.  A recovery's
    // abandoned intent, and the base copy it made, stay for the next run.
    std::vector<std::string> state = {state_prefix_ + LeaseName(intent.generation)};
    if (!base_key.empty() &&
        intent.base_copy == BaseCopyName(intent.generation, intent.base_file)) {
      state.push_back(base_key);
    }
    Status st = out_->Delete(state);
    if (st.ok()) st = out_->Delete({state_prefix_ + IntentName(intent.generation)});
    if (!st.ok()) return failed(st);
    if (!error) return Status::Cancelled(cancelled + "; the table is as it was before the run");
    return done(
        " (the run was undone: its files deleted, the latest file put back, its lock released; "
        "the table is as it was before the run)");
  }

  const PackOptions& o_;
  std::shared_ptr<ObjectStore> in_, out_;
  TrafficMeter traffic_;  // in_ and out_, from Open() on
  std::string in_prefix_, table_prefix_, part_prefix_, state_prefix_;
  format::Format out_format_ = format::Format::kParquet;
  arrow::Compression::type out_codec_ = arrow::Compression::SNAPPY;  // the --out-ext's codec
  std::shared_ptr<arrow::Schema> schema_file_;
  std::shared_ptr<arrow::Schema> target_;            // ResolveSchema
  std::shared_ptr<arrow::Schema> base_own_;          // the latest file's own columns, if any
  std::vector<std::shared_ptr<arrow::Schema>> own_;  // plan.inputs' own columns
  std::vector<ManifestFile> written_;
  std::vector<std::string> checksums_;  // of plan.inputs (WriteAll)
  std::vector<PackedInput> refreshed_;  // packed inputs with a new ETag and the same checksum
  bool user_cancelled_ = false;         // the run stopped because `cancelled` returned true
};

}  // namespace

static_assert(kMaxLockTimeoutSeconds * 1000 == kMaxLeaseMs);

Status PackOptions::Validate() const {
  if (input_base.empty()) return Status::InvalidArgument("pack: INPUT_BASE is empty");
  if (output_base.empty()) return Status::InvalidArgument("pack: OUTPUT_BASE is empty");
  LP_RETURN_NOT_OK(ValidateOutputNames(table, suffix, out_ext, partition));
  if (file_limit_bytes <= 0) {
    return Status::InvalidArgument("pack: --file-limit must be positive, got " +
                                   std::to_string(file_limit_bytes));
  }
  if (file_limit_bytes < kMinFileLimitBytes && !force) {
    return Status::InvalidArgument(
        "pack: --file-limit " + std::to_string(file_limit_bytes) +
        " bytes is under 1 MB, so every few rows would make a file of their own (a number "
        "without a unit is bytes: 256MB, 1GiB); give --force to pack with it anyway");
  }
  if (!in_ext.empty()) {
    auto in_fmt = FormatOfExtension(in_ext);
    if (!in_fmt.ok()) return in_fmt.status().WithContext("pack: --in-ext");
  }
  if (Status dialect = csv.Validate(); !dialect.ok()) {
    return dialect.WithContext("pack");
  }
  if (read_block_bytes < 0) {
    return Status::InvalidArgument("pack: read block size must be positive, got " +
                                   std::to_string(read_block_bytes));
  }
  if (lock_timeout_seconds <= 0) {
    return Status::InvalidArgument("pack: lock timeout must be positive");
  }
  if (lock_timeout_seconds > kMaxLockTimeoutSeconds || wait_seconds > kMaxLockTimeoutSeconds) {
    return Status::InvalidArgument("pack: --lock-timeout and --wait may be at most " +
                                   std::to_string(kMaxLockTimeoutSeconds) +
                                   " seconds (ten years), got " +
                                   std::to_string(std::max(lock_timeout_seconds, wait_seconds)));
  }
  return Status::OK();
}

Result<PackReport> Pack(const PackOptions& options) {
  LP_RETURN_NOT_OK(options.Validate());
  PackRun run(options);
  return run.Run();
}

}  // namespace lakepack::pack
