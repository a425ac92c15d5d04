#include "format/jsonl_writer.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <string_view>
#include <vector>

#include "arrow/array.h"
#include "arrow/util/base64.h"
#include "arrow/util/float16.h"
#include "arrow/visit_type_inline.h"
#include "format/arrow_status.h"

namespace lakepack::format {
namespace {

// The formatted values of one array: value i is data[start(i), ends[i]).
struct Column {
  std::string data;
  std::vector<int64_t> ends;

  std::string_view Value(int64_t i) const {
    int64_t start = i == 0 ? 0 : ends[i - 1];
    return std::string_view(data).substr(start, ends[i] - start);
  }
  void Reset(int64_t n) {
    data.clear();
    ends.clear();
    ends.reserve(n);
  }
};

// Calls f(i) for each non-null value of `a`, writing "null" for the nulls.
template <typename F>
void EachValue(const arrow::Array& a, Column* out, F&& f) {
  const int64_t n = a.length();
  out->Reset(n);
  if (a.null_count() == 0) {
    for (int64_t i = 0; i < n; ++i) {
      f(i);
      out->ends.push_back(static_cast<int64_t>(out->data.size()));
    }
    return;
  }
  for (int64_t i = 0; i < n; ++i) {
    if (a.IsNull(i)) {
      out->data.append("null", 4);
    } else {
      f(i);
    }
    out->ends.push_back(static_cast<int64_t>(out->data.size()));
  }
}

// JSON escapes for bytes below 0x20 and for '"' and '\\'; "" for bytes that need none.
struct EscapeTable {
  char text[256][7] = {};
  EscapeTable() {
    static const char kHex[] = "0123456789abcdef";
    for (int c = 0; c < 0x20; ++c) {
      char* t = text[c];
      t[0] = '\\';
      t[1] = 'u';
      t[2] = '0';
      t[3] = '0';
      t[4] = kHex[c >> 4];
      t[5] = kHex[c & 15];
    }
    auto set = [&](unsigned char c, const char* s) {
      for (int k = 0; k < 7; ++k) text[c][k] = k < static_cast<int>(std::strlen(s)) ? s[k] : 0;
    };
    set('\b', "\\b");
    set('\f', "\\f");
    set('\n', "\\n");
    set('\r', "\\r");
    set('\t', "\\t");
    set('"', "\\\"");
    set('\\', "\\\\");
  }
};
const EscapeTable kEscapes;

}  // namespace

void AppendJsonString(std::string_view s, std::string* out) {
  out->push_back('"');
  const char* p = s.data();
  const char* end = p + s.size();
  const char* run = p;
  for (; p < end; ++p) {
    const char* esc = kEscapes.text[static_cast<unsigned char>(*p)];
    if (esc[0] == 0) continue;
    out->append(run, p - run);
    out->append(esc);
    run = p + 1;
  }
  out->append(run, end - run);
  out->push_back('"');
}

namespace {

void AppendQuoted(std::string_view s, std::string* out) { AppendJsonString(s, out); }

template <typename T>
void AppendInt(T v, std::string* out) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out->append(buf, r.ptr - buf);
}

template <typename T>
void AppendFloat(T v, std::string* out) {
  if (!std::isfinite(v)) {
    out->append("null", 4);
    return;
  }
  char buf[40];
  auto r = std::to_chars(buf, buf + sizeof buf, v);  // shortest round-trip form
  std::string_view s(buf, r.ptr - buf);
  out->append(s);
  if (s.find_first_of(".e") == std::string_view::npos) out->append(".0", 2);  // stays a float
}

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

void Append2(unsigned v, std::string* out) {
  char b[2] = {static_cast<char>('0' + v / 10), static_cast<char>('0' + v % 10)};
  out->append(b, 2);
}

// Days since 1970-01-01 → "YYYY-MM-DD" (proleptic Gregorian; years outside 0..9999 get a sign).
void AppendDate(int64_t days, std::string* out) {
  // Shift to an epoch of 0000-03-01 so leap days fall at the end of each 400-year era.
  int64_t z = days + 719468;
  int64_t era = FloorDiv(z, 146097);
  int64_t doe = z - era * 146097;                                       // [0, 146096]
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
  int64_t year = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);  // [0, 365]
  int64_t mp = (5 * doy + 2) / 153;                       // March = 0
  unsigned day = static_cast<unsigned>(doy - (153 * mp + 2) / 5 + 1);
  unsigned month = static_cast<unsigned>(mp < 10 ? mp + 3 : mp - 9);
  if (month <= 2) ++year;
  if (year >= 0 && year <= 9999) {
    Append2(static_cast<unsigned>(year / 100), out);
    Append2(static_cast<unsigned>(year % 100), out);
  } else {
    if (year > 0) out->push_back('+');
    AppendInt(year, out);
  }
  out->push_back('-');
  Append2(month, out);
  out->push_back('-');
  Append2(day, out);
}

// Fraction digits for each unit, and units per second.
int Digits(arrow::TimeUnit::type u) {
  switch (u) {
    case arrow::TimeUnit::SECOND:
      return 0;
    case arrow::TimeUnit::MILLI:
      return 3;
    case arrow::TimeUnit::MICRO:
      return 6;
    default:
      return 9;
  }
}
int64_t PerSecond(arrow::TimeUnit::type u) {
  switch (u) {
    case arrow::TimeUnit::SECOND:
      return 1;
    case arrow::TimeUnit::MILLI:
      return 1000;
    case arrow::TimeUnit::MICRO:
      return 1000000;
    default:
      return 1000000000;
  }
}

// "HH:MM:SS[.fff]" for `secs` into the day and `frac` units of the second.
void AppendClock(int64_t secs, int64_t frac, int digits, std::string* out) {
  Append2(static_cast<unsigned>(secs / 3600), out);
  out->push_back(':');
  Append2(static_cast<unsigned>(secs / 60 % 60), out);
  out->push_back(':');
  Append2(static_cast<unsigned>(secs % 60), out);
  if (digits > 0) {
    char buf[10];
    for (int k = digits - 1; k >= 0; --k) {
      buf[k] = static_cast<char>('0' + frac % 10);
      frac /= 10;
    }
    out->push_back('.');
    out->append(buf, digits);
  }
}

void AppendTimestamp(int64_t v, arrow::TimeUnit::type unit, bool zoned, std::string* out) {
  const int64_t per = PerSecond(unit);
  int64_t secs = FloorDiv(v, per);
  int64_t frac = v - secs * per;
  int64_t days = FloorDiv(secs, 86400);
  out->push_back('"');
  AppendDate(days, out);
  out->push_back('T');
  AppendClock(secs - days * 86400, frac, Digits(unit), out);
  if (zoned) out->push_back('Z');
  out->push_back('"');
}

Status FormatArray(const arrow::Array& a, const std::string& path, Column* out);

// Joins child values [begin, end) of `child` as "[v,v,...]".
void AppendJoined(const Column& child, int64_t begin, int64_t end, std::string* out) {
  out->push_back('[');
  if (begin < end) {
    int64_t start = begin == 0 ? 0 : child.ends[begin - 1];
    // Values are contiguous in child.data; commas go between them.
    for (int64_t j = begin; j < end; ++j) {
      if (j > begin) out->push_back(',');
      out->append(child.data, start, child.ends[j] - start);
      start = child.ends[j];
    }
  }
  out->push_back(']');
}

template <typename ListArrayT>
Status FormatList(const ListArrayT& list, const std::string& path, Column* out) {
  const int64_t n = list.length();
  const int64_t base = n == 0 ? 0 : list.value_offset(0);
  const int64_t end = n == 0 ? 0 : list.value_offset(n);
  Column child;
  LP_RETURN_NOT_OK(FormatArray(*list.values()->Slice(base, end - base), path + "[]", &child));
  EachValue(list, out, [&](int64_t i) {
    AppendJoined(child, list.value_offset(i) - base, list.value_offset(i + 1) - base, &out->data);
  });
  return Status::OK();
}

Status FormatMap(const arrow::MapArray& map, const std::string& path, Column* out) {
  const int64_t n = map.length();
  const int64_t base = n == 0 ? 0 : map.value_offset(0);
  const int64_t end = n == 0 ? 0 : map.value_offset(n);
  Column keys, items;
  LP_RETURN_NOT_OK(FormatArray(*map.keys()->Slice(base, end - base), path + ".key", &keys));
  LP_RETURN_NOT_OK(FormatArray(*map.items()->Slice(base, end - base), path + ".value", &items));
  const auto key_type = map.keys()->type_id();
  const bool string_keys = key_type == arrow::Type::STRING ||
                           key_type == arrow::Type::LARGE_STRING ||
                           key_type == arrow::Type::STRING_VIEW;
  EachValue(map, out, [&](int64_t i) {
    std::string& d = out->data;
    d.push_back(string_keys ? '{' : '[');
    for (int64_t j = map.value_offset(i) - base; j < map.value_offset(i + 1) - base; ++j) {
      if (j > map.value_offset(i) - base) d.push_back(',');
      if (string_keys) {
        d.append(keys.Value(j));
        d.push_back(':');
        d.append(items.Value(j));
      } else {
        d.append("{\"key\":");
        d.append(keys.Value(j));
        d.append(",\"value\":");
        d.append(items.Value(j));
        d.push_back('}');
      }
    }
    d.push_back(string_keys ? '}' : ']');
  });
  return Status::OK();
}

Status FormatStruct(const arrow::StructArray& s, const std::string& path, Column* out) {
  const int nf = s.num_fields();
  std::vector<Column> children(nf);
  std::vector<std::string> keys(nf);
  for (int k = 0; k < nf; ++k) {
    const std::string& name = s.struct_type()->field(k)->name();
    LP_RETURN_NOT_OK(FormatArray(*s.field(k), path + "." + name, &children[k]));
    if (k > 0) keys[k] = ",";
    AppendQuoted(name, &keys[k]);
    keys[k].push_back(':');
  }
  EachValue(s, out, [&](int64_t i) {
    out->data.push_back('{');
    for (int k = 0; k < nf; ++k) {
      out->data.append(keys[k]);
      out->data.append(children[k].Value(i));
    }
    out->data.push_back('}');
  });
  return Status::OK();
}

Status FormatDictionary(const arrow::DictionaryArray& d, const std::string& path, Column* out) {
  Column dict;
  LP_RETURN_NOT_OK(FormatArray(*d.dictionary(), path, &dict));
  EachValue(d, out, [&](int64_t i) { out->data.append(dict.Value(d.GetValueIndex(i))); });
  return Status::OK();
}

template <typename DecimalArrayT>
void FormatDecimal(const arrow::Array& a, Column* out) {
  const auto& arr = static_cast<const DecimalArrayT&>(a);
  EachValue(arr, out, [&](int64_t i) { out->data.append(arr.FormatValue(i)); });
}

Status FormatArray(const arrow::Array& a, const std::string& path, Column* out) {
  using T = arrow::Type;
  const int64_t n = a.length();
  switch (a.type_id()) {
    case T::NA:
      EachValue(a, out, [](int64_t) {});
      return Status::OK();
    case T::BOOL: {
      const auto& arr = static_cast<const arrow::BooleanArray&>(a);
      EachValue(a, out, [&](int64_t i) {
        if (arr.Value(i))
          out->data.append("true", 4);
        else
          out->data.append("false", 5);
      });
      return Status::OK();
    }
#define LP_INT_CASE(ID, ARRAY)                                          \
  case T::ID: {                                                         \
    const auto* v = static_cast<const arrow::ARRAY&>(a).raw_values();   \
    out->data.reserve(static_cast<size_t>(n) * 4);                      \
    EachValue(a, out, [&](int64_t i) { AppendInt(v[i], &out->data); }); \
    return Status::OK();                                                \
  }
      LP_INT_CASE(INT8, Int8Array)
      LP_INT_CASE(INT16, Int16Array)
      LP_INT_CASE(INT32, Int32Array)
      LP_INT_CASE(INT64, Int64Array)
      LP_INT_CASE(UINT8, UInt8Array)
      LP_INT_CASE(UINT16, UInt16Array)
      LP_INT_CASE(UINT32, UInt32Array)
      LP_INT_CASE(UINT64, UInt64Array)
      LP_INT_CASE(DURATION, DurationArray)
#undef LP_INT_CASE
    case T::HALF_FLOAT: {
      const auto* v = static_cast<const arrow::HalfFloatArray&>(a).raw_values();
      EachValue(a, out, [&](int64_t i) {
        AppendFloat(arrow::util::Float16::FromBits(v[i]).ToFloat(), &out->data);
      });
      return Status::OK();
    }
    case T::FLOAT: {
      const auto* v = static_cast<const arrow::FloatArray&>(a).raw_values();
      EachValue(a, out, [&](int64_t i) { AppendFloat(v[i], &out->data); });
      return Status::OK();
    }
    case T::DOUBLE: {
      const auto* v = static_cast<const arrow::DoubleArray&>(a).raw_values();
      out->data.reserve(static_cast<size_t>(n) * 12);
      EachValue(a, out, [&](int64_t i) { AppendFloat(v[i], &out->data); });
      return Status::OK();
    }
    case T::STRING:
    case T::LARGE_STRING:
    case T::STRING_VIEW: {
      if (a.type_id() == T::STRING) {
        const auto& arr = static_cast<const arrow::StringArray&>(a);
        out->data.reserve(static_cast<size_t>(arr.total_values_length() + 3 * n));
        EachValue(a, out, [&](int64_t i) { AppendQuoted(arr.GetView(i), &out->data); });
      } else if (a.type_id() == T::LARGE_STRING) {
        const auto& arr = static_cast<const arrow::LargeStringArray&>(a);
        out->data.reserve(static_cast<size_t>(arr.total_values_length() + 3 * n));
        EachValue(a, out, [&](int64_t i) { AppendQuoted(arr.GetView(i), &out->data); });
      } else {
        const auto& arr = static_cast<const arrow::StringViewArray&>(a);
        EachValue(a, out, [&](int64_t i) { AppendQuoted(arr.GetView(i), &out->data); });
      }
      return Status::OK();
    }
    case T::BINARY:
    case T::LARGE_BINARY:
    case T::FIXED_SIZE_BINARY:
    case T::BINARY_VIEW: {
      auto view = [&](int64_t i) -> std::string_view {
        switch (a.type_id()) {
          case T::BINARY:
            return static_cast<const arrow::BinaryArray&>(a).GetView(i);
          case T::LARGE_BINARY:
            return static_cast<const arrow::LargeBinaryArray&>(a).GetView(i);
          case T::BINARY_VIEW:
            return static_cast<const arrow::BinaryViewArray&>(a).GetView(i);
          default:
            return static_cast<const arrow::FixedSizeBinaryArray&>(a).GetView(i);
        }
      };
      EachValue(a, out, [&](int64_t i) {
        out->data.push_back('"');
        out->data.append(arrow::util::base64_encode(view(i)));
        out->data.push_back('"');
      });
      return Status::OK();
    }
    case T::DATE32: {
      const auto* v = static_cast<const arrow::Date32Array&>(a).raw_values();
      EachValue(a, out, [&](int64_t i) {
        out->data.push_back('"');
        AppendDate(v[i], &out->data);
        out->data.push_back('"');
      });
      return Status::OK();
    }
    case T::DATE64: {
      const auto* v = static_cast<const arrow::Date64Array&>(a).raw_values();
      EachValue(a, out, [&](int64_t i) {
        out->data.push_back('"');
        AppendDate(FloorDiv(v[i], 86400000), &out->data);
        out->data.push_back('"');
      });
      return Status::OK();
    }
    case T::TIMESTAMP: {
      const auto& type = static_cast<const arrow::TimestampType&>(*a.type());
      const auto* v = static_cast<const arrow::TimestampArray&>(a).raw_values();
      const bool zoned = !type.timezone().empty();
      const auto unit = type.unit();
      out->data.reserve(static_cast<size_t>(n) * 32);
      EachValue(a, out, [&](int64_t i) { AppendTimestamp(v[i], unit, zoned, &out->data); });
      return Status::OK();
    }
    case T::TIME32:
    case T::TIME64: {
      const auto unit = static_cast<const arrow::TimeType&>(*a.type()).unit();
      const int64_t per = PerSecond(unit);
      const bool is32 = a.type_id() == T::TIME32;
      const int32_t* v32 = is32 ? static_cast<const arrow::Time32Array&>(a).raw_values() : nullptr;
      const int64_t* v64 = is32 ? nullptr : static_cast<const arrow::Time64Array&>(a).raw_values();
      EachValue(a, out, [&](int64_t i) {
        int64_t v = is32 ? v32[i] : v64[i];
        int64_t secs = FloorDiv(v, per);
        out->data.push_back('"');
        AppendClock(secs, v - secs * per, Digits(unit), &out->data);
        out->data.push_back('"');
      });
      return Status::OK();
    }
    case T::DECIMAL32:
      FormatDecimal<arrow::Decimal32Array>(a, out);
      return Status::OK();
    case T::DECIMAL64:
      FormatDecimal<arrow::Decimal64Array>(a, out);
      return Status::OK();
    case T::DECIMAL128:
      FormatDecimal<arrow::Decimal128Array>(a, out);
      return Status::OK();
    case T::DECIMAL256:
      FormatDecimal<arrow::Decimal256Array>(a, out);
      return Status::OK();
    case T::LIST:
      return FormatList(static_cast<const arrow::ListArray&>(a), path, out);
    case T::LARGE_LIST:
      return FormatList(static_cast<const arrow::LargeListArray&>(a), path, out);
    case T::FIXED_SIZE_LIST:
      return FormatList(static_cast<const arrow::FixedSizeListArray&>(a), path, out);
    case T::MAP:
      return FormatMap(static_cast<const arrow::MapArray&>(a), path, out);
    case T::STRUCT:
      return FormatStruct(static_cast<const arrow::StructArray&>(a), path, out);
    case T::DICTIONARY:
      return FormatDictionary(static_cast<const arrow::DictionaryArray&>(a), path, out);
    case T::EXTENSION:
      return FormatArray(*static_cast<const arrow::ExtensionArray&>(a).storage(), path, out);
    default:
      return Status::NotImplemented("column '" + path + "': type " + a.type()->ToString() +
                                    " has no JSON form");
  }
}

}  // namespace

namespace {

// Formats `batch` using `columns` as scratch: reusing them across chunks avoids faulting in
// fresh pages for every chunk, which otherwise costs more than the formatting.
Status FormatInto(const arrow::RecordBatch& batch, std::vector<Column>* scratch, std::string* out) {
  const int nc = batch.num_columns();
  const int64_t n = batch.num_rows();
  std::vector<Column>& columns = *scratch;
  if (static_cast<int>(columns.size()) < nc) columns.resize(nc);
  std::vector<std::string> keys(nc);
  size_t total = static_cast<size_t>(n) * 3;
  for (int c = 0; c < nc; ++c) {
    const std::string& name = batch.schema()->field(c)->name();
    LP_RETURN_NOT_OK(FormatArray(*batch.column(c), name, &columns[c]));
    keys[c] = c == 0 ? "{" : ",";
    AppendQuoted(name, &keys[c]);
    keys[c].push_back(':');
    total += columns[c].data.size() + keys[c].size() * static_cast<size_t>(n);
  }
  out->reserve(out->size() + total);
  std::vector<int64_t> start(nc, 0);
  for (int64_t i = 0; i < n; ++i) {
    if (nc == 0) out->push_back('{');
    for (int c = 0; c < nc; ++c) {
      out->append(keys[c]);
      const Column& col = columns[c];
      out->append(col.data, start[c], col.ends[i] - start[c]);
      start[c] = col.ends[i];
    }
    out->append("}\n", 2);
  }
  return Status::OK();
}

}  // namespace

struct JsonlWriter::Scratch {
  std::vector<Column> columns;
};

Status FormatJsonLines(const arrow::RecordBatch& batch, std::string* out) {
  std::vector<Column> columns;
  return FormatInto(batch, &columns, out);
}

JsonlWriter::JsonlWriter(std::shared_ptr<arrow::io::OutputStream> sink,
                         std::shared_ptr<arrow::Schema> schema)
    : sink_(std::move(sink)), schema_(std::move(schema)), scratch_(std::make_unique<Scratch>()) {}

JsonlWriter::~JsonlWriter() = default;

Result<std::unique_ptr<JsonlWriter>> JsonlWriter::Make(
    std::shared_ptr<arrow::io::OutputStream> sink, std::shared_ptr<arrow::Schema> schema) {
  if (!sink || !schema) return Status::InvalidArgument("JsonlWriter needs a sink and a schema");
  return std::unique_ptr<JsonlWriter>(new JsonlWriter(std::move(sink), std::move(schema)));
}

Status JsonlWriter::Write(const arrow::RecordBatch& batch) {
  for (int64_t off = 0; off < batch.num_rows(); off += kRowsPerChunk) {
    auto slice = batch.Slice(off, kRowsPerChunk);
    buffer_.clear();
    LP_RETURN_NOT_OK(FormatInto(*slice, &scratch_->columns, &buffer_));
    arrow::Status st = sink_->Write(buffer_.data(), static_cast<int64_t>(buffer_.size()));
    if (!st.ok()) return FromArrow(st);
    rows_ += slice->num_rows();
  }
  return Status::OK();
}

Status JsonlWriter::Flush() { return FromArrow(sink_->Flush()); }

}  // namespace lakepack::format
