// fuzz_json: lakepack's JSON document parser and quoting (base/json.h).
//
// Oracles: a document that parses has every value's line within the text's lines; a string
// quoted by JsonQuote parses back to the same bytes whenever the parser accepts it.
#include <algorithm>

#include "base/json.h"
#include "fuzz_input.h"

namespace {

void CheckLines(const lakepack::JsonValue& v, int max_line) {
  lakepack::fuzz::Check(v.line >= 1 && v.line <= max_line, "line out of range");
  for (const auto& e : v.array) CheckLines(e, max_line);
  for (const auto& [k, e] : v.object) CheckLines(e, max_line);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto doc = lakepack::ParseJson(text);
  if (doc.ok()) CheckLines(*doc, 1 + static_cast<int>(std::count(text.begin(), text.end(), '\n')));
  std::string quoted = lakepack::JsonQuote(text);
  auto back = lakepack::ParseJson(quoted);
  if (back.ok()) {
    lakepack::fuzz::Check(back->kind == lakepack::JsonValue::Kind::kString &&
                              back->string == text,
                          "JsonQuote did not round-trip: " + quoted);
  }
  return 0;
}
