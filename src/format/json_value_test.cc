#include "format/json_value.h"

#include <gtest/gtest.h>

namespace lakepack::format {
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

}  // namespace
}  // namespace lakepack::format
