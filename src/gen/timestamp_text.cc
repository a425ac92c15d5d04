#include "gen/timestamp_text.h"

#include <cstring>

#include "arrow/compute/cast.h"
#include "format/arrow_status.h"
#include "gen/column_buffers.h"

namespace lakepack::gen {
namespace {

// "YYYY-MM-DD HH:MM:SS.ffffffZ"
constexpr int kTextBytes = 27;
constexpr int64_t kMicrosPerSecond = 1000000;
constexpr int64_t kSecondsPerDay = 86400;
// Microseconds since the epoch of 0001-01-01T00:00:00 and of 10000-01-01T00:00:00: the years
// the fast path writes as four digits.
constexpr int64_t kMinFastMicros = -62135596800LL * kMicrosPerSecond;
constexpr int64_t kEndFastMicros = 253402300800LL * kMicrosPerSecond;

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

void FormatMicros(int64_t us, char* p) {
  const int64_t secs = FloorDiv(us, kMicrosPerSecond);
  const int64_t frac = us - secs * kMicrosPerSecond;
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
  p[19] = '.';
  Digits(p + 20, frac, 6);
  p[26] = 'Z';
}

}  // namespace

bool IsUtcMicrosTimestamp(const arrow::DataType& type) {
  if (type.id() != arrow::Type::TIMESTAMP) return false;
  const auto& t = static_cast<const arrow::TimestampType&>(type);
  return t.unit() == arrow::TimeUnit::MICRO && t.timezone() == "UTC";
}

Result<std::shared_ptr<arrow::Array>> UtcTimestampText(const arrow::Array& array) {
  if (!IsUtcMicrosTimestamp(*array.type())) {
    return Status::InvalidArgument("timestamp text: column type " + array.type()->ToString() +
                                   " is not timestamp[us, tz=UTC]");
  }
  const auto& ts = static_cast<const arrow::TimestampArray&>(array);
  const int64_t n = ts.length();
  for (int64_t i = 0; i < n; ++i) {
    if (ts.IsValid(i) && (ts.Value(i) < kMinFastMicros || ts.Value(i) >= kEndFastMicros)) {
      LP_ARROW_ASSIGN_OR_RETURN(auto cast, arrow::compute::Cast(array, arrow::utf8()),
                                "timestamp text");
      return cast;
    }
  }
  LP_ASSIGN_OR_RETURN(auto column, StringColumn::Make(n, kTextBytes, array.null_count() > 0,
                                                      arrow::default_memory_pool()));
  for (int64_t i = 0; i < n; ++i) {
    if (ts.IsNull(i)) {
      column->AppendNull();
      continue;
    }
    char* p = column->cursor();
    FormatMicros(ts.Value(i), p);
    column->Commit(p + kTextBytes);
  }
  return column->Finish();
}

std::shared_ptr<arrow::Schema> SchemaWithUtcTimestampsAsText(const arrow::Schema& schema) {
  auto fields = schema.fields();
  for (auto& f : fields) {
    if (IsUtcMicrosTimestamp(*f->type())) f = f->WithType(arrow::utf8());
  }
  return arrow::schema(std::move(fields), schema.metadata());
}

Result<std::shared_ptr<arrow::RecordBatch>> WithUtcTimestampsAsText(
    const std::shared_ptr<arrow::RecordBatch>& batch) {
  auto columns = batch->columns();
  bool changed = false;
  for (auto& c : columns) {
    if (!IsUtcMicrosTimestamp(*c->type())) continue;
    LP_ASSIGN_OR_RETURN(c, UtcTimestampText(*c));
    changed = true;
  }
  if (!changed) return batch;
  return arrow::RecordBatch::Make(SchemaWithUtcTimestampsAsText(*batch->schema()),
                                  batch->num_rows(), std::move(columns));
}

}  // namespace lakepack::gen
