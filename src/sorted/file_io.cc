// file_io.cc: see file_io.h.
#include "sorted/file_io.h"

#include <algorithm>
#include <mutex>
#include <unordered_map>

#include "arrow/io/file.h"
#include "arrow/table.h"
#include "format/arrow_io.h"
#include "format/arrow_status.h"
#include "parquet/arrow/reader.h"
#include "parquet/arrow/writer.h"
#include "parquet/file_reader.h"
#include "parquet/metadata.h"
#include "parquet/properties.h"
#include "parquet/statistics.h"
#include "sorted/key_codec.h"
#include "sorted/rows.h"

namespace lakepack::sorted {
namespace {

// Footers kept per process: each is a few KB to ~1 MB (a 22 M-row file of 8192-row groups);
// 4096 of them bound the cache while holding every file of a large table.
constexpr size_t kMaxCachedFooters = 4096;

std::mutex g_cache_mu;
// A file's footer and, per row group, the encoded bounds of the first key field: a query picks
// its row groups from these without rebuilding Parquet's metadata objects (RowGroup(i) for each
// of a large file's hundreds of groups cost more than the read of the one it needs).
struct CachedFooter {
  std::shared_ptr<parquet::FileMetaData> meta;
  std::vector<std::string> min, max;
  std::vector<bool> bounded;  // false: no statistics; the group is read whatever the range
};
std::unordered_map<std::string, std::shared_ptr<const CachedFooter>> g_footers;

// The encoded first-field bounds [min, max] of a row group, if its statistics hold them.
bool FirstFieldBounds(const parquet::RowGroupMetaData& rg, KeyType type, std::string* min,
                      std::string* max) {
  auto cc = rg.ColumnChunk(0);
  if (!cc->is_stats_set()) return false;
  auto stats = cc->statistics();
  if (!stats || !stats->HasMinMax()) return false;
  switch (type) {
    case KeyType::kInt: {
      auto s = std::static_pointer_cast<parquet::Int32Statistics>(stats);
      AppendInt32(s->min(), min);
      AppendInt32(s->max(), max);
      return true;
    }
    case KeyType::kLong: {
      auto s = std::static_pointer_cast<parquet::Int64Statistics>(stats);
      AppendInt64(s->min(), min);
      AppendInt64(s->max(), max);
      return true;
    }
    default: {
      auto s = std::static_pointer_cast<parquet::ByteArrayStatistics>(stats);
      AppendBytes(std::string_view(reinterpret_cast<const char*>(s->min().ptr), s->min().len), min);
      AppendBytes(std::string_view(reinterpret_cast<const char*>(s->max().ptr), s->max().len), max);
      return true;
    }
  }
}

// Whether keys whose first field lies in [a, b] (encoded) can fall in [lo, hi).
bool Overlaps(const std::string& a, const std::string& b, const KeyRange& r) {
  if (r.hi && !(a < *r.hi)) return false;
  // Some key starting with b is >= lo  <=>  lo's first |b| bytes <= b.
  return r.lo.compare(0, b.size(), b) <= 0;
}

}  // namespace

Result<std::shared_ptr<arrow::io::RandomAccessFile>> OpenDataFile(
    const std::shared_ptr<ObjectStore>& store, const std::string& key, int64_t size) {
  if (store->is_local()) {
    auto f = arrow::io::ReadableFile::Open(store->LocalPath(key));
    if (!f.ok()) return format::FromArrow(f.status(), store->Uri(key));
    return std::shared_ptr<arrow::io::RandomAccessFile>(*f);
  }
  return format::OpenStoreInputFile(store, key, size);
}

struct SortedFileWriter::State {
  std::shared_ptr<ObjectStore> store;
  std::string key, uri;
  TableSchema schema;
  int64_t row_group_rows = 0;
  std::shared_ptr<format::ObjectOutputStream> stream;
  std::unique_ptr<parquet::arrow::FileWriter> writer;
  std::shared_ptr<arrow::RecordBatch> last;  // the last non-empty batch (for the max key)
};

SortedFileWriter::SortedFileWriter(std::unique_ptr<State> s) : s_(std::move(s)) {}
SortedFileWriter::~SortedFileWriter() = default;  // the stream aborts unless closed

Result<std::unique_ptr<SortedFileWriter>> SortedFileWriter::Open(std::shared_ptr<ObjectStore> store,
                                                                 const std::string& key,
                                                                 const TableSchema& schema,
                                                                 const TableOptions& options) {
  auto s = std::make_unique<State>();
  s->uri = store->Uri(key);
  s->key = key;
  s->schema = schema;
  s->row_group_rows = options.row_group_rows;
  parquet::WriterProperties::Builder b;
  b.compression(arrow::Compression::ZSTD)
      ->compression_level(options.zstd_level)
      ->max_row_group_length(options.row_group_rows)
      ->max_rows_per_page(options.page_rows)
      ->enable_write_page_index()
      ->enable_statistics();
  for (int k = 0; k < schema.num_keys(); ++k) b.disable_dictionary(schema.field_name(k));
  auto props = b.build();
  // Columns are encoded and compressed in parallel (Arrow's CPU pool) as each row group closes.
  auto arrow_props =
      parquet::ArrowWriterProperties::Builder().store_schema()->set_use_threads(true)->build();
  LP_ASSIGN_OR_RETURN(s->stream, format::OpenOutputStream(store, key));
  s->store = std::move(store);
  auto writer = parquet::arrow::FileWriter::Open(
      *schema.arrow_schema(), arrow::default_memory_pool(), s->stream, props, arrow_props);
  LP_ARROW_RETURN_NOT_OK(writer.status(), s->uri);
  s->writer = std::move(writer).ValueUnsafe();
  return std::make_unique<SortedFileWriter>(std::move(s));
}

Status SortedFileWriter::Write(const std::shared_ptr<arrow::RecordBatch>& batch) {
  if (batch->num_rows() == 0) return Status::OK();
  if (out_.rows == 0) out_.min = EncodeRow(*batch, s_->schema.num_keys(), 0);
  // Row groups of exactly row_group_rows rows, whatever the batch sizes: the buffered writer
  // starts a new group when the current one is full.
  LP_ARROW_RETURN_NOT_OK(s_->writer->WriteRecordBatch(*batch), s_->uri);
  out_.rows += batch->num_rows();
  s_->last = batch;
  return Status::OK();
}

Result<WrittenFile> SortedFileWriter::Finish() {
  if (out_.rows == 0) return Status::InvalidArgument("sorted: no rows to write to " + s_->uri);
  LP_ARROW_RETURN_NOT_OK(s_->writer->Close(), s_->uri);
  LP_ARROW_RETURN_NOT_OK(s_->stream->Close(), s_->uri);
  out_.bytes = s_->stream->info().size;
  out_.max = EncodeRow(*s_->last, s_->schema.num_keys(), s_->last->num_rows() - 1);
  s_->last.reset();
  return out_;
}

Result<WrittenFile> WriteSortedFile(std::shared_ptr<ObjectStore> store, const std::string& key,
                                    const TableSchema& schema,
                                    const std::vector<std::shared_ptr<arrow::RecordBatch>>& rows,
                                    const TableOptions& options) {
  int64_t n = 0;
  for (const auto& b : rows) n += b->num_rows();
  if (n == 0) return Status::InvalidArgument("sorted: no rows to write to " + key);
  LP_ASSIGN_OR_RETURN(auto w, SortedFileWriter::Open(std::move(store), key, schema, options));
  for (const auto& b : rows) LP_RETURN_NOT_OK(w->Write(b));
  return w->Finish();
}

Result<std::vector<std::shared_ptr<arrow::RecordBatch>>> ReadRanges(
    std::shared_ptr<ObjectStore> store, const std::string& key, int64_t size,
    const TableSchema& schema, const std::vector<KeyRange>& ranges) {
  const std::string uri = store->Uri(key);
  LP_ASSIGN_OR_RETURN(auto file, OpenDataFile(store, key, size));
  std::shared_ptr<const CachedFooter> footer;
  {
    std::lock_guard<std::mutex> lock(g_cache_mu);
    auto it = g_footers.find(uri);
    if (it != g_footers.end()) footer = it->second;
  }
  std::unique_ptr<parquet::ParquetFileReader> pfr;
  try {
    pfr = parquet::ParquetFileReader::Open(file, parquet::default_reader_properties(),
                                           footer ? footer->meta : nullptr);
    if (!footer) {
      auto made = std::make_shared<CachedFooter>();
      made->meta = pfr->metadata();
      const int n = made->meta->num_row_groups();
      made->min.resize(n);
      made->max.resize(n);
      made->bounded.resize(n);
      for (int i = 0; i < n; ++i) {
        made->bounded[i] = FirstFieldBounds(*made->meta->RowGroup(i), schema.key_type(0),
                                            &made->min[i], &made->max[i]);
      }
      footer = made;
      std::lock_guard<std::mutex> lock(g_cache_mu);
      if (g_footers.size() >= kMaxCachedFooters) g_footers.clear();
      g_footers[uri] = footer;
    }
  } catch (const std::exception& e) {  // Parquet's footer accessors throw on a corrupt footer
    return Status::InvalidData(uri + ": " + e.what());
  }
  // Row groups whose first-field bounds overlap a range.
  std::vector<int> groups;
  for (int i = 0; i < static_cast<int>(footer->bounded.size()); ++i) {
    bool hit = !footer->bounded[i];
    for (size_t r = 0; !hit && r < ranges.size(); ++r) {
      hit = Overlaps(footer->min[i], footer->max[i], ranges[r]);
    }
    if (hit) groups.push_back(i);
  }
  std::vector<std::shared_ptr<arrow::RecordBatch>> out;
  if (groups.empty()) return out;
  parquet::ArrowReaderProperties arrow_props;
  if (!store->is_local()) {
    arrow_props.set_pre_buffer(true);  // one coalesced ranged GET per row group
  }
  std::unique_ptr<parquet::arrow::FileReader> reader;
  auto made =
      parquet::arrow::FileReader::Make(arrow::default_memory_pool(), std::move(pfr), arrow_props);
  LP_ARROW_RETURN_NOT_OK(made.status(), uri);
  reader = std::move(made).ValueUnsafe();
  const int nk = schema.num_keys();
  for (int g : groups) {
    std::shared_ptr<arrow::Table> t;
    LP_ARROW_RETURN_NOT_OK(reader->ReadRowGroup(g, &t), uri);
    auto combined = t->CombineChunksToBatch();
    LP_ARROW_RETURN_NOT_OK(combined.status(), uri);
    auto batch = *combined;
    // Files written with the table's schema read back as it; cast defensively otherwise.
    if (!batch->schema()->Equals(*schema.arrow_schema())) {
      LP_ASSIGN_OR_RETURN(batch, Conform(schema, *batch, uri, 0));
    }
    const int64_t n = batch->num_rows();
    // Matching rows of every range, merged (ranges may overlap).
    std::vector<std::pair<int64_t, int64_t>> spans;
    bool any_filter = false;
    for (const KeyRange& r : ranges) {
      int64_t b = LowerBound(*batch, nk, 0, n, r.lo);
      int64_t e = r.hi ? LowerBound(*batch, nk, b, n, *r.hi) : n;
      if (b < e) spans.push_back({b, e});
      any_filter |= static_cast<bool>(r.filter);
    }
    if (spans.empty()) continue;
    if (!any_filter) {
      std::sort(spans.begin(), spans.end());
      int64_t cb = spans[0].first, ce = spans[0].second;
      for (size_t i = 1; i <= spans.size(); ++i) {
        if (i < spans.size() && spans[i].first <= ce) {
          ce = std::max(ce, spans[i].second);
          continue;
        }
        out.push_back(batch->Slice(cb, ce - cb));
        if (i < spans.size()) cb = spans[i].first, ce = spans[i].second;
      }
      continue;
    }
    // Row by row: a row is kept if some range holds it and its filter accepts it.
    std::vector<bool> keep(n, false);
    for (size_t ri = 0; ri < ranges.size(); ++ri) {
      const KeyRange& r = ranges[ri];
      int64_t b = LowerBound(*batch, nk, 0, n, r.lo);
      int64_t e = r.hi ? LowerBound(*batch, nk, b, n, *r.hi) : n;
      for (int64_t i = b; i < e; ++i) {
        if (!keep[i] && (!r.filter || r.filter(*batch, i))) keep[i] = true;
      }
    }
    int64_t i = 0;
    while (i < n) {
      if (!keep[i]) {
        ++i;
        continue;
      }
      int64_t j = i;
      while (j < n && keep[j]) ++j;
      out.push_back(batch->Slice(i, j - i));
      i = j;
    }
  }
  return out;
}

void ClearFooterCache() {
  std::lock_guard<std::mutex> lock(g_cache_mu);
  g_footers.clear();
}

}  // namespace lakepack::sorted
