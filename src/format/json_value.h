// json_value.h: a small JSON document parser for lakepack's own config-like files (schema files).
//
// Not for data: data JSON Lines go through Arrow's reader.  Values keep their source line so that
// errors can point at the entry that is wrong.
//
// Thread-safety: values are immutable after parsing; Parse is a pure function.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "lakepack/status.h"

namespace lakepack::format {

struct JsonValue {
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };
  Kind kind = Kind::kNull;
  bool boolean = false;
  double number = 0;
  std::string string;  // kString; kNumber: the literal text
  std::vector<JsonValue> array;
  std::vector<std::pair<std::string, JsonValue>> object;  // in document order
  int line = 1;                                           // where the value starts

  // The member named `key`, or nullptr.  REQUIRES: kind == kObject.
  const JsonValue* Find(std::string_view key) const;
  static const char* KindName(Kind kind);
};

// Parses one JSON document.  Errors say "line L, column C: problem".
Result<JsonValue> ParseJson(std::string_view text);

// `s` as a JSON string literal, quotes included: '"' and '\\' escaped, control characters as
// \n, \t, \r or \u00XX; other bytes (UTF-8) pass through.
std::string JsonQuote(std::string_view s);

}  // namespace lakepack::format
