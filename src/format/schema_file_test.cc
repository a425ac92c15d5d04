// Schema files and type names.
#include "format/schema_file.h"

#include <gtest/gtest.h>

#include "arrow/type.h"

namespace lakepack::format {
namespace {

std::string TypeOf(const std::string& name) {
  auto t = ParseTypeName(name);
  return t.ok() ? (*t)->ToString() : "error: " + t.status().message();
}

TEST(SchemaFile, TypeNames) {
  EXPECT_EQ(TypeOf("int64"), "int64");
  EXPECT_EQ(TypeOf("bool"), "bool");
  EXPECT_EQ(TypeOf("float"), "float");
  EXPECT_EQ(TypeOf("double"), "double");
  EXPECT_EQ(TypeOf("string"), "string");
  EXPECT_EQ(TypeOf("large_string"), "large_string");
  EXPECT_EQ(TypeOf("binary"), "binary");
  EXPECT_EQ(TypeOf("date32"), "date32[day]");
  EXPECT_EQ(TypeOf("timestamp[ms]"), "timestamp[ms]");
  EXPECT_EQ(TypeOf("timestamp[us, tz=UTC]"), "timestamp[us, tz=UTC]");
  EXPECT_EQ(TypeOf("timestamp[ns, Europe/Paris]"), "timestamp[ns, tz=Europe/Paris]");
  EXPECT_EQ(TypeOf("decimal128(12,2)"), "decimal128(12, 2)");
  EXPECT_EQ(TypeOf("decimal256(50, 10)"), "decimal256(50, 10)");
  EXPECT_EQ(TypeOf("list<int64>"), "list<item: int64>");
  EXPECT_EQ(TypeOf("list<item: string>"), "list<item: string>");
  EXPECT_EQ(TypeOf("large_list<list<double>>"), "large_list<item: list<item: double>>");
  EXPECT_EQ(TypeOf("struct<a: int32, b: list<string>>"), "struct<a: int32, b: list<item: string>>");
  EXPECT_EQ(TypeOf("time64[us]"), "time64[us]");
}

TEST(SchemaFile, BadTypeNames) {
  EXPECT_NE(TypeOf("int65").find("unknown type name 'int65'"), std::string::npos);
  EXPECT_NE(TypeOf("timestamp").find("needs a unit"), std::string::npos);
  EXPECT_NE(TypeOf("timestamp[hours]").find("unknown time unit"), std::string::npos);
  EXPECT_NE(TypeOf("decimal128(40,2)").find("precision 40"), std::string::npos);
  EXPECT_NE(TypeOf("decimal128(5,6)").find("scale 6"), std::string::npos);
  EXPECT_NE(TypeOf("list<int64").find("expected '>'"), std::string::npos);
  EXPECT_NE(TypeOf("int64 junk").find("unexpected"), std::string::npos);
  EXPECT_NE(TypeOf("time32[us]").find("time32 takes"), std::string::npos);
}

TEST(SchemaFile, ParsesColumns) {
  auto schema = ParseSchemaJson(R"js({"columns": [
      {"name": "id", "type": "int64", "nullable": false},
      {"name": "amount", "type": "decimal128(12,2)"},
      {"name": "ts", "type": "timestamp[ms]"},
      {"name": "tags", "type": "list<string>"}
  ]})js",
                                "s.json");
  ASSERT_TRUE(schema.ok()) << schema.status().ToString();
  ASSERT_EQ((*schema)->num_fields(), 4);
  EXPECT_EQ((*schema)->field(0)->ToString(), "id: int64 not null");
  EXPECT_EQ((*schema)->field(1)->ToString(), "amount: decimal128(12, 2)");
  EXPECT_EQ((*schema)->field(2)->ToString(), "ts: timestamp[ms]");
  EXPECT_EQ((*schema)->field(3)->ToString(), "tags: list<item: string>");
  // A bare array of columns works too.
  auto bare = ParseSchemaJson(R"([{"name": "x", "type": "utf8"}])", "b.json");
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ((*bare)->ToString(), "x: string");
}

TEST(SchemaFile, ErrorsNameTheFileAndTheEntry) {
  auto bad_type = ParseSchemaJson(
      "{\"columns\": [\n {\"name\": \"id\", \"type\": \"int64\"},\n"
      " {\"name\": \"amount\", \"type\": \"decimal(x)\"}\n]}",
      "my.schema.json");
  ASSERT_FALSE(bad_type.ok());
  EXPECT_NE(bad_type.status().message().find("my.schema.json: line 3: column #2 ('amount')"),
            std::string::npos)
      << bad_type.status().message();

  auto no_name = ParseSchemaJson(R"({"columns": [{"type": "int64"}]})", "f.json");
  EXPECT_NE(no_name.status().message().find("f.json: line 1: column #1: needs a non-empty"),
            std::string::npos)
      << no_name.status().message();

  auto dup = ParseSchemaJson(R"([{"name": "a", "type": "int8"}, {"name": "a", "type": "int8"}])",
                             "d.json");
  EXPECT_NE(dup.status().message().find("duplicate column name"), std::string::npos);

  auto extra = ParseSchemaJson(R"([{"name": "a", "type": "int8", "nulable": true}])", "e.json");
  EXPECT_NE(extra.status().message().find("unknown member \"nulable\""), std::string::npos);

  auto syntax = ParseSchemaJson("{\"columns\": [\n{\"name\": \"a\",, }]}", "x.json");
  ASSERT_FALSE(syntax.ok());
  EXPECT_NE(syntax.status().message().find("x.json: line 2, column"), std::string::npos)
      << syntax.status().message();

  auto not_schema = ParseSchemaJson(R"({"cols": []})", "n.json");
  EXPECT_NE(not_schema.status().message().find("no \"columns\" array"), std::string::npos);
}

}  // namespace
}  // namespace lakepack::format
