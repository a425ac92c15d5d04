#include "gen/data_generator.h"

#include <algorithm>
#include <string>
#include <vector>

#include "arrow/type.h"
#include "gen/column_buffers.h"
#include "gen/prng.h"
#include "gen/word_lists.h"

namespace lakepack::gen {
namespace {

// One PRNG stream per column (and per hidden input such as name choices).  Renumbering these
// changes every data set: append new ones at the end.
enum Stream : uint32_t {
  kFirstNameStream = 1,
  kLastNameStream,
  kEmailStream,
  kPhoneStream,
  kStreetStream,
  kCityStream,
  kCountryStream,
  kPostcodeStream,
  kCompanyStream,
  kJobStream,
  kCategoryStream,
  kSignupStream,
  kLastLoginStream,
  kAmountStream,
  kScoreStream,
  kActiveStream,
  kReferrerStream,
  kNotesStream,
};

// Days since 1970-01-01 of 2015-01-01 and 2024-12-31: the signup date range.
constexpr int32_t kFirstSignupDay = 16436;
constexpr int32_t kLastSignupDay = 20088;
// Days since the epoch of 2025-06-01: last_login falls between signup and this day.
constexpr int32_t kLoginHorizonDay = 20240;
constexpr int64_t kMicrosPerDay = int64_t{86400} * 1000 * 1000;
// Share of customers marked active.
constexpr double kActiveFraction = 0.8;
// Notes hold kMinNoteWords..kMaxNoteWords words.
constexpr int kMinNoteWords = 3;
constexpr int kMaxNoteWords = 14;

size_t MaxLen(std::span<const std::string_view> words) {
  size_t m = 0;
  for (auto w : words) m = std::max(m, w.size());
  return m;
}

char* Put(char* p, std::string_view s) {
  std::memcpy(p, s.data(), s.size());
  return p + s.size();
}

// Writes v in decimal; returns the end.
char* PutUInt(char* p, uint64_t v) {
  char tmp[20];
  int n = 0;
  do {
    tmp[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v);
  while (n) *p++ = tmp[--n];
  return p;
}

// Writes v in decimal, zero-padded to `width` digits.  REQUIRES: v < 10^width.
char* PutPadded(char* p, uint64_t v, int width) {
  for (int i = width - 1; i >= 0; --i) {
    p[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  return p + width;
}

template <typename T>
std::string_view Pick(Rng& rng, std::span<const T> words) {
  return words[rng.Below(words.size())];
}

}  // namespace

DataGenerator::DataGenerator(const DataGeneratorOptions& options)
    : options_(options),
      schema_(Schema()),
      null_threshold_(Rng::ThresholdFor(options.null_fraction)) {}

std::shared_ptr<arrow::Schema> DataGenerator::Schema() {
  static const std::shared_ptr<arrow::Schema> schema = arrow::schema({
      arrow::field("id", arrow::int64(), false),
      arrow::field("first_name", arrow::utf8(), false),
      arrow::field("last_name", arrow::utf8(), false),
      arrow::field("email", arrow::utf8(), false),
      arrow::field("phone", arrow::utf8(), false),
      arrow::field("street_address", arrow::utf8(), false),
      arrow::field("city", arrow::utf8(), false),
      arrow::field("country", arrow::utf8(), false),
      arrow::field("postcode", arrow::utf8(), false),
      arrow::field("company", arrow::utf8(), false),
      arrow::field("job", arrow::utf8(), false),
      arrow::field("category", arrow::utf8(), false),
      arrow::field("signup_date", arrow::date32(), false),
      arrow::field("last_login", arrow::timestamp(arrow::TimeUnit::MICRO, "UTC"), true),
      arrow::field("amount", arrow::decimal128(12, 2), false),
      arrow::field("score", arrow::float64(), false),
      arrow::field("is_active", arrow::boolean(), false),
      arrow::field("referrer_id", arrow::int64(), true),
      arrow::field("notes", arrow::utf8(), true),
  });
  return schema;
}

Result<std::shared_ptr<DataGenerator>> DataGenerator::Make(const DataGeneratorOptions& options) {
  if (options.batch_rows < 1 || options.batch_rows > kMaxBatchRows) {
    return Status::InvalidArgument("fake data: batch_rows must be in [1, " +
                                   std::to_string(kMaxBatchRows) + "], got " +
                                   std::to_string(options.batch_rows));
  }
  if (!(options.null_fraction >= 0 && options.null_fraction <= 1)) {
    return Status::InvalidArgument("fake data: null_fraction must be in [0, 1], got " +
                                   std::to_string(options.null_fraction));
  }
  if (options.threads < 0 || options.lookahead < 0) {
    return Status::InvalidArgument("fake data: threads and lookahead must be >= 0");
  }
  return std::shared_ptr<DataGenerator>(new DataGenerator(options));
}

Result<std::shared_ptr<arrow::RecordBatch>> DataGenerator::MakeBatch(int64_t batch_index,
                                                                     int64_t n) const {
  if (batch_index < 0 || n < 0 || n > options_.batch_rows) {
    return Status::InvalidArgument("fake data: batch " + std::to_string(batch_index) + " with " +
                                   std::to_string(n) + " rows is out of range (batch_rows " +
                                   std::to_string(options_.batch_rows) + ")");
  }
  arrow::MemoryPool* pool = arrow::default_memory_pool();
  const uint64_t seed = options_.seed;
  auto rng = [&](Stream s) { return Rng::ForStream(seed, batch_index, s); };
  const int64_t first_id = batch_index * options_.batch_rows;
  std::vector<std::shared_ptr<arrow::Array>> columns;
  columns.reserve(schema_->num_fields());

  // id
  {
    LP_ASSIGN_OR_RETURN(auto c, FixedColumn<int64_t>::Make(n, false, pool));
    int64_t* d = c->data();
    for (int64_t i = 0; i < n; ++i) d[i] = first_id + i;
    columns.push_back(c->Finish(arrow::int64()));
  }

  // first_name, last_name: the choices also feed email and company.
  auto first = FirstNames(), last = LastNames();
  auto first_lower = FirstNamesLower(), last_lower = LastNamesLower();
  std::vector<uint16_t> fi(n), li(n);
  {
    Rng r = rng(kFirstNameStream);
    for (auto& x : fi) x = static_cast<uint16_t>(r.Below(first.size()));
    Rng r2 = rng(kLastNameStream);
    for (auto& x : li) x = static_cast<uint16_t>(r2.Below(last.size()));
    LP_ASSIGN_OR_RETURN(auto fc, StringColumn::Make(n, MaxLen(first), false, pool));
    for (int64_t i = 0; i < n; ++i) fc->Append(first[fi[i]]);
    LP_ASSIGN_OR_RETURN(auto a, fc->Finish());
    columns.push_back(std::move(a));
    LP_ASSIGN_OR_RETURN(auto lc, StringColumn::Make(n, MaxLen(last), false, pool));
    for (int64_t i = 0; i < n; ++i) lc->Append(last[li[i]]);
    LP_ASSIGN_OR_RETURN(auto b, lc->Finish());
    columns.push_back(std::move(b));
  }

  // email: a name-based local part in one of six styles, sometimes with digits, then a domain.
  {
    auto domains = EmailDomains();
    const int64_t bound = MaxLen(first) + MaxLen(last) + 6 + MaxLen(domains);
    LP_ASSIGN_OR_RETURN(auto c, StringColumn::Make(n, bound, false, pool));
    Rng r = rng(kEmailStream);
    for (int64_t i = 0; i < n; ++i) {
      uint64_t bits = r.Next();
      std::string_view f = first_lower[fi[i]], l = last_lower[li[i]];
      char* p = c->cursor();
      switch (bits % 6) {
        case 0:
          p = Put(Put(Put(p, f), "."), l);
          break;
        case 1:
          p = Put(Put(p, f), l);
          break;
        case 2:
          *p++ = f[0];
          p = Put(p, l);
          break;
        case 3:
          p = Put(Put(Put(p, f), "_"), l);
          break;
        case 4:
          p = Put(Put(Put(p, l), "."), f);
          break;
        default:
          p = Put(p, f);
          break;
      }
      bits >>= 8;
      if (bits % 3 == 0) p = PutUInt(p, 1 + (bits >> 8) % 9999);  // 1..9999: at most 4 digits
      *p++ = '@';
      p = Put(p, domains[(bits >> 32) % domains.size()]);
      c->Commit(p);
    }
    LP_ASSIGN_OR_RETURN(auto a, c->Finish());
    columns.push_back(std::move(a));
  }

  // phone: "+1-AAA-EEE-NNNN" (NANP-shaped, area and exchange 200..999).
  {
    LP_ASSIGN_OR_RETURN(auto c, StringColumn::Make(n, 15, false, pool));
    Rng r = rng(kPhoneStream);
    for (int64_t i = 0; i < n; ++i) {
      uint64_t bits = r.Next();
      char* p = Put(c->cursor(), "+1-");
      p = PutPadded(p, 200 + bits % 800, 3);
      *p++ = '-';
      p = PutPadded(p, 200 + (bits >> 16) % 800, 3);
      *p++ = '-';
      p = PutPadded(p, (bits >> 32) % 10000, 4);
      c->Commit(p);
    }
    LP_ASSIGN_OR_RETURN(auto a, c->Finish());
    columns.push_back(std::move(a));
  }

  // street_address: "<1..9999> <name> <suffix>".
  {
    auto names = StreetNames(), suffixes = StreetSuffixes();
    LP_ASSIGN_OR_RETURN(auto c,
                        StringColumn::Make(n, 6 + MaxLen(names) + MaxLen(suffixes), false, pool));
    Rng r = rng(kStreetStream);
    for (int64_t i = 0; i < n; ++i) {
      uint64_t bits = r.Next();
      char* p = PutUInt(c->cursor(), 1 + bits % 9999);
      *p++ = ' ';
      p = Put(p, names[(bits >> 16) % names.size()]);
      *p++ = ' ';
      p = Put(p, suffixes[(bits >> 40) % suffixes.size()]);
      c->Commit(p);
    }
    LP_ASSIGN_OR_RETURN(auto a, c->Finish());
    columns.push_back(std::move(a));
  }

  // city, country: independent picks.
  for (auto [stream, words] :
       {std::pair{kCityStream, Cities()}, std::pair{kCountryStream, Countries()}}) {
    LP_ASSIGN_OR_RETURN(auto c, StringColumn::Make(n, MaxLen(words), false, pool));
    Rng r = rng(stream);
    for (int64_t i = 0; i < n; ++i) c->Append(Pick(r, words));
    LP_ASSIGN_OR_RETURN(auto a, c->Finish());
    columns.push_back(std::move(a));
  }

  // postcode: five digits, leading zeros kept (a string, not a number).
  {
    LP_ASSIGN_OR_RETURN(auto c, StringColumn::Make(n, 5, false, pool));
    Rng r = rng(kPostcodeStream);
    for (int64_t i = 0; i < n; ++i) c->Commit(PutPadded(c->cursor(), r.Below(100000), 5));
    LP_ASSIGN_OR_RETURN(auto a, c->Finish());
    columns.push_back(std::move(a));
  }

  // company: "<Word> <Suffix>", "<Last> <Suffix>" or "<Last> & <Last>".
  {
    auto words = CompanyWords(), suffixes = CompanySuffixes();
    const int64_t bound =
        std::max(MaxLen(words), MaxLen(last)) + 3 + std::max(MaxLen(suffixes), MaxLen(last));
    LP_ASSIGN_OR_RETURN(auto c, StringColumn::Make(n, bound, false, pool));
    Rng r = rng(kCompanyStream);
    for (int64_t i = 0; i < n; ++i) {
      uint64_t bits = r.Next();
      char* p = c->cursor();
      switch (bits % 4) {
        case 0:
        case 1:
          p = Put(p, words[(bits >> 8) % words.size()]);
          *p++ = ' ';
          p = Put(p, suffixes[(bits >> 32) % suffixes.size()]);
          break;
        case 2:
          p = Put(p, last[(bits >> 8) % last.size()]);
          *p++ = ' ';
          p = Put(p, suffixes[(bits >> 32) % suffixes.size()]);
          break;
        default:
          p = Put(p, last[(bits >> 8) % last.size()]);
          p = Put(p, " & ");
          p = Put(p, last[(bits >> 32) % last.size()]);
          break;
      }
      c->Commit(p);
    }
    LP_ASSIGN_OR_RETURN(auto a, c->Finish());
    columns.push_back(std::move(a));
  }

  // job, category.
  for (auto [stream, words] :
       {std::pair{kJobStream, Jobs()}, std::pair{kCategoryStream, Categories()}}) {
    LP_ASSIGN_OR_RETURN(auto c, StringColumn::Make(n, MaxLen(words), false, pool));
    Rng r = rng(stream);
    for (int64_t i = 0; i < n; ++i) c->Append(Pick(r, words));
    LP_ASSIGN_OR_RETURN(auto a, c->Finish());
    columns.push_back(std::move(a));
  }

  // signup_date, then last_login somewhere between signup and the horizon (or null).
  std::vector<int32_t> signup(n);
  {
    LP_ASSIGN_OR_RETURN(auto c, FixedColumn<int32_t>::Make(n, false, pool));
    Rng r = rng(kSignupStream);
    int32_t* d = c->data();
    for (int64_t i = 0; i < n; ++i) {
      d[i] = signup[i] = static_cast<int32_t>(r.Between(kFirstSignupDay, kLastSignupDay));
    }
    columns.push_back(c->Finish(arrow::date32()));
  }
  {
    LP_ASSIGN_OR_RETURN(auto c, FixedColumn<int64_t>::Make(n, true, pool));
    Rng r = rng(kLastLoginStream);
    int64_t* d = c->data();
    for (int64_t i = 0; i < n; ++i) {
      if (r.Chance(null_threshold_)) {
        d[i] = 0;
        c->SetNull(i);
        continue;
      }
      int64_t start = signup[i] * kMicrosPerDay;
      d[i] = start + static_cast<int64_t>(r.Below(
                         static_cast<uint64_t>((kLoginHorizonDay - signup[i]) * kMicrosPerDay)));
    }
    columns.push_back(c->Finish(arrow::timestamp(arrow::TimeUnit::MICRO, "UTC")));
  }

  // amount: cents with a spread of magnitudes (0.00 .. 999,999.99), as decimal128(12, 2).
  {
    LP_ASSIGN_OR_RETURN(auto c, FixedColumn<uint64_t>::Make(2 * n, false, pool));
    Rng r = rng(kAmountStream);
    uint64_t* d = c->data();
    static constexpr uint64_t kMagnitudes[] = {10000, 100000, 1000000, 10000000, 100000000};
    for (int64_t i = 0; i < n; ++i) {
      uint64_t bits = r.Next();
      d[2 * i] = (bits >> 8) % kMagnitudes[bits % 5];  // low word (little-endian decimal128)
      d[2 * i + 1] = 0;                                // high word: amounts are non-negative
    }
    auto buffer = c->Finish(arrow::uint64())->data()->buffers[1];
    columns.push_back(arrow::MakeArray(
        arrow::ArrayData::Make(arrow::decimal128(12, 2), n, {nullptr, std::move(buffer)}, 0)));
  }

  // score: 0.00 .. 100.00 in steps of 0.01 (short decimal text in CSV/JSON).
  {
    LP_ASSIGN_OR_RETURN(auto c, FixedColumn<double>::Make(n, false, pool));
    Rng r = rng(kScoreStream);
    double* d = c->data();
    for (int64_t i = 0; i < n; ++i) d[i] = static_cast<double>(r.Below(10001)) / 100.0;
    columns.push_back(c->Finish(arrow::float64()));
  }

  // is_active: a bitmap.
  {
    auto bits = arrow::AllocateBuffer(arrow::bit_util::BytesForBits(n), pool);
    if (!bits.ok()) return Status::IOError("fake data: " + bits.status().ToString());
    std::shared_ptr<arrow::Buffer> buffer = std::move(bits).ValueUnsafe();
    uint8_t* b = buffer->mutable_data();
    std::memset(b, 0, static_cast<size_t>(buffer->size()));
    Rng r = rng(kActiveStream);
    const uint64_t active = Rng::ThresholdFor(kActiveFraction);
    for (int64_t i = 0; i < n; ++i) {
      if (r.Chance(active)) arrow::bit_util::SetBit(b, i);
    }
    columns.push_back(arrow::MakeArray(
        arrow::ArrayData::Make(arrow::boolean(), n, {nullptr, std::move(buffer)}, 0)));
  }

  // referrer_id: an earlier customer, or null (always null for the first one).
  {
    LP_ASSIGN_OR_RETURN(auto c, FixedColumn<int64_t>::Make(n, true, pool));
    Rng r = rng(kReferrerStream);
    int64_t* d = c->data();
    for (int64_t i = 0; i < n; ++i) {
      const int64_t id = first_id + i;
      uint64_t bits = r.Next();
      if (bits < null_threshold_ || id == 0) {
        d[i] = 0;
        c->SetNull(i);
      } else {
        d[i] = static_cast<int64_t>(r.Below(static_cast<uint64_t>(id)));
      }
    }
    columns.push_back(c->Finish(arrow::int64()));
  }

  // notes: a capitalised run of words ending in '.', sometimes with a comma; or null.
  {
    auto words = NoteWords();
    const int64_t bound = kMaxNoteWords * (MaxLen(words) + 2) + 1;
    LP_ASSIGN_OR_RETURN(auto c, StringColumn::Make(n, bound, true, pool));
    Rng r = rng(kNotesStream);
    for (int64_t i = 0; i < n; ++i) {
      if (r.Chance(null_threshold_)) {
        c->AppendNull();
        continue;
      }
      const int count = static_cast<int>(r.Between(kMinNoteWords, kMaxNoteWords));
      char* start = c->cursor();
      char* p = start;
      for (int w = 0; w < count; ++w) {
        uint64_t bits = r.Next();
        if (w) {
          if (bits % 16 == 0) *p++ = ',';  // a comma now and then exercises CSV quoting
          *p++ = ' ';
        }
        p = Put(p, words[(bits >> 8) % words.size()]);
      }
      *p++ = '.';
      if (*start >= 'a' && *start <= 'z') *start = static_cast<char>(*start - 'a' + 'A');
      c->Commit(p);
    }
    LP_ASSIGN_OR_RETURN(auto a, c->Finish());
    columns.push_back(std::move(a));
  }

  return arrow::RecordBatch::Make(schema_, n, std::move(columns));
}

}  // namespace lakepack::gen
