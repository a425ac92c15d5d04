// partition_spec.cc: see partition_spec.h.
#include "lake/partition_spec.h"

#include <cctype>
#include <cstdio>
#include <cstring>
#include <unordered_map>

#include "arrow/array.h"
#include "arrow/builder.h"
#include "arrow/compute/api.h"
#include "arrow/type.h"
#include "format/arrow_status.h"

namespace lakepack::lake {
namespace {

std::string Trim(std::string s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

// splitmix64's finalizer: a strong 64-bit mix.
uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

uint64_t HashBytes(const uint8_t* p, size_t n) {
  uint64_t h = 1469598103934665603ULL ^ n;  // FNV-1a over 8-byte words, then mixed
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    h = (h ^ w) * 1099511628211ULL;
  }
  uint64_t tail = 0;
  std::memcpy(&tail, p + i, n - i);
  h = (h ^ tail) * 1099511628211ULL;
  return Mix(h);
}

constexpr uint64_t kNullHash = 0x6e756c6c6e756c6cULL;  // "nullnull"

// One hash per row of `a`, combined into `rows`.
Status HashInto(const std::shared_ptr<arrow::Array>& input, std::vector<uint64_t>* rows) {
  std::shared_ptr<arrow::Array> a = input;
  if (a->type_id() == arrow::Type::DICTIONARY) {
    LP_ARROW_ASSIGN_OR_RETURN(
        auto d,
        arrow::compute::Cast(*a, static_cast<const arrow::DictionaryType&>(*a->type()).value_type()),
        "checksum");
    a = d;
  }
  const int64_t n = a->length();
  auto combine = [&](int64_t i, uint64_t h) { (*rows)[i] = Mix((*rows)[i] ^ h); };
  if (arrow::is_base_binary_like(a->type_id())) {
    for (int64_t i = 0; i < n; ++i) {
      if (a->IsNull(i)) {
        combine(i, kNullHash);
        continue;
      }
      std::string_view v = a->type_id() == arrow::Type::LARGE_STRING ||
                                   a->type_id() == arrow::Type::LARGE_BINARY
                               ? static_cast<const arrow::LargeBinaryArray&>(*a).GetView(i)
                               : static_cast<const arrow::BinaryArray&>(*a).GetView(i);
      combine(i, HashBytes(reinterpret_cast<const uint8_t*>(v.data()), v.size()));
    }
    return Status::OK();
  }
  if (arrow::is_fixed_width(a->type_id()) && a->type_id() != arrow::Type::BOOL) {
    int width = a->type()->byte_width();
    const auto& data = *a->data();
    const uint8_t* base = data.buffers[1]->data() + data.offset * width;
    for (int64_t i = 0; i < n; ++i) {
      combine(i, a->IsNull(i) ? kNullHash : HashBytes(base + i * width, static_cast<size_t>(width)));
    }
    return Status::OK();
  }
  LP_ARROW_ASSIGN_OR_RETURN(auto text, arrow::compute::Cast(*a, arrow::utf8()), "checksum");
  return HashInto(text, rows);
}

}  // namespace

Result<PartitionSpec> PartitionSpec::Parse(const std::vector<std::string>& specs) {
  PartitionSpec spec;
  for (const auto& raw : specs) {
    std::string s = Trim(raw);
    PartitionKey k;
    size_t open = s.find('(');
    if (open == std::string::npos) {
      if (s.empty()) return Status::InvalidArgument("empty partition key");
      k.column = k.name = s;
    } else {
      if (s.back() != ')') {
        return Status::InvalidArgument("partition key '" + raw + "': missing ')'");
      }
      std::string fn = Trim(s.substr(0, open));
      std::string args = s.substr(open + 1, s.size() - open - 2);
      if (fn == "year" || fn == "month" || fn == "day") {
        k.kind = fn == "year" ? PartitionKey::Kind::kYear
                 : fn == "month" ? PartitionKey::Kind::kMonth
                                 : PartitionKey::Kind::kDay;
        k.column = Trim(args);
        k.name = fn;
      } else if (fn == "bucket") {
        size_t comma = args.find(',');
        if (comma == std::string::npos) {
          return Status::InvalidArgument("partition key '" + raw + "': use bucket(n, column)");
        }
        std::string n = Trim(args.substr(0, comma));
        char* end = nullptr;
        long long v = std::strtoll(n.c_str(), &end, 10);
        if (n.empty() || *end != '\0' || v <= 0) {
          return Status::InvalidArgument("partition key '" + raw + "': bucket count '" + n +
                                         "' is not a positive integer");
        }
        k.kind = PartitionKey::Kind::kBucket;
        k.buckets = v;
        k.column = Trim(args.substr(comma + 1));
        k.name = k.column + "_bucket";
      } else {
        return Status::InvalidArgument("partition key '" + raw + "': unknown function '" + fn +
                                       "' (use year, month, day or bucket)");
      }
      if (k.column.empty()) {
        return Status::InvalidArgument("partition key '" + raw + "': no column");
      }
    }
    for (const auto& other : spec.keys_) {
      if (other.name == k.name) {
        return Status::InvalidArgument("partition key '" + raw + "': the name '" + k.name +
                                       "' is used twice");
      }
    }
    spec.keys_.push_back(std::move(k));
  }
  return spec;
}

std::shared_ptr<arrow::Schema> PartitionSpec::OutputSchema(const arrow::Schema& input) const {
  std::vector<std::shared_ptr<arrow::Field>> fields;
  for (const auto& f : input.fields()) {
    bool dropped = false;
    for (const auto& k : keys_) {
      dropped |= k.kind == PartitionKey::Kind::kColumn && k.column == f->name();
    }
    if (!dropped) fields.push_back(f);
  }
  return arrow::schema(fields, input.metadata());
}

Status PartitionSpec::Check(const arrow::Schema& schema, const std::string& source) const {
  for (const auto& k : keys_) {
    if (schema.GetFieldIndex(k.column) < 0) {
      return Status::InvalidData(source + ": partition key column '" + k.column +
                                 "' is not in the data (" + schema.ToString() + ")");
    }
  }
  return Status::OK();
}

Result<std::vector<PartitionSlice>> PartitionSpec::Split(
    const std::shared_ptr<arrow::RecordBatch>& batch, const std::string& source) const {
  std::vector<PartitionSlice> out;
  auto out_schema = OutputSchema(*batch->schema());
  std::vector<int> keep;
  for (const auto& f : out_schema->fields()) keep.push_back(batch->schema()->GetFieldIndex(f->name()));
  auto project = [&](std::shared_ptr<arrow::RecordBatch> b) -> Result<std::shared_ptr<arrow::RecordBatch>> {
    if (static_cast<int>(keep.size()) == b->num_columns()) return b;
    LP_ARROW_ASSIGN_OR_RETURN(auto p, b->SelectColumns(keep), source);
    return p;
  };
  if (keys_.empty()) {
    LP_ASSIGN_OR_RETURN(auto b, project(batch));
    out.push_back({"", b});
    return out;
  }
  LP_RETURN_NOT_OK(Check(*batch->schema(), source));
  const int64_t n = batch->num_rows();
  // One text value per key and row.
  std::vector<std::shared_ptr<arrow::StringArray>> values;
  std::vector<std::vector<std::string>> computed(keys_.size());
  for (size_t ki = 0; ki < keys_.size(); ++ki) {
    const auto& k = keys_[ki];
    auto col = batch->GetColumnByName(k.column);
    if (k.kind == PartitionKey::Kind::kColumn) {
      LP_ARROW_ASSIGN_OR_RETURN(auto text, arrow::compute::Cast(*col, arrow::utf8()),
                                source + ": partition column '" + k.column + "'");
      values.push_back(std::static_pointer_cast<arrow::StringArray>(text));
      continue;
    }
    if (k.kind == PartitionKey::Kind::kBucket) {
      std::vector<uint64_t> h(static_cast<size_t>(n), 0);
      LP_RETURN_NOT_OK(HashInto(col, &h));
      auto& vals = computed[ki];
      vals.resize(static_cast<size_t>(n));
      for (int64_t i = 0; i < n; ++i) vals[i] = std::to_string(h[i] % static_cast<uint64_t>(k.buckets));
      values.push_back(nullptr);
      continue;
    }
    std::shared_ptr<arrow::Array> ts = col;
    if (arrow::is_base_binary_like(col->type_id())) {
      LP_ARROW_ASSIGN_OR_RETURN(auto parsed,
                                arrow::compute::Cast(*col, arrow::timestamp(arrow::TimeUnit::MICRO)),
                                source + ": partition column '" + k.column + "' as a timestamp");
      ts = parsed;
    }
    const char* fn = k.kind == PartitionKey::Kind::kYear ? "year"
                     : k.kind == PartitionKey::Kind::kMonth ? "month"
                                                            : "day";
    LP_ARROW_ASSIGN_OR_RETURN(auto part, arrow::compute::CallFunction(fn, {ts}),
                              source + ": " + fn + "(" + k.column + ")");
    auto ints = part.make_array();
    LP_ARROW_ASSIGN_OR_RETURN(auto i64, arrow::compute::Cast(*ints, arrow::int64()), source);
    const auto& arr = static_cast<const arrow::Int64Array&>(*i64);
    auto& vals = computed[ki];
    vals.resize(static_cast<size_t>(n));
    char buf[32];
    for (int64_t i = 0; i < n; ++i) {
      if (arr.IsNull(i)) {
        vals[i] = "__HIVE_DEFAULT_PARTITION__";
      } else if (k.kind == PartitionKey::Kind::kYear) {
        vals[i] = std::to_string(arr.Value(i));
      } else {
        std::snprintf(buf, sizeof buf, "%02lld", static_cast<long long>(arr.Value(i)));
        vals[i] = buf;
      }
    }
    values.push_back(nullptr);
  }
  std::unordered_map<std::string, int32_t> ids;
  std::vector<std::string> paths;
  std::vector<std::vector<int64_t>> rows;
  std::string path;
  for (int64_t i = 0; i < n; ++i) {
    path.clear();
    for (size_t ki = 0; ki < keys_.size(); ++ki) {
      if (ki) path += '/';
      path += keys_[ki].name;
      path += '=';
      if (values[ki]) {
        if (values[ki]->IsNull(i)) {
          path += "__HIVE_DEFAULT_PARTITION__";
        } else {
          path += values[ki]->GetView(i);
        }
      } else {
        path += computed[ki][i];
      }
    }
    auto [it, fresh] = ids.try_emplace(path, static_cast<int32_t>(paths.size()));
    if (fresh) {
      paths.push_back(path);
      rows.emplace_back();
    }
    rows[it->second].push_back(i);
  }
  LP_ASSIGN_OR_RETURN(auto projected, project(batch));
  for (size_t p = 0; p < paths.size(); ++p) {
    if (paths.size() == 1) {
      out.push_back({paths[p], projected});
      break;
    }
    arrow::Int64Builder b;
    LP_ARROW_RETURN_NOT_OK(b.AppendValues(rows[p]), source);
    std::shared_ptr<arrow::Array> idx;
    LP_ARROW_RETURN_NOT_OK(b.Finish(&idx), source);
    LP_ARROW_ASSIGN_OR_RETURN(auto taken, arrow::compute::Take(projected, idx), source);
    out.push_back({paths[p], taken.record_batch()});
  }
  return out;
}

Result<uint64_t> KeyChecksum(const arrow::RecordBatch& batch, const std::vector<std::string>& columns) {
  std::vector<uint64_t> rows(static_cast<size_t>(batch.num_rows()), 0);
  if (columns.empty()) {
    for (int c = 0; c < batch.num_columns(); ++c) LP_RETURN_NOT_OK(HashInto(batch.column(c), &rows));
  } else {
    for (const auto& name : columns) {
      auto col = batch.GetColumnByName(name);
      if (!col) return Status::InvalidData("key column '" + name + "' is not in the data");
      LP_RETURN_NOT_OK(HashInto(col, &rows));
    }
  }
  uint64_t sum = 0;
  for (uint64_t h : rows) sum += h;
  return sum;
}

std::string ChecksumHex(uint64_t sum) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(sum));
  return buf;
}

}  // namespace lakepack::lake
