// base/json.h: lakepack's one JSON document parser and writer, for its own documents: schema
// files, state and log records, manifests' summaries, `--json` reports.
//
// Not for data: JSON Lines data goes through format/jsonl_reader.h (simdjson).  Parsed values keep
// their source line so that errors can point at the entry that is wrong; parsing is linear in the
// document's size (lines are counted as the parser advances, never from the start again).
//
// Thread-safety: values are immutable after parsing; ParseJson and JsonQuote are pure functions.
// A JsonWriter is used by one thread at a time.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lakepack/status.h"

namespace lakepack {

struct JsonValue {
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };
  Kind kind = Kind::kNull;
  bool boolean = false;
  double number = 0;
  std::string string;  // kString; kNumber: the literal text
  std::vector<JsonValue> array;
  std::vector<std::pair<std::string, JsonValue>> object;  // in document order
  int line = 1;                                           // where the value starts

  // Defined in json.cc, where JsonValue is complete: clang with libstdc++ in C++20 mode rejects
  // the implicit ones here, which instantiate std::pair<std::string, JsonValue> too early.
  JsonValue();
  JsonValue(const JsonValue&);
  JsonValue(JsonValue&&) noexcept;
  JsonValue& operator=(const JsonValue&);
  JsonValue& operator=(JsonValue&&) noexcept;
  ~JsonValue();

  // The member named `key`, or nullptr.  REQUIRES: kind == kObject.
  const JsonValue* Find(std::string_view key) const;
  // A kNumber whose literal is a whole number within int64 ("12", "-3"; not "1e3", "1.5" or 20
  // digits); nullopt otherwise.  The non-throwing way to read counts, sizes and generations.
  std::optional<int64_t> AsInt64() const;
  static const char* KindName(Kind kind);
};

// Parses one JSON document.  Errors say "line L, column C: problem".
Result<JsonValue> ParseJson(std::string_view text);

// `s` as a JSON string literal, quotes included: '"' and '\\' escaped, control characters as
// \n, \t, \r or \u00XX; other bytes (UTF-8) pass through.
std::string JsonQuote(std::string_view s);

// Builds one JSON document as text, with commas placed for the caller:
//
//   JsonWriter w;
//   w.BeginObject().Key("files").BeginArray().String("a").Int(3).EndArray().EndObject();
//   w.str();  // {"files":["a",3]}
//
// REQUIRES: calls form one well-nested document (a Key before each value inside an object).
// Doubles that are not finite are written as null (JSON has no NaN or infinity).
class JsonWriter {
 public:
  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  JsonWriter& Key(std::string_view key);
  JsonWriter& String(std::string_view value);
  JsonWriter& Int(int64_t value);
  JsonWriter& Double(double value);
  JsonWriter& Bool(bool value);
  JsonWriter& Null();
  // Appends `json`, already a complete JSON value, as the next value.
  JsonWriter& Raw(std::string_view json);

  const std::string& str() const { return out_; }

 private:
  void BeforeValue();

  std::string out_;
  // One entry per open object/array: whether a value was written in it yet.
  std::vector<bool> has_value_;
  bool after_key_ = false;
};

}  // namespace lakepack
