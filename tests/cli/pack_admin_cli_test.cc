// `lakepack pack --status / --unlock / --gc` and the --file-limit floor through the CLI, on every
// store kind: exit codes (0 done, 1 failed or refused, 2 usage), --json for reports and errors,
// and the text a user reads [MF-4, BE-17].  The rules themselves are tested in
// src/pack/admin_test.cc.
#include <gtest/gtest.h>

#include "base/json.h"
#include "pack/naming.h"
#include "pack/state.h"
#include "test_util.h"

namespace lakepack {
namespace {

using testing::RunCli;
using testing::Scratch;

class PackAdminCli : public ::testing::TestWithParam<std::string> {
 protected:
  PackAdminCli() : scratch_(GetParam()) {}

  void Put(const std::string& name, const std::string& text) {
    ASSERT_TRUE(scratch_.store().Put(scratch_.Key(name), text).ok()) << name;
  }
  bool Exists(const std::string& name) { return scratch_.store().Head(scratch_.Key(name)).ok(); }
  // `lakepack pack OUT t ARGS` (the state verbs' short form); output in *out.
  int Admin(const std::string& args, std::string* out) {
    return RunCli("pack " + scratch_.Uri("db") + " t --out-ext csv " + args, out);
  }
  int Pack(const std::string& args, std::string* out) {
    return RunCli(
        "pack " + scratch_.Uri("land") + " " + scratch_.Uri("db") + " t --out-ext csv " + args,
        out);
  }
  JsonValue Json(const std::string& text) {
    auto v = ParseJson(text);
    EXPECT_TRUE(v.ok()) << "not one JSON document: " << text;
    return v.ok() ? *v : JsonValue{};
  }
  void PackSome() {
    Put("land/t/a.csv", "id,v\n1,a\n2,b\n3,c\n");
    std::string out;
    ASSERT_EQ(Pack("", &out), 0) << out;
  }
  // A run on another host holding the lock now (generation 1).
  void PutLiveForeignLock() {
    pack::Intent i;
    i.generation = 1;
    i.owner.host = "packer-elsewhere.example";
    i.owner.boot_id = "b";
    i.owner.pid = 4242;
    i.created_ms = pack::NowUnixMs();
    i.lease_ms = 600'000;
    i.prev_latest_n = 0;  // PackSome wrote t_0.csv: recovery deletes only what is above
    Put(state_ + pack::IntentName(1), pack::ToJson(i));
  }

  Scratch scratch_;
  const std::string state_ = "db/t/_lakepack/pack/t.csv/";
};

TEST_P(PackAdminCli, StatusTextAndJson) {
  PackSome();
  std::string out;
  ASSERT_EQ(Admin("--status", &out), 0) << out;
  EXPECT_NE(out.find("state:    " + scratch_.Uri(state_)), std::string::npos) << out;
  EXPECT_NE(out.find("lock:     none"), std::string::npos) << out;
  EXPECT_NE(out.find("inputs:   1 packed"), std::string::npos) << out;
  EXPECT_NE(out.find("t_0.csv  3 rows"), std::string::npos) << out;
  // The full pack command line plus --status works too (INPUT_BASE unused).
  ASSERT_EQ(Pack("--status --json", &out), 0) << out;
  JsonValue s = Json(out);
  ASSERT_EQ(s.kind, JsonValue::Kind::kObject);
  EXPECT_EQ(s.Find("commits")->array.size(), 1u);
  EXPECT_FALSE(s.Find("lock")->Find("held")->boolean);
  EXPECT_EQ(s.Find("last_commit")->Find("files")->array.size(), 1u);
  EXPECT_EQ(s.Find("last_commit")->Find("inputs")->array[0].string, scratch_.Uri("land/t/a.csv"));

  PutLiveForeignLock();
  ASSERT_EQ(Admin("--status --json", &out), 0) << out;
  s = Json(out);
  EXPECT_EQ(s.Find("lock")->Find("owner")->Find("host")->string, "packer-elsewhere.example");
  EXPECT_TRUE(s.Find("lock")->Find("live")->boolean);
}

TEST_P(PackAdminCli, StatusOfAMissingTableFailsWithExitOne) {
  std::string out;
  EXPECT_EQ(RunCli("pack " + scratch_.Uri("db") + " nosuch --status", &out), 1) << out;
  EXPECT_NE(out.find("lakepack: error: pack: no pack state at"), std::string::npos) << out;
  EXPECT_EQ(RunCli("pack " + scratch_.Uri("db") + " nosuch --status --json", &out), 1) << out;
  JsonValue e = Json(out);
  ASSERT_NE(e.Find("error"), nullptr) << out;
  EXPECT_EQ(e.Find("error")->Find("code")->string, "NotFound");
  EXPECT_EQ(e.Find("exit_code")->number, 1);
}

TEST_P(PackAdminCli, UsageErrorsExitTwo) {
  std::string out;
  EXPECT_EQ(Admin("--status --gc", &out), 2) << out;
  EXPECT_NE(out.find("one of --status, --unlock and --gc"), std::string::npos) << out;
  EXPECT_EQ(RunCli("pack " + scratch_.Uri("db") + " t", &out), 2) << "two positionals, no verb";
  EXPECT_NE(out.find("INPUT_BASE OUTPUT_BASE TABLE"), std::string::npos) << out;
  EXPECT_EQ(Pack("--yes", &out), 2) << out;
  EXPECT_EQ(RunCli("pack " + scratch_.Uri("db") + " .bad --status --json", &out), 2) << out;
  EXPECT_EQ(Json(out).Find("error")->Find("code")->string, "usage") << out;
}

TEST_P(PackAdminCli, UnlockShowsTheOwnerRefusesWithoutYesAndALiveLockWithoutForce) {
  PackSome();
  std::string out;
  ASSERT_EQ(Admin("--unlock", &out), 0) << out;
  EXPECT_NE(out.find("not locked"), std::string::npos) << out;

  PutLiveForeignLock();
  EXPECT_EQ(Admin("--unlock", &out), 1) << out;
  EXPECT_NE(out.find("host packer-elsewhere.example, pid 4242"), std::string::npos) << out;
  EXPECT_EQ(Admin("--unlock --yes --json", &out), 1) << out;
  JsonValue e = Json(out);
  EXPECT_EQ(e.Find("error")->Find("code")->string, "InvalidArgument") << out;
  EXPECT_NE(e.Find("error")->Find("message")->string.find("--force --yes"), std::string::npos);
  EXPECT_FALSE(Exists(state_ + pack::UnlockName(1)));
  ASSERT_EQ(Admin("--unlock --force --yes --json", &out), 0) << out;
  JsonValue u = Json(out);
  EXPECT_TRUE(u.Find("unlocked")->boolean);
  EXPECT_EQ(u.Find("lock")->Find("owner")->Find("host")->string, "packer-elsewhere.example");
  EXPECT_TRUE(Exists(state_ + pack::UnlockName(1)));
  // The next run recovers at once.
  Put("land/t/b.csv", "id,v\n4,d\n");
  ASSERT_EQ(Pack("--json", &out), 0) << out;
  JsonValue r = Json(out);
  EXPECT_TRUE(r.Find("recovered")->boolean) << out;
  ASSERT_EQ(Admin("--status --json", &out), 0) << out;
  double rows = 0;
  for (const auto& f : Json(out).Find("last_commit")->Find("files")->array) {
    rows += f.Find("rows")->number;
  }
  EXPECT_EQ(rows, 4) << out;
}

TEST_P(PackAdminCli, GcIsADryRunUnlessYes) {
  PackSome();
  Put(state_ + pack::BaseCopyName(0, "t_0.csv"), "id,v\n");  // left by a crash after a commit
  std::string out;
  ASSERT_EQ(Admin("--gc", &out), 0) << out;
  const std::string base = scratch_.Uri(state_ + pack::BaseCopyName(0, "t_0.csv"));
  EXPECT_NE(out.find("would remove " + base), std::string::npos) << out;
  EXPECT_NE(out.find("give --yes to remove them"), std::string::npos) << out;
  EXPECT_TRUE(Exists(state_ + pack::BaseCopyName(0, "t_0.csv")));
  ASSERT_EQ(Admin("--gc --dry-run --yes --json", &out), 0) << out;
  EXPECT_TRUE(Json(out).Find("dry_run")->boolean);
  EXPECT_TRUE(Exists(state_ + pack::BaseCopyName(0, "t_0.csv")));
  ASSERT_EQ(Admin("--gc --yes --json", &out), 0) << out;
  JsonValue g = Json(out);
  EXPECT_FALSE(g.Find("dry_run")->boolean);
  ASSERT_EQ(g.Find("removed")->array.size(), 1u) << out;
  EXPECT_EQ(g.Find("removed")->array[0].string, base);
  EXPECT_FALSE(Exists(state_ + pack::BaseCopyName(0, "t_0.csv")));
  EXPECT_TRUE(Exists(state_ + pack::IntentName(0)));
  EXPECT_TRUE(Exists(state_ + pack::CommitName(0)));
}

// [BE-17] `--file-limit 256` (bytes: the unit forgotten) is a usage error naming --force.
TEST_P(PackAdminCli, ALimitUnderOneMegabyteNeedsForce) {
  Put("land/t/a.csv", "id,v\n1,a\n2,b\n");
  std::string out;
  EXPECT_EQ(Pack("--file-limit 256", &out), 2) << out;
  EXPECT_NE(out.find("under 1 MB"), std::string::npos) << out;
  EXPECT_NE(out.find("--force"), std::string::npos) << out;
  EXPECT_FALSE(Exists("db/t/t_0.csv"));
  EXPECT_EQ(Pack("--file-limit 256 --json", &out), 2) << out;
  EXPECT_EQ(Json(out).Find("error")->Find("code")->string, "usage") << out;
  ASSERT_EQ(Pack("--file-limit 256 --force", &out), 0) << out;
  EXPECT_TRUE(Exists("db/t/t_0.csv"));
  EXPECT_EQ(Pack("--file-limit 1MB --dry-run", &out), 0) << out;
}

INSTANTIATE_TEST_SUITE_P(Stores, PackAdminCli, ::testing::ValuesIn(testing::StoreKinds()),
                         testing::KindName);

}  // namespace
}  // namespace lakepack
