// table.cc: Table (lakepack/sorted.h) — create, open, write, commit and query a sorted table.
#include "arrow/table.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <random>

#include "arrow/compute/api.h"
#include "format/arrow_status.h"
#include "format/format.h"
#include "format/reader.h"
#include "lakepack/sorted.h"
#include "sorted/file_io.h"
#include "sorted/key_codec.h"
#include "sorted/rows.h"
#include "sorted/table_impl.h"
#include "sorted/table_state.h"
#include "txlog/folded.h"

namespace lakepack::sorted {

std::string RandomHex(int bytes) {
  static std::mutex mu;
  static std::mt19937_64 rng(
      std::random_device{}() ^
      static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) ^
      (static_cast<uint64_t>(::getpid()) << 32));
  std::lock_guard<std::mutex> lock(mu);
  std::string raw;
  for (int i = 0; i < bytes; ++i) raw.push_back(static_cast<char>(rng() & 0xff));
  return ToHex(raw);
}

std::string Owner() {
  char host[256] = {0};
  ::gethostname(host, sizeof(host) - 1);
  return std::string(host) + ":" + std::to_string(::getpid());
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

namespace {

struct Location {
  std::shared_ptr<ObjectStore> store;
  std::string root;  // key prefix of the instance root, "" or ending in '/'
};

Result<Location> OpenRoot(const std::string& root, const TableOptions& options) {
  LP_RETURN_NOT_OK(options.Validate());
  LP_ASSIGN_OR_RETURN(StoreLocation loc, OpenStore(root, options.store));
  Location out;
  out.store = loc.store;
  out.root = loc.key;
  if (!out.root.empty() && out.root.back() != '/') out.root += '/';
  return out;
}

Status CheckName(const std::string& name) {
  if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..") {
    return Status::InvalidArgument("sorted: bad table name '" + name +
                                   "' (one path segment, not empty)");
  }
  return Status::OK();
}

txlog::LogOptions LogOptionsFor(const std::string& table_prefix) {
  txlog::LogOptions o;
  o.prefix = table_prefix + "log/";
  return o;
}

std::string ValueText(const KeyValue& v) {
  if (const int64_t* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  return std::get<std::string>(v);
}

// A readable partition bound: the first field decoded.
std::string BoundText(const TableSchema& schema, const std::string& enc, bool is_max, bool has) {
  if (is_max && !has) return "+inf";
  if (enc.empty()) return "-inf";
  size_t pos = 0;
  auto v = DecodeValue(schema.key_type(0), enc, &pos);
  return v.ok() ? ValueText(*v) : ToHex(enc);
}

}  // namespace

Table::Table(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Table::~Table() = default;

const TableSchema& Table::schema() const { return impl_->schema(); }
const std::string& Table::name() const { return impl_->name; }
std::string Table::uri() const { return impl_->store->Uri(impl_->prefix); }

Result<std::unique_ptr<Table>> Table::Create(const std::string& root, const std::string& name,
                                             const TableSchema& schema,
                                             const std::vector<KeyValue>& split_points,
                                             const TableOptions& options) {
  LP_RETURN_NOT_OK(CheckName(name));
  LP_ASSIGN_OR_RETURN(Location loc, OpenRoot(root, options));
  std::vector<std::string> splits;
  for (const KeyValue& v : split_points) {
    std::string enc;
    Status st = AppendValue(schema.key_type(0), v, &enc);
    if (!st.ok()) {
      return Status::InvalidArgument("sorted: split point '" + ValueText(v) + "' for field '" +
                                     schema.field_name(0) + "': " + st.message());
    }
    splits.push_back(std::move(enc));
  }
  const std::string prefix = loc.root + name + "/";
  LP_ASSIGN_OR_RETURN(auto log, txlog::Log::Open(loc.store, LogOptionsFor(prefix)));
  if (options.split_threshold < 0) {
    return Status::InvalidArgument("sorted: the split threshold must be at least 1 row (0: " +
                                   std::string("the default)"));
  }
  Status st = log->Append(
      0, CreateRecord(schema, PartitionTree::FromSplits(splits), options.split_threshold));
  if (st.IsAlreadyExists()) {
    return Status::AlreadyExists("sorted: table '" + name + "' exists at " +
                                 loc.store->Uri(prefix));
  }
  LP_RETURN_NOT_OK(st);
  return Open(root, name, options);
}

Result<std::unique_ptr<Table>> Table::Open(const std::string& root, const std::string& name,
                                           const TableOptions& options) {
  LP_RETURN_NOT_OK(CheckName(name));
  LP_ASSIGN_OR_RETURN(Location loc, OpenRoot(root, options));
  auto impl = std::make_unique<Impl>();
  impl->store = loc.store;
  impl->prefix = loc.root + name + "/";
  impl->name = name;
  impl->options = options;
  LP_ASSIGN_OR_RETURN(auto log, txlog::Log::Open(loc.store, LogOptionsFor(impl->prefix)));
  impl->log = std::shared_ptr<txlog::Log>(std::move(log));
  txlog::FoldedOptions fo;
  fo.checkpoint_every = options.checkpoint_every;
  LP_ASSIGN_OR_RETURN(impl->folded, txlog::FoldedLog<TableState>::Load(impl->log, fo));
  if (!impl->folded->state().created()) {
    return Status::NotFound("sorted: no table '" + name + "' at " + loc.store->Uri(impl->prefix));
  }
  return std::make_unique<Table>(std::move(impl));
}

Result<std::vector<std::string>> Table::ListTables(const std::string& root,
                                                   const TableOptions& options) {
  LP_ASSIGN_OR_RETURN(Location loc, OpenRoot(root, options));
  std::vector<std::string> out;
  ListOptions lo;
  lo.delimiter = "/";
  while (true) {
    LP_ASSIGN_OR_RETURN(ListPage page, loc.store->List(loc.root, lo));
    for (const std::string& p : page.common_prefixes) {
      std::string name = p.substr(loc.root.size());
      if (!name.empty() && name.back() == '/') name.pop_back();
      // A table exists while its first record does.
      auto log = txlog::Log::Open(loc.store, LogOptionsFor(p));
      if (!log.ok()) continue;
      auto head = loc.store->Head((*log)->RecordKey(0));
      if (head.ok())
        out.push_back(name);
      else if (!head.status().IsNotFound())
        return head.status();
    }
    if (page.next_continuation.empty()) break;
    lo.continuation = page.next_continuation;
  }
  std::sort(out.begin(), out.end());
  return out;
}

Status Table::Drop(const std::string& root, const std::string& name, const TableOptions& options) {
  LP_RETURN_NOT_OK(CheckName(name));
  LP_ASSIGN_OR_RETURN(Location loc, OpenRoot(root, options));
  const std::string prefix = loc.root + name + "/";
  LP_ASSIGN_OR_RETURN(auto log, txlog::Log::Open(loc.store, LogOptionsFor(prefix)));
  auto head = loc.store->Head(log->RecordKey(0));
  if (!head.ok()) {
    if (head.status().IsNotFound()) {
      return Status::NotFound("sorted: no table '" + name + "' at " + loc.store->Uri(prefix));
    }
    return head.status();
  }
  // The first record goes first: from then on the table does not exist.
  LP_RETURN_NOT_OK(loc.store->Delete(log->RecordKey(0)));
  LP_ASSIGN_OR_RETURN(auto all, loc.store->ListAll(prefix));
  std::vector<std::string> keys;
  for (const auto& o : all) {
    keys.push_back(o.key);
    if (keys.size() == 1000) {
      LP_RETURN_NOT_OK(loc.store->Delete(keys));
      keys.clear();
    }
  }
  if (!keys.empty()) LP_RETURN_NOT_OK(loc.store->Delete(keys));
  return Status::OK();
}

// ---- writes -----------------------------------------------------------------------------------

namespace {

// Buffers conformed rows; at the buffer limit sorts them and writes them as (uncommitted) files
// per leaf partition; Close() commits every file in one record.
class BatchWriterImpl final : public SortedBatchWriter {
 public:
  BatchWriterImpl(Table::Impl* t, WriteOptions o) : t_(t), o_(std::move(o)) {
    if (o_.job_id.empty()) o_.job_id = RandomHex(16);
  }
  ~BatchWriterImpl() override {
    if (!closed_) (void)Abort();
  }

  Status Write(const arrow::RecordBatch& batch) override {
    if (closed_) return Status::InvalidArgument("sorted: batch writer is closed");
    if (o_.cancelled && o_.cancelled()) return Status::Cancelled("sorted: write cancelled");
    LP_ASSIGN_OR_RETURN(auto rows, Conform(t_->schema(), batch, what_, rows_));
    rows_ += rows->num_rows();
    buffered_bytes_ += BatchBytes(*rows);
    buffer_.push_back(std::move(rows));
    if (buffered_bytes_ >= t_->options.buffer_bytes) LP_RETURN_NOT_OK(Spill());
    return Status::OK();
  }

  Status Write(const arrow::Table& rows) override {
    arrow::TableBatchReader reader(rows);
    std::shared_ptr<arrow::RecordBatch> b;
    while (true) {
      LP_ARROW_RETURN_NOT_OK(reader.ReadNext(&b), what_);
      if (!b) return Status::OK();
      LP_RETURN_NOT_OK(Write(*b));
    }
  }

  Result<WriteReport> Close() override {
    if (closed_) return Status::InvalidArgument("sorted: batch writer is closed");
    LP_ASSIGN_OR_RETURN(bool done, t_->JobCommitted(o_.job_id));
    if (done) {
      LP_RETURN_NOT_OK(Abort());
      WriteReport r;
      r.job_id = o_.job_id;
      r.already_committed = true;
      return r;
    }
    LP_RETURN_NOT_OK(Spill());
    closed_ = true;
    WriteReport r;
    if (files_.empty()) {
      r.job_id = o_.job_id;
      return r;
    }
    auto committed = t_->CommitFiles(o_.job_id, std::move(files_), keys_);
    if (!committed.ok()) return committed.status();
    committed->spilled_runs = runs_;
    return committed;
  }

  Status Abort() override {
    closed_ = true;
    buffer_.clear();
    if (!keys_.empty()) {
      (void)t_->store->Delete(keys_);  // never referenced; the intent names them regardless
      keys_.clear();
    }
    files_.clear();
    return Status::OK();
  }

  int64_t rows() const override { return rows_; }
  void set_what(std::string w) { what_ = std::move(w); }
  const std::string& job_id() const { return o_.job_id; }

 private:
  static int64_t BatchBytes(const arrow::RecordBatch& b) {
    int64_t n = 0;
    for (const auto& c : b.columns()) {
      for (const auto& buf : c->data()->buffers) {
        if (buf) n += buf->size();
      }
    }
    return n;
  }

  Status Spill() {
    if (buffer_.empty()) return Status::OK();
    LP_RETURN_NOT_OK(t_->EnsureIntent());
    auto table = arrow::Table::FromRecordBatches(t_->schema().arrow_schema(), buffer_);
    LP_ARROW_RETURN_NOT_OK(table.status(), what_);
    auto combined = (*table)->CombineChunksToBatch();
    LP_ARROW_RETURN_NOT_OK(combined.status(), what_);
    buffer_.clear();
    buffered_bytes_ = 0;
    LP_ASSIGN_OR_RETURN(auto sorted, SortBatch(t_->schema(), *combined));
    LP_RETURN_NOT_OK(t_->WriteSorted(sorted, &files_, &keys_));
    ++runs_;
    return Status::OK();
  }

  Table::Impl* t_;
  WriteOptions o_;
  std::string what_ = "write";
  std::vector<std::shared_ptr<arrow::RecordBatch>> buffer_;
  int64_t buffered_bytes_ = 0;
  int64_t rows_ = 0;
  int64_t runs_ = 0;
  std::vector<FileRef> files_;
  std::vector<std::string> keys_;
  bool closed_ = false;
};

}  // namespace

Result<std::unique_ptr<SortedBatchWriter>> Table::OpenBatchWriter(const WriteOptions& options) {
  return std::unique_ptr<SortedBatchWriter>(new BatchWriterImpl(impl_.get(), options));
}

Result<WriteReport> Table::Write(const arrow::Table& rows, const WriteOptions& options) {
  BatchWriterImpl w(impl_.get(), options);
  if (!options.job_id.empty()) {
    LP_ASSIGN_OR_RETURN(bool done, impl_->JobCommitted(options.job_id));
    if (done) {
      WriteReport r;
      r.job_id = options.job_id;
      r.already_committed = true;
      return r;
    }
  }
  LP_RETURN_NOT_OK(w.Write(rows));
  return w.Close();
}

Result<WriteReport> Table::Write(const arrow::RecordBatch& rows, const WriteOptions& options) {
  auto t = arrow::Table::FromRecordBatches({std::shared_ptr<arrow::RecordBatch>(
      const_cast<arrow::RecordBatch*>(&rows), [](arrow::RecordBatch*) {})});
  LP_ARROW_RETURN_NOT_OK(t.status(), "write");
  return Write(**t, options);
}

Result<WriteReport> Table::IngestParquet(const std::vector<std::string>& uris,
                                         const WriteOptions& options) {
  WriteOptions o = options;
  if (o.job_id.empty()) o.job_id = RandomHex(16);
  LP_ASSIGN_OR_RETURN(bool done, impl_->JobCommitted(o.job_id));
  if (done) {
    WriteReport r;
    r.job_id = o.job_id;
    r.already_committed = true;
    return r;
  }
  // Expand directories; check every schema before writing anything.
  struct Input {
    std::shared_ptr<ObjectStore> store;
    std::string key, uri;
  };
  std::vector<Input> inputs;
  for (const std::string& u : uris) {
    const std::string& uri = u;
    LP_ASSIGN_OR_RETURN(StoreLocation loc, OpenStore(uri, impl_->options.store));
    auto head = loc.store->Head(loc.key);
    if (head.ok() && !(uri.back() == '/')) {
      inputs.push_back({loc.store, loc.key, loc.store->Uri(loc.key)});
      continue;
    }
    std::string dir = loc.key;
    if (!dir.empty() && dir.back() != '/') dir += '/';
    LP_ASSIGN_OR_RETURN(auto objs, loc.store->ListAll(dir));
    size_t before = inputs.size();
    for (const auto& obj : objs) {
      if (obj.key.size() > 8 && obj.key.compare(obj.key.size() - 8, 8, ".parquet") == 0) {
        inputs.push_back({loc.store, obj.key, loc.store->Uri(obj.key)});
      }
    }
    if (inputs.size() == before) {
      if (!head.ok() && !head.status().IsNotFound()) return head.status();
      return Status::NotFound("sorted: ingest: no Parquet file at " + u);
    }
  }
  std::vector<std::shared_ptr<arrow::RecordBatchReader>> readers;
  for (const Input& in : inputs) {
    LP_ASSIGN_OR_RETURN(auto r,
                        format::OpenBatchReader(in.store, in.key, format::Format::kParquet));
    LP_RETURN_NOT_OK(CheckInputSchema(schema(), *r->schema(), in.uri));
    readers.push_back(std::move(r));
  }
  BatchWriterImpl w(impl_.get(), o);
  int64_t rows = 0;
  for (size_t i = 0; i < readers.size(); ++i) {
    w.set_what(inputs[i].uri);
    int64_t file_rows = 0;
    while (true) {
      std::shared_ptr<arrow::RecordBatch> b;
      LP_ARROW_RETURN_NOT_OK(readers[i]->ReadNext(&b), inputs[i].uri);
      if (!b) break;
      // Row numbers in errors count within the file.
      auto conformed = Conform(schema(), *b, inputs[i].uri, file_rows);
      if (!conformed.ok()) return conformed.status();
      LP_RETURN_NOT_OK(w.Write(**conformed));
      file_rows += b->num_rows();
      rows += b->num_rows();
      if (o.on_progress) o.on_progress(rows);
    }
  }
  return w.Close();
}

// ---- queries ----------------------------------------------------------------------------------

Result<std::shared_ptr<arrow::Table>> Table::Impl::Query(const std::vector<KeyRange>& ranges) {
  std::vector<FileRef> files;
  {
    std::lock_guard<std::mutex> lock(mu);
    LP_RETURN_NOT_OK(folded->Refresh());  // read-your-writes: one LIST of the log's tail
    std::set<std::string> seen;
    std::vector<const FileRef*> hits;
    for (const KeyRange& r : ranges) {
      for (const FileRef* f : folded->state().FilesOverlapping(r.lo, r.hi)) {
        if (seen.insert(f->path).second) hits.push_back(f);
      }
    }
    std::stable_sort(hits.begin(), hits.end(), [](const FileRef* a, const FileRef* b) {
      return a->generation != b->generation ? a->generation < b->generation : a->path < b->path;
    });
    for (const FileRef* f : hits) files.push_back(*f);
  }
  const TableSchema& s = schema();
  std::vector<std::shared_ptr<arrow::RecordBatch>> parts;
  for (const FileRef& f : files) {
    // Only the ranges this file's [min, max] can hold.
    std::vector<KeyRange> mine;
    for (const KeyRange& r : ranges) {
      if (f.max < r.lo || (r.hi && !(f.min < *r.hi))) continue;
      mine.push_back(r);
    }
    LP_ASSIGN_OR_RETURN(auto got, ReadRanges(store, prefix + f.path, f.bytes, s, mine));
    for (auto& b : got) parts.push_back(std::move(b));
  }
  if (parts.empty()) {
    auto empty = arrow::Table::MakeEmpty(s.arrow_schema());
    LP_ARROW_RETURN_NOT_OK(empty.status(), "query");
    return *empty;
  }
  // Merge into key order; parts are in (generation, file order), so a stable sort by key keeps
  // rows with equal keys in commit order.
  auto table = arrow::Table::FromRecordBatches(s.arrow_schema(), parts);
  LP_ARROW_RETURN_NOT_OK(table.status(), "query");
  if (parts.size() == 1) return *table;
  auto combined = (*table)->CombineChunksToBatch();
  LP_ARROW_RETURN_NOT_OK(combined.status(), "query");
  LP_ASSIGN_OR_RETURN(auto sorted, SortBatch(s, *combined));
  auto out = arrow::Table::FromRecordBatches(s.arrow_schema(), {sorted});
  LP_ARROW_RETURN_NOT_OK(out.status(), "query");
  return *out;
}

Result<std::shared_ptr<arrow::Table>> Table::ExactQuery(
    const std::vector<std::vector<KeyValue>>& keys) {
  const TableSchema& s = schema();
  std::vector<KeyRange> ranges;
  std::set<std::string> seen;
  for (const auto& key : keys) {
    if (key.empty() || static_cast<int>(key.size()) > s.num_row_keys()) {
      return Status::InvalidArgument("sorted: an exact key gives 1 to " +
                                     std::to_string(s.num_row_keys()) + " row key fields");
    }
    KeyRange r;
    for (size_t i = 0; i < key.size(); ++i) {
      Status st = AppendValue(s.key_type(static_cast<int>(i)), key[i], &r.lo);
      if (!st.ok()) {
        return Status::InvalidArgument("sorted: key field '" + s.field_name(static_cast<int>(i)) +
                                       "': " + st.message());
      }
    }
    if (!seen.insert(r.lo).second) continue;
    r.hi = PrefixSuccessor(r.lo);
    ranges.push_back(std::move(r));
  }
  if (ranges.empty()) {
    auto empty = arrow::Table::MakeEmpty(s.arrow_schema());
    LP_ARROW_RETURN_NOT_OK(empty.status(), "query");
    return *empty;
  }
  return impl_->Query(ranges);
}

Result<std::shared_ptr<arrow::Table>> Table::RangeQuery(const std::vector<Region>& regions) {
  const TableSchema& s = schema();
  std::vector<KeyRange> ranges;
  for (const Region& region : regions) {
    KeyRange r;
    bool empty = false;
    // Per-field bounds, encoded; the first field's bound the scanned range, the others filter.
    struct Bound {
      int field;
      std::optional<std::string> lo, hi;  // lo inclusive, hi exclusive, on the field's encoding
    };
    std::vector<Bound> bounds;
    for (const FieldRange& fr : region) {
      int f = s.FieldIndex(fr.field);
      if (f < 0 || f >= s.num_row_keys()) {
        return Status::InvalidArgument("sorted: region field '" + fr.field +
                                       "' is not a row key field");
      }
      Bound b{f, std::nullopt, std::nullopt};
      if (fr.min) {
        std::string e;
        Status st = AppendValue(s.key_type(f), *fr.min, &e);
        if (!st.ok())
          return Status::InvalidArgument("sorted: region field '" + fr.field +
                                         "': " + st.message());
        if (fr.min_inclusive) {
          b.lo = e;
        } else {
          auto succ = PrefixSuccessor(e);
          if (!succ)
            empty = true;
          else
            b.lo = *succ;
        }
      }
      if (fr.max) {
        std::string e;
        Status st = AppendValue(s.key_type(f), *fr.max, &e);
        if (!st.ok())
          return Status::InvalidArgument("sorted: region field '" + fr.field +
                                         "': " + st.message());
        if (fr.max_inclusive) {
          b.hi = PrefixSuccessor(e);  // nullopt: no bound
        } else {
          b.hi = e;
        }
      }
      if (b.lo && b.hi && !(*b.lo < *b.hi)) empty = true;
      bounds.push_back(std::move(b));
    }
    if (empty) continue;
    std::vector<Bound> others;
    for (const Bound& b : bounds) {
      if (b.field == 0) {
        if (b.lo) r.lo = std::max(r.lo, *b.lo);
        if (b.hi && (!r.hi || *b.hi < *r.hi)) r.hi = b.hi;
      } else {
        others.push_back(b);
      }
    }
    if (r.hi && !(r.lo < *r.hi)) continue;
    if (!others.empty()) {
      r.filter = [others](const arrow::RecordBatch& batch, int64_t row) {
        for (const Bound& b : others) {
          std::string e;
          AppendArrayValue(*batch.column(b.field), row, &e);
          if (b.lo && e < *b.lo) return false;
          if (b.hi && !(e < *b.hi)) return false;
        }
        return true;
      };
    }
    ranges.push_back(std::move(r));
  }
  if (ranges.empty()) {
    auto empty = arrow::Table::MakeEmpty(s.arrow_schema());
    LP_ARROW_RETURN_NOT_OK(empty.status(), "query");
    return *empty;
  }
  return impl_->Query(ranges);
}

Result<std::shared_ptr<arrow::Table>> Table::ReadAll() {
  KeyRange all;
  return impl_->Query({all});
}

Result<TableStatus> Table::Describe() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  LP_RETURN_NOT_OK(impl_->folded->Refresh());
  const TableState& st = impl_->folded->state();
  TableStatus out;
  out.name = impl_->name;
  out.uri = uri();
  out.generation = impl_->folded->generation();
  out.jobs = static_cast<int64_t>(st.jobs().size());
  out.intents = static_cast<int64_t>(st.intents().size());
  out.schema_json = st.schema().ToSleeperJson();
  std::map<std::string, std::pair<int64_t, int64_t>> per;
  for (const auto& [path, f] : st.files()) {
    out.files += 1;
    out.rows += f.rows;
    out.bytes += f.bytes;
    per[f.partition].first += 1;
    per[f.partition].second += f.rows;
  }
  for (const auto& [id, p] : st.partitions().all()) {
    PartitionInfo pi;
    pi.id = id;
    pi.parent = p.parent;
    if (!p.leaf) pi.children = {id + "0", id + "1"};
    pi.min_text = BoundText(st.schema(), p.min, false, true);
    pi.max_text = BoundText(st.schema(), p.max, true, p.has_max);
    pi.files = per[id].first;
    pi.rows = per[id].second;
    out.partitions.push_back(std::move(pi));
  }
  return out;
}

}  // namespace lakepack::sorted
