#include "format/timestamp_text.h"

#include <cstdint>
#include <cstring>

#include "arrow/buffer.h"
#include "arrow/compute/cast.h"
#include "arrow/compute/exec.h"
#include "format/arrow_status.h"

namespace lakepack::format {
namespace {

constexpr int64_t kSecondsPerDay = 86400;
// Seconds since the epoch of 0001-01-01T00:00:00 and of 10000-01-01T00:00:00: the years the fast
// path writes as four digits.
constexpr int64_t kMinFastSeconds = -62135596800LL;
constexpr int64_t kEndFastSeconds = 253402300800LL;
// "YYYY-MM-DD HH:MM:SS" + "Z"
constexpr int kBaseTextBytes = 20;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Proleptic Gregorian calendar date of a day count from 1970-01-01 (the era-based method: 400-year
// eras of 146097 days starting on March 1st, so the leap day falls at the end of a year).
void CivilFromDays(int64_t days, int* year, int* month, int* day) {
  days += 719468;  // shift the epoch to 0000-03-01
  const int64_t era = FloorDiv(days, 146097);
  const int64_t doe = days - era * 146097;                                    // [0, 146096]
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                // [0, 365]
  const int64_t mp = (5 * doy + 2) / 153;                                     // [0, 11], March = 0
  *day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  *month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *year = static_cast<int>(yoe + era * 400 + (*month <= 2));
}

void Digits(char* p, int64_t v, int width) {
  for (int i = width - 1; i >= 0; --i) {
    p[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
}

struct Unit {
  int64_t per_second;  // ticks per second
  int digits;          // fraction digits Arrow writes (0: no '.')
  int text_bytes() const { return kBaseTextBytes + (digits > 0 ? digits + 1 : 0); }
};

Unit UnitOf(arrow::TimeUnit::type unit) {
  switch (unit) {
    case arrow::TimeUnit::SECOND:
      return {1, 0};
    case arrow::TimeUnit::MILLI:
      return {1000, 3};
    case arrow::TimeUnit::MICRO:
      return {1000000, 6};
    case arrow::TimeUnit::NANO:
      return {1000000000, 9};
  }
  return {1, 0};
}

// Writes u.text_bytes() characters at p.  REQUIRES: the value's second is in the fast range.
void Format(int64_t ticks, const Unit& u, char* p) {
  const int64_t secs = FloorDiv(ticks, u.per_second);
  // The remainder, never secs * per_second: that product is below INT64_MIN for ns ticks before
  // 1677-09-21 00:12:44Z.
  int64_t frac = ticks % u.per_second;
  if (frac < 0) frac += u.per_second;
  const int64_t days = FloorDiv(secs, kSecondsPerDay);
  const int64_t sod = secs - days * kSecondsPerDay;
  int y, m, d;
  CivilFromDays(days, &y, &m, &d);
  Digits(p, y, 4);
  p[4] = '-';
  Digits(p + 5, m, 2);
  p[7] = '-';
  Digits(p + 8, d, 2);
  p[10] = ' ';
  Digits(p + 11, sod / 3600, 2);
  p[13] = ':';
  Digits(p + 14, sod / 60 % 60, 2);
  p[16] = ':';
  Digits(p + 17, sod % 60, 2);
  p += 19;
  if (u.digits > 0) {
    *p++ = '.';
    Digits(p, frac, u.digits);
    p += u.digits;
  }
  *p = 'Z';
}

// Arrow's own (slow) text.
Result<std::shared_ptr<arrow::Array>> Cast(const arrow::Array& array, arrow::MemoryPool* pool) {
  arrow::compute::ExecContext ctx(pool);
  LP_ARROW_ASSIGN_OR_RETURN(
      auto cast,
      arrow::compute::Cast(array, arrow::utf8(), arrow::compute::CastOptions::Safe(), &ctx),
      "timestamp text");
  return cast;
}

// A utf8 array of `valid` values `width` bytes each, written by format(i, out) for every valid
// slot of `array`; it shares the input's validity bitmap and offset (offsets before `offset` are 0).
template <typename FormatFn>
Result<std::shared_ptr<arrow::Array>> FixedWidthText(const arrow::Array& array, int64_t valid,
                                                     int width, arrow::MemoryPool* pool,
                                                     const char* what, FormatFn format) {
  const int64_t n = array.length(), offset = array.offset();
  LP_ARROW_ASSIGN_OR_RETURN(
      auto offsets, arrow::AllocateBuffer((offset + n + 1) * sizeof(int32_t), pool), what);
  LP_ARROW_ASSIGN_OR_RETURN(auto data, arrow::AllocateBuffer(valid * width, pool), what);
  auto* off = reinterpret_cast<int32_t*>(offsets->mutable_data());
  char* out = reinterpret_cast<char*>(data->mutable_data());
  std::memset(off, 0, (offset + 1) * sizeof(int32_t));
  off += offset;
  int32_t pos = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (array.IsValid(i)) {
      format(i, out + pos);
      pos += width;
    }
    off[i + 1] = pos;
  }
  auto validity = array.null_count() > 0 ? array.data()->buffers[0] : nullptr;
  return arrow::MakeArray(arrow::ArrayData::Make(
      arrow::utf8(), n, {std::move(validity), std::move(offsets), std::move(data)},
      array.null_count(), offset));
}

}  // namespace

bool IsUtcTimestamp(const arrow::DataType& type) {
  return type.id() == arrow::Type::TIMESTAMP &&
         static_cast<const arrow::TimestampType&>(type).timezone() == "UTC";
}

Result<std::shared_ptr<arrow::Array>> UtcTimestampText(const arrow::Array& array,
                                                       arrow::MemoryPool* pool) {
  if (!IsUtcTimestamp(*array.type())) {
    return Status::InvalidArgument("timestamp text: column type " + array.type()->ToString() +
                                   " is not a UTC timestamp");
  }
  const auto& ts = static_cast<const arrow::TimestampArray&>(array);
  const Unit u = UnitOf(static_cast<const arrow::TimestampType&>(*array.type()).unit());
  const int64_t n = ts.length();
  // Ticks in [lo, hi] are in years 0001..9999 (for nanoseconds that is every int64: the bounds
  // are clamped rather than overflowed).
  const int64_t lo =
      kMinFastSeconds < INT64_MIN / u.per_second ? INT64_MIN : kMinFastSeconds * u.per_second;
  const int64_t hi =
      kEndFastSeconds > INT64_MAX / u.per_second ? INT64_MAX : kEndFastSeconds * u.per_second - 1;
  int64_t valid = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (ts.IsNull(i)) continue;
    ++valid;
    if (ts.Value(i) < lo || ts.Value(i) > hi) {
      return Cast(array, pool);
    }
  }
  const int width = u.text_bytes();
  if (valid * width > INT32_MAX) {  // utf8 offsets are 32-bit
    return Cast(array, pool);
  }
  return FixedWidthText(array, valid, width, pool, "timestamp text",
                        [&](int64_t i, char* out) { Format(ts.Value(i), u, out); });
}

Result<std::shared_ptr<arrow::Array>> Date32Text(const arrow::Array& array,
                                                 arrow::MemoryPool* pool) {
  if (array.type_id() != arrow::Type::DATE32) {
    return Status::InvalidArgument("date text: column type " + array.type()->ToString() +
                                   " is not date32");
  }
  constexpr int kWidth = 10;  // "YYYY-MM-DD"
  const auto& dates = static_cast<const arrow::Date32Array&>(array);
  const int64_t n = dates.length();
  const int64_t lo = kMinFastSeconds / kSecondsPerDay, hi = kEndFastSeconds / kSecondsPerDay;
  int64_t valid = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (dates.IsNull(i)) continue;
    ++valid;
    if (dates.Value(i) < lo || dates.Value(i) >= hi) return Cast(array, pool);
  }
  if (valid * kWidth > INT32_MAX) return Cast(array, pool);
  return FixedWidthText(array, valid, kWidth, pool, "date text", [&](int64_t i, char* p) {
    int y, m, d;
    CivilFromDays(dates.Value(i), &y, &m, &d);
    Digits(p, y, 4);
    p[4] = '-';
    Digits(p + 5, m, 2);
    p[7] = '-';
    Digits(p + 8, d, 2);
  });
}

std::shared_ptr<arrow::Schema> SchemaWithUtcTimestampsAsText(const arrow::Schema& schema) {
  auto fields = schema.fields();
  for (auto& f : fields) {
    if (IsUtcTimestamp(*f->type())) f = f->WithType(arrow::utf8());
  }
  return arrow::schema(std::move(fields), schema.metadata());
}

Result<std::shared_ptr<arrow::RecordBatch>> WithUtcTimestampsAsText(
    const std::shared_ptr<arrow::RecordBatch>& batch) {
  auto columns = batch->columns();
  bool changed = false;
  for (auto& c : columns) {
    if (!IsUtcTimestamp(*c->type())) continue;
    LP_ASSIGN_OR_RETURN(c, UtcTimestampText(*c));
    changed = true;
  }
  if (!changed) return batch;
  return arrow::RecordBatch::Make(SchemaWithUtcTimestampsAsText(*batch->schema()),
                                  batch->num_rows(), std::move(columns));
}

}  // namespace lakepack::format
