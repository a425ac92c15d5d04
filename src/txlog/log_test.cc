// Unit tests of txlog's Log, CommitWithRetry and FoldedLog on the in-memory store.
#include "txlog/log.h"

#include <gtest/gtest.h>

#include <set>

#include "base/json.h"
#include "store/memory_store.h"
#include "store/testing/lost_answer_store.h"
#include "txlog/commit.h"
#include "txlog/folded.h"

namespace lakepack::txlog {
namespace {

std::unique_ptr<Log> OpenLog(std::shared_ptr<ObjectStore> store, std::string stem = "log-") {
  LogOptions o;
  o.prefix = "tbl/_log/";
  o.stem = std::move(stem);
  auto log = Log::Open(std::move(store), o);
  EXPECT_TRUE(log.ok()) << log.status().ToString();
  return std::move(*log);
}

TEST(Log, NamesAndNumbers) {
  auto log = OpenLog(MemoryStore::Make());
  EXPECT_EQ(log->RecordKey(7), "tbl/_log/log-000000000007.json");
  EXPECT_EQ(log->CheckpointKey(7), "tbl/_log/checkpoint-000000000007.json");
  EXPECT_EQ(ParseRecordName("log-000000000042.json", "log-"), 42);
  EXPECT_EQ(ParseRecordName("log-00000000042.json", "log-"), -1);
  EXPECT_EQ(ParseRecordName("log-00000000004x.json", "log-"), -1);
  EXPECT_EQ(ParseRecordName("commit-000000000042.json", "log-"), -1);
  LogOptions bad;
  bad.prefix = "no-slash";
  EXPECT_TRUE(Log::Open(MemoryStore::Make(), bad).status().code() == StatusCode::kInvalidArgument);
}

TEST(Log, AppendReadLatestAndConflicts) {
  auto store = MemoryStore::Make();
  auto log = OpenLog(store);
  EXPECT_EQ(*log->Latest(), -1);
  ASSERT_TRUE(log->Append(0, "{\"a\":1}").ok());
  ASSERT_TRUE(log->Append(1, "{}").ok());
  auto taken = log->Append(1, "{\"b\":2}");
  EXPECT_TRUE(taken.IsAlreadyExists()) << taken.ToString();
  EXPECT_NE(taken.message().find("log-000000000001.json"), std::string::npos) << taken.message();
  EXPECT_EQ(*log->Latest(), 1);
  auto r0 = log->Read(0);
  ASSERT_TRUE(r0.ok());
  auto doc = ParseJson(*r0);
  ASSERT_TRUE(doc.ok()) << *r0;
  ASSERT_NE(doc->Find("a"), nullptr);
  EXPECT_NE(doc->Find("txlog_writer"), nullptr) << *r0;
  auto r1 = log->Read(1);
  ASSERT_TRUE(ParseJson(*r1).ok()) << *r1;  // an empty object stays valid JSON
  EXPECT_TRUE(log->Read(5).status().IsNotFound());
  // Another Log on the same prefix sees them; other stems and objects do not count.
  ASSERT_TRUE(store->Put("tbl/_log/other-000000000009.json", "x").ok());
  ASSERT_TRUE(store->Put("tbl/_log/log-000000000009.json.tmp", "x").ok());
  auto fresh = OpenLog(store);
  EXPECT_EQ(*fresh->Latest(), 1);
  auto all = fresh->ReadFrom(0);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[1].first, 1);
  EXPECT_EQ(fresh->ReadFrom(1)->size(), 1u);
  EXPECT_TRUE(fresh->ReadFrom(2)->empty());
}

// Latest() lists only after the last known record: one LIST, whatever the history's length.
TEST(Log, LatestListsFromTheLastKnownRecord) {
  class CountingStore : public ForwardingStore {
   public:
    using ForwardingStore::ForwardingStore;
    Result<ListPage> List(const std::string& prefix, const ListOptions& o) override {
      ++lists;
      last_start_after = o.start_after;
      return ForwardingStore::List(prefix, o);
    }
    int lists = 0;
    std::string last_start_after;
  };
  auto counting = std::make_shared<CountingStore>(MemoryStore::Make());
  auto log = OpenLog(counting);
  for (int g = 0; g < 2500; ++g) ASSERT_TRUE(log->Append(g, "{}").ok());
  counting->lists = 0;
  EXPECT_EQ(*log->Latest(), 2499);
  EXPECT_EQ(counting->lists, 1);
  EXPECT_EQ(counting->last_start_after, log->RecordKey(2499));
}

// A lost answer never makes a writer believe it lost when it won, or won when it lost.
TEST(Log, LostAnswersAreSettledByReadingBack) {
  auto inner = MemoryStore::Make();
  testing::LostAnswerOptions lo;
  lo.lost_rate = 1.0;  // every applied put's answer is lost (IOError or AlreadyExists)
  lo.refused_rate = 0.3;
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    lo.seed = seed;
    auto lossy = std::make_shared<testing::LostAnswerStore>(inner, lo);
    LogOptions o;
    o.prefix = "s" + std::to_string(seed) + "/";
    o.max_unclear_attempts = 50;
    auto a = Log::Open(lossy, o).ValueOrDie();
    auto b = Log::Open(lossy, o).ValueOrDie();
    ASSERT_TRUE(a->Append(0, "{\"w\":\"a\"}").ok()) << seed;
    Status st = b->Append(0, "{\"w\":\"b\"}");
    EXPECT_TRUE(st.IsAlreadyExists()) << seed << ": " << st.ToString();
    EXPECT_NE(inner->Get(o.prefix + "log-000000000000.json")->find("\"a\""), std::string::npos);
    EXPECT_GT(lossy->lost(), 0);
  }
}

// Two writers with byte-identical records still get one winner (the token tells them apart).
TEST(Log, IdenticalRecordsHaveOneWinner) {
  auto store = MemoryStore::Make();
  auto a = OpenLog(store), b = OpenLog(store);
  ASSERT_TRUE(a->Append(0, "{\"same\":true}").ok());
  EXPECT_TRUE(b->Append(0, "{\"same\":true}").IsAlreadyExists());
}

TEST(Log, CheckpointsAndPrune) {
  auto store = MemoryStore::Make();
  auto log = OpenLog(store);
  EXPECT_FALSE(log->LatestCheckpoint()->has_value());
  for (int g = 0; g < 10; ++g) ASSERT_TRUE(log->Append(g, "{}").ok());
  ASSERT_TRUE(log->WriteCheckpoint(4, "state-4").ok());
  ASSERT_TRUE(log->WriteCheckpoint(8, "state-8").ok());
  auto cp = log->LatestCheckpoint();
  ASSERT_TRUE(cp.ok() && cp->has_value());
  EXPECT_EQ((*cp)->first, 8);
  EXPECT_EQ((*cp)->second, "state-8");
  EXPECT_EQ(log->PruneBefore(5).code(), StatusCode::kInvalidArgument);  // no checkpoint 5
  ASSERT_TRUE(log->PruneBefore(8).ok());
  EXPECT_TRUE(log->Read(7).status().IsNotFound());
  EXPECT_TRUE(log->Read(8).ok());  // kept: a fresh Log still finds the end
  EXPECT_TRUE(store->Head(log->CheckpointKey(4)).status().IsNotFound());
  auto fresh = OpenLog(store);
  EXPECT_EQ(*fresh->Latest(), 9);
}

TEST(Commit, RetriesOnConflictAndReturnsTheNumber) {
  auto store = MemoryStore::Make();
  auto log = OpenLog(store), rival = OpenLog(store);
  int calls = 0;
  auto g = CommitWithRetry(*log, [&](int64_t latest) -> Result<std::string> {
    ++calls;
    if (calls == 1) {
      // Another writer takes latest+1 between our read and our append.
      EXPECT_TRUE(rival->Append(latest + 1, "{\"rival\":1}").ok());
    }
    return std::string("{\"after\":" + std::to_string(latest) + "}");
  });
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ(*g, 1);
  EXPECT_EQ(calls, 2);
  EXPECT_NE(log->Read(1)->find("\"after\":0"), std::string::npos);
  auto failing = CommitWithRetry(
      *log, [](int64_t) -> Result<std::string> { return Status::InvalidData("bad edit"); });
  EXPECT_EQ(failing.status().code(), StatusCode::kInvalidData);
  // Always beaten: gives up after max_attempts.
  auto beaten = CommitWithRetry(
      *log,
      [&](int64_t latest) -> Result<std::string> {
        EXPECT_TRUE(rival->Append(latest + 1, "{}").ok());
        return std::string("{}");
      },
      3);
  EXPECT_EQ(beaten.status().code(), StatusCode::kUnavailable) << beaten.status().ToString();
}

// A state for FoldedLog: the sum of the records' numbers and how many were applied.
struct Sum {
  int64_t total = 0;
  int64_t applied = 0;
  static Result<Sum> FromCheckpoint(std::string_view text) {
    auto doc = ParseJson(text);
    if (!doc.ok()) return doc.status();
    Sum s;
    s.total = std::stoll(doc->Find("total")->string);
    s.applied = std::stoll(doc->Find("applied")->string);
    return s;
  }
  Status Apply(int64_t g, std::string_view record) {
    auto doc = ParseJson(record);
    if (!doc.ok()) return doc.status();
    const JsonValue* add = doc->Find("add");
    if (!add) return Status::InvalidData("record " + std::to_string(g) + " has no 'add'");
    total += std::stoll(add->string);
    ++applied;
    return Status::OK();
  }
  std::string Checkpoint() const {
    return "{\"total\":" + std::to_string(total) + ",\"applied\":" + std::to_string(applied) + "}";
  }
};

TEST(FoldedLog, LoadsFromCheckpointPlusTail) {
  auto store = MemoryStore::Make();
  auto log = std::shared_ptr<Log>(OpenLog(store));
  FoldedOptions fo;
  fo.checkpoint_every = 10;
  auto a = FoldedLog<Sum>::Load(log, fo);
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  auto b = FoldedLog<Sum>::Load(std::shared_ptr<Log>(OpenLog(store)), fo).ValueOrDie();
  for (int i = 1; i <= 25; ++i) {
    FoldedLog<Sum>& writer = i % 2 ? **a : *b;  // two writers interleaved: each refreshes first
    auto g = writer.Commit([&](const Sum& s, int64_t latest) -> Result<std::string> {
      EXPECT_EQ(s.applied, latest + 1);
      return std::string("{\"add\":" + std::to_string(i) + "}");
    });
    ASSERT_TRUE(g.ok()) << g.status().ToString();
    EXPECT_EQ(*g, i - 1);
  }
  EXPECT_TRUE(store->Head(log->CheckpointKey(10)).ok());
  EXPECT_TRUE(store->Head(log->CheckpointKey(20)).ok());
  auto loaded = FoldedLog<Sum>::Load(std::shared_ptr<Log>(OpenLog(store)), fo);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ((*loaded)->loaded_from_checkpoint(), 20);
  EXPECT_EQ((*loaded)->state().total, 25 * 26 / 2);
  EXPECT_EQ((*loaded)->state().applied, 25);
  EXPECT_EQ((*loaded)->generation(), 24);
  // Refresh reads only what is new.
  ASSERT_TRUE((*a)->Refresh().ok());
  EXPECT_EQ((*a)->state().total, 25 * 26 / 2);
  // A checkpoint pruned history: the load still works from it.
  ASSERT_TRUE(log->PruneBefore(20).ok());
  auto after_prune = FoldedLog<Sum>::Load(std::shared_ptr<Log>(OpenLog(store)), fo);
  ASSERT_TRUE(after_prune.ok()) << after_prune.status().ToString();
  EXPECT_EQ((*after_prune)->state().total, 25 * 26 / 2);
}

TEST(FoldedLog, MissingRecordIsAnError) {
  auto store = MemoryStore::Make();
  auto log = std::shared_ptr<Log>(OpenLog(store));
  ASSERT_TRUE(log->Append(0, "{\"add\":1}").ok());
  ASSERT_TRUE(log->Append(2, "{\"add\":1}").ok());
  auto f = FoldedLog<Sum>::Load(log);
  ASSERT_FALSE(f.ok());
  EXPECT_NE(f.status().message().find("log-000000000001.json"), std::string::npos)
      << f.status().message();
}

}  // namespace
}  // namespace lakepack::txlog
