// json_fields.h: typed members of parsed JSON records, with errors that name the record.
//
// Every record reader in txlog and its users (pack's intents and commits, claims) needs "the
// integer member X of this object, or an error naming the object's URI and line".
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>

#include "base/json.h"
#include "lakepack/status.h"

namespace lakepack::txlog {

// The member `key` of `obj` if it has `kind`; else InvalidData "SOURCE: line L: missing KIND
// member 'KEY'".
Result<const JsonValue*> JsonMember(const JsonValue& obj, const char* key, JsonValue::Kind kind,
                                    const std::string& source);
Result<int64_t> JsonInt(const JsonValue& obj, const char* key, const std::string& source);
Result<std::string> JsonString(const JsonValue& obj, const char* key, const std::string& source);
// `text` parsed as one JSON document; errors are InvalidData naming `source`.
Result<JsonValue> ParseRecord(std::string_view text, const std::string& source);

}  // namespace lakepack::txlog
