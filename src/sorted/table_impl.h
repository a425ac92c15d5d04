// table_impl.h: Table::Impl — a sorted table's handle state, shared by the parts of the table
// that live in their own files (table.cc: writes and queries; compactor.cc: compaction and GC).
//
// Thread-safety: `mu` guards `folded` and the session members; the rest is set at Open().
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "lakepack/sorted.h"
#include "sorted/file_io.h"
#include "sorted/rows.h"
#include "sorted/table_state.h"
#include "txlog/folded.h"
#include "txlog/log.h"

namespace lakepack::sorted {

// Random lowercase hex of `bytes` bytes (session names, job ids).
std::string RandomHex(int bytes);
// "host:pid", the owner named in intents.
std::string Owner();
// Unix time in milliseconds.
int64_t NowMs();

struct Table::Impl {
  std::shared_ptr<ObjectStore> store;
  std::string prefix;  // the table's key prefix, ends with '/'
  std::string name;
  TableOptions options;
  std::shared_ptr<txlog::Log> log;
  std::mutex mu;  // guards folded, session state
  std::unique_ptr<txlog::FoldedLog<TableState>> folded;
  std::string session = RandomHex(8);
  bool intent_logged = false;
  std::atomic<int64_t> next_file{0};

  const TableSchema& schema() const { return folded->state().schema(); }

  // Logs the intent naming this session's data prefix, once, before its first file.
  Status EnsureIntent() {
    std::lock_guard<std::mutex> lock(mu);
    if (intent_logged) return Status::OK();
    std::string rec = IntentRecord("data/" + session + "/", Owner(), NowMs());
    auto g = folded->Commit([&](const TableState&, int64_t) -> Result<std::string> { return rec; });
    if (!g.ok()) return g.status();
    intent_logged = true;
    return Status::OK();
  }

  std::string NewFileKey(const std::string& partition) {
    return prefix + "data/" + session + "/" + std::to_string(next_file++) + "-" + partition +
           ".parquet";
  }

  // Writes one sorted batch as files per leaf partition (not committed).  Appends to `files`.
  Status WriteSorted(const std::shared_ptr<arrow::RecordBatch>& sorted, std::vector<FileRef>* files,
                     std::vector<std::string>* keys) {
    if (sorted->num_rows() == 0) return Status::OK();
    std::vector<const Partition*> leaves;
    {
      std::lock_guard<std::mutex> lock(mu);
      leaves = folded->state().partitions().Leaves();
    }
    const int nr = schema().num_row_keys();
    const int64_t n = sorted->num_rows();
    for (const Partition* p : leaves) {
      int64_t b = LowerBound(*sorted, nr, 0, n, p->min);
      int64_t e = p->has_max ? LowerBound(*sorted, nr, b, n, p->max) : n;
      if (b >= e) continue;
      std::string key = NewFileKey(p->id);
      keys->push_back(key);
      LP_ASSIGN_OR_RETURN(
          WrittenFile w, WriteSortedFile(store, key, schema(), {sorted->Slice(b, e - b)}, options));
      FileRef f;
      f.path = key.substr(prefix.size());
      f.partition = p->id;
      f.rows = w.rows;
      f.bytes = w.bytes;
      f.min = std::move(w.min);
      f.max = std::move(w.max);
      files->push_back(std::move(f));
    }
    return Status::OK();
  }

  // Commits the files of job `job_id` in one record; a job id that committed before makes this
  // a no-op (and the files written are deleted: no record ever names them).
  Result<WriteReport> CommitFiles(const std::string& job_id, std::vector<FileRef> files,
                                  const std::vector<std::string>& keys) {
    WriteReport report;
    report.job_id = job_id;
    bool already = false;
    std::string record = AddFilesRecord(job_id, files);
    Result<int64_t> g = Status::Internal("unset");
    {
      std::lock_guard<std::mutex> lock(mu);
      g = folded->Commit([&](const TableState& s, int64_t) -> Result<std::string> {
        if (s.jobs().count(job_id)) {
          already = true;
          return Status::AlreadyExists("sorted: job " + job_id + " committed already");
        }
        return record;
      });
    }
    if (!g.ok()) {
      if (already) {
        (void)store->Delete(keys);
        report.already_committed = true;
        return report;
      }
      return g.status();
    }
    report.generation = *g;
    report.files = static_cast<int64_t>(files.size());
    for (const auto& f : files) {
      report.rows += f.rows;
      report.bytes += f.bytes;
      report.file_uris.push_back(store->Uri(prefix + f.path));
    }
    return report;
  }

  // True when `job_id` committed (after reading the log's tail).
  Result<bool> JobCommitted(const std::string& job_id) {
    std::lock_guard<std::mutex> lock(mu);
    LP_RETURN_NOT_OK(folded->Refresh());
    return folded->state().jobs().count(job_id) > 0;
  }

  Result<std::shared_ptr<arrow::Table>> Query(const std::vector<KeyRange>& ranges);
};

}  // namespace lakepack::sorted
