// merge.cc: see merge.h.
#include "sorted/merge.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "arrow/array/builder_base.h"
#include "arrow/array/data.h"
#include "arrow/buffer.h"
#include "arrow/builder.h"
#include "arrow/table.h"
#include "arrow/util/bitmap_ops.h"
#include "base/tasks.h"
#include "format/arrow_status.h"
#include "parquet/arrow/reader.h"
#include "parquet/file_reader.h"
#include "sorted/file_io.h"
#include "sorted/key_codec.h"
#include "sorted/rows.h"

namespace lakepack::sorted {
namespace {

// A decoded row group and the encoded keys of its rows.
struct Group {
  std::shared_ptr<arrow::RecordBatch> batch;  // null: the file has no more rows
  std::string keys;                           // the rows' encoded keys, back to back
  std::vector<uint32_t> offs;                 // rows + 1 offsets into keys
  // Each key's first 8 bytes as a big-endian number (zero-padded): most comparisons end here.
  std::vector<uint64_t> prefixes;
  Status status;
};

// One input: its current row group, the read position, and the next row group being read ahead
// on the shared executor (base/tasks.h) while the merge consumes this one.
struct Cursor {
  std::string uri;
  std::unique_ptr<parquet::arrow::FileReader> reader;
  int next_group = 0;
  int groups = 0;
  Group cur;
  uint32_t source = 0;  // index of cur.batch in the merge's source list
  int64_t row = 0, rows = 0;
  bool done = false;
  Group ahead;
  bool reading_ahead = false;
  AsyncTask task;  // last: destroyed (waited for) before what it writes to

  std::string_view Key() const {
    return std::string_view(cur.keys.data() + cur.offs[row], cur.offs[row + 1] - cur.offs[row]);
  }
};

// A loser tree over k cursors: tree[0] is the winner (the smallest key, ties to the lower
// input), tree[1..k-1] the losers of the matches at the inner nodes.  Leaf i sits at k + i.
class LoserTree {
 public:
  template <class Less>
  void Init(int k, Less less) {
    k_ = k;
    tree_.assign(std::max(k, 1), 0);
    std::vector<int> win(2 * static_cast<size_t>(k));
    for (int i = 0; i < k; ++i) win[k + i] = i;
    for (int n = k - 1; n >= 1; --n) {
      int a = win[2 * n], b = win[2 * n + 1];
      if (less(b, a)) std::swap(a, b);
      win[n] = a;
      tree_[n] = b;
    }
    tree_[0] = k == 1 ? 0 : win[1];
  }
  int winner() const { return tree_[0]; }
  // The winner's key changed: replays its path to the root.
  template <class Less>
  void Replay(Less less) {
    int w = tree_[0];
    for (int n = (w + k_) / 2; n > 0; n /= 2) {
      if (less(tree_[n], w)) std::swap(tree_[n], w);
    }
    tree_[0] = w;
  }

 private:
  int k_ = 0;
  std::vector<int> tree_;
};

// Reads the cursor's next non-empty row group into *g (batch null at the end of the file).
Status ReadGroup(Cursor& c, const TableSchema& schema, Group* g) {
  const int nk = schema.num_keys();
  while (c.next_group < c.groups) {
    auto read = c.reader->ReadRowGroup(c.next_group++);
    LP_ARROW_RETURN_NOT_OK(read.status(), c.uri);
    auto combined = (*read)->CombineChunksToBatch();
    LP_ARROW_RETURN_NOT_OK(combined.status(), c.uri);
    auto batch = *combined;
    if (batch->num_rows() == 0) continue;
    if (!batch->schema()->Equals(*schema.arrow_schema())) {
      LP_ASSIGN_OR_RETURN(batch, Conform(schema, *batch, c.uri, 0));
    }
    const int64_t rows = batch->num_rows();
    g->keys.clear();
    g->offs.clear();
    g->offs.reserve(static_cast<size_t>(rows) + 1);
    // The key columns once: RecordBatch::column() takes a lock per call.
    std::vector<std::shared_ptr<arrow::Array>> key_cols;
    for (int f = 0; f < nk; ++f) key_cols.push_back(batch->column(f));
    for (int64_t r = 0; r < rows; ++r) {
      g->offs.push_back(static_cast<uint32_t>(g->keys.size()));
      for (int f = 0; f < nk; ++f) AppendArrayValue(*key_cols[f], r, &g->keys);
    }
    g->offs.push_back(static_cast<uint32_t>(g->keys.size()));
    g->prefixes.resize(static_cast<size_t>(rows));
    for (int64_t r = 0; r < rows; ++r) {
      const unsigned char* k = reinterpret_cast<const unsigned char*>(g->keys.data()) + g->offs[r];
      const size_t n = std::min<size_t>(8, g->offs[r + 1] - g->offs[r]);
      uint64_t p = 0;
      for (size_t i = 0; i < 8; ++i) p = (p << 8) | (i < n ? k[i] : 0);
      g->prefixes[r] = p;
    }
    g->batch = std::move(batch);
    return Status::OK();
  }
  g->batch.reset();
  return Status::OK();
}

// Moves the cursor to its next row group (the one read ahead, or read now) and starts reading
// the one after.
Status LoadNext(Cursor& c, const TableSchema& schema,
                std::vector<std::shared_ptr<arrow::RecordBatch>>* sources) {
  if (c.reading_ahead) {
    c.task.Wait();
    c.reading_ahead = false;
    LP_RETURN_NOT_OK(c.ahead.status);
    std::swap(c.cur, c.ahead);
  } else {
    LP_RETURN_NOT_OK(ReadGroup(c, schema, &c.cur));
  }
  if (!c.cur.batch) {
    c.done = true;
    return Status::OK();
  }
  c.rows = c.cur.batch->num_rows();
  c.row = 0;
  c.source = static_cast<uint32_t>(sources->size());
  sources->push_back(c.cur.batch);
  if (c.next_group < c.groups) {
    Cursor* cp = &c;
    const TableSchema* sp = &schema;
    c.reading_ahead = true;
    c.task = AsyncTask::Start([cp, sp] { cp->ahead.status = ReadGroup(*cp, *sp, &cp->ahead); });
  }
  return Status::OK();
}

Result<std::shared_ptr<arrow::Buffer>> Allocate(int64_t bytes) {
  auto b = arrow::AllocateBuffer(bytes);
  LP_ARROW_RETURN_NOT_OK(b.status(), "merge");
  return std::shared_ptr<arrow::Buffer>(std::move(b).ValueUnsafe());
}

// cols[s] is column c of source s.
Result<std::shared_ptr<arrow::Array>> GatherColumn(const std::shared_ptr<arrow::DataType>& type,
                                                   const std::vector<const arrow::ArrayData*>& cols,
                                                   const std::vector<RowRun>& runs, int64_t rows) {
  bool nulls = false;
  for (const arrow::ArrayData* d : cols) nulls |= d->GetNullCount() > 0;
  std::shared_ptr<arrow::Buffer> validity;
  if (nulls) {
    LP_ASSIGN_OR_RETURN(validity, Allocate(arrow::bit_util::BytesForBits(rows)));
    uint8_t* dst = validity->mutable_data();
    int64_t pos = 0;
    for (const RowRun& r : runs) {
      const arrow::ArrayData& d = *cols[r.source];
      if (d.buffers[0] && d.null_count != 0) {
        arrow::internal::CopyBitmap(d.buffers[0]->data(), d.offset + r.start, r.length, dst, pos);
      } else {
        arrow::bit_util::SetBitsTo(dst, pos, r.length, true);
      }
      pos += r.length;
    }
  }
  const arrow::Type::type id = type->id();
  if (id == arrow::Type::STRING || id == arrow::Type::BINARY) {
    int64_t total = 0;
    for (const RowRun& r : runs) {
      const arrow::ArrayData& d = *cols[r.source];
      const int32_t* o = d.GetValues<int32_t>(1) + r.start;
      total += o[r.length] - o[0];
    }
    if (total > std::numeric_limits<int32_t>::max()) {
      return Status::Internal("merge: more than 2 GiB of strings in one batch");
    }
    LP_ASSIGN_OR_RETURN(auto offsets, Allocate((rows + 1) * 4));
    LP_ASSIGN_OR_RETURN(auto data, Allocate(std::max<int64_t>(total, 1)));
    int32_t* out_o = reinterpret_cast<int32_t*>(offsets->mutable_data());
    uint8_t* out_d = data->mutable_data();
    int64_t pos = 0;
    int32_t dpos = 0;
    for (const RowRun& r : runs) {
      const arrow::ArrayData& d = *cols[r.source];
      const int32_t* o = d.GetValues<int32_t>(1) + r.start;
      const uint8_t* src = d.buffers[2] ? d.buffers[2]->data() : nullptr;
      const int32_t b = o[0];
      const int32_t len = o[r.length] - b;
      if (len > 0) std::memcpy(out_d + dpos, src + b, static_cast<size_t>(len));
      for (int64_t i = 0; i < r.length; ++i) out_o[pos + i] = dpos + (o[i] - b);
      dpos += len;
      pos += r.length;
    }
    out_o[rows] = dpos;
    return arrow::MakeArray(
        arrow::ArrayData::Make(type, rows, {validity, offsets, data}, arrow::kUnknownNullCount));
  }
  if (id == arrow::Type::BOOL) {
    LP_ASSIGN_OR_RETURN(auto values, Allocate(arrow::bit_util::BytesForBits(rows)));
    int64_t pos = 0;
    for (const RowRun& r : runs) {
      const arrow::ArrayData& d = *cols[r.source];
      arrow::internal::CopyBitmap(d.buffers[1]->data(), d.offset + r.start, r.length,
                                  values->mutable_data(), pos);
      pos += r.length;
    }
    return arrow::MakeArray(
        arrow::ArrayData::Make(type, rows, {validity, values}, arrow::kUnknownNullCount));
  }
  if (arrow::is_primitive(id) && type->bit_width() % 8 == 0) {
    const int64_t width = type->bit_width() / 8;
    LP_ASSIGN_OR_RETURN(auto values, Allocate(std::max<int64_t>(rows * width, 1)));
    int64_t pos = 0;
    for (const RowRun& r : runs) {
      const arrow::ArrayData& d = *cols[r.source];
      std::memcpy(values->mutable_data() + pos * width,
                  d.buffers[1]->data() + (d.offset + r.start) * width,
                  static_cast<size_t>(r.length * width));
      pos += r.length;
    }
    return arrow::MakeArray(
        arrow::ArrayData::Make(type, rows, {validity, values}, arrow::kUnknownNullCount));
  }
  // Lists, maps and the rest: Arrow's builders append slices of any type.
  auto made = arrow::MakeBuilder(type, arrow::default_memory_pool());
  LP_ARROW_RETURN_NOT_OK(made.status(), "merge");
  std::unique_ptr<arrow::ArrayBuilder> builder = std::move(made).ValueUnsafe();
  LP_ARROW_RETURN_NOT_OK(builder->Reserve(rows), "merge");
  for (const RowRun& r : runs) {
    arrow::ArraySpan span(*cols[r.source]);
    LP_ARROW_RETURN_NOT_OK(builder->AppendArraySlice(span, r.start, r.length), "merge");
  }
  std::shared_ptr<arrow::Array> out;
  LP_ARROW_RETURN_NOT_OK(builder->Finish(&out), "merge");
  return out;
}

}  // namespace

Result<std::shared_ptr<arrow::RecordBatch>> GatherRuns(
    const std::shared_ptr<arrow::Schema>& schema,
    const std::vector<std::shared_ptr<arrow::RecordBatch>>& sources,
    const std::vector<RowRun>& runs, int64_t rows) {
  arrow::ArrayVector out;
  std::vector<const arrow::ArrayData*> cols(sources.size());
  for (int c = 0; c < schema->num_fields(); ++c) {
    for (size_t s = 0; s < sources.size(); ++s) cols[s] = sources[s]->column_data(c).get();
    LP_ASSIGN_OR_RETURN(auto col, GatherColumn(schema->field(c)->type(), cols, runs, rows));
    out.push_back(std::move(col));
  }
  return arrow::RecordBatch::Make(schema, rows, std::move(out));
}

Result<int64_t> MergeSortedFiles(
    const std::vector<MergeInput>& inputs, const TableSchema& schema, const MergeOptions& options,
    const std::function<Status(const std::shared_ptr<arrow::RecordBatch>&)>& sink) {
  if (inputs.empty()) return 0;
  std::vector<std::shared_ptr<arrow::RecordBatch>> sources;
  std::vector<Cursor> cursors(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    const MergeInput& in = inputs[i];
    Cursor& c = cursors[i];
    c.uri = in.store->Uri(in.key);
    LP_ASSIGN_OR_RETURN(auto file, OpenDataFile(in.store, in.key, in.size));
    std::unique_ptr<parquet::ParquetFileReader> pfr;
    try {
      pfr = parquet::ParquetFileReader::Open(file);
    } catch (const std::exception& e) {
      return Status::InvalidData(c.uri + ": " + e.what());
    }
    parquet::ArrowReaderProperties props;
    // Remote inputs: one coalesced ranged GET per row group.
    props.set_pre_buffer(!in.store->is_local());
    props.set_use_threads(true);  // columns decoded in parallel (Arrow's CPU pool)
    auto made =
        parquet::arrow::FileReader::Make(arrow::default_memory_pool(), std::move(pfr), props);
    LP_ARROW_RETURN_NOT_OK(made.status(), c.uri);
    c.reader = std::move(made).ValueUnsafe();
    c.groups = c.reader->num_row_groups();
    LP_RETURN_NOT_OK(LoadNext(c, schema, &sources));
  }
  auto less = [&cursors](int a, int b) {
    const Cursor& x = cursors[a];
    const Cursor& y = cursors[b];
    if (x.done) return false;
    if (y.done) return true;
    const uint64_t px = x.cur.prefixes[x.row], py = y.cur.prefixes[y.row];
    if (px != py) return px < py;  // zero padding: a shorter key equal so far is not larger
    int cmp = x.Key().compare(y.Key());
    return cmp != 0 ? cmp < 0 : a < b;
  };
  LoserTree tree;
  tree.Init(static_cast<int>(cursors.size()), less);

  const std::shared_ptr<arrow::Schema>& out_schema = schema.arrow_schema();
  std::vector<RowRun> runs;
  int64_t pending = 0, total = 0;
  auto flush = [&]() -> Status {
    if (pending == 0) return Status::OK();
    LP_ASSIGN_OR_RETURN(auto batch, GatherRuns(out_schema, sources, runs, pending));
    LP_RETURN_NOT_OK(sink(batch));
    total += pending;
    pending = 0;
    runs.clear();
    // Keep only the row groups the cursors still read.
    sources.clear();
    for (Cursor& c : cursors) {
      if (c.done) continue;
      c.source = static_cast<uint32_t>(sources.size());
      sources.push_back(c.cur.batch);
    }
    if (options.cancelled && options.cancelled()) {
      return Status::Cancelled("sorted: compaction cancelled");
    }
    return Status::OK();
  };
  const int64_t batch_rows = std::max<int64_t>(options.batch_rows, 1);
  while (!cursors[tree.winner()].done) {
    Cursor& c = cursors[tree.winner()];
    if (!runs.empty() && runs.back().source == c.source &&
        runs.back().start + runs.back().length == c.row) {
      ++runs.back().length;
    } else {
      runs.push_back({c.source, c.row, 1});
    }
    ++pending;
    if (++c.row == c.rows) LP_RETURN_NOT_OK(LoadNext(c, schema, &sources));
    tree.Replay(less);
    if (pending >= batch_rows) LP_RETURN_NOT_OK(flush());
  }
  LP_RETURN_NOT_OK(flush());
  return total;
}

}  // namespace lakepack::sorted
