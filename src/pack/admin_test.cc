// Tests of the pack state verbs (lakepack/pack_admin.h) on real packs, on every store kind:
// status, unlock (refusals, the owner named, a live run stopping, the next run recovering) and gc
// (what it removes, what it keeps), and the --file-limit floor [MF-4, BE-17].
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "lakepack/pack_admin.h"
#include "pack/naming.h"
#include "pack/packer.h"
#include "pack/state.h"
#include "test_util.h"

namespace lakepack::pack {
namespace {

using lakepack::testing::Scratch;

constexpr int64_t kLimit = 2000;  // small files: a few rows each

// "id,v\n" rows first..first+n-1.
std::string Csv(int first, int n) {
  std::string s = "id,v\n";
  for (int i = first; i < first + n; ++i)
    s += std::to_string(i) + ",value-" + std::to_string(i) + "\n";
  return s;
}

// A row of Csv() as the CSV writer writes it back (strings quoted).
std::string Row(int i) { return std::to_string(i) + ",\"value-" + std::to_string(i) + "\""; }

class PackAdminTest : public ::testing::TestWithParam<std::string> {
 protected:
  PackAdminTest() : scratch_(GetParam()) {}

  void Put(const std::string& name, const std::string& text) {
    ASSERT_TRUE(scratch_.store().Put(scratch_.Key(name), text).ok()) << name;
  }
  bool Exists(const std::string& name) { return scratch_.store().Head(scratch_.Key(name)).ok(); }
  PackOptions Options() {
    PackOptions o;
    o.input_base = scratch_.Uri("land");
    o.output_base = scratch_.Uri("db");
    o.table = "t";
    o.out_ext = "csv";
    o.file_limit_bytes = kLimit;
    o.force = true;
    return o;
  }
  PackStateOptions State() {
    PackStateOptions s;
    s.output_base = scratch_.Uri("db");
    s.table = "t";
    s.out_ext = "csv";
    return s;
  }
  std::string StateDir() { return "db/t/_lakepack/pack/t.csv/"; }
  // Every data row (not headers) of db/t/*.csv, sorted.
  std::vector<std::string> Rows() {
    std::vector<std::string> rows;
    auto all = scratch_.store().ListAll(scratch_.Key("db/t/"));
    EXPECT_TRUE(all.ok());
    for (const auto& o : *all) {
      if (o.key.find("/_lakepack/") != std::string::npos) continue;
      auto text = scratch_.store().Get(o.key);
      EXPECT_TRUE(text.ok());
      size_t start = text->find('\n') + 1;
      while (start < text->size()) {
        size_t end = text->find('\n', start);
        rows.push_back(text->substr(start, end - start));
        start = end + 1;
      }
    }
    std::sort(rows.begin(), rows.end());
    return rows;
  }
  // Writes intent-G as a run on another host would: its lease from now (live) or long past.
  void PutForeignIntent(int64_t g, bool live, const std::string& base_copy = "") {
    Intent i;
    i.generation = g;
    i.owner.host = "packer-elsewhere.example";
    i.owner.boot_id = "not-this-boot";
    i.owner.pid = 4242;
    i.lease_ms = 60'000;
    i.created_ms = live ? NowUnixMs() : NowUnixMs() - 3'600'000;
    // The latest N before the run, as a real run records it (recovery deletes every N above).
    i.prev_latest_n = -1;
    auto files = scratch_.store().ListAll(scratch_.Key("db/t/t_"));
    ASSERT_TRUE(files.ok());
    for (const auto& f : *files)
      i.prev_latest_n = std::max(i.prev_latest_n, *ParseFileNumber(f.key));
    if (!base_copy.empty()) {
      i.base_file = "t_0.csv";
      i.base_copy = base_copy;
    }
    Put(StateDir() + IntentName(g), ToJson(i));
  }

  Scratch scratch_;
};

TEST_P(PackAdminTest, StatusShowsGenerationsLockLastRunAndFiles) {
  Put("land/t/a.csv", Csv(0, 100));
  auto packed = Pack(Options());
  ASSERT_TRUE(packed.ok()) << packed.status().ToString();
  auto s = PackStatus(State());
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->state_uri, scratch_.Uri(StateDir()));
  EXPECT_EQ(s->commits, std::vector<int64_t>{0});
  EXPECT_EQ(s->intents, std::vector<int64_t>{0});
  EXPECT_FALSE(s->lock.held);
  EXPECT_EQ(s->last_generation, 0);
  EXPECT_EQ(s->packed_inputs, std::vector<std::string>{scratch_.Uri("land/t/a.csv")});
  ASSERT_EQ(s->files.size(), packed->files.size());
  int64_t rows = 0;
  for (const auto& f : s->files) rows += f.rows;
  EXPECT_EQ(rows, 100);
  EXPECT_NE(s->ToText().find("lock:     none"), std::string::npos) << s->ToText();
  EXPECT_NE(s->ToJson().find("\"inputs_packed\":1"), std::string::npos) << s->ToJson();

  // A live run elsewhere: its owner and lease are shown.
  PutForeignIntent(1, /*live=*/true);
  s = PackStatus(State());
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_TRUE(s->lock.held);
  EXPECT_TRUE(s->lock.live);
  EXPECT_EQ(s->lock.state, "live");
  EXPECT_EQ(s->lock.owner_host, "packer-elsewhere.example");
  EXPECT_EQ(s->lock.owner_pid, 4242);
  EXPECT_NE(s->ToText().find("run 1 (host packer-elsewhere.example, pid 4242"), std::string::npos)
      << s->ToText();
}

TEST_P(PackAdminTest, StatusOfATableNeverPackedIsNotFoundAndNamesTheStateThatExists) {
  auto none = PackStatus(State());
  ASSERT_FALSE(none.ok());
  EXPECT_TRUE(none.status().IsNotFound()) << none.status().ToString();
  EXPECT_NE(none.status().message().find("check OUTPUT_BASE and TABLE"), std::string::npos)
      << none.status().ToString();
  Put("land/t/a.csv", Csv(0, 10));
  ASSERT_TRUE(Pack(Options()).ok());
  PackStateOptions parquet = State();
  parquet.out_ext = "snappy.parquet";  // packed as csv, asked as parquet
  auto other = PackStatus(parquet);
  ASSERT_FALSE(other.ok());
  EXPECT_TRUE(other.status().IsNotFound());
  EXPECT_NE(other.status().message().find(scratch_.Uri(StateDir())), std::string::npos)
      << other.status().ToString();
}

TEST_P(PackAdminTest, UnlockNeedsYesAndALiveLockAlsoForceThenTheNextRunRecovers) {
  Put("land/t/a.csv", Csv(0, 100));
  ASSERT_TRUE(Pack(Options()).ok());
  Put("land/t/b.csv", Csv(100, 50));
  PutForeignIntent(1, /*live=*/true);
  // The lock holds off a packer...
  auto busy = Pack(Options());
  ASSERT_FALSE(busy.ok());
  EXPECT_NE(busy.status().message().find("packer-elsewhere.example"), std::string::npos);
  // ...and unlock refuses without --yes, and a live lock without --force, naming the owner.
  auto refused = PackUnlock(State(), {/*confirmed=*/false, /*force=*/false});
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("host packer-elsewhere.example, pid 4242"),
            std::string::npos)
      << refused.status().ToString();
  EXPECT_NE(refused.status().message().find("--force --yes"), std::string::npos);
  refused = PackUnlock(State(), {/*confirmed=*/true, /*force=*/false});
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("live"), std::string::npos);
  refused = PackUnlock(State(), {/*confirmed=*/false, /*force=*/true});
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("give --yes (with --force)"), std::string::npos)
      << refused.status().ToString();
  EXPECT_FALSE(Exists(StateDir() + UnlockName(1))) << "a refusal writes nothing";

  auto unlocked = PackUnlock(State(), {/*confirmed=*/true, /*force=*/true});
  ASSERT_TRUE(unlocked.ok()) << unlocked.status().ToString();
  EXPECT_TRUE(unlocked->unlocked);
  EXPECT_TRUE(unlocked->lock.live) << "the report shows the lock as it was";
  EXPECT_TRUE(Exists(StateDir() + UnlockName(1)));
  auto s = PackStatus(State());
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->lock.state, "unlocked");
  EXPECT_FALSE(s->lock.live);
  auto again = PackUnlock(State(), {true, true});
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->unlocked);  // already done: no error, nothing written

  auto recovered = Pack(Options());
  ASSERT_TRUE(recovered.ok()) << recovered.status().ToString();
  EXPECT_TRUE(recovered->recovered);
  EXPECT_EQ(Rows().size(), 150u);
  EXPECT_FALSE(Exists(StateDir() + UnlockName(1))) << "the committing run removes it";
  auto none = PackUnlock(State(), {false, false});
  ASSERT_TRUE(none.ok()) << "no lock: nothing to refuse";
  EXPECT_FALSE(none->unlocked);
  EXPECT_NE(none->message.find("not locked"), std::string::npos);
}

TEST_P(PackAdminTest, AnExpiredLockNeedsOnlyYes) {
  Put("land/t/a.csv", Csv(0, 10));
  ASSERT_TRUE(Pack(Options()).ok());
  PutForeignIntent(1, /*live=*/false);
  auto s = PackStatus(State());
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->lock.state, "expired (its lease passed)");
  EXPECT_FALSE(PackUnlock(State(), {false, false}).ok());
  auto u = PackUnlock(State(), {true, false});
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_TRUE(u->unlocked);
}

// A forced unlock of a run that is still working: that run stops before it commits (it has lost
// its lock), and the next run recovers the table with every row exactly once.
TEST_P(PackAdminTest, ARunWhoseLockIsForciblyReleasedCommitsNothing) {
  Put("land/t/a.csv", Csv(0, 100));
  ASSERT_TRUE(Pack(Options()).ok());
  Put("land/t/b.csv", Csv(100, 300));
  PackOptions o = Options();
  Status unlock_status = Status::Internal("never called");
  bool unlocked = false;
  o.on_file = [&](const std::string&, int64_t, int64_t) {
    if (unlocked) return;
    unlocked = true;
    auto r = PackUnlock(State(), {true, false});  // this process is alive: live, needs force
    EXPECT_FALSE(r.ok());
    auto forced = PackUnlock(State(), {true, true});
    unlock_status = forced.ok() ? Status::OK() : forced.status();
  };
  auto lost = Pack(o);
  ASSERT_TRUE(unlock_status.ok()) << unlock_status.ToString();
  ASSERT_FALSE(lost.ok());
  EXPECT_NE(lost.status().message().find("--unlock"), std::string::npos)
      << lost.status().ToString();
  EXPECT_FALSE(Exists(StateDir() + CommitName(1)));
  auto recovered = Pack(Options());
  ASSERT_TRUE(recovered.ok()) << recovered.status().ToString();
  EXPECT_TRUE(recovered->recovered);
  std::vector<std::string> want;
  for (int i = 0; i < 400; ++i) want.push_back(Row(i));
  std::sort(want.begin(), want.end());
  EXPECT_EQ(Rows(), want);
}

TEST_P(PackAdminTest, GcRemovesOldIntentsLeasesAndBaseCopiesAndKeepsWhatRunsNeed) {
  PackOptions o = Options();
  o.lock_timeout_seconds = 1;  // intents are past their lease a second later
  for (int k = 0; k < 3; ++k) {
    Put("land/t/" + std::to_string(k) + ".csv", Csv(k * 10, 10));
    auto r = Pack(o);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  // What a crash after a commit leaves: a base copy and a lease of a committed run.
  Put(StateDir() + BaseCopyName(1, "t_0.csv"), "id,v\n");
  Put(StateDir() + LeaseName(1), "{}");
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  auto rows_before = Rows();

  auto dry = PackGc(State(), {/*dry_run=*/true});
  ASSERT_TRUE(dry.ok()) << dry.status().ToString();
  std::vector<std::string> want = {scratch_.Uri(StateDir() + BaseCopyName(1, "t_0.csv")),
                                   scratch_.Uri(StateDir() + IntentName(0)),
                                   scratch_.Uri(StateDir() + IntentName(1)),
                                   scratch_.Uri(StateDir() + LeaseName(1))};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(dry->removed, want);
  EXPECT_TRUE(Exists(StateDir() + IntentName(0))) << "a dry run removes nothing";
  auto status = PackStatus(State());
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->garbage, want);

  auto done = PackGc(State(), {/*dry_run=*/false});
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  EXPECT_EQ(done->removed, want);
  for (const auto& name : {IntentName(0), IntentName(1), LeaseName(1)}) {
    EXPECT_FALSE(Exists(StateDir() + name)) << name;
  }
  for (const auto& name : {IntentName(2), CommitName(0), CommitName(1), CommitName(2)}) {
    EXPECT_TRUE(Exists(StateDir() + name)) << name << ": the latest intent and every commit stay";
  }
  EXPECT_EQ(Rows(), rows_before);
  auto twice = PackGc(State(), {false});
  ASSERT_TRUE(twice.ok());
  EXPECT_TRUE(twice->removed.empty());
  // The table packs on as before.
  Put("land/t/9.csv", Csv(90, 10));
  auto next = Pack(o);
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(next->generation, 3);
  EXPECT_EQ(Rows().size(), 40u);
}

TEST_P(PackAdminTest, GcKeepsALiveRunsIntentLeaseAndBaseCopy) {
  PackOptions o = Options();
  o.lock_timeout_seconds = 1;
  Put("land/t/a.csv", Csv(0, 5));
  ASSERT_TRUE(Pack(o).ok());
  const std::string base = BaseCopyName(1, "t_0.csv");
  PutForeignIntent(1, /*live=*/true, base);
  Put(StateDir() + base, "id,v\n");
  Put(StateDir() + LeaseName(1), ToJson(LeaseRenewal{1, NowUnixMs()}));
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  auto gc = PackGc(State(), {false});
  ASSERT_TRUE(gc.ok()) << gc.status().ToString();
  EXPECT_EQ(gc->removed, std::vector<std::string>{scratch_.Uri(StateDir() + IntentName(0))});
  for (const auto& name : {IntentName(1), LeaseName(1), base, CommitName(0)}) {
    EXPECT_TRUE(Exists(StateDir() + name)) << name;
  }
}

// [BE-17] A limit under 1 MB is refused without force (a number without a unit is bytes).
TEST_P(PackAdminTest, ALimitUnderOneMegabyteNeedsForce) {
  Put("land/t/a.csv", Csv(0, 200));
  PackOptions o = Options();
  o.force = false;
  o.file_limit_bytes = 256;
  auto refused = Pack(o);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("--force"), std::string::npos);
  EXPECT_FALSE(Exists("db/t/t_0.csv"));
  o.file_limit_bytes = kMinFileLimitBytes;
  EXPECT_TRUE(o.Validate().ok());
  o.file_limit_bytes = 256;
  o.force = true;
  auto forced = Pack(o);
  ASSERT_TRUE(forced.ok()) << forced.status().ToString();
  EXPECT_GT(forced->files.size(), 1u);
}

INSTANTIATE_TEST_SUITE_P(Stores, PackAdminTest,
                         ::testing::ValuesIn(lakepack::testing::StoreKinds()),
                         lakepack::testing::KindName);

}  // namespace
}  // namespace lakepack::pack
