#include "format/reader.h"

#include <algorithm>
#include <functional>
#include <regex>

#include "arrow/array.h"
#include "arrow/compute/api_scalar.h"
#include "arrow/compute/cast.h"
#include "arrow/csv/api.h"
#include "arrow/io/memory.h"
#include "arrow/json/api.h"
#include "arrow/table.h"
#include "format/arrow_io.h"
#include "format/arrow_status.h"
#include "format/compressed_input.h"
#include "format/json_object_lines.h"
#include "format/jsonl_reader.h"
#include "format/memory_pool.h"
#include "format/readahead_gate.h"
#include "parquet/arrow/reader.h"
#include "parquet/exception.h"
#include "parquet/file_reader.h"
#include "parquet/properties.h"

namespace lakepack::format {
namespace {

// Lines handed to Arrow at a time when re-scanning JSON Lines for the line an error is on: small
// enough to parse quickly, large enough that the re-scan is not dominated by per-chunk overhead.
constexpr int64_t kRescanChunkLines = 4096;
// Bytes read at a time when scanning a file for line boundaries.
constexpr int64_t kScanReadBytes = 1 << 20;
// Block size of the CSV / JSON streams once the types are known.  Arrow's streaming readers read
// ahead up to 32 blocks on their IO thread (not configurable), so this bounds the input held in
// memory to ~32 MB; with 4 MB blocks that readahead alone took ~130 MB.  Types are still inferred
// from ReadOptions::block_size bytes (see InferFromPrefix), so only the memory changes.
constexpr int64_t kStreamBlockBytes = 1 << 20;
// Blocks the CSV / JSON readers may read ahead of the batches taken (see readahead_gate.h): enough
// to keep the parser fed while the consumer encodes, a few MB instead of Arrow's 32 blocks.
constexpr int64_t kMaxBlocksAhead = 4;

// `file` from its start as a stream whose readahead `gate` bounds.
arrow::Result<std::shared_ptr<arrow::io::InputStream>> Gated(
    const std::shared_ptr<arrow::io::RandomAccessFile>& file,
    const std::shared_ptr<ReadaheadGate>& gate) {
  ARROW_ASSIGN_OR_RAISE(auto stream, StreamFromStart(file));
  return std::make_shared<GatedInputStream>(std::move(stream), gate);
}

// `file` from its start as a gated stream (Gated) whose lines are checked to be JSON objects
// before Arrow's JSON reader sees them (json_object_lines.h: Arrow crashes on a `null` line).
arrow::Result<std::shared_ptr<arrow::io::InputStream>> GatedObjectLines(
    const std::shared_ptr<arrow::io::RandomAccessFile>& file,
    const std::shared_ptr<ReadaheadGate>& gate) {
  ARROW_ASSIGN_OR_RAISE(auto stream, Gated(file, gate));
  return std::make_shared<ObjectLinesInputStream>(std::move(stream));
}

// A reader over gated input, and its gate.
struct GatedReader {
  std::shared_ptr<arrow::RecordBatchReader> reader;
  std::shared_ptr<ReadaheadGate> gate;
};
// Opens the same input again with blocks of `block_size` bytes (see DiagnosingReader).
using Reopen = std::function<arrow::Result<GatedReader>(int32_t block_size)>;

// Blocks grow up to this when a row does not fit (Arrow's block size is an int32); a row longer
// than a quarter of it is an error.
constexpr int64_t kMaxBlockBytes = int64_t{1} << 30;

bool IsStraddling(const arrow::Status& st) {
  return st.IsInvalid() && st.message().find("straddles two block boundaries") != std::string::npos;
}

using Diagnose = std::function<Status(const arrow::Status&, int64_t rows_before)>;
using PostProcess = std::function<arrow::Result<std::shared_ptr<arrow::RecordBatch>>(
    std::shared_ptr<arrow::RecordBatch>, int64_t rows_before)>;

// Wraps a reader so errors are turned into lakepack messages naming the file and the place, and
// batches may be post-processed (casts Arrow's JSON reader cannot do itself).
//
// A reader streaming in small blocks (kStreamBlockBytes) fails on a row longer than two blocks
// ("straddles two block boundaries"); on that error `reopen` gives a reader of `reopen_block`
// blocks (ReadOptions::block_size), the rows already returned are skipped, and reading goes on, so
// the caller sees exactly the rows (and types: both readers have them explicit) of the big-block
// reader.  A row longer than that grows the blocks again, 4x at a time, up to kMaxBlockBytes
// (issue 14: a 64 MB CSV value reads; a 4 MiB block alone stopped at ~6 MB).
class DiagnosingReader final : public arrow::RecordBatchReader {
 public:
  DiagnosingReader(GatedReader inner, std::shared_ptr<arrow::Schema> schema, Diagnose diagnose,
                   PostProcess post, Reopen reopen = nullptr, int64_t reopen_block = 0)
      : inner_(std::move(inner)),
        schema_(std::move(schema)),
        diagnose_(std::move(diagnose)),
        post_(std::move(post)),
        reopen_(std::move(reopen)),
        reopen_block_(reopen_block) {
    if (inner_.gate) inner_.gate->SetConsumerWaiting(false);
  }
  ~DiagnosingReader() override {
    if (inner_.gate) inner_.gate->Release();  // before the reader goes: its IO thread may wait
  }

  std::shared_ptr<arrow::Schema> schema() const override { return schema_; }

  arrow::Status ReadNext(std::shared_ptr<arrow::RecordBatch>* out) override {
    if (!failed_.ok()) return failed_;
    arrow::Status st = ReadInner(out);
    while (!st.ok() && reopen_ && IsStraddling(st) && reopen_block_ <= kMaxBlockBytes) {
      st = ReopenAndSkip(out);
    }
    if (!st.ok()) {
      // Arrow's own Cancelled/IO errors from our store keep their lakepack detail.
      failed_ = ToArrow(diagnose_(st, rows_));
      return failed_;
    }
    if (*out && post_) {
      auto r = post_(std::move(*out), rows_);
      if (!r.ok()) {
        failed_ = r.status();
        return failed_;
      }
      *out = std::move(r).ValueUnsafe();
    }
    if (*out) rows_ += (*out)->num_rows();
    return arrow::Status::OK();
  }

  arrow::Status Close() override {
    if (inner_.gate) inner_.gate->Release();
    return inner_.reader->Close();
  }

 private:
  arrow::Status ReadInner(std::shared_ptr<arrow::RecordBatch>* out) {
    ReadaheadGate* gate = inner_.gate.get();
    if (gate) gate->SetConsumerWaiting(true);
    arrow::Status st = inner_.reader->ReadNext(out);
    if (gate) {
      gate->SetConsumerWaiting(false);
      if (!st.ok() || !*out) gate->Release();  // nothing more will be taken
      if (st.ok() && *out) gate->BatchTaken();
    }
    return st;
  }

  // Reopens with reopen_block_ bytes a block (then grows it 4x for a next time).
  arrow::Status ReopenAndSkip(std::shared_ptr<arrow::RecordBatch>* out) {
    const int32_t block = static_cast<int32_t>(std::min(reopen_block_, kMaxBlockBytes));
    reopen_block_ *= 4;
    ARROW_ASSIGN_OR_RAISE(GatedReader again, reopen_(block));
    if (inner_.gate) inner_.gate->Release();
    (void)inner_.reader->Close();
    inner_ = std::move(again);
    if (inner_.gate) inner_.gate->SetConsumerWaiting(false);
    int64_t skip = rows_;  // post-processing keeps row counts, so rows_ counts raw rows too
    while (true) {
      ARROW_RETURN_NOT_OK(ReadInner(out));
      if (!*out || (*out)->num_rows() > skip) break;
      skip -= (*out)->num_rows();
    }
    if (*out && skip > 0) *out = (*out)->Slice(skip);
    return arrow::Status::OK();
  }

  GatedReader inner_;
  std::shared_ptr<arrow::Schema> schema_;
  Diagnose diagnose_;
  PostProcess post_;
  Reopen reopen_;  // null: no small-block fallback
  int64_t reopen_block_;
  int64_t rows_ = 0;
  arrow::Status failed_;
};

std::string NameOf(const ObjectStore& store, const std::string& key, const ReadOptions& o) {
  return o.display_name.empty() ? store.Uri(key) : o.display_name;
}

// Strips Arrow's "CSV parse error: " style prefixes; they repeat what we say anyway.
std::string StripPrefix(std::string msg, const std::string& prefix) {
  if (msg.rfind(prefix, 0) == 0) msg = msg.substr(prefix.size());
  return msg;
}

// The input as the readers see it: decompressed when the options say it is compressed.
// REQUIRES: options.compression is set (OpenBatchReader resolves it).
Result<std::shared_ptr<arrow::io::RandomAccessFile>> OpenInput(
    const std::shared_ptr<ObjectStore>& store, const std::string& key, const ReadOptions& o) {
  return OpenDecodedInput(store, key, o.compression.value_or(InputCompression::kNone));
}

// Calls `on_line(line_number, text)` for each line of the object (without the '\n'); stops early
// when it returns false.
Status ForEachLine(const std::shared_ptr<ObjectStore>& store, const std::string& key,
                   const ReadOptions& options,
                   const std::function<bool(int64_t, std::string_view)>& on_line) {
  LP_ASSIGN_OR_RETURN(auto file, OpenInput(store, key, options));
  std::string carry;
  int64_t line = 0;
  while (true) {
    LP_ARROW_ASSIGN_OR_RETURN(auto buf, file->Read(kScanReadBytes), store->Uri(key));
    std::string_view data(reinterpret_cast<const char*>(buf->data()), buf->size());
    if (data.empty()) break;
    size_t start = 0;
    while (true) {
      size_t nl = data.find('\n', start);
      if (nl == std::string_view::npos) {
        carry.append(data.substr(start));
        break;
      }
      std::string_view text = data.substr(start, nl - start);
      if (!carry.empty()) {
        carry.append(text);
        text = carry;
      }
      if (!on_line(++line, text)) return Status::OK();
      carry.clear();
      start = nl + 1;
    }
  }
  if (!carry.empty()) on_line(++line, carry);
  return Status::OK();
}

bool IsBlank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t' || c == '\r'; });
}

// ---- CSV ----------------------------------------------------------------------------------

struct CsvOptions {
  arrow::csv::ReadOptions read;
  arrow::csv::ParseOptions parse;
  arrow::csv::ConvertOptions convert;
};

CsvOptions MakeCsvOptions(const ReadOptions& o) {
  CsvOptions c;
  c.read = arrow::csv::ReadOptions::Defaults();
  c.read.use_threads = o.use_threads;
  c.read.block_size = static_cast<int32_t>(std::clamp<int64_t>(o.block_size, 1 << 12, 1 << 30));
  c.read.autogenerate_column_names = !o.csv.header;  // f0, f1, ...
  c.parse = arrow::csv::ParseOptions::Defaults();
  c.parse.delimiter = o.csv.delimiter.value_or(',');  // resolved by OpenBatchReader
  c.parse.quoting = o.csv.quoting;
  c.parse.quote_char = o.csv.quote;
  c.parse.newlines_in_values = true;  // quoted values may hold newlines (our writer quotes them)
  c.convert = arrow::csv::ConvertOptions::Defaults();
  // By default only an unquoted empty field is null: "NA", "null"... stay strings, and a quoted
  // "" stays an empty string, so strings survive a CSV round trip.
  c.convert.null_values = o.csv.null_values;
  c.convert.strings_can_be_null = true;
  c.convert.quoted_strings_can_be_null = false;
  if (o.schema) {
    for (const auto& f : o.schema->fields()) {
      c.convert.column_types[f->name()] = f->type();
      c.convert.include_columns.push_back(f->name());
    }
  }
  return c;
}

arrow::Result<std::shared_ptr<arrow::csv::StreamingReader>> MakeCsv(
    const std::shared_ptr<arrow::io::InputStream>& input, const CsvOptions& c) {
  return arrow::csv::StreamingReader::Make(arrow::io::IOContext(StreamPool()), input, c.read,
                                           c.parse, c.convert);
}

// Re-reads the CSV without threads (Arrow then numbers rows) or with string columns (to find a
// value that does not convert) and turns `st` into "name: line N: problem".
// The offset of the first byte of `text` that is not part of valid UTF-8, or npos.  A sequence
// cut off by the end of `text` counts as valid (the text may be a prefix).
size_t FirstInvalidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || (n == 2 && c < 0xC2) || (n == 4 && c > 0xF4)) return i;
    for (size_t k = 1; k < n; ++k) {
      if (i + k >= text.size()) return std::string::npos;
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return i;
    }
    i += n;
  }
  return std::string::npos;
}

// CSV is read as UTF-8 text: a column Arrow's inference typed binary holds bytes that are not
// UTF-8 (Latin-1, say).  That is an error naming the file, line and column, never a silent switch
// to binary (issue 13, WR-4).
Status CheckCsvText(const std::shared_ptr<arrow::io::RandomAccessFile>& file,
                    const arrow::Schema& inferred, const std::string& name, int64_t prefix_bytes) {
  std::string column;
  for (const auto& f : inferred.fields()) {
    if (f->type()->id() == arrow::Type::BINARY) {
      column = f->name();
      break;
    }
  }
  if (column.empty()) return Status::OK();
  std::string where;
  if (auto prefix = file->ReadAt(0, prefix_bytes); prefix.ok()) {
    const std::string bytes = (*prefix)->ToString();
    size_t bad = FirstInvalidUtf8(bytes);
    if (bad != std::string::npos) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned char>(bytes[bad]));
      where = " line " + std::to_string(1 + std::count(bytes.begin(), bytes.begin() + bad, '\n')) +
              ": byte " + hex + ":";
    }
    (void)file->Seek(0);
  }
  return Status::InvalidData(name + ":" + where + " column '" + column +
                             "' is not UTF-8 text; lakepack reads CSV as UTF-8: convert the file "
                             "first (e.g. iconv -f latin1 -t utf-8)");
}

// A 0-byte CSV or JSON Lines object is a valid input of no rows (issue 13, CR-1: a 0-row table
// written as JSON Lines is 0 bytes, and must read back): a reader of the given schema, or of no
// columns, that yields no batch.  nullptr when the object is not empty.
Result<std::shared_ptr<arrow::RecordBatchReader>> EmptyIfZeroBytes(
    const std::shared_ptr<arrow::io::RandomAccessFile>& file, const ReadOptions& options,
    const std::string& name) {
  auto empty = IsEmptyInput(file);
  if (!empty.ok()) return FromArrow(empty.status(), name);
  if (!*empty) return std::shared_ptr<arrow::RecordBatchReader>();
  auto schema = options.schema ? options.schema : arrow::schema(arrow::FieldVector{});
  auto reader = arrow::RecordBatchReader::Make(arrow::RecordBatchVector{}, schema);
  if (!reader.ok()) return FromArrow(reader.status(), name);
  return *reader;
}

// A file that is not text, named as CSV or JSON Lines: a Parquet file (PAR1 at both ends) or a
// gzip stream (1f 8b) is said to be one, before any parsing (issue 13, BE-8: a Parquet file
// named .csv was "line 45: malformed CSV row"; some parse as CSV and convert into garbage).
// A compressed input's own bytes are compressed, of course: not sniffed.
Status SniffNotText(ObjectStore& store, const std::string& key, const std::string& name,
                    const char* format, const ReadOptions& options) {
  if (options.compression.value_or(InputCompression::kNone) != InputCompression::kNone) {
    return Status::OK();
  }
  auto head = store.GetRange(key, 0, 4);
  if (!head.ok()) return Status::OK();  // the reader reports store errors
  if (*head == "PAR1") {
    auto info = store.Head(key);
    auto tail = info.ok() && info->size >= 12 ? store.GetRange(key, info->size - 4, 4)
                                              : Result<std::string>(std::string());
    if (tail.ok() && *tail == "PAR1") {
      return Status::InvalidData(name + ": not " + format +
                                 ": this looks like a Parquet file (PAR1 at both ends); read it "
                                 "as Parquet (--in-format parquet, or name it .parquet)");
    }
  }
  if (head->size() >= 2 && (*head)[0] == '\x1f' && (*head)[1] == '\x8b') {
    return Status::InvalidData(name + ": not " + format +
                               ": this looks gzip-compressed; name it with .gz after the "
                               "format's extension (x.csv.gz, read decompressed) or gunzip it");
  }
  if (*head == "\x28\xb5\x2f\xfd") {
    return Status::InvalidData(name + ": not " + format +
                               ": this looks zstd-compressed; name it with .zst after the "
                               "format's extension (x.csv.zst, read decompressed) or unzstd it");
  }
  return Status::OK();
}

Status DiagnoseCsv(const std::shared_ptr<ObjectStore>& store, const std::string& key,
                   const ReadOptions& options, const std::shared_ptr<arrow::Schema>& schema,
                   const arrow::Status& st) {
  const std::string name = NameOf(*store, key, options);
  if (st.detail() && !st.IsInvalid()) return FromArrow(st, name);  // a store error
  LP_RETURN_NOT_OK(SniffNotText(*store, key, name, "CSV", options));  // not text at all?
  std::string msg = st.message();
  static const std::regex kRow(R"(^CSV parse error: Row #(\d+): ([\s\S]*)$)");
  static const std::regex kParse(R"(^CSV parse error: ([\s\S]*)$)");
  static const std::regex kConv(
      R"(^In CSV column #(\d+): CSV conversion error to (.+): invalid value '([\s\S]*)'$)");
  std::smatch m;
  if (std::regex_match(msg, m, kRow)) {
    return Status::InvalidData(name + ": line " + m[1].str() +
                               ": malformed CSV row: " + m[2].str());
  }
  if (std::regex_match(msg, m, kParse)) {
    // Threaded parsing does not know row numbers; a serial re-read does.
    ReadOptions serial = options;
    serial.use_threads = false;
    CsvOptions c = MakeCsvOptions(serial);
    auto file = OpenInput(store, key, options);
    if (file.ok()) {
      arrow::Status again;
      auto reader = MakeCsv(*file, c);
      if (!reader.ok()) {
        again = reader.status();
      } else {
        std::shared_ptr<arrow::RecordBatch> batch;
        do {
          again = (*reader)->ReadNext(&batch);
        } while (again.ok() && batch);
      }
      std::string again_msg = again.message();
      std::smatch m2;
      if (!again.ok() && std::regex_match(again_msg, m2, kRow)) {
        return Status::InvalidData(name + ": line " + m2[1].str() +
                                   ": malformed CSV row: " + m2[2].str());
      }
    }
    return Status::InvalidData(name + ": malformed CSV: " + m[1].str());
  }
  if (std::regex_match(msg, m, kConv) && schema) {
    // Re-read with every column as a string and find the first row holding the bad value in a
    // column of the failing type: the row the conversion stopped at.
    const std::string type_name = m[2].str();
    const std::string bad = m[3].str();
    CsvOptions c = MakeCsvOptions(options);
    std::vector<int> candidates;
    for (int i = 0; i < schema->num_fields(); ++i) {
      c.convert.column_types[schema->field(i)->name()] = arrow::utf8();
      if (schema->field(i)->type()->ToString() == type_name) candidates.push_back(i);
    }
    int64_t line = options.csv.header ? 1 : 0;  // the header
    auto file = OpenInput(store, key, options);
    if (file.ok()) {
      auto reader = MakeCsv(*file, c);
      std::shared_ptr<arrow::RecordBatch> batch;
      while (reader.ok() && (*reader)->ReadNext(&batch).ok() && batch) {
        for (int64_t r = 0; r < batch->num_rows(); ++r) {
          ++line;
          int64_t extra_newlines = 0;
          for (int col = 0; col < batch->num_columns(); ++col) {
            const auto& a = static_cast<const arrow::StringArray&>(*batch->column(col));
            if (a.IsNull(r)) continue;
            std::string_view v = a.GetView(r);
            if (v == bad &&
                std::find(candidates.begin(), candidates.end(), col) != candidates.end()) {
              return Status::InvalidData(name + ": line " + std::to_string(line) + ": column '" +
                                         batch->schema()->field(col)->name() + "': '" + bad +
                                         "' is not a valid " + type_name);
            }
            extra_newlines += std::count(v.begin(), v.end(), '\n');
          }
          line += extra_newlines;
        }
      }
    }
    return Status::InvalidData(name + ": column #" + m[1].str() + ": '" + bad +
                               "' is not a valid " + type_name);
  }
  return FromArrow(st, name);
}

// The first `2 * block_size` bytes of `file` (all of it if smaller), as a stream.  Arrow infers
// CSV / JSON types from the first block alone and treats that block as final only when nothing
// follows it; a second block's worth of bytes keeps it non-final exactly when it is in the file.
arrow::Result<std::shared_ptr<arrow::io::InputStream>> PrefixStream(
    const std::shared_ptr<arrow::io::RandomAccessFile>& file, int64_t block_size) {
  ARROW_ASSIGN_OR_RAISE(auto prefix, file->ReadAt(0, 2 * block_size));
  ARROW_RETURN_NOT_OK(file->Seek(0));  // a local file wants a Seek after ReadAt before Read
  return std::make_shared<arrow::io::BufferReader>(std::move(prefix));
}

bool HasDuplicateNames(const arrow::Schema& schema) {
  std::vector<std::string> names;
  for (const auto& f : schema.fields()) names.push_back(f->name());
  std::sort(names.begin(), names.end());
  return std::adjacent_find(names.begin(), names.end()) != names.end();
}

// True for text that a number would not give back: a leading zero before another digit ("007",
// "-01.5") or an explicit plus sign ("+4420").  Post codes, phone numbers and zero-padded ids
// look like that; as int64 or double they would lose their zeros or sign for good.
bool NumberWouldChangeText(std::string_view v) {
  if (v.empty()) return false;
  if (v[0] == '+') return true;
  const size_t i = v[0] == '-' ? 1 : 0;
  return v.size() > i + 1 && v[i] == '0' && v[i + 1] >= '0' && v[i + 1] <= '9';
}

// The type of a CSV column from its text values (nulls aside): int64, double, date32,
// timestamp[s] when every value converts (and no number would change its text), else utf8.
std::shared_ptr<arrow::DataType> TypeFromText(const arrow::StringArray& text) {
  for (int64_t r = 0; r < text.length(); ++r) {
    if (!text.IsNull(r) && NumberWouldChangeText(text.GetView(r))) return arrow::utf8();
  }
  for (const auto& type : {arrow::int64(), arrow::float64(), arrow::date32(),
                           arrow::timestamp(arrow::TimeUnit::SECOND)}) {
    if (arrow::compute::Cast(text, type).ok()) return type;
  }
  return arrow::utf8();
}

// Columns Arrow typed null (no value in the first block) take their type from the first block
// that has a value, read on until every such column has one or the file ends: null widens
// losslessly, where a fixed null type fails on the first value.
std::shared_ptr<arrow::Schema> WidenNullCsvColumns(
    const std::shared_ptr<arrow::io::RandomAccessFile>& file, const CsvOptions& c,
    std::shared_ptr<arrow::Schema> schema) {
  CsvOptions text = c;
  text.read.use_threads = false;
  text.convert.include_columns.clear();
  for (const auto& f : schema->fields()) {
    if (f->type()->id() != arrow::Type::NA) continue;
    text.convert.include_columns.push_back(f->name());
    text.convert.column_types[f->name()] = arrow::utf8();
  }
  if (text.convert.include_columns.empty()) return schema;
  auto stream = StreamFromStart(file);
  if (!stream.ok()) return schema;
  auto reader = MakeCsv(*stream, text);
  if (!reader.ok()) return schema;
  std::vector<std::string> pending = text.convert.include_columns;
  std::shared_ptr<arrow::RecordBatch> batch;
  while (!pending.empty() && (*reader)->ReadNext(&batch).ok() && batch) {
    std::vector<std::string> still;
    for (const auto& name : pending) {
      auto column = batch->GetColumnByName(name);
      if (!column || column->type_id() != arrow::Type::STRING ||
          column->null_count() == column->length()) {
        still.push_back(name);
        continue;
      }
      int i = schema->GetFieldIndex(name);
      auto typed = schema->SetField(i, schema->field(i)->WithType(TypeFromText(
                                           static_cast<const arrow::StringArray&>(*column))));
      if (typed.ok()) schema = *typed;
    }
    pending = std::move(still);
  }
  (void)(*reader)->Close();
  return schema;
}

// CSV types as Arrow infers them from the first block, by reading only a prefix serially; null
// when that fails (the full read then reports the error as before).  Unlike Arrow, a column
// inferred as a number whose text in that block has leading zeros or a '+' stays a string
// (DuckDB's sniffer does the same), so no digit of such a column is lost.
// `*too_long` is set when a row of the prefix is longer than the blocks (try bigger ones);
// `*magic` gets the file's first bytes, as SniffNotText looks at them (no read of its own).
std::shared_ptr<arrow::Schema> InferCsvSchema(
    const std::shared_ptr<arrow::io::RandomAccessFile>& file, const CsvOptions& c,
    bool* too_long = nullptr, std::string* magic = nullptr) {
  auto prefix = PrefixStream(file, c.read.block_size);
  if (!prefix.ok()) return nullptr;
  if (magic) {
    auto head = (*prefix)->Peek(4);
    if (head.ok()) magic->assign(head->data(), head->size());
  }
  CsvOptions serial = c;
  serial.read.use_threads = false;
  auto reader = MakeCsv(*prefix, serial);
  if (!reader.ok()) {
    if (too_long) *too_long = IsStraddling(reader.status());
    return nullptr;
  }
  auto schema = (*reader)->schema();
  (void)(*reader)->Close();
  if (HasDuplicateNames(*schema)) return nullptr;
  schema = WidenNullCsvColumns(file, c, std::move(schema));

  // The same prefix again, with the numeric columns as text, to look at their digits.
  std::vector<int> numeric;
  for (int i = 0; i < schema->num_fields(); ++i) {
    const auto& t = *schema->field(i)->type();
    if (arrow::is_integer(t.id()) || arrow::is_floating(t.id())) {
      numeric.push_back(i);
      serial.convert.column_types[schema->field(i)->name()] = arrow::utf8();
    }
  }
  if (numeric.empty()) return schema;
  auto again = PrefixStream(file, c.read.block_size);
  if (!again.ok()) return schema;
  auto text_reader = MakeCsv(*again, serial);
  if (!text_reader.ok()) return schema;
  std::shared_ptr<arrow::RecordBatch> batch;
  if ((*text_reader)->ReadNext(&batch).ok() &&
      batch) {  // the first block: what Arrow inferred from
    for (int i : numeric) {
      const auto* column = batch->GetColumnByName(schema->field(i)->name()).get();
      if (column == nullptr || column->type_id() != arrow::Type::STRING) continue;
      const auto& text = static_cast<const arrow::StringArray&>(*column);
      for (int64_t r = 0; r < text.length(); ++r) {
        if (!text.IsNull(r) && NumberWouldChangeText(text.GetView(r))) {
          auto changed = schema->SetField(i, schema->field(i)->WithType(arrow::utf8()));
          if (changed.ok()) schema = *changed;
          break;
        }
      }
    }
  }
  (void)(*text_reader)->Close();
  return schema;
}

Result<std::shared_ptr<arrow::RecordBatchReader>> OpenCsv(std::shared_ptr<ObjectStore> store,
                                                          const std::string& key,
                                                          const ReadOptions& options) {
  const std::string name = NameOf(*store, key, options);
  LP_ASSIGN_OR_RETURN(auto file, OpenInput(store, key, options));
  LP_ASSIGN_OR_RETURN(auto empty, EmptyIfZeroBytes(file, options, name));
  if (empty) return empty;
  CsvOptions c = MakeCsvOptions(options);
  Reopen reopen;
  int64_t reopen_block = 0;
  // Fix the types the first block gives (InferCsvSchema), then stream.
  std::shared_ptr<arrow::Schema> inferred;
  if (!options.schema) {
    // A row longer than the inference block: bigger blocks (4x at a time), as for streaming.
    bool too_long = false;
    std::string magic;
    inferred = InferCsvSchema(file, c, &too_long, &magic);
    // What a Parquet or gzip file begins with: say what it is, even when it parses as CSV.
    if (magic == "PAR1" || magic.rfind("\x1f\x8b", 0) == 0) {
      LP_RETURN_NOT_OK(SniffNotText(*store, key, name, "CSV", options));
    }
    while (!inferred && too_long && c.read.block_size < kMaxBlockBytes) {
      c.read.block_size = static_cast<int32_t>(std::min<int64_t>(int64_t{c.read.block_size} * 4,
                                                                 kMaxBlockBytes));
      too_long = false;
      inferred = InferCsvSchema(file, c, &too_long);
    }
  }
  if (inferred) {
    Status text = CheckCsvText(file, *inferred, name, 2 * c.read.block_size);
    if (!text.ok()) {
      LP_RETURN_NOT_OK(SniffNotText(*store, key, name, "CSV", options));  // not text at all?
      return text;
    }
  }
  for (const auto& f : inferred ? inferred->fields() : arrow::FieldVector{}) {
    c.convert.column_types[f->name()] = f->type();
  }
  if (c.read.block_size > kStreamBlockBytes) {
    // Same types, smaller blocks.
    if (options.schema || inferred) {
      CsvOptions big = c;
      reopen_block = c.read.block_size;
      reopen = [file, big](int32_t block_size) mutable -> arrow::Result<GatedReader> {
        big.read.block_size = block_size;
        auto gate = std::make_shared<ReadaheadGate>(kMaxBlocksAhead);
        ARROW_ASSIGN_OR_RAISE(auto input, Gated(file, gate));
        ARROW_ASSIGN_OR_RAISE(auto reader, MakeCsv(input, big));
        return GatedReader{std::move(reader), std::move(gate)};
      };
      c.read.block_size = static_cast<int32_t>(kStreamBlockBytes);
    }
  }
  auto gate = std::make_shared<ReadaheadGate>(kMaxBlocksAhead);
  LP_ARROW_ASSIGN_OR_RETURN(auto input, Gated(file, gate), name);
  GatedReader opened{nullptr, gate};
  arrow::Status st;
  if (auto reader = MakeCsv(input, c); reader.ok()) {
    opened.reader = *reader;
  } else {
    st = reader.status();
  }
  // A first row longer than the stream blocks: open with the big blocks (grown as needed).
  while (!st.ok() && reopen && IsStraddling(st) && reopen_block <= kMaxBlockBytes) {
    gate->Release();
    auto again = reopen(static_cast<int32_t>(reopen_block));
    reopen_block *= 4;
    if (again.ok()) {
      opened = std::move(*again);
      st = arrow::Status::OK();
    } else {
      st = again.status();
    }
  }
  if (!st.ok()) {
    if (st.message().find("Empty CSV file") != std::string::npos) {
      return Status::InvalidData(name + ": empty CSV file (no header line)");
    }
    return DiagnoseCsv(store, key, options, options.schema, st);
  }
  std::shared_ptr<arrow::Schema> schema = opened.reader->schema();
  Diagnose diagnose = [store, key, options, schema](const arrow::Status& st, int64_t) {
    return DiagnoseCsv(store, key, options, schema, st);
  };
  return std::shared_ptr<arrow::RecordBatchReader>(std::make_shared<DiagnosingReader>(
      std::move(opened), schema, std::move(diagnose), nullptr, std::move(reopen), reopen_block));
}

// ---- JSON Lines ---------------------------------------------------------------------------

// Types Arrow's JSON reader cannot take from JSON strings; read as strings, then cast.
bool NeedsCastFromString(const arrow::DataType& t) {
  return t.id() == arrow::Type::DATE32 || t.id() == arrow::Type::DATE64;
}

arrow::json::ParseOptions JsonParseOptions(const std::shared_ptr<arrow::Schema>& schema) {
  auto p = arrow::json::ParseOptions::Defaults();
  p.newlines_in_values = false;  // JSON Lines: one value per line
  if (schema) {
    p.explicit_schema = schema;
    p.unexpected_field_behavior = arrow::json::UnexpectedFieldBehavior::Ignore;
  }
  return p;
}

// The line number of the 0-based `row`-th non-blank line, or -1.
int64_t LineOfJsonRow(const std::shared_ptr<ObjectStore>& store, const std::string& key,
                      const ReadOptions& options, int64_t row) {
  int64_t found = -1, seen = 0;
  Status st = ForEachLine(store, key, options, [&](int64_t line, std::string_view text) {
    if (IsBlank(text)) return true;
    if (seen++ == row) {
      found = line;
      return false;
    }
    return true;
  });
  return st.ok() ? found : -1;
}

// Parses lines [first, first+n) of `lines` on their own; returns Arrow's error.
arrow::Status ParseJsonChunk(const std::vector<std::string>& lines, size_t first, size_t n,
                             const arrow::json::ParseOptions& parse) {
  std::string text;
  for (size_t i = first; i < first + n; ++i) {
    text += lines[i];
    text += '\n';
  }
  auto read = arrow::json::ReadOptions::Defaults();
  read.use_threads = false;
  read.block_size = static_cast<int32_t>(std::max<size_t>(text.size() + 1, 1 << 16));
  auto buf = std::make_shared<arrow::io::BufferReader>(arrow::Buffer::FromString(std::move(text)));
  ARROW_ASSIGN_OR_RAISE(
      auto reader, arrow::json::TableReader::Make(arrow::default_memory_pool(), buf, read, parse));
  return reader->Read().status();
}

// Re-scans the file in chunks of lines with the reader's final types; the first chunk that fails
// is bisected down to one line.  Returns the line number, or -1.
int64_t FindBadJsonLine(const std::shared_ptr<ObjectStore>& store, const std::string& key,
                        const ReadOptions& options,
                        const arrow::json::ParseOptions& parse, std::string* problem) {
  std::vector<std::string> lines;
  std::vector<int64_t> numbers;
  int64_t bad = -1;
  auto check = [&]() {
    if (lines.empty()) return true;
    arrow::Status st = ParseJsonChunk(lines, 0, lines.size(), parse);
    if (st.ok()) return true;
    // The shortest failing prefix of the chunk: a line may fail only after the lines before it
    // (without a schema, earlier lines fix a field's type).  Invariant: the first `lo` lines
    // parse, the first `hi` do not.
    size_t lo = 0, hi = lines.size();
    while (hi - lo > 1) {
      size_t mid = lo + (hi - lo) / 2;
      arrow::Status prefix = ParseJsonChunk(lines, 0, mid, parse);
      if (!prefix.ok()) {
        hi = mid;
        st = prefix;
      } else {
        lo = mid;
      }
    }
    *problem = st.message();
    bad = numbers[hi - 1];
    return false;
  };
  Status scan = ForEachLine(store, key, options, [&](int64_t line, std::string_view text) {
    if (IsBlank(text)) return true;
    if (std::string not_object = NotAnObjectLine(text); !not_object.empty()) {
      // Never handed to Arrow (json_object_lines.h); bad itself unless a line before it is.
      if (!check()) return false;
      *problem = StripPrefix(std::move(not_object), "bad JSON line: ");
      bad = line;
      return false;
    }
    lines.emplace_back(text);
    numbers.push_back(line);
    if (static_cast<int64_t>(lines.size()) < kRescanChunkLines) return true;
    bool go_on = check();
    lines.clear();
    numbers.clear();
    return go_on;
  });
  if (scan.ok() && bad < 0) check();
  return bad;
}

std::string CleanJsonMessage(std::string msg) {
  msg = StripPrefix(std::move(msg), "JSON parse error: ");
  static const std::regex kInRow(R"( in row \d+$)");
  return std::regex_replace(msg, kInRow, "");
}

Status DiagnoseJson(const std::shared_ptr<ObjectStore>& store, const std::string& key,
                    const ReadOptions& options, const std::shared_ptr<arrow::Schema>& read_schema,
                    const arrow::Status& st) {
  const std::string name = NameOf(*store, key, options);
  const bool not_object = IsNotAnObjectLineError(st);  // met ahead of Arrow, maybe too early
  if (st.detail() && !not_object) return FromArrow(st, name);  // a store error, not the data
  LP_RETURN_NOT_OK(SniffNotText(*store, key, name, "JSON Lines", options));  // not text at all?
  arrow::json::ParseOptions parse = JsonParseOptions(read_schema);
  if ((!options.schema || options.on_schema_mismatch != SchemaMismatch::kDrop) && read_schema) {
    // The inferred types are fixed now; a field they lack is what broke the stream.
    parse.unexpected_field_behavior = arrow::json::UnexpectedFieldBehavior::Error;
  }
  std::string problem;
  int64_t line = FindBadJsonLine(store, key, options, parse, &problem);
  if (line > 0) {
    return Status::InvalidData(name + ": line " + std::to_string(line) +
                               ": bad JSON line: " + CleanJsonMessage(problem));
  }
  if (not_object) return FromArrow(st, name);
  return Status::InvalidData(name + ": bad JSON: " + CleanJsonMessage(st.message()));
}

Result<std::shared_ptr<arrow::RecordBatchReader>> OpenJsonl(std::shared_ptr<ObjectStore> store,
                                                            const std::string& key,
                                                            const ReadOptions& options) {
  const std::string name = NameOf(*store, key, options);
  LP_ASSIGN_OR_RETURN(auto file, OpenInput(store, key, options));
  LP_ASSIGN_OR_RETURN(auto empty, EmptyIfZeroBytes(file, options, name));
  if (empty) return empty;
  // Flat schemas (given or inferred) go to our own reader (jsonl_reader.h), ~3x faster; nested
  // ones (list, struct...) to Arrow's reader below, which then infers the types itself.
  // With a schema, a key it lacks later in the file is an error unless the policy drops it.
  const bool strict = options.schema && options.on_schema_mismatch != SchemaMismatch::kDrop;
  JsonlReaderOptions fast;
  fast.name = name;
  fast.strict_fields = strict;
  if (strict) {
    fast.schema_note = "(the target schema; on-schema-mismatch drop ignores such keys)";
  }
  fast.use_threads = options.use_threads;
  fast.block_bytes = std::clamp<int64_t>(options.block_size, 1 << 12, kStreamBlockBytes);
  if (options.schema) {
    if (JsonlReaderSupports(*options.schema)) return OpenJsonlReader(file, options.schema, fast);
  } else {
    auto inference =
        InferJsonlSchema(file, std::clamp<int64_t>(options.block_size, 1 << 12, 1 << 30), name);
    if (!inference.ok()) {
      LP_RETURN_NOT_OK(SniffNotText(*store, key, name, "JSON Lines", options));  // not text at all?
      return inference.status();
    }
    JsonlInference inferred = inference.MoveValueUnsafe();
    if (!inferred.nested) {
      fast.strict_fields = true;  // the first block fixed the fields, as with Arrow's reader
      return OpenJsonlReader(file, inferred.schema, fast);
    }
  }
  // With a schema, read the columns Arrow cannot convert from strings as strings, cast later.
  std::shared_ptr<arrow::Schema> read_schema;
  std::vector<int> cast_columns;
  if (options.schema) {
    arrow::FieldVector fields;
    for (int i = 0; i < options.schema->num_fields(); ++i) {
      auto f = options.schema->field(i);
      if (NeedsCastFromString(*f->type())) {
        cast_columns.push_back(i);
        f = f->WithType(arrow::utf8());
      }
      fields.push_back(f);
    }
    read_schema = arrow::schema(fields);
  }
  auto read = arrow::json::ReadOptions::Defaults();
  read.use_threads = options.use_threads;
  read.block_size = static_cast<int32_t>(std::clamp<int64_t>(options.block_size, 1 << 12, 1 << 30));
  arrow::json::ParseOptions parse = JsonParseOptions(read_schema);
  if (strict) parse.unexpected_field_behavior = arrow::json::UnexpectedFieldBehavior::Error;
  Reopen reopen;
  int64_t reopen_block = 0;
  if (read.block_size > kStreamBlockBytes) {
    // Same types, smaller blocks: after its first block Arrow's reader holds every later line to
    // the inferred fields and types (an unexpected field is an error), as an explicit schema does.
    if (!read_schema) {
      auto prefix = PrefixStream(file, read.block_size);
      if (prefix.ok()) *prefix = std::make_shared<ObjectLinesInputStream>(std::move(*prefix));
      auto serial = read;
      serial.use_threads = false;
      auto first =
          prefix.ok()
              ? arrow::json::StreamingReader::Make(*prefix, serial, parse,
                                                   arrow::io::IOContext(StreamPool()))
              : arrow::Result<std::shared_ptr<arrow::json::StreamingReader>>(prefix.status());
      if (first.ok()) {
        parse.explicit_schema = (*first)->schema();
        parse.unexpected_field_behavior = arrow::json::UnexpectedFieldBehavior::Error;
        (void)(*first)->Close();
      }
    }
    if (parse.explicit_schema) {
      auto big = read;
      reopen_block = big.block_size;
      reopen = [file, big, parse](int32_t block_size) mutable -> arrow::Result<GatedReader> {
        big.block_size = block_size;
        auto gate = std::make_shared<ReadaheadGate>(kMaxBlocksAhead);
        ARROW_ASSIGN_OR_RAISE(auto input, GatedObjectLines(file, gate));
        ARROW_ASSIGN_OR_RAISE(
            auto reader, arrow::json::StreamingReader::Make(input, big, parse,
                                                            arrow::io::IOContext(StreamPool())));
        return GatedReader{std::move(reader), std::move(gate)};
      };
      read.block_size = static_cast<int32_t>(kStreamBlockBytes);
    }
  }
  auto gate = std::make_shared<ReadaheadGate>(kMaxBlocksAhead);
  LP_ARROW_ASSIGN_OR_RETURN(auto input, GatedObjectLines(file, gate), name);
  auto reader =
      arrow::json::StreamingReader::Make(input, read, parse, arrow::io::IOContext(StreamPool()));
  if (!reader.ok()) {
    if (reader.status().message().find("Empty JSON file") != std::string::npos) {
      return Status::InvalidData(name + ": empty JSON Lines file");
    }
    return DiagnoseJson(store, key, options, read_schema, reader.status());
  }
  std::shared_ptr<arrow::Schema> got = (*reader)->schema();
  Diagnose diagnose = [store, key, options, got](const arrow::Status& st, int64_t) {
    return DiagnoseJson(store, key, options, got, st);
  };
  PostProcess post;
  std::shared_ptr<arrow::Schema> out_schema = got;
  if (!cast_columns.empty()) {
    out_schema = options.schema;
    auto target = options.schema;
    post = [store, key, options, name, target, cast_columns](
               std::shared_ptr<arrow::RecordBatch> batch,
               int64_t rows_before) -> arrow::Result<std::shared_ptr<arrow::RecordBatch>> {
      arrow::ArrayVector columns = batch->columns();
      for (int i : cast_columns) {
        const auto& type = target->field(i)->type();
        auto cast = arrow::compute::Cast(*columns[i], type);
        if (cast.ok()) {
          columns[i] = *cast;
          continue;
        }
        // Find the first row that does not convert: bisect on prefixes.
        int64_t lo = 0, hi = columns[i]->length();
        while (hi - lo > 1) {
          int64_t mid = lo + (hi - lo) / 2;
          if (arrow::compute::Cast(*columns[i]->Slice(lo, mid - lo), type).ok()) {
            lo = mid;
          } else {
            hi = mid;
          }
        }
        const auto& strings = static_cast<const arrow::StringArray&>(*columns[i]);
        int64_t line = LineOfJsonRow(store, key, options, rows_before + lo);
        std::string where = line > 0 ? "line " + std::to_string(line) + ": " : "";
        return ToArrow(Status::InvalidData(
            name + ": " + where + "field '" + target->field(i)->name() + "': '" +
            std::string(strings.GetView(lo)) + "' is not a valid " + type->ToString()));
      }
      return arrow::RecordBatch::Make(target, batch->num_rows(), std::move(columns));
    };
  }
  return std::shared_ptr<arrow::RecordBatchReader>(
      std::make_shared<DiagnosingReader>(GatedReader{*reader, gate}, out_schema,
                                         std::move(diagnose), std::move(post), std::move(reopen),
                                         reopen_block));
}

// ---- Parquet ------------------------------------------------------------------------------

// Reads one row group at a time, so at most one row group's column chunks are buffered.
class ParquetStreamReader final : public arrow::RecordBatchReader {
 public:
  ParquetStreamReader(std::unique_ptr<parquet::arrow::FileReader> reader,
                      std::shared_ptr<arrow::Schema> schema, std::string name)
      : reader_(std::move(reader)), schema_(std::move(schema)), name_(std::move(name)) {}

  std::shared_ptr<arrow::Schema> schema() const override { return schema_; }

  arrow::Status ReadNext(std::shared_ptr<arrow::RecordBatch>* out) override {
    while (true) {
      if (current_) {
        arrow::Status st = current_->ReadNext(out);
        if (!st.ok()) return Wrap(st);
        if (*out) return arrow::Status::OK();
        current_.reset();
      }
      if (next_group_ >= reader_->num_row_groups()) {
        *out = nullptr;
        return arrow::Status::OK();
      }
      auto r = reader_->GetRecordBatchReader(std::vector<int>{next_group_});
      if (!r.ok()) return Wrap(r.status());
      current_ = std::move(r).ValueUnsafe();
      ++next_group_;
    }
  }

 private:
  arrow::Status Wrap(const arrow::Status& st) const {
    if (st.detail())
      return st.WithMessage(name_, ": row group ", next_group_ - 1, ": ", st.message());
    return ToArrow(Status::InvalidData(name_ + ": row group " + std::to_string(next_group_ - 1) +
                                       ": corrupt Parquet data: " + st.message()));
  }

  std::unique_ptr<parquet::arrow::FileReader> reader_;
  std::shared_ptr<arrow::Schema> schema_;
  std::string name_;
  std::unique_ptr<arrow::RecordBatchReader> current_;
  int next_group_ = 0;
};

Result<std::shared_ptr<arrow::RecordBatchReader>> OpenParquet(std::shared_ptr<ObjectStore> store,
                                                              const std::string& key,
                                                              const ReadOptions& options) {
  const std::string name = NameOf(*store, key, options);
  LP_ASSIGN_OR_RETURN(auto file, OpenInput(store, key, options));
  LP_ARROW_ASSIGN_OR_RETURN(int64_t size, file->GetSize(), name);
  parquet::arrow::FileReaderBuilder builder;
  arrow::Status st = builder.Open(file, parquet::ReaderProperties(StreamPool()));
  if (!st.ok()) {
    if (st.detail()) return FromArrow(st, name);
    std::string msg = st.message();
    static const std::regex kSource(R"(^Could not open Parquet input source '[^']*': )");
    msg = std::regex_replace(msg, kSource, "");
    return Status::InvalidData(name + ": not a valid Parquet file (" + std::to_string(size) +
                               " bytes): footer: " + msg);
  }
  parquet::ArrowReaderProperties props;
  props.set_batch_size(std::max<int64_t>(1, options.batch_rows));
  props.set_use_threads(options.use_threads);
  props.set_pre_buffer(true);  // few, coalesced ranged reads per row group
  props.set_cache_options(arrow::io::CacheOptions::Defaults());
  builder.properties(props);
  builder.memory_pool(StreamPool());
  LP_ARROW_ASSIGN_OR_RETURN(auto reader, builder.Build(), name + ": not a valid Parquet file");
  std::shared_ptr<arrow::Schema> schema;
  LP_ARROW_RETURN_NOT_OK(reader->GetSchema(&schema), name + ": Parquet schema");
  return std::shared_ptr<arrow::RecordBatchReader>(
      std::make_shared<ParquetStreamReader>(std::move(reader), std::move(schema), name));
}

// Batches of `inner` conformed to `target` (schema_policy.h).
class ConformingReader final : public arrow::RecordBatchReader {
 public:
  ConformingReader(std::shared_ptr<arrow::RecordBatchReader> inner,
                   std::shared_ptr<arrow::Schema> target, ConformOptions options)
      : inner_(std::move(inner)), target_(std::move(target)), options_(std::move(options)) {}

  std::shared_ptr<arrow::Schema> schema() const override { return target_; }

  arrow::Status ReadNext(std::shared_ptr<arrow::RecordBatch>* out) override {
    ARROW_RETURN_NOT_OK(inner_->ReadNext(out));
    if (!*out) return arrow::Status::OK();
    options_.first_row = rows_;
    rows_ += (*out)->num_rows();
    auto conformed = ConformBatch(*out, target_, options_);
    if (!conformed.ok()) return ToArrow(conformed.status());
    *out = *std::move(conformed);
    return arrow::Status::OK();
  }

  arrow::Status Close() override { return inner_->Close(); }

 private:
  std::shared_ptr<arrow::RecordBatchReader> inner_;
  std::shared_ptr<arrow::Schema> target_;
  ConformOptions options_;
  int64_t rows_ = 0;
};

Result<std::shared_ptr<arrow::RecordBatchReader>> OpenAs(std::shared_ptr<ObjectStore> store,
                                                         const std::string& key, Format format,
                                                         const ReadOptions& options) {
  switch (format) {
    case Format::kCsv:
      return OpenCsv(std::move(store), key, options);
    case Format::kJsonl:
      return OpenJsonl(std::move(store), key, options);
    case Format::kParquet:
      return OpenParquet(std::move(store), key, options);
  }
  return Status::InvalidArgument("unknown format");
}

}  // namespace

Status CsvDialect::Validate() const {
  auto line_break = [](char c) { return c == '\n' || c == '\r'; };
  if (delimiter && line_break(*delimiter)) {
    return Status::InvalidArgument("the CSV delimiter cannot be a line break");
  }
  if (quoting && line_break(quote)) {
    return Status::InvalidArgument("the CSV quote character cannot be a line break");
  }
  if (quoting && delimiter && *delimiter == quote) {
    return Status::InvalidArgument(std::string("the CSV delimiter and quote character are both '") +
                                   quote + "'");
  }
  return Status::OK();
}

char CsvDialect::DelimiterFor(std::string_view name) const {
  if (delimiter) return *delimiter;
  return IsTsvName(name) ? '\t' : ',';
}

namespace {
std::string CharName(char c) {
  if (c == '\t') return "tab";
  if (c == ' ') return "space";
  return std::string("'") + c + "'";
}
}  // namespace

std::string CsvDialect::Describe() const {
  std::vector<std::string> parts;
  if (delimiter && *delimiter != ',') parts.push_back("delimiter " + CharName(*delimiter));
  if (!header) parts.push_back("no header");
  if (!quoting) {
    parts.push_back("no quoting");
  } else if (quote != '"') {
    parts.push_back("quote " + CharName(quote));
  }
  if (null_values != std::vector<std::string>{""}) {
    std::string nulls = "null";
    for (const auto& v : null_values) nulls += " '" + v + "'";
    parts.push_back(nulls);
  }
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : ", ") + p;
  return out;
}

Result<std::shared_ptr<arrow::RecordBatchReader>> OpenBatchReader(
    std::shared_ptr<ObjectStore> store, const std::string& key, Format format,
    const ReadOptions& given) {
  // What the name decides, decided once: the compression and a TSV's delimiter.
  ReadOptions options = given;
  if (!options.compression) options.compression = InputCompressionOf(key);
  if (format == Format::kParquet && *options.compression != InputCompression::kNone) {
    return Status::InvalidArgument(NameOf(*store, key, options) + ": a " +
                                   InputCompressionName(*options.compression) +
                                   "-compressed Parquet file is not read (Parquet compresses its "
                                   "own pages): decompress it first");
  }
  if (format == Format::kCsv) {
    LP_RETURN_NOT_OK(options.csv.Validate());
    options.csv.delimiter = options.csv.DelimiterFor(key);
  }
  if (!options.schema || !options.check_schema) {
    if (format == Format::kParquet && options.schema) {
      // Parquet stores its types: conform them to the given ones.
      LP_ASSIGN_OR_RETURN(auto reader, OpenAs(store, key, format, options));
      ConformOptions co;
      co.policy = SchemaMismatch::kDrop;
      co.name = NameOf(*store, key, options);
      return std::shared_ptr<arrow::RecordBatchReader>(
          std::make_shared<ConformingReader>(std::move(reader), options.schema, std::move(co)));
    }
    return OpenAs(std::move(store), key, format, options);
  }
  // The input's own columns first (a CSV header and a prefix, a JSON Lines prefix, a Parquet
  // footer), so that nothing is projected away or null-filled unasked.
  const std::string name = NameOf(*store, key, options);
  ReadOptions own_options = options;
  own_options.schema = nullptr;
  LP_ASSIGN_OR_RETURN(auto own, OpenAs(store, key, format, own_options));
  std::shared_ptr<arrow::Schema> target = options.schema;
  Status merged =
      MergeSchema(*own->schema(), name,
                  options.schema_source.empty() ? "the given schema" : options.schema_source,
                  options.on_schema_mismatch, &target);
  if (!merged.ok()) {
    (void)own->Close();
    return merged;
  }
  std::shared_ptr<arrow::RecordBatchReader> reader = own;
  if (format != Format::kParquet) {
    (void)own->Close();
    ReadOptions typed = options;
    typed.schema = ReadSchemaFor(*own->schema(), *target);
    LP_ASSIGN_OR_RETURN(reader, OpenAs(store, key, format, typed));
  }
  ConformOptions co;
  co.policy = options.on_schema_mismatch;
  co.name = name;
  return std::shared_ptr<arrow::RecordBatchReader>(
      std::make_shared<ConformingReader>(std::move(reader), std::move(target), std::move(co)));
}

}  // namespace lakepack::format
