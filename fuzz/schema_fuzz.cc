// fuzz_schema: schema files and type names (format/schema_file.h) on arbitrary text.
//
// Oracle: a schema that parses has valid Arrow types, and each field's type name printed the way
// the schema file spells it is not needed for that; the printed schema must not crash.
#include "arrow/type.h"
#include "format/schema_file.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  lakepack::fuzz::Input in(data, size);
  if (in.Bit(0)) {
    auto type = lakepack::format::ParseTypeName(in.rest);
    if (type.ok()) lakepack::fuzz::Check(*type != nullptr, "null type");
    if (type.ok()) (void)(*type)->ToString();
    return 0;
  }
  auto schema = lakepack::format::ParseSchemaJson(in.rest, "fuzz.schema.json");
  if (schema.ok()) {
    lakepack::fuzz::Check(*schema != nullptr, "null schema");
    for (const auto& f : (*schema)->fields()) lakepack::fuzz::Check(f->type() != nullptr, "null field type");
    (void)(*schema)->ToString();
  } else {
    lakepack::fuzz::Check(schema.status().message().find("fuzz.schema.json") != std::string::npos,
                          "error does not name the file: " + schema.status().ToString());
  }
  return 0;
}
