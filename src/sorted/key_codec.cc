// key_codec.cc: see key_codec.h.
#include "sorted/key_codec.h"

#include <limits>

#include "arrow/array/array_binary.h"
#include "arrow/array/array_primitive.h"

namespace lakepack::sorted {

void AppendInt32(int32_t v, std::string* out) {
  uint32_t u = static_cast<uint32_t>(v) ^ 0x80000000u;
  char b[4] = {static_cast<char>(u >> 24), static_cast<char>(u >> 16), static_cast<char>(u >> 8),
               static_cast<char>(u)};
  out->append(b, 4);
}

void AppendInt64(int64_t v, std::string* out) {
  uint64_t u = static_cast<uint64_t>(v) ^ 0x8000000000000000ull;
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(u >> (56 - 8 * i));
  out->append(b, 8);
}

void AppendBytes(std::string_view v, std::string* out) {
  size_t start = 0;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '\0') {
      out->append(v.data() + start, i - start);
      out->push_back('\0');
      out->push_back('\xff');
      start = i + 1;
    }
  }
  out->append(v.data() + start, v.size() - start);
  out->push_back('\0');
  out->push_back('\0');
}

Status AppendValue(KeyType type, const KeyValue& value, std::string* out) {
  switch (type) {
    case KeyType::kInt: {
      const int64_t* v = std::get_if<int64_t>(&value);
      if (!v) return Status::InvalidArgument("expected an integer key value");
      if (*v < std::numeric_limits<int32_t>::min() || *v > std::numeric_limits<int32_t>::max()) {
        return Status::InvalidArgument("key value " + std::to_string(*v) +
                                       " does not fit an int (32-bit) field");
      }
      AppendInt32(static_cast<int32_t>(*v), out);
      return Status::OK();
    }
    case KeyType::kLong: {
      const int64_t* v = std::get_if<int64_t>(&value);
      if (!v) return Status::InvalidArgument("expected an integer key value");
      AppendInt64(*v, out);
      return Status::OK();
    }
    case KeyType::kString:
    case KeyType::kBytes: {
      const std::string* v = std::get_if<std::string>(&value);
      if (!v) return Status::InvalidArgument("expected a string or bytes key value");
      AppendBytes(*v, out);
      return Status::OK();
    }
  }
  return Status::Internal("unknown key type");
}

void AppendArrayValue(const arrow::Array& array, int64_t row, std::string* out) {
  switch (array.type_id()) {
    case arrow::Type::INT32:
      AppendInt32(static_cast<const arrow::Int32Array&>(array).Value(row), out);
      return;
    case arrow::Type::INT64:
      AppendInt64(static_cast<const arrow::Int64Array&>(array).Value(row), out);
      return;
    case arrow::Type::STRING:
    case arrow::Type::BINARY:
      AppendBytes(static_cast<const arrow::BinaryArray&>(array).GetView(row), out);
      return;
    case arrow::Type::LARGE_STRING:
    case arrow::Type::LARGE_BINARY:
      AppendBytes(static_cast<const arrow::LargeBinaryArray&>(array).GetView(row), out);
      return;
    default:
      return;  // the schema admits no other key type
  }
}

Result<KeyValue> DecodeValue(KeyType type, std::string_view key, size_t* pos) {
  size_t p = *pos;
  if (type == KeyType::kInt || type == KeyType::kLong) {
    const size_t n = type == KeyType::kInt ? 4 : 8;
    if (p + n > key.size()) return Status::InvalidData("key ends inside an integer field");
    uint64_t u = 0;
    for (size_t i = 0; i < n; ++i) u = (u << 8) | static_cast<uint8_t>(key[p + i]);
    *pos = p + n;
    if (n == 4) return KeyValue(static_cast<int64_t>(static_cast<int32_t>(u ^ 0x80000000u)));
    return KeyValue(static_cast<int64_t>(u ^ 0x8000000000000000ull));
  }
  std::string v;
  while (true) {
    if (p >= key.size()) {
      return Status::InvalidData("key ends inside a string field");
    }
    char c = key[p];
    if (c != '\0') {
      v.push_back(c);
      ++p;
      continue;
    }
    if (p + 1 >= key.size()) return Status::InvalidData("key ends inside a string field");
    if (key[p + 1] == '\0') {
      *pos = p + 2;
      return KeyValue(std::move(v));
    }
    v.push_back('\0');
    p += 2;
  }
}

std::optional<std::string> PrefixSuccessor(std::string_view prefix) {
  std::string s(prefix);
  while (!s.empty() && static_cast<uint8_t>(s.back()) == 0xff) s.pop_back();
  if (s.empty()) return std::nullopt;
  s.back() = static_cast<char>(static_cast<uint8_t>(s.back()) + 1);
  return s;
}

std::string ToHex(std::string_view bytes) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

Result<std::string> FromHex(std::string_view hex) {
  if (hex.size() % 2) return Status::InvalidData("odd-length hex key");
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out(hex.size() / 2, '\0');
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return Status::InvalidData("bad hex key '" + std::string(hex) + "'");
    out[i] = static_cast<char>(hi * 16 + lo);
  }
  return out;
}

}  // namespace lakepack::sorted
