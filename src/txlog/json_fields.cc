// json_fields.cc: see json_fields.h.
#include "txlog/json_fields.h"

#include <charconv>

namespace lakepack::txlog {

Result<const JsonValue*> JsonMember(const JsonValue& obj, const char* key, JsonValue::Kind kind,
                                    const std::string& source) {
  const JsonValue* v = obj.kind == JsonValue::Kind::kObject ? obj.Find(key) : nullptr;
  if (!v || v->kind != kind) {
    return Status::InvalidData(source + ": line " + std::to_string(obj.line) + ": missing " +
                               JsonValue::KindName(kind) + " member '" + key + "'");
  }
  return v;
}

Result<int64_t> JsonInt(const JsonValue& obj, const char* key, const std::string& source) {
  LP_ASSIGN_OR_RETURN(auto v, JsonMember(obj, key, JsonValue::Kind::kNumber, source));
  int64_t out = 0;
  const char* end = v->string.data() + v->string.size();
  auto [ptr, ec] = std::from_chars(v->string.data(), end, out);
  if (ec != std::errc() || ptr != end) {
    return Status::InvalidData(source + ": line " + std::to_string(v->line) + ": member '" + key +
                               "' is not an integer: " + v->string);
  }
  return out;
}

Result<std::string> JsonString(const JsonValue& obj, const char* key, const std::string& source) {
  LP_ASSIGN_OR_RETURN(auto v, JsonMember(obj, key, JsonValue::Kind::kString, source));
  return v->string;
}

Result<JsonValue> ParseRecord(std::string_view text, const std::string& source) {
  auto doc = ParseJson(text);
  if (!doc.ok()) return Status::InvalidData(source + ": " + doc.status().message());
  return std::move(*doc);
}

}  // namespace lakepack::txlog
