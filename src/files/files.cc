// files.cc: the files jobs — fetch, blob and size tables, write files, the per-row pipeline.
#include "lakepack/files.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "arrow/api.h"
#include "arrow/util/bit_util.h"
#include "files/byte_budget.h"
#include "files/manifest.h"
#include "files/run_rows.h"
#include "files/transfer.h"

namespace lakepack::files {
namespace {

namespace fs = std::filesystem;

// Blob tables are fetched in batches of rows of about this many bytes, each copied into its
// Arrow chunk before the next batch starts, so the memory beyond the table is one batch: 48 MiB
// keeps that under the 64 MiB the issue allows while a batch of small objects still has hundreds
// of rows (parallelism is lost only at a batch's tail).
constexpr int64_t kBlobChunkBytes = int64_t{48} << 20;
// Batches never shrink below this many rows (large objects: a few in flight saturate a link)
// nor grow beyond this many (tiny objects: keep chunks a reasonable length).
constexpr int64_t kMinBlobBatchRows = 6;
constexpr int64_t kMaxBlobBatchRows = 8192;

// One file operation of a row: fills *attempts and *bytes, returns its status.
using FileOp = std::function<Status(size_t column, int* attempts, int64_t* bytes)>;

// Runs `op` on the row's cells that hold a file, `parallel_files` at once.  On failure, the
// outcome names the first failing column (in column order) and the stage.
void ForEachFile(const FileTable& table, int64_t row, const FilesOptions& options, Stage stage,
                 RowOutcome* outcome, const FileOp& op) {
  const auto& cells = table.urls[static_cast<size_t>(row)];
  std::vector<size_t> todo;
  for (size_t c = 0; c < cells.size(); ++c) {
    if (!cells[c].empty()) todo.push_back(c);
  }
  std::vector<Status> errors(todo.size());
  std::vector<int> attempts(todo.size(), 0);
  std::vector<int64_t> bytes(todo.size(), 0);
  const int threads = static_cast<int>(std::min<size_t>(static_cast<size_t>(options.parallel_files),
                                                        std::max<size_t>(1, todo.size())));
  // The other files still run after a failure: each one is reported.
  RunRows(static_cast<int64_t>(todo.size()), threads, {},
          [&](int64_t i, const JobContext&) { errors[i] = op(todo[i], &attempts[i], &bytes[i]); });
  for (size_t i = 0; i < todo.size(); ++i) {
    outcome->bytes += bytes[i];
    outcome->attempts = std::max(outcome->attempts, attempts[i]);
  }
  for (size_t i = 0; i < todo.size(); ++i) {
    if (!errors[i].ok()) {
      outcome->ok = false;
      outcome->stage = stage;
      outcome->column = table.columns[todo[i]];
      outcome->error = errors[i];
      outcome->attempts = attempts[i];
      return;
    }
  }
}

void MarkCancelled(RowOutcome* out) {
  *out = RowOutcome{};
  out->ok = false;
  out->stage = Stage::kNone;
  out->error = Status::Cancelled("cancelled before the row started");
}

// Runs `row_task` for rows [begin, end) in parallel; a row the job never started (cancelled) is
// reported as failed with Cancelled, so every row has its outcome.
// REQUIRES: outcomes->size() == table.num_rows().
void ForEachRowIn(const FileTable& table, const FilesOptions& options, int64_t begin, int64_t end,
                  std::vector<RowOutcome>* outcomes,
                  const std::function<void(int64_t, RowOutcome*)>& row_task) {
  for (int64_t r = begin; r < end; ++r) MarkCancelled(&(*outcomes)[static_cast<size_t>(r)]);
  RunRows(end - begin, options.parallel_rows, options.cancelled,
          [&](int64_t i, const JobContext& context) {
            const int64_t r = begin + i;
            RowOutcome* out = &(*outcomes)[static_cast<size_t>(r)];
            if (context.cancelled()) return;
            *out = RowOutcome{};
            row_task(r, out);
            if (options.on_row) options.on_row(r, *out);
          });
}

void ForEachRow(const FileTable& table, const FilesOptions& options,
                std::vector<RowOutcome>* outcomes,
                const std::function<void(int64_t, RowOutcome*)>& row_task) {
  outcomes->assign(static_cast<size_t>(table.num_rows()), RowOutcome{});
  ForEachRowIn(table, options, 0, table.num_rows(), outcomes, row_task);
}

Status FetchOne(const std::string& url, const std::string& path, const FilesOptions& options,
                ByteBudget* budget, int* attempts, int64_t* bytes) {
  auto loc = OpenStore(url, options.store);
  if (!loc.ok()) {
    *attempts = 1;
    return loc.status();
  }
  return WithRetries(options.max_attempts, attempts,
                     [&] { return FetchToFile(*loc->store, loc->key, path, budget, bytes); });
}

Status Prepare(const FileTable& table, const FilesOptions& options) {
  LP_RETURN_NOT_OK(options.Validate());
  return table.Validate();
}

std::string JoinPath(const std::string& dir, const std::string& name) {
  return (fs::path(dir) / name).string();
}

std::shared_ptr<arrow::ChunkedArray> IdColumn(const FileTable& table) {
  arrow::StringBuilder b;
  for (const auto& id : table.ids) (void)b.Append(id);
  std::shared_ptr<arrow::Array> a;
  (void)b.Finish(&a);
  return std::make_shared<arrow::ChunkedArray>(arrow::ArrayVector{a});
}

}  // namespace

Result<std::vector<RowOutcome>> FetchToDirs(const FileTable& table,
                                            const std::vector<std::string>& dirs,
                                            const FilesOptions& options) {
  LP_RETURN_NOT_OK(Prepare(table, options));
  if (dirs.size() != static_cast<size_t>(table.num_rows())) {
    return Status::InvalidArgument("FetchToDirs: " + std::to_string(dirs.size()) +
                                   " directories for " + std::to_string(table.num_rows()) +
                                   " rows");
  }
  ByteBudget budget(options.max_bytes_in_flight);
  std::vector<RowOutcome> outcomes;
  ForEachRow(table, options, &outcomes, [&](int64_t r, RowOutcome* out) {
    const auto& row = table.urls[static_cast<size_t>(r)];
    ForEachFile(table, r, options, Stage::kFetch, out, [&](size_t c, int* att, int64_t* bytes) {
      return FetchOne(row[c], JoinPath(dirs[static_cast<size_t>(r)], table.columns[c]), options,
                      &budget, att, bytes);
    });
  });
  return outcomes;
}

namespace {

// One cell of a blob table being fetched: S3 (and other remote) objects arrive whole in `data`
// (one GET); local files are only stat'ed (`size`) and later read straight into the column's
// Arrow buffer, so a local blob is copied once, from the page cache into the table.
struct BlobCell {
  std::string data;
  int64_t size = -1;  // local: the file's size; -1: remote (see data)
  StoreLocation loc;
};

// Builds rows [begin, end) of column `c` as one BinaryArray: offsets, one data buffer filled
// from the remote blobs (freed as they are copied) and by parallel reads of the local files.
// A local read that fails fails its row.
Status BuildBlobChunk(const FileTable& table, const FilesOptions& options, size_t c, int64_t begin,
                      int64_t end, std::vector<std::vector<BlobCell>>* cells,
                      std::vector<RowOutcome>* outcomes, std::shared_ptr<arrow::Buffer>* offsets,
                      std::shared_ptr<arrow::Buffer>* data) {
  const int64_t n = end - begin;
  // The system allocator, not Arrow's default (mimalloc in the pyarrow wheel): mimalloc asks
  // for transparent huge pages, and where the kernel compacts memory on such faults
  // (defrag=madvise, a loaded machine) first-touching a large table ran at ~100 MB/s here.
  arrow::MemoryPool* pool = arrow::system_memory_pool();
  auto off = arrow::AllocateBuffer((n + 1) * sizeof(int32_t), pool);
  if (!off.ok()) return Status::Internal("blob offsets: " + off.status().ToString());
  auto* o = reinterpret_cast<int32_t*>((*off)->mutable_data());
  int64_t total = 0;
  for (int64_t i = 0; i < n; ++i) {
    o[i] = static_cast<int32_t>(total);
    const BlobCell& cell = (*cells)[c][static_cast<size_t>(begin + i)];
    const bool ok = (*outcomes)[static_cast<size_t>(begin + i)].ok;
    if (ok) total += cell.size >= 0 ? cell.size : static_cast<int64_t>(cell.data.size());
    if (total > INT32_MAX) {
      return Status::InvalidArgument("blob column '" + table.columns[c] +
                                     "': more than 2 GiB in one chunk");
    }
  }
  o[n] = static_cast<int32_t>(total);
  auto buf = arrow::AllocateBuffer(total, pool);
  if (!buf.ok()) return Status::Internal("blob data: " + buf.status().ToString());
  uint8_t* out = (*buf)->mutable_data();
  std::vector<int64_t> local;
  for (int64_t i = 0; i < n; ++i) {
    BlobCell& cell = (*cells)[c][static_cast<size_t>(begin + i)];
    if (!(*outcomes)[static_cast<size_t>(begin + i)].ok) continue;
    if (cell.size >= 0) {
      local.push_back(i);
    } else {
      std::memcpy(out + o[i], cell.data.data(), cell.data.size());
      std::string().swap(cell.data);
    }
  }
  RunRows(static_cast<int64_t>(local.size()), options.parallel_rows, {},
          [&](int64_t j, const JobContext&) {
            const int64_t i = local[static_cast<size_t>(j)];
            BlobCell& cell = (*cells)[c][static_cast<size_t>(begin + i)];
            RowOutcome& row = (*outcomes)[static_cast<size_t>(begin + i)];
            auto got = cell.loc.store->ReadRange(cell.loc.key, 0, cell.size,
                                                 reinterpret_cast<char*>(out + o[i]));
            Status st = got.status();
            if (st.ok() && *got != cell.size) {
              st = Status::IOError(cell.loc.store->Uri(cell.loc.key) + ": read " +
                                   std::to_string(*got) + " bytes, expected " +
                                   std::to_string(cell.size) + " (changed while read?)");
            }
            if (!st.ok()) {
              std::memset(out + o[i], 0, static_cast<size_t>(cell.size));
              row.ok = false;
              row.stage = Stage::kFetch;
              row.column = table.columns[c];
              row.error = st;
            } else {
              row.bytes += cell.size;
            }
          });
  *offsets = std::move(*off);
  *data = std::move(*buf);
  return Status::OK();
}

}  // namespace

Result<BlobTableResult> FetchBlobTable(const FileTable& table, const FilesOptions& options) {
  LP_RETURN_NOT_OK(Prepare(table, options));
  const size_t rows = static_cast<size_t>(table.num_rows()), cols = table.columns.size();
  std::vector<std::vector<BlobCell>> cells(cols, std::vector<BlobCell>(rows));
  BlobTableResult result;
  result.outcomes.assign(rows, RowOutcome{});
  auto fetch_row = [&](int64_t r, RowOutcome* out) {
    const auto& row = table.urls[static_cast<size_t>(r)];
    ForEachFile(table, r, options, Stage::kFetch, out, [&](size_t c, int* att, int64_t* bytes) {
      BlobCell& cell = cells[c][static_cast<size_t>(r)];
      auto loc = OpenStore(row[c], options.store);
      if (!loc.ok()) {
        *att = 1;
        return loc.status();
      }
      cell.loc = std::move(*loc);
      return WithRetries(options.max_attempts, att, [&]() -> Status {
        if (cell.loc.store->is_local()) {
          LP_ASSIGN_OR_RETURN(ObjectInfo info, cell.loc.store->Head(cell.loc.key));
          cell.size = info.size;  // read later, straight into the table
          return Status::OK();
        }
        LP_ASSIGN_OR_RETURN(cell.data, FetchToMemory(*cell.loc.store, cell.loc.key));
        *bytes = static_cast<int64_t>(cell.data.size());
        return Status::OK();
      });
    });
  };
  // Rows go in batches of about kBlobChunkBytes, each copied into its Arrow chunk (and its
  // blobs freed) before the next starts: memory stays at the table plus one batch.  The first
  // batch is `parallel_rows` rows; later ones are sized from the bytes per row seen so far.
  struct Chunk {
    int64_t begin, end;
    std::vector<std::shared_ptr<arrow::Buffer>> offsets, data;
  };
  std::vector<Chunk> chunks;
  int64_t begin = 0, bytes_seen = 0;
  int64_t batch = options.parallel_rows;
  while (begin < static_cast<int64_t>(rows)) {
    const int64_t end = std::min<int64_t>(static_cast<int64_t>(rows), begin + batch);
    ForEachRowIn(table, options, begin, end, &result.outcomes, fetch_row);
    Chunk chunk{begin, end, std::vector<std::shared_ptr<arrow::Buffer>>(cols),
                std::vector<std::shared_ptr<arrow::Buffer>>(cols)};
    for (size_t c = 0; c < cols; ++c) {
      LP_RETURN_NOT_OK(BuildBlobChunk(table, options, c, begin, end, &cells, &result.outcomes,
                                      &chunk.offsets[c], &chunk.data[c]));
    }
    chunks.push_back(std::move(chunk));
    for (int64_t r = begin; r < end; ++r) {
      bytes_seen += result.outcomes[static_cast<size_t>(r)].bytes;
    }
    const int64_t per_row = std::max<int64_t>(1, bytes_seen / end);
    batch = std::clamp<int64_t>(kBlobChunkBytes / per_row, kMinBlobBatchRows, kMaxBlobBatchRows);
    begin = end;
  }
  // Validity last: a row that failed in any column is null in every column.
  arrow::FieldVector fields;
  std::vector<std::shared_ptr<arrow::ChunkedArray>> columns;
  for (size_t c = 0; c < cols; ++c) {
    arrow::ArrayVector arrays;
    for (const auto& chunk : chunks) {
      const int64_t n = chunk.end - chunk.begin;
      auto bitmap = arrow::AllocateEmptyBitmap(n);
      if (!bitmap.ok()) return Status::Internal(bitmap.status().ToString());
      int64_t nulls = 0;
      for (int64_t i = 0; i < n; ++i) {
        const size_t r = static_cast<size_t>(chunk.begin + i);
        if (result.outcomes[r].ok && !table.urls[r][c].empty()) {
          arrow::bit_util::SetBit((*bitmap)->mutable_data(), i);
        } else {
          ++nulls;
        }
      }
      arrays.push_back(std::make_shared<arrow::BinaryArray>(
          n, chunk.offsets[c], chunk.data[c], std::shared_ptr<arrow::Buffer>(std::move(*bitmap)),
          nulls));
    }
    if (arrays.empty()) {
      auto empty = arrow::MakeEmptyArray(arrow::binary());
      if (!empty.ok()) return Status::Internal(empty.status().ToString());
      arrays.push_back(*empty);
    }
    fields.push_back(arrow::field(table.columns[c], arrow::binary()));
    columns.push_back(std::make_shared<arrow::ChunkedArray>(std::move(arrays), arrow::binary()));
  }
  if (table.has_id) {
    fields.push_back(arrow::field("id", arrow::utf8(), false));
    columns.push_back(IdColumn(table));
  }
  result.table = arrow::Table::Make(arrow::schema(fields), columns, table.num_rows());
  return result;
}

Result<SizeTableResult> FetchSizeTable(const FileTable& table, const FilesOptions& options) {
  LP_RETURN_NOT_OK(Prepare(table, options));
  const size_t rows = static_cast<size_t>(table.num_rows()), cols = table.columns.size();
  std::vector<std::vector<int64_t>> sizes(cols, std::vector<int64_t>(rows, -1));
  SizeTableResult result;
  ForEachRow(table, options, &result.outcomes, [&](int64_t r, RowOutcome* out) {
    const auto& row = table.urls[static_cast<size_t>(r)];
    ForEachFile(table, r, options, Stage::kFetch, out, [&](size_t c, int* att, int64_t*) {
      auto loc = OpenStore(row[c], options.store);
      if (!loc.ok()) {
        *att = 1;
        return loc.status();
      }
      return WithRetries(options.max_attempts, att, [&]() -> Status {
        LP_ASSIGN_OR_RETURN(ObjectInfo info, loc->store->Head(loc->key));
        sizes[c][static_cast<size_t>(r)] = info.size;
        return Status::OK();
      });
    });
  });
  arrow::FieldVector fields;
  std::vector<std::shared_ptr<arrow::ChunkedArray>> columns;
  for (size_t c = 0; c < cols; ++c) {
    arrow::Int64Builder b;
    for (size_t r = 0; r < rows; ++r) {
      const bool valid = result.outcomes[r].ok && sizes[c][r] >= 0;
      (void)(valid ? b.Append(sizes[c][r]) : b.AppendNull());
    }
    std::shared_ptr<arrow::Array> a;
    if (auto st = b.Finish(&a); !st.ok()) return Status::Internal(st.ToString());
    fields.push_back(arrow::field(table.columns[c], arrow::int64()));
    columns.push_back(std::make_shared<arrow::ChunkedArray>(arrow::ArrayVector{a}));
  }
  if (table.has_id) {
    fields.push_back(arrow::field("id", arrow::utf8(), false));
    columns.push_back(IdColumn(table));
  }
  result.table = arrow::Table::Make(arrow::schema(fields), columns, table.num_rows());
  return result;
}

namespace {

// Uploads `src` (a local path or URL) to `dst_uri` with retries.
Status UploadOne(const std::string& src, const std::string& dst_uri, const FilesOptions& options,
                 ByteBudget* budget, int* attempts, int64_t* bytes, ObjectInfo* info) {
  *attempts = 1;
  LP_ASSIGN_OR_RETURN(StoreLocation from, OpenStore(src, options.store));
  LP_ASSIGN_OR_RETURN(StoreLocation to, OpenStore(dst_uri, options.store));
  return WithRetries(options.max_attempts, attempts, [&]() -> Status {
    LP_ASSIGN_OR_RETURN(*info, PutFile(*from.store, from.key, *to.store, to.key, budget));
    *bytes = info->size;
    return Status::OK();
  });
}

// Removes what a failed row did write (best effort), so a row is either all there or absent.
void RemoveWritten(const std::vector<std::string>& uris, const FilesOptions& options) {
  for (const auto& uri : uris) {
    if (uri.empty()) continue;
    auto loc = OpenStore(uri, options.store);
    if (loc.ok()) (void)loc->store->Delete(loc->key);
  }
}

}  // namespace

Result<WriteResult> WriteFiles(const FileTable& table, const std::string& into_path,
                               const FilesOptions& options) {
  LP_RETURN_NOT_OK(Prepare(table, options));
  if (into_path.empty()) return Status::InvalidArgument("write_files: into_path is empty");
  LP_RETURN_NOT_OK(ValidateIdsForWrite(table));
  ByteBudget budget(options.max_bytes_in_flight);
  WriteResult result;
  result.written.columns = table.columns;
  result.written.ids = table.ids;
  result.written.has_id = table.has_id;
  result.written.urls.assign(table.urls.size(), std::vector<std::string>(table.columns.size()));
  ForEachRow(table, options, &result.outcomes, [&](int64_t r, RowOutcome* out) {
    const auto& row = table.urls[static_cast<size_t>(r)];
    const std::string id = table.IdOf(r);
    ForEachFile(table, r, options, Stage::kUpload, out, [&](size_t c, int* att, int64_t* bytes) {
      const std::string dst = OutputUri(into_path, id, table.columns[c]);
      ObjectInfo info;
      LP_RETURN_NOT_OK(UploadOne(row[c], dst, options, &budget, att, bytes, &info));
      result.written.urls[static_cast<size_t>(r)][c] = dst;
      return Status::OK();
    });
    if (!out->ok) {
      RemoveWritten(result.written.urls[static_cast<size_t>(r)], options);
      for (auto& u : result.written.urls[static_cast<size_t>(r)]) u.clear();
    }
  });
  return result;
}

Result<PipelineResult> RunPipeline(const FileTable& table, const RowFn& fn,
                                   const PipelineOptions& pipeline, const FilesOptions& options) {
  LP_RETURN_NOT_OK(Prepare(table, options));
  if (pipeline.into_path.empty()) return Status::InvalidArgument("pipeline: into_path is empty");
  if (!fn) return Status::InvalidArgument("pipeline: no function");
  LP_RETURN_NOT_OK(ValidateIdsForWrite(table));
  const size_t rows = static_cast<size_t>(table.num_rows());

  // Rows a previous run finished (resume).
  std::vector<std::optional<ManifestRecord>> done(rows);
  std::unique_ptr<Manifest> manifest;
  if (pipeline.resume) {
    LP_ASSIGN_OR_RETURN(manifest, Manifest::Open(pipeline.into_path, options.store));
    LP_ASSIGN_OR_RETURN(done, manifest->LoadDone(table, options.parallel_rows));
  }

  // Per-row temp directories live under one fresh directory, removed at the end.
  std::error_code ec;
  fs::path parent =
      pipeline.temp_dir.empty() ? fs::temp_directory_path(ec) : fs::path(pipeline.temp_dir);
  if (ec) return Status::IOError("no temp directory: " + ec.message());
  std::string tmpl = (parent / "lakepack-files-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) {
    return Status::IOError("mkdtemp in " + parent.string() + ": " + std::strerror(errno));
  }
  const fs::path temp_root(tmpl);

  ByteBudget budget(options.max_bytes_in_flight);
  // Rows in `fn` at once: a second budget, counted in rows.
  ByteBudget fn_slots(pipeline.parallel_fn > 0 ? pipeline.parallel_fn : options.parallel_rows);
  std::vector<FnOutputs> uploaded(rows);  // name → URI written, per row
  std::mutex slots_mu;
  std::vector<size_t> free_slots;  // guarded by slots_mu
  size_t slot_count = 0;           // guarded by slots_mu
  std::atomic<int64_t> objects_written{0};

  PipelineResult result;
  ForEachRow(table, options, &result.outcomes, [&](int64_t r, RowOutcome* out) {
    const size_t ri = static_cast<size_t>(r);
    const std::string id = table.IdOf(r);
    if (done[ri]) {
      out->skipped = true;
      for (const auto& o : done[ri]->outputs) uploaded[ri].emplace_back(o.name, o.uri);
      return;
    }
    // A slot: an in/ and out/ pair, emptied after each row and reused by the next, so a row
    // always starts with empty directories without creating and deleting directories per row
    // (which costs file systems like ext4 more than the files themselves).
    size_t slot;
    {
      std::lock_guard<std::mutex> lock(slots_mu);
      if (free_slots.empty()) {
        slot = slot_count++;
      } else {
        slot = free_slots.back();
        free_slots.pop_back();
      }
    }
    const fs::path row_dir = temp_root / std::to_string(slot);
    const std::string in_dir = (row_dir / "in").string(), out_dir = (row_dir / "out").string();
    struct Cleanup {
      fs::path dir;
      size_t slot;
      std::mutex* mu;
      std::vector<size_t>* free;
      ~Cleanup() {
        std::error_code e;
        bool clean = true;
        for (const char* sub : {"in", "out"}) {
          for (auto it = fs::directory_iterator(dir / sub, e); !e && it != fs::directory_iterator();
               it.increment(e)) {
            std::error_code e2;
            fs::remove_all(it->path(), e2);
            if (e2) clean = false;
          }
          if (e) clean = false;
        }
        if (!clean) return;  // a slot that could not be emptied is not reused
        std::lock_guard<std::mutex> lock(*mu);
        free->push_back(slot);
      }
    } cleanup{row_dir, slot, &slots_mu, &free_slots};
    std::error_code ec1, ec2;
    fs::create_directories(in_dir, ec1);
    fs::create_directories(out_dir, ec2);
    if (ec2 || !fs::is_directory(in_dir)) {
      out->ok = false;
      out->stage = Stage::kFetch;
      out->error = Status::IOError("cannot create the temp directories in " + row_dir.string());
      return;
    }
    // 1. fetch
    const auto& row = table.urls[ri];
    ForEachFile(table, r, options, Stage::kFetch, out, [&](size_t c, int* att, int64_t* bytes) {
      return FetchOne(row[c], JoinPath(in_dir, table.columns[c]), options, &budget, att, bytes);
    });
    if (!out->ok) return;
    // 2. fn
    Result<FnOutputs> produced = Status::Internal("fn did not run");
    {
      BudgetHold slot(&fn_slots, 1);
      produced = fn(r, in_dir, out_dir);
    }
    auto fail_fn = [&](Status st) {
      out->ok = false;
      out->stage = Stage::kFn;
      out->attempts = 1;
      out->error = std::move(st);
    };
    if (!produced.ok()) return fail_fn(produced.status());
    std::unordered_map<std::string, int> names;
    for (const auto& [name, path] : *produced) {
      if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos) {
        return fail_fn(Status::InvalidArgument("fn returned the output name '" + name +
                                               "', which cannot name a file"));
      }
      if (names[name]++ > 0) {
        return fail_fn(Status::InvalidArgument("fn returned the output '" + name + "' twice"));
      }
      if (path.empty()) {
        return fail_fn(Status::InvalidArgument("fn returned no path for output '" + name + "'"));
      }
    }
    // 3. upload, each output in parallel
    const FnOutputs& outputs = *produced;
    std::vector<Status> errors(outputs.size());
    std::vector<int> attempts(outputs.size(), 0);
    std::vector<int64_t> bytes(outputs.size(), 0);
    std::vector<ObjectInfo> infos(outputs.size());
    const int threads = static_cast<int>(std::min<size_t>(
        static_cast<size_t>(options.parallel_files), std::max<size_t>(1, outputs.size())));
    RunRows(static_cast<int64_t>(outputs.size()), threads, {}, [&](int64_t i, const JobContext&) {
      const std::string dst = OutputUri(pipeline.into_path, id, outputs[i].first);
      errors[i] =
          UploadOne(outputs[i].second, dst, options, &budget, &attempts[i], &bytes[i], &infos[i]);
      if (errors[i].ok()) ++objects_written;
    });
    for (size_t i = 0; i < outputs.size(); ++i) {
      out->bytes += bytes[i];
      out->attempts = std::max(out->attempts, attempts[i]);
      if (!errors[i].ok() && out->ok) {
        out->ok = false;
        out->stage = Stage::kUpload;
        out->column = outputs[i].first;
        out->error = errors[i];
        out->attempts = attempts[i];
      }
    }
    if (!out->ok) {
      std::vector<std::string> written;
      for (size_t i = 0; i < outputs.size(); ++i) {
        if (errors[i].ok()) written.push_back(OutputUri(pipeline.into_path, id, outputs[i].first));
      }
      RemoveWritten(written, options);
      return;
    }
    ManifestRecord record;
    record.id = id;
    record.inputs = InputFingerprint(table, r);
    for (size_t i = 0; i < outputs.size(); ++i) {
      record.outputs.push_back({outputs[i].first,
                                OutputUri(pipeline.into_path, id, outputs[i].first), infos[i].size,
                                infos[i].etag});
    }
    // 4. the manifest record: the row is done only once it is written.
    if (manifest) {
      int att = 0;
      Status st = WithRetries(options.max_attempts, &att, [&] { return manifest->Write(record); });
      if (!st.ok()) {
        out->ok = false;
        out->stage = Stage::kUpload;
        out->column = "";
        out->error = Status(st.code(), "writing the resume record: " + st.message());
        out->attempts = att;
        return;
      }
      ++objects_written;
    }
    for (const auto& o : record.outputs) uploaded[ri].emplace_back(o.name, o.uri);
  });
  fs::remove_all(temp_root, ec);

  // The output table: every name any row produced, in first-seen order.
  FileTable& t = result.outputs;
  t.ids = table.ids;
  t.has_id = table.has_id;
  std::unordered_map<std::string, size_t> col_of;
  for (const auto& row_out : uploaded) {
    for (const auto& [name, uri] : row_out) {
      if (col_of.emplace(name, t.columns.size()).second) t.columns.push_back(name);
    }
  }
  t.urls.assign(rows, std::vector<std::string>(t.columns.size()));
  for (size_t r = 0; r < rows; ++r) {
    if (!result.outcomes[r].ok) continue;
    for (const auto& [name, uri] : uploaded[r]) t.urls[r][col_of[name]] = uri;
  }
  result.objects_written = objects_written.load();
  return result;
}

}  // namespace lakepack::files
