// Bad input through the CLI: one clear line naming the file and the place, exit code 1, and no
// output object left visible.  Covers the local store and, when configured, the S3 server.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "test_util.h"

namespace lakepack {
namespace {

namespace fs = std::filesystem;
using testing::RunCli;

class ErrorsCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("lakepack-err-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string P(const std::string& name) { return (dir_ / name).string(); }
  void Write(const std::string& name, const std::string& data) {
    std::ofstream(dir_ / name, std::ios::binary) << data;
  }
  // Runs the CLI; expects failure with exit 1 and one error line containing every `needle`.
  void ExpectFailure(const std::string& args, const std::vector<std::string>& needles,
                     const std::string& env = "") {
    std::string out;
    int rc = RunCli(args, &out, env);
    EXPECT_EQ(rc, 1) << args << "\n" << out;
    EXPECT_NE(out.find("lakepack: error:"), std::string::npos) << out;
    for (const auto& n : needles)
      EXPECT_NE(out.find(n), std::string::npos) << "missing '" << n << "' in: " << out;
    EXPECT_LE(std::count(out.begin(), out.end(), '\n'), 2) << "expected one line, got: " << out;
  }
  fs::path dir_;
};

TEST_F(ErrorsCli, MissingInputFile) {
  ExpectFailure("convert " + P("missing.csv") + " " + P("out.parquet"), {"missing.csv"});
  EXPECT_FALSE(fs::exists(P("out.parquet")));
}

TEST_F(ErrorsCli, MalformedCsvRowNamesTheLine) {
  std::string csv = "a,b,c\n";
  for (int i = 0; i < 100; ++i) csv += std::to_string(i) + ",x,1.5\n";
  csv += "100,y\n";  // line 102: a column short
  for (int i = 101; i < 120; ++i) csv += std::to_string(i) + ",z,2.5\n";
  Write("bad.csv", csv);
  ExpectFailure("convert " + P("bad.csv") + " " + P("out.parquet"), {"bad.csv", "102"});
  EXPECT_FALSE(fs::exists(P("out.parquet")));
  for (auto& e : fs::directory_iterator(dir_)) {
    EXPECT_EQ(e.path().filename().string().find("out.parquet"), std::string::npos)
        << "left behind: " << e.path();
  }
}

TEST_F(ErrorsCli, BadJsonLineNamesTheLine) {
  std::string jsonl;
  for (int i = 0; i < 50; ++i) jsonl += "{\"a\": " + std::to_string(i) + ", \"b\": \"x\"}\n";
  jsonl += "{\"a\": 50, \"b\": \"x\"\n";  // line 51: not closed
  jsonl += "{\"a\": 51, \"b\": \"y\"}\n";
  Write("bad.jsonl", jsonl);
  ExpectFailure("convert " + P("bad.jsonl") + " " + P("out.csv"), {"bad.jsonl", "51"});
  EXPECT_FALSE(fs::exists(P("out.csv")));
}

// A nested --schema sends JSON Lines through Arrow's reader, which crashed (SIGSEGV) on a `null`
// first line (issue 16, F3).
TEST_F(ErrorsCli, NullJsonLineWithANestedSchemaNamesTheLine) {
  Write("list.schema.json", R"({"columns":[{"name":"a","type":"list<int64>"}]})");
  Write("null.jsonl", "null");
  ExpectFailure(
      "convert " + P("null.jsonl") + " " + P("out.parquet") + " --schema " + P("list.schema.json"),
      {"null.jsonl: line 1: ", "expected an object, got a null"});
  EXPECT_FALSE(fs::exists(P("out.parquet")));
  ExpectFailure("inspect " + P("null.jsonl") + " --schema " + P("list.schema.json"),
                {"null.jsonl: line 1: "});
  Write("late.jsonl", "{\"a\": [1]}\n\n{\"a\": []}\nnull\n{\"a\": [2, 3]}\n");
  ExpectFailure(
      "convert " + P("late.jsonl") + " " + P("out.parquet") + " --schema " + P("list.schema.json"),
      {"late.jsonl: line 4: ", "expected an object, got a null"});
  EXPECT_FALSE(fs::exists(P("out.parquet")));
}

TEST_F(ErrorsCli, TruncatedAndCorruptParquet) {
  std::string out;
  Write("ok.csv", "a,b\n1,x\n2,y\n3,z\n");
  ASSERT_EQ(RunCli("convert --quiet " + P("ok.csv") + " " + P("ok.parquet"), &out), 0) << out;
  std::ifstream in(P("ok.parquet"), std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  ASSERT_GT(bytes.size(), 20u);
  Write("trunc.parquet", bytes.substr(0, bytes.size() / 2));
  ExpectFailure("convert " + P("trunc.parquet") + " " + P("t.csv"), {"trunc.parquet"});
  EXPECT_FALSE(fs::exists(P("t.csv")));
  Write("garbage.parquet", std::string(1000, 'g'));
  ExpectFailure("inspect " + P("garbage.parquet"), {"garbage.parquet"});
}

TEST_F(ErrorsCli, UnreachableEndpointFailsQuickly) {
  Write("ok.csv", "a\n1\n");
  // Port 9 (discard) on loopback: nothing listens there.
  auto start = std::chrono::steady_clock::now();
  ExpectFailure("cp " + P("ok.csv") + " s3://lakepack-test/x.csv --endpoint-url http://127.0.0.1:9",
                {"127.0.0.1:9"},
                "AWS_ACCESS_KEY_ID=k AWS_SECRET_ACCESS_KEY=s AWS_EC2_METADATA_DISABLED=true");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(60));
}

// [CO-6] A user name or password written into the endpoint URL is never echoed, in text or JSON.
TEST_F(ErrorsCli, EndpointUserinfoIsNeverEchoed) {
  Write("ok.csv", "a\n1\n");
  const std::string env =
      "AWS_ACCESS_KEY_ID=k AWS_SECRET_ACCESS_KEY=s AWS_EC2_METADATA_DISABLED=true";
  for (const std::string& json : {std::string(""), std::string(" --json")}) {
    std::string out;
    const std::string args = "cp " + P("ok.csv") +
                             " s3://lakepack-test/x.csv --endpoint-url "
                             "http://alice:s3cr3t@127.0.0.1:9" +
                             json;
    EXPECT_EQ(RunCli(args, &out, env), 1) << out;
    EXPECT_EQ(out.find("s3cr3t"), std::string::npos) << out;
    EXPECT_EQ(out.find("alice"), std::string::npos) << out;
    EXPECT_NE(out.find("http://***@127.0.0.1:9"), std::string::npos) << out;
  }
  std::string out;
  EXPECT_EQ(RunCli("ls s3://lakepack-test/", &out,
                   env + " AWS_ENDPOINT_URL=https://bob:pw0rd@127.0.0.1:9"),
            1)
      << out;
  EXPECT_EQ(out.find("pw0rd"), std::string::npos) << out;
}

TEST_F(ErrorsCli, WrongCredentialsAreNamed) {
  if (!testing::S3Configured()) GTEST_SKIP() << "no S3 test server";
  Write("ok.csv", "a\n1\n");
  const std::string dst = "s3://" + testing::TestBucket() + "/errors/denied.csv";
  ExpectFailure("cp " + P("ok.csv") + " " + dst, {"denied.csv"},
                "AWS_SECRET_ACCESS_KEY=wrong-secret");
  std::string out;
  EXPECT_EQ(RunCli("ls s3://" + testing::TestBucket() + "/errors/", &out), 0) << out;
  EXPECT_EQ(out.find("denied.csv"), std::string::npos)
      << "object visible after a failed write: " << out;
}

}  // namespace
}  // namespace lakepack
