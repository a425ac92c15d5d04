#include "base/size.h"

#include <gtest/gtest.h>

namespace lakepack {
namespace {

TEST(ParseSize, UnitsDecimalAndBinary) {
  EXPECT_EQ(*ParseSize("1000"), 1000);
  EXPECT_EQ(*ParseSize("256MB"), 256'000'000);
  EXPECT_EQ(*ParseSize("1 GiB"), 1 << 30);
  EXPECT_EQ(*ParseSize("0.5kib"), 512);
  EXPECT_EQ(*ParseSize("5M"), 5'000'000);
  for (const char* bad : {"", "abc", "12 parsecs", "-1", "1e30", "1..2MB"}) {
    EXPECT_FALSE(ParseSize(bad).ok()) << bad;
  }
}

TEST(ParseCount, RejectsJunkAndRange) {
  EXPECT_EQ(*ParseCount("42"), 42);
  EXPECT_EQ(*ParseCount("-3"), -3);
  for (const char* bad : {"", "abc", "4x", "1.5", " 7", "99999999999999999999"}) {
    EXPECT_FALSE(ParseCount(bad).ok()) << bad;
  }
  auto r = ParseCount("0", 1, 64);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("1..64"), std::string::npos) << r.status().message();
  EXPECT_FALSE(ParseCount("65", 1, 64).ok());
  EXPECT_TRUE(ParseCount("64", 1, 64).ok());
}

TEST(ParseDuration, SecondsByDefault) {
  EXPECT_EQ(*ParseDurationMs("30"), 30'000);
  EXPECT_EQ(*ParseDurationMs("500ms"), 500);
  EXPECT_EQ(*ParseDurationMs("15m"), 900'000);
  EXPECT_EQ(*ParseDurationMs("2h"), 7'200'000);
  EXPECT_EQ(*ParseDurationMs("1.5s"), 1'500);
  for (const char* bad : {"", "soon", "3 weeks", "-1"}) EXPECT_FALSE(ParseDurationMs(bad).ok()) << bad;
}

TEST(Format, BytesAndDurations) {
  EXPECT_EQ(FormatBytes(512), "512 B");
  EXPECT_EQ(FormatBytes(1'234'567), "1.23 MB");
  EXPECT_EQ(FormatDuration(7), "0:07");
  EXPECT_EQ(FormatDuration(249), "4:09");
  EXPECT_EQ(FormatDuration(3909), "1:05:09");
}

}  // namespace
}  // namespace lakepack
