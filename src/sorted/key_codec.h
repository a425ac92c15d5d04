// key_codec.h: an order-preserving byte encoding of multi-field keys.
//
// A key (row key fields, then sort key fields) becomes one byte string whose byte order
// (memcmp, shorter first on a tie) is the order of the key's fields compared one by one.  So the
// partition tree, file min/max, row-group pruning and the merge all compare plain strings.
//   int32 / int64: the sign bit flipped, big-endian (4 / 8 bytes): fixed width, so prefix-free.
//   string / bytes: each 0x00 byte as 0x00 0xFF, then the terminator 0x00 0x00.  The terminator
//     sorts below every escaped byte, so "a" < "a\0" < "ab", and no encoding is a prefix of another.
// Key fields are never null (writes reject null keys), so null has no encoding.
//
// Because every field's encoding is prefix-free, the encoding of the first N fields is a prefix of
// the whole key's, and "every key whose first field is v" is the range
// [Encode(v), PrefixSuccessor(Encode(v))).
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "arrow/array.h"
#include "lakepack/sorted.h"

namespace lakepack::sorted {

void AppendInt32(int32_t v, std::string* out);
void AppendInt64(int64_t v, std::string* out);
void AppendBytes(std::string_view v, std::string* out);

// Appends one field's value: KeyType::kInt takes an int64 that must fit in int32.
// REQUIRES: `value` holds the alternative `type` needs (int64 for int/long, string otherwise).
Status AppendValue(KeyType type, const KeyValue& value, std::string* out);

// Appends row `row` of `array` (int32, int64, string, large_string, binary or large_binary).
// REQUIRES: the value is not null.
void AppendArrayValue(const arrow::Array& array, int64_t row, std::string* out);

// Decodes one field at `*pos` of `key`, advancing *pos.  InvalidData if the bytes end early.
Result<KeyValue> DecodeValue(KeyType type, std::string_view key, size_t* pos);

// The smallest string greater than every string that starts with `prefix`; nullopt when there
// is none (prefix is empty or all 0xFF).
std::optional<std::string> PrefixSuccessor(std::string_view prefix);

// Lowercase hex, for keys inside JSON records.
std::string ToHex(std::string_view bytes);
Result<std::string> FromHex(std::string_view hex);

}  // namespace lakepack::sorted
