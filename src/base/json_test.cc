#include "base/json.h"

#include <gtest/gtest.h>

namespace lakepack {
namespace {

TEST(JsonQuote, EscapesWhatJsonRequires) {
  EXPECT_EQ(JsonQuote(""), "\"\"");
  EXPECT_EQ(JsonQuote("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(JsonQuote("line\nnext\ttab\rcr"), "\"line\\nnext\\ttab\\rcr\"");
  EXPECT_EQ(JsonQuote(std::string("\x01\x1f", 2)), "\"\\u0001\\u001f\"");
  EXPECT_EQ(JsonQuote("日本 é"), "\"日本 é\"");
}

TEST(JsonQuote, RoundTripsThroughTheParser) {
  for (std::string s : {std::string("plain"), std::string("q\"uo\\te"), std::string("ctl\x02\x7f"),
                        std::string("nul\0in", 6), std::string("s3://b/k with space+%")}) {
    auto v = ParseJson(JsonQuote(s));
    ASSERT_TRUE(v.ok()) << v.status().ToString();
    ASSERT_EQ(v->kind, JsonValue::Kind::kString);
    EXPECT_EQ(v->string, s);
  }
}

TEST(ParseJson, ValuesKnowTheirLine) {
  auto v = ParseJson("{\n  \"a\": 1,\n  \"b\": [\n    true,\n    \"x\"\n  ]\n}");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->line, 1);
  EXPECT_EQ(v->Find("a")->line, 2);
  EXPECT_EQ(v->Find("b")->line, 3);
  EXPECT_EQ(v->Find("b")->array[0].line, 4);
  EXPECT_EQ(v->Find("b")->array[1].line, 5);
}

TEST(ParseJson, ErrorsNameLineAndColumn) {
  auto v = ParseJson("[1,\n 2,\n 3 4]");
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("line 3, column 4"), std::string::npos)
      << v.status().ToString();
  auto bad_number = ParseJson("[\n1,\n-x]");
  ASSERT_FALSE(bad_number.ok());
  EXPECT_NE(bad_number.status().message().find("line 3"), std::string::npos)
      << bad_number.status().ToString();
}

// A document of many values on many lines parses with every line right; the old parser recounted
// from the start for every value (quadratic: 30k pack inputs took 70 s).
TEST(ParseJson, LinesRightInALongDocument) {
  std::string doc = "[";
  const int n = 20000;
  for (int i = 0; i < n; ++i) doc += (i ? ",\n" : "\n") + std::to_string(i);
  doc += "\n]";
  auto v = ParseJson(doc);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  ASSERT_EQ(v->array.size(), static_cast<size_t>(n));
  EXPECT_EQ(v->array[0].line, 2);
  EXPECT_EQ(v->array[n - 1].line, n + 1);
}

TEST(JsonWriter, PlacesCommasAndEscapes) {
  JsonWriter w;
  w.BeginObject()
      .Key("name")
      .String("a\"b")
      .Key("n")
      .Int(-3)
      .Key("x")
      .Double(0.1)
      .Key("inf")
      .Double(1.0 / 0.0)
      .Key("ok")
      .Bool(true)
      .Key("none")
      .Null()
      .Key("list")
      .BeginArray()
      .Int(1)
      .BeginObject()
      .EndObject()
      .BeginArray()
      .EndArray()
      .EndArray()
      .Key("raw")
      .Raw("{\"k\":[1,2]}")
      .EndObject();
  EXPECT_EQ(w.str(),
            "{\"name\":\"a\\\"b\",\"n\":-3,\"x\":0.1,\"inf\":null,\"ok\":true,"
            "\"none\":null,\"list\":[1,{},[]],\"raw\":{\"k\":[1,2]}}");
  auto back = ParseJson(w.str());
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->Find("name")->string, "a\"b");
  EXPECT_EQ(back->Find("list")->array.size(), 3u);
}

}  // namespace
}  // namespace lakepack
