#include "format/jsonl_reader.h"

#include <simdjson.h>

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "arrow/array/builder_base.h"
#include "arrow/array/builder_binary.h"
#include "arrow/array/builder_decimal.h"
#include "arrow/array/builder_primitive.h"
#include "arrow/builder.h"
#include "arrow/util/decimal.h"
#include "arrow/util/value_parsing.h"
#include "format/arrow_status.h"
#include "format/memory_pool.h"

namespace lakepack::format {
namespace {

namespace od = simdjson::ondemand;

// Worker threads parsing blocks: the machine this is tuned for has 2 cores, and the consumer
// (usually the Parquet encoder) needs CPU too; more threads only contend.
constexpr int kWorkers = 2;
// Blocks read or parsed but not yet returned: one parsing on each worker plus one parsed block
// waiting for the consumer each.  Bounds memory to ~4 x (block + its arrays).
constexpr int kMaxBlocksInFlight = 2 * kWorkers;
// simdjson reads up to this many bytes past the end of a document (SIMD loads).
constexpr int64_t kPadding = simdjson::SIMDJSON_PADDING;
// Bytes first read past a block's end while its last line goes on (doubling while it does): most
// lines are far shorter, and every block but the last reads past its end (a ranged GET on S3).
constexpr int64_t kOverflowReadBytes = 16 << 10;

// ---- input --------------------------------------------------------------------------------

// A byte range of a file followed by kPadding readable bytes.
class PaddedBuffer {
 public:
  char* data() { return bytes_.get(); }
  const char* data() const { return bytes_.get(); }
  int64_t size() const { return size_; }

  // Appends `n` bytes from `file` at `offset`; fewer at the end of the file.
  arrow::Status Append(arrow::io::RandomAccessFile* file, int64_t offset, int64_t n) {
    Reserve(size_ + n);
    int64_t done = 0;
    while (done < n) {
      ARROW_ASSIGN_OR_RAISE(int64_t got,
                            file->ReadAt(offset + done, n - done, bytes_.get() + size_ + done));
      if (got == 0) break;
      done += got;
    }
    size_ += done;
    std::memset(bytes_.get() + size_, 0, kPadding);
    return arrow::Status::OK();
  }

  void Clear() { size_ = 0; }

 private:
  void Reserve(int64_t n) {
    if (n + kPadding <= capacity_) return;
    int64_t cap = std::max<int64_t>(n + kPadding, capacity_ * 2);
    auto grown = std::make_unique_for_overwrite<char[]>(cap);
    if (size_ > 0) std::memcpy(grown.get(), bytes_.get(), size_);
    bytes_ = std::move(grown);
    capacity_ = cap;
  }

  std::unique_ptr<char[]> bytes_;
  int64_t size_ = 0;
  int64_t capacity_ = 0;
};

// The text of one block: the lines starting in file bytes [begin, end).
struct BlockText {
  PaddedBuffer& buf;
  int64_t first = 0;      // offset in buf of the first owned line
  int64_t owned_end = 0;  // offset in buf of file byte `end`: lines starting before it are owned
  int64_t skipped_newlines = 0;  // newlines in [begin, first): 0 or 1
};

// Reads the lines that start in [begin, end) of a file of `size` bytes, the last one whole.
arrow::Status ReadBlockText(arrow::io::RandomAccessFile* file, int64_t size, int64_t begin,
                            int64_t end, BlockText* out) {
  // One byte before `begin` tells whether a line starts at `begin`.
  const int64_t from = begin > 0 ? begin - 1 : 0;
  ARROW_RETURN_NOT_OK(out->buf.Append(file, from, end - from));
  const char* d = out->buf.data();
  const int64_t n = out->buf.size();
  out->owned_end = end - from;
  if (begin > 0) {
    const void* nl = std::memchr(d, '\n', n);
    if (nl == nullptr) {  // all of [begin, end) is inside a line that started earlier
      out->first = out->owned_end;
      return arrow::Status::OK();
    }
    int64_t at = static_cast<const char*>(nl) - d;
    out->first = at + 1;
    out->skipped_newlines = at >= 1 ? 1 : 0;  // byte 0 is before `begin`
  } else if (n >= 3 && std::memcmp(d, "\xEF\xBB\xBF", 3) == 0) {
    out->first = 3;  // a UTF-8 byte order mark
  }
  if (out->first >= out->owned_end || end >= size || d[n - 1] == '\n') {
    return arrow::Status::OK();
  }
  // The last owned line runs past `end`: read on to its newline.
  for (int64_t step = kOverflowReadBytes; out->buf.size() + from < size; step *= 2) {
    int64_t old = out->buf.size();
    ARROW_RETURN_NOT_OK(out->buf.Append(file, from + old, std::min(step, size - from - old)));
    if (out->buf.size() == old) break;
    if (std::memchr(out->buf.data() + old, '\n', out->buf.size() - old) != nullptr) break;
  }
  return arrow::Status::OK();
}

bool IsBlankLine(const char* p, const char* end) {
  for (; p < end; ++p) {
    if (*p != ' ' && *p != '\t' && *p != '\r') return false;
  }
  return true;
}

// Calls on_line(text, local_line) for each non-blank owned line of `block` (without its "\n" or
// "\r\n"), where local_line counts the newlines between `begin` and the line.  Stops when it
// returns false.  Returns the newlines in [begin, end).
template <typename F>
int64_t ForEachOwnedLine(const BlockText& block, F&& on_line) {
  const char* d = block.buf.data();
  const char* end = d + block.buf.size();
  const char* owned_end = d + block.owned_end;
  int64_t newlines = block.skipped_newlines;
  const char* p = d + block.first;
  while (p < owned_end) {
    const char* nl = static_cast<const char*>(std::memchr(p, '\n', end - p));
    const char* stop = nl ? nl : end;
    const char* text_end = stop;
    if (text_end > p && text_end[-1] == '\r') --text_end;
    if (!IsBlankLine(p, text_end)) {
      if (!on_line(std::string_view(p, text_end - p), newlines)) return -1;
    }
    if (nl == nullptr) break;
    if (nl < owned_end) ++newlines;
    p = nl + 1;
  }
  return newlines;
}

const char* KindName(od::json_type t) {
  switch (t) {
    case od::json_type::array:
      return "array";
    case od::json_type::object:
      return "object";
    case od::json_type::number:
      return "number";
    case od::json_type::string:
      return "string";
    case od::json_type::boolean:
      return "boolean";
    case od::json_type::null:
      return "null";
  }
  return "value";
}

std::string BadJson(simdjson::error_code e) {
  return std::string("bad JSON line: ") + simdjson::error_message(e);
}

// Key of `field` without unescaping when it has no escapes (the common case).
simdjson::error_code FieldKey(od::field& field, const char* line_end, std::string_view* key) {
  const char* k = field.key().raw();
  const char* q = k;
  while (q < line_end && *q != '"' && *q != '\\') ++q;
  if (q < line_end && *q == '"') {
    *key = std::string_view(k, q - k);
    return simdjson::SUCCESS;
  }
  return field.unescaped_key(/*allow_replacement=*/false).get(*key);
}

// Starts parsing `line` (followed by padding, see PaddedBuffer) as one JSON object.
simdjson::error_code StartObject(od::parser& parser, std::string_view line, od::document* doc,
                                 od::object* obj, std::string* what) {
  auto e = parser.iterate(line.data(), line.size(), line.size() + kPadding).get(*doc);
  if (e) {
    *what = BadJson(e);
    return e;
  }
  od::json_type t;
  e = doc->type().get(t);
  if (e) {
    *what = BadJson(e);
    return e;
  }
  if (t != od::json_type::object) {
    *what = std::string("bad JSON line: expected an object, got a ") + KindName(t);
    return simdjson::INCORRECT_TYPE;
  }
  e = doc->get_object().get(*obj);
  if (e) *what = BadJson(e);
  return e;
}

// True when nothing but whitespace follows the (consumed) top-level value.
bool AtEnd(od::document& doc) {
  const char* at;
  return doc.current_location().get(at) == simdjson::OUT_OF_BOUNDS;
}

// One parser per thread: it keeps its buffers from line to line and block to block.
od::parser& ThreadParser() {
  thread_local od::parser parser;
  return parser;
}

// ---- the columns ---------------------------------------------------------------------------

enum class Kind {
  kNull,
  kBool,
  kInt,
  kUInt,
  kFloat,
  kDouble,
  kString,
  kLargeString,
  kDate32,
  kTimestamp,
  kDecimal128
};

bool KindOf(const arrow::DataType& t, Kind* kind) {
  using T = arrow::Type;
  switch (t.id()) {
    case T::NA:
      *kind = Kind::kNull;
      return true;
    case T::BOOL:
      *kind = Kind::kBool;
      return true;
    case T::INT8:
    case T::INT16:
    case T::INT32:
    case T::INT64:
      *kind = Kind::kInt;
      return true;
    case T::UINT8:
    case T::UINT16:
    case T::UINT32:
    case T::UINT64:
      *kind = Kind::kUInt;
      return true;
    case T::FLOAT:
      *kind = Kind::kFloat;
      return true;
    case T::DOUBLE:
      *kind = Kind::kDouble;
      return true;
    case T::STRING:
      *kind = Kind::kString;
      return true;
    case T::LARGE_STRING:
      *kind = Kind::kLargeString;
      return true;
    case T::DATE32:
      *kind = Kind::kDate32;
      return true;
    case T::TIMESTAMP:
      *kind = Kind::kTimestamp;
      return true;
    case T::DECIMAL128:
      *kind = Kind::kDecimal128;
      return true;
    default:
      return false;
  }
}

struct ColumnSpec {
  std::string name;
  std::shared_ptr<arrow::DataType> type;
  Kind kind;
  int64_t min = 0, max = 0;  // kInt: the type's range
  uint64_t umax = 0;         // kUInt
  // The name as the JSON text of a key (no quote, backslash or control character to escape):
  // a raw key matches when its bytes are these followed by the closing quote.
  bool plain_name = false;
};

bool IsPlainName(std::string_view name) {
  return std::none_of(name.begin(), name.end(), [](char ch) {
    return ch == '"' || ch == '\\' || static_cast<unsigned char>(ch) < 0x20;
  });
}

// True when the raw key at `k` (just after its opening quote) is `spec`'s name.  Reads at most
// name.size() + 1 bytes, within the line.  REQUIRES: spec.plain_name.
inline bool RawKeyIs(const char* k, const char* line_end, const ColumnSpec& spec) {
  const size_t n = spec.name.size();
  return k + n < line_end && k[n] == '"' && std::memcmp(k, spec.name.data(), n) == 0;
}

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// What every block of one file shares.  Immutable once built.
struct Layout {
  std::shared_ptr<arrow::Schema> schema;
  std::vector<ColumnSpec> columns;
  std::unordered_map<std::string, int, StringHash, std::equal_to<>> index;
  bool strict_fields = false;
  std::string schema_note;  // how an unknown key's error explains the schema
};

template <typename T>
void SetRange(ColumnSpec* c) {
  c->min = std::numeric_limits<T>::min();
  c->max = std::numeric_limits<T>::max();
}

Layout MakeLayout(const std::shared_ptr<arrow::Schema>& schema, bool strict_fields) {
  Layout l;
  l.schema = schema;
  l.strict_fields = strict_fields;
  for (int i = 0; i < schema->num_fields(); ++i) {
    const auto& f = schema->field(i);
    ColumnSpec c{f->name(), f->type(), Kind::kNull};
    c.plain_name = IsPlainName(c.name);
    KindOf(*f->type(), &c.kind);
    switch (f->type()->id()) {
      case arrow::Type::INT8:
        SetRange<int8_t>(&c);
        break;
      case arrow::Type::INT16:
        SetRange<int16_t>(&c);
        break;
      case arrow::Type::INT32:
        SetRange<int32_t>(&c);
        break;
      case arrow::Type::INT64:
        SetRange<int64_t>(&c);
        break;
      case arrow::Type::UINT8:
        c.umax = std::numeric_limits<uint8_t>::max();
        break;
      case arrow::Type::UINT16:
        c.umax = std::numeric_limits<uint16_t>::max();
        break;
      case arrow::Type::UINT32:
        c.umax = std::numeric_limits<uint32_t>::max();
        break;
      case arrow::Type::UINT64:
        c.umax = std::numeric_limits<uint64_t>::max();
        break;
      default:
        break;
    }
    l.index.emplace(f->name(), i);  // a repeated name: the first column gets the values
    l.columns.push_back(std::move(c));
  }
  return l;
}

// The result of parsing one block.
struct ParsedBlock {
  std::shared_ptr<arrow::RecordBatch> batch;  // null when the block owns no line
  int64_t newlines = 0;                       // in the block's byte range
  Status io;                                  // reading failed
  bool bad = false;                           // a line is bad:
  int64_t bad_line = 0;                       //   newlines between the block's start and it
  std::string what;                           //   and what is wrong, without name and line
};

// Appends rows to typed builders, one line at a time.
class RowParser {
 public:
  explicit RowParser(const Layout& layout) : layout_(layout) {
    const size_t n = layout.columns.size();
    builders_.resize(n);
    for (size_t i = 0; i < n; ++i) {
      auto b = arrow::MakeBuilder(layout.columns[i].type, StreamPool());
      builders_[i] = b.ok() ? std::move(b).ValueUnsafe() : nullptr;
    }
    filled_.assign(n, -1);
  }

  // Parses `line` into one row.  On failure returns false and describes it in `what`.
  bool Parse(std::string_view line, std::string* what) {
    if (rows_ == reserved_rows_) {
      // Room for kReserveRows more rows in every builder: fixed-width values are then appended
      // unchecked (UnsafeAppend).  Every builder holds rows_ values here.
      for (auto& b : builders_) {
        if (!Failed(b->Reserve(kReserveRows), what)) return false;
      }
      reserved_rows_ += kReserveRows;
    }
    od::parser& parser = ThreadParser();
    od::document doc;
    od::object obj;
    if (StartObject(parser, line, &doc, &obj, what)) return false;
    const char* line_end = line.data() + line.size();
    size_t guess = 0;  // keys usually come in the same order on every line
    for (auto res : obj) {
      auto e = res.error();
      if (e) {
        *what = BadJson(e);
        return false;
      }
      od::field& field = res.value_unsafe();  // no copy: this loop is the hot path
      int c;
      if (guess < layout_.columns.size() && layout_.columns[guess].plain_name &&
          RawKeyIs(field.key().raw(), line_end, layout_.columns[guess])) {
        c = static_cast<int>(guess);
      } else {
        std::string_view key;
        e = FieldKey(field, line_end, &key);
        if (e) {
          *what = BadJson(e);
          return false;
        }
        auto it = layout_.index.find(key);
        if (it == layout_.index.end()) {
          if (layout_.strict_fields) {
            *what = "field '" + std::string(key) + "' is not in the schema " + layout_.schema_note;
            return false;
          }
          continue;  // skipped by the iteration
        }
        c = it->second;
      }
      guess = static_cast<size_t>(c) + 1;
      if (filled_[c] == rows_) {
        *what = "field '" + layout_.columns[c].name + "' appears twice";
        return false;
      }
      filled_[c] = rows_;
      if (!Append(c, field.value(), what)) return false;
    }
    if (!AtEnd(doc)) {
      *what = "bad JSON line: text after the object";
      return false;
    }
    for (size_t c = 0; c < builders_.size(); ++c) {
      if (filled_[c] != rows_) {
        arrow::Status st = builders_[c]->AppendNull();
        if (!st.ok()) {
          *what = st.ToString();
          return false;
        }
      }
    }
    ++rows_;
    return true;
  }

  arrow::Result<std::shared_ptr<arrow::RecordBatch>> Finish() {
    arrow::ArrayVector arrays(builders_.size());
    for (size_t c = 0; c < builders_.size(); ++c) {
      ARROW_RETURN_NOT_OK(builders_[c]->Finish(&arrays[c]));
    }
    return arrow::RecordBatch::Make(layout_.schema, rows_, std::move(arrays));
  }

 private:
  bool WrongKind(int c, od::json_type t, std::string* what) {
    *what = "field '" + layout_.columns[c].name + "': expected " +
            layout_.columns[c].type->ToString() + ", got a " + KindName(t);
    return false;
  }
  bool Invalid(int c, od::value& v, std::string_view shown, std::string* what) {
    std::string text(shown);
    if (text.empty()) {
      text = std::string(v.raw_json_token());
      while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.pop_back();
    }
    *what = "field '" + layout_.columns[c].name + "': '" + text + "' is not a valid " +
            layout_.columns[c].type->ToString();
    return false;
  }
  bool Failed(const arrow::Status& st, std::string* what) {
    if (st.ok()) return true;
    *what = st.ToString();
    return false;
  }

  bool Append(int c, od::value v, std::string* what) {
    const ColumnSpec& spec = layout_.columns[c];
    arrow::ArrayBuilder* b = builders_[c].get();
    od::json_type t;
    auto e = v.type().get(t);
    if (e) {
      *what = BadJson(e);
      return false;
    }
    if (t == od::json_type::null) {
      bool is_null = false;
      e = v.is_null().get(is_null);
      if (e || !is_null) {
        *what = BadJson(e ? e : simdjson::N_ATOM_ERROR);
        return false;
      }
      return Failed(b->AppendNull(), what);
    }
    switch (spec.kind) {
      case Kind::kNull:
        return WrongKind(c, t, what);
      case Kind::kBool: {
        if (t != od::json_type::boolean) return WrongKind(c, t, what);
        bool x;
        if ((e = v.get_bool().get(x))) {
          *what = BadJson(e);
          return false;
        }
        static_cast<arrow::BooleanBuilder*>(b)->UnsafeAppend(x);
        return true;
      }
      case Kind::kInt: {
        if (t != od::json_type::number) return WrongKind(c, t, what);
        int64_t x;
        if (v.get_int64().get(x) || x < spec.min || x > spec.max) return Invalid(c, v, {}, what);
        switch (spec.type->id()) {
          case arrow::Type::INT64:
            static_cast<arrow::Int64Builder*>(b)->UnsafeAppend(x);
            return true;
          case arrow::Type::INT32:
            static_cast<arrow::Int32Builder*>(b)->UnsafeAppend(static_cast<int32_t>(x));
            return true;
          case arrow::Type::INT16:
            static_cast<arrow::Int16Builder*>(b)->UnsafeAppend(static_cast<int16_t>(x));
            return true;
          default:
            static_cast<arrow::Int8Builder*>(b)->UnsafeAppend(static_cast<int8_t>(x));
            return true;
        }
      }
      case Kind::kUInt: {
        if (t != od::json_type::number) return WrongKind(c, t, what);
        uint64_t x;
        if (v.get_uint64().get(x) || x > spec.umax) return Invalid(c, v, {}, what);
        switch (spec.type->id()) {
          case arrow::Type::UINT64:
            static_cast<arrow::UInt64Builder*>(b)->UnsafeAppend(x);
            return true;
          case arrow::Type::UINT32:
            static_cast<arrow::UInt32Builder*>(b)->UnsafeAppend(static_cast<uint32_t>(x));
            return true;
          case arrow::Type::UINT16:
            static_cast<arrow::UInt16Builder*>(b)->UnsafeAppend(static_cast<uint16_t>(x));
            return true;
          default:
            static_cast<arrow::UInt8Builder*>(b)->UnsafeAppend(static_cast<uint8_t>(x));
            return true;
        }
      }
      case Kind::kFloat:
      case Kind::kDouble: {
        if (t != od::json_type::number) return WrongKind(c, t, what);
        double x;
        if (v.get_double().get(x)) return Invalid(c, v, {}, what);
        if (spec.kind == Kind::kFloat) {
          static_cast<arrow::FloatBuilder*>(b)->UnsafeAppend(static_cast<float>(x));
          return true;
        }
        static_cast<arrow::DoubleBuilder*>(b)->UnsafeAppend(x);
        return true;
      }
      case Kind::kString:
      case Kind::kLargeString:
      case Kind::kDate32:
      case Kind::kTimestamp:
        break;  // strings, below
      case Kind::kDecimal128: {
        std::string_view text;
        if (t == od::json_type::number) {
          text = v.raw_json_token();
          while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
            text.remove_suffix(1);
          }
        } else if (t == od::json_type::string) {
          if ((e = v.get_string().get(text))) {
            *what = BadJson(e);
            return false;
          }
        } else {
          return WrongKind(c, t, what);
        }
        const auto& dt = static_cast<const arrow::Decimal128Type&>(*spec.type);
        arrow::Decimal128 d;
        int32_t precision, scale;
        if (!arrow::Decimal128::FromString(text, &d, &precision, &scale).ok()) {
          return Invalid(c, v, text, what);
        }
        if (scale != dt.scale()) {
          auto r = d.Rescale(scale, dt.scale());
          if (!r.ok()) return Invalid(c, v, text, what);
          d = *r;
        }
        if (!d.FitsInPrecision(dt.precision())) return Invalid(c, v, text, what);
        static_cast<arrow::Decimal128Builder*>(b)->UnsafeAppend(d);
        return true;
      }
    }
    if (t != od::json_type::string) return WrongKind(c, t, what);
    std::string_view s;
    if ((e = v.get_string().get(s))) {
      *what = BadJson(e);
      return false;
    }
    switch (spec.kind) {
      case Kind::kString:
        return Failed(static_cast<arrow::StringBuilder*>(b)->Append(s), what);
      case Kind::kLargeString:
        return Failed(static_cast<arrow::LargeStringBuilder*>(b)->Append(s), what);
      case Kind::kDate32: {
        int32_t days;
        if (!arrow::internal::ParseValue<arrow::Date32Type>(s.data(), s.size(), &days)) {
          return Invalid(c, v, s, what);
        }
        static_cast<arrow::Date32Builder*>(b)->UnsafeAppend(days);
        return true;
      }
      default: {  // kTimestamp
        const auto& ts = static_cast<const arrow::TimestampType&>(*spec.type);
        int64_t x;
        if (!arrow::internal::ParseTimestampISO8601(s.data(), s.size(), ts.unit(), &x)) {
          return Invalid(c, v, s, what);
        }
        static_cast<arrow::TimestampBuilder*>(b)->UnsafeAppend(x);
        return true;
      }
    }
  }

  const Layout& layout_;
  std::vector<std::unique_ptr<arrow::ArrayBuilder>> builders_;
  // Rows reserved at a time: few Reserve calls per block, little unused space.
  static constexpr int64_t kReserveRows = 1024;

  std::vector<int64_t> filled_;  // the last row each column got a value in
  int64_t rows_ = 0;
  int64_t reserved_rows_ = 0;  // Invariant: every fixed-width builder has room for this many
};

// Reads and parses block `index`.
ParsedBlock ParseBlock(const Layout& layout, arrow::io::RandomAccessFile* file, int64_t size,
                       int64_t block_bytes, int64_t index) {
  ParsedBlock out;
  const int64_t begin = index * block_bytes;
  const int64_t end = std::min(size, begin + block_bytes);
  // Each thread reuses its buffer: a fresh one per block cost page faults (~2 s of system time
  // per 1.9 GB).
  thread_local PaddedBuffer buffer;
  buffer.Clear();
  BlockText text{buffer};
  arrow::Status st = ReadBlockText(file, size, begin, end, &text);
  if (!st.ok()) {
    out.io = FromArrow(st);
    return out;
  }
  RowParser rows(layout);
  out.newlines = ForEachOwnedLine(text, [&](std::string_view line, int64_t local_line) {
    if (rows.Parse(line, &out.what)) return true;
    out.bad = true;
    out.bad_line = local_line;
    return false;
  });
  if (out.bad) return out;
  auto batch = rows.Finish();
  if (!batch.ok()) {
    out.io = FromArrow(batch.status());
    return out;
  }
  out.batch = std::move(batch).ValueUnsafe();
  return out;
}

// ---- threads and the reader ------------------------------------------------------------------

// A fixed set of threads running tasks in submission order.
class Workers {
 public:
  explicit Workers(int n) {
    for (int i = 0; i < n; ++i) threads_.emplace_back([this] { Run(); });
  }
  ~Workers() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
      tasks_.clear();  // their futures report broken promises; nobody waits for them
    }
    cv_.notify_all();
    for (auto& t : threads_) t.join();
  }
  void Submit(std::function<void()> task) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      tasks_.push_back(std::move(task));
    }
    cv_.notify_one();
  }

 private:
  void Run() {
    while (true) {
      std::function<void()> task;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [this] { return stop_ || !tasks_.empty(); });
        if (stop_) return;
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      task();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;  // guarded by mu_
  bool stop_ = false;                        // guarded by mu_
  std::vector<std::thread> threads_;
};

class JsonlBatchReader final : public arrow::RecordBatchReader {
 public:
  JsonlBatchReader(std::shared_ptr<const Layout> layout,
                   std::shared_ptr<arrow::io::RandomAccessFile> file, int64_t size,
                   const JsonlReaderOptions& options)
      : layout_(std::move(layout)),
        file_(std::move(file)),
        size_(size),
        block_bytes_(std::max<int64_t>(options.block_bytes, 1)),
        blocks_((size + block_bytes_ - 1) / block_bytes_),
        max_in_flight_(options.use_threads ? kMaxBlocksInFlight : 1),
        name_(options.name) {
    if (options.use_threads) workers_ = std::make_unique<Workers>(kWorkers);
    Fill();
  }
  ~JsonlBatchReader() override { workers_.reset(); }

  std::shared_ptr<arrow::Schema> schema() const override { return layout_->schema; }

  arrow::Status ReadNext(std::shared_ptr<arrow::RecordBatch>* out) override {
    *out = nullptr;
    if (!failed_.ok()) return failed_;
    while (true) {
      Fill();
      if (pending_.empty()) return arrow::Status::OK();
      ParsedBlock b = pending_.front().get();
      pending_.pop_front();
      Fill();
      if (!b.io.ok()) return failed_ = ToArrow(b.io.WithContext(name_));
      if (b.bad) {
        return failed_ = ToArrow(Status::InvalidData(
                   name_ + ": line " + std::to_string(lines_before_ + b.bad_line + 1) + ": " +
                   b.what));
      }
      lines_before_ += b.newlines;
      if (b.batch && b.batch->num_rows() > 0) {
        *out = std::move(b.batch);
        return arrow::Status::OK();
      }
    }
  }

  arrow::Status Close() override {
    workers_.reset();
    pending_.clear();
    next_block_ = blocks_;
    return arrow::Status::OK();
  }

 private:
  // Starts blocks until kMaxBlocksInFlight are pending.
  void Fill() {
    while (next_block_ < blocks_ && static_cast<int>(pending_.size()) < max_in_flight_) {
      const int64_t index = next_block_++;
      auto task = std::make_shared<std::packaged_task<ParsedBlock()>>(
          [layout = layout_, file = file_, size = size_, bytes = block_bytes_, index] {
            return ParseBlock(*layout, file.get(), size, bytes, index);
          });
      pending_.push_back(task->get_future());
      if (workers_) {
        workers_->Submit([task] { (*task)(); });
      } else {
        (*task)();
      }
    }
  }

  std::shared_ptr<const Layout> layout_;
  std::shared_ptr<arrow::io::RandomAccessFile> file_;
  const int64_t size_;
  const int64_t block_bytes_;
  const int64_t blocks_;
  const int max_in_flight_;
  const std::string name_;
  std::unique_ptr<Workers> workers_;              // null: parse on the caller's thread
  std::deque<std::future<ParsedBlock>> pending_;  // in block order
  int64_t next_block_ = 0;
  int64_t lines_before_ = 0;  // newlines before the next block to return
  arrow::Status failed_;
};

// ---- inference -------------------------------------------------------------------------------

struct Guess {
  std::string name;
  od::json_type kind = od::json_type::null;  // null: only nulls so far
  bool all_int = true;                       // numbers
  bool all_ts_s = true;   // strings: ISO-8601 to the second (Arrow's timestamp[s] rule)
  bool all_zoned = true;  // strings: ISO-8601 with "Z" or an offset
  bool all_date = true;   // strings: YYYY-MM-DD (a date, as CSV inference gives it)
};

// "YYYY-MM-DD" exactly (the caller checks the date is valid).
bool LooksLikeDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

std::shared_ptr<arrow::DataType> TypeOf(const Guess& g) {
  switch (g.kind) {
    case od::json_type::boolean:
      return arrow::boolean();
    case od::json_type::number:
      return g.all_int ? arrow::int64() : arrow::float64();
    case od::json_type::string:
      if (g.all_date) return arrow::date32();
      if (g.all_ts_s) return arrow::timestamp(arrow::TimeUnit::SECOND);
      if (g.all_zoned) return arrow::timestamp(arrow::TimeUnit::NANO, "UTC");
      return arrow::utf8();
    default:
      return arrow::null();
  }
}

// Folds one value into `g`.  Returns false with `what` set when the kind changes.
bool Observe(od::value v, Guess* g, bool* nested, std::string* what) {
  od::json_type t;
  auto e = v.type().get(t);
  if (e) {
    *what = BadJson(e);
    return false;
  }
  if (t == od::json_type::array || t == od::json_type::object) {
    *nested = true;
    return true;
  }
  if (t == od::json_type::null) {
    bool is_null = false;
    if (v.is_null().get(is_null) || !is_null) {
      *what = BadJson(simdjson::N_ATOM_ERROR);
      return false;
    }
    return true;
  }
  if (g->kind != od::json_type::null && g->kind != t) {
    *what = "field '" + g->name + "' changed from " + KindName(g->kind) + " to " + KindName(t);
    return false;
  }
  g->kind = t;
  switch (t) {
    case od::json_type::boolean: {
      bool b;
      if ((e = v.get_bool().get(b))) {
        *what = BadJson(e);
        return false;
      }
      return true;
    }
    case od::json_type::number: {
      od::number_type nt;
      if ((e = v.get_number_type().get(nt))) {
        *what = BadJson(e);
        return false;
      }
      if (nt == od::number_type::signed_integer) {
        int64_t x;
        e = v.get_int64().get(x);
      } else {
        g->all_int = false;
        double x;
        e = v.get_double().get(x);
      }
      if (e) {
        *what = BadJson(e);
        return false;
      }
      return true;
    }
    default: {  // string
      std::string_view s;
      if ((e = v.get_string().get(s))) {
        *what = BadJson(e);
        return false;
      }
      int64_t x;
      if (g->all_ts_s) {
        g->all_ts_s =
            arrow::internal::ParseTimestampISO8601(s.data(), s.size(), arrow::TimeUnit::SECOND, &x);
      }
      g->all_date = g->all_date && g->all_ts_s && LooksLikeDate(s);
      if (g->all_zoned) {
        bool zoned = false;
        g->all_zoned = arrow::internal::ParseTimestampISO8601(s.data(), s.size(),
                                                              arrow::TimeUnit::NANO, &x, &zoned) &&
                       zoned;
      }
      return true;
    }
  }
}

}  // namespace

bool JsonlReaderSupports(const arrow::Schema& schema) {
  Kind k;
  for (const auto& f : schema.fields()) {
    if (!KindOf(*f->type(), &k)) return false;
  }
  return true;
}

Result<JsonlInference> InferJsonlSchema(const std::shared_ptr<arrow::io::RandomAccessFile>& file,
                                        int64_t bytes, const std::string& name) {
  LP_ARROW_ASSIGN_OR_RETURN(int64_t size, file->GetSize(), name);
  PaddedBuffer buffer;
  BlockText text{buffer};
  LP_ARROW_RETURN_NOT_OK(ReadBlockText(file.get(), size, 0, std::min(size, bytes), &text), name);
  std::vector<Guess> guesses;
  std::unordered_map<std::string, int, StringHash, std::equal_to<>> index;
  JsonlInference result;
  std::string what;
  int64_t bad_line = -1;
  int64_t rows = 0;
  od::parser& parser = ThreadParser();
  ForEachOwnedLine(text, [&](std::string_view line, int64_t local_line) {
    od::document doc;
    od::object obj;
    bool ok = !StartObject(parser, line, &doc, &obj, &what);
    const char* line_end = line.data() + line.size();
    if (!ok) {
      bad_line = local_line;
      return false;
    }
    for (auto res : obj) {
      if (!ok || result.nested) break;
      od::field field;
      std::string_view key;
      auto e = std::move(res).get(field);
      if (!e) e = FieldKey(field, line_end, &key);
      if (e) {
        what = BadJson(e);
        ok = false;
        break;
      }
      auto it = index.find(key);
      if (it == index.end()) {
        it = index.emplace(std::string(key), static_cast<int>(guesses.size())).first;
        guesses.push_back(Guess{std::string(key)});
      }
      ok = Observe(field.value(), &guesses[it->second], &result.nested, &what);
    }
    if (ok && !result.nested && !AtEnd(doc)) {
      what = "bad JSON line: text after the object";
      ok = false;
    }
    if (!ok) bad_line = local_line;
    ++rows;
    return ok && !result.nested;
  });
  if (bad_line >= 0) {
    return Status::InvalidData(name + ": line " + std::to_string(bad_line + 1) + ": " + what);
  }
  if (result.nested) return result;
  if (rows == 0) return Status::InvalidData(name + ": empty JSON Lines file");
  // A field that is null all through the first block takes its type from the block where its
  // first value appears (null widens losslessly), read on block by block until every such field
  // has one or the file ends.  Bad lines are left for the reader, which names them.
  std::vector<int> pending;
  for (size_t i = 0; i < guesses.size(); ++i) {
    if (guesses[i].kind == od::json_type::null) pending.push_back(static_cast<int>(i));
  }
  for (int64_t begin = std::min(size, bytes); begin < size && !pending.empty();) {
    const int64_t end = std::min(size, begin + bytes);
    PaddedBuffer more_buffer;
    BlockText more{more_buffer};
    LP_ARROW_RETURN_NOT_OK(ReadBlockText(file.get(), size, begin, end, &more), name);
    std::vector<bool> watch(guesses.size(), false);
    for (int i : pending) watch[i] = true;
    bool stop = false;
    ForEachOwnedLine(more, [&](std::string_view line, int64_t) {
      od::document doc;
      od::object obj;
      std::string ignored;
      if (StartObject(parser, line, &doc, &obj, &ignored)) return true;  // an error: the reader's
      const char* line_end = line.data() + line.size();
      for (auto res : obj) {
        od::field field;
        std::string_view key;
        auto e = std::move(res).get(field);
        if (!e) e = FieldKey(field, line_end, &key);
        if (e) break;
        auto it = index.find(key);
        if (it == index.end() || !watch[it->second]) continue;
        bool nested = false;
        if (!Observe(field.value(), &guesses[it->second], &nested, &ignored)) {
          watch[it->second] = false;  // changes kind: the reader reports the line
        }
        if (nested) stop = true;
      }
      return !stop;
    });
    if (stop) break;
    std::vector<int> still;
    for (int i : pending) {
      if (guesses[i].kind == od::json_type::null) still.push_back(i);
    }
    pending = std::move(still);
    begin = end;
  }
  arrow::FieldVector fields;
  for (const auto& g : guesses) fields.push_back(arrow::field(g.name, TypeOf(g)));
  result.schema = arrow::schema(std::move(fields));
  return result;
}

Result<std::shared_ptr<arrow::RecordBatchReader>> OpenJsonlReader(
    std::shared_ptr<arrow::io::RandomAccessFile> file, std::shared_ptr<arrow::Schema> schema,
    const JsonlReaderOptions& options) {
  if (!JsonlReaderSupports(*schema)) {
    return Status::NotImplemented(options.name + ": the JSON Lines reader cannot read schema " +
                                  schema->ToString());
  }
  LP_ARROW_ASSIGN_OR_RETURN(int64_t size, file->GetSize(), options.name);
  if (size == 0) return Status::InvalidData(options.name + ": empty JSON Lines file");
  auto layout = std::make_shared<Layout>(MakeLayout(schema, options.strict_fields));
  layout->schema_note = options.schema_note.empty() ? "inferred from the first block of the file"
                                                    : options.schema_note;
  return std::shared_ptr<arrow::RecordBatchReader>(
      std::make_shared<JsonlBatchReader>(std::move(layout), std::move(file), size, options));
}

}  // namespace lakepack::format
