// The txlog race suite: many writers append the same record numbers at once — threads of one
// process and several processes (this binary run again as workers) — through a store that loses
// answers after applying puts (store/testing/lost_answer_store.h), on the in-memory store, local
// disk, S3 and S3 with ~10% injected faults.  Every commit a writer was told succeeded is in the
// log exactly once at the number it was told, every commit is there (none lost, none duplicated),
// and the numbers have no gap.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <latch>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "base/json.h"
#include "store/testing/lost_answer_store.h"
#include "test_util.h"
#include "txlog/commit.h"
#include "txlog/log.h"

namespace lakepack::txlog {
namespace {

using lakepack::testing::Scratch;

// A commit as its writer saw it: writer "W" committed its i-th record as number g.
struct Won {
  std::string writer;
  int64_t i = 0;
  int64_t g = 0;
};

// Over every writer of this process: commit attempts made, and answers the decorator lost.
std::atomic<int64_t> g_tries{0}, g_lost{0};

// Lost answers often, refusals sometimes: most appends meet at least one.
testing::LostAnswerOptions Lossy(uint64_t seed) {
  testing::LostAnswerOptions o;
  o.lost_rate = 0.2;
  o.refused_rate = 0.05;
  o.seed = seed;
  o.max_delay_us = 100;  // on memory, a call's microseconds become ~50: writers overlap
  return o;
}

LogOptions RaceLog(const std::string& prefix) {
  LogOptions o;
  o.prefix = prefix;
  o.stem = "race-";
  o.max_unclear_attempts = 50;  // 5% refusals x 50 in a row: never
  return o;
}

// `commits` records {"writer":W,"i":i} committed by one writer; what it was told, appended to out.
Status RunWriter(std::shared_ptr<ObjectStore> store, const std::string& prefix,
                 const std::string& writer, int commits, uint64_t seed, std::vector<Won>* out) {
  auto lossy = std::make_shared<testing::LostAnswerStore>(std::move(store), Lossy(seed));
  LP_ASSIGN_OR_RETURN(auto log, Log::Open(lossy, RaceLog(prefix)));
  CommitOptions co;
  co.max_attempts = 10'000;  // contention, not failure: every writer gets through eventually
  co.max_backoff_us = 20'000;
  for (int i = 0; i < commits; ++i) {
    const std::string record =
        "{\"writer\":" + JsonQuote(writer) + ",\"i\":" + std::to_string(i) + "}";
    LP_ASSIGN_OR_RETURN(int64_t g, CommitWithRetry(
                                       *log,
                                       [&](int64_t) -> Result<std::string> {
                                         ++g_tries;
                                         return record;
                                       },
                                       co));
    out->push_back({writer, i, g});
  }
  g_lost += lossy->lost();
  return Status::OK();
}

// Checks the log against what the writers were told.
void ExpectExactlyOnce(ObjectStore& store, const std::string& prefix, const std::vector<Won>& won,
                       const std::set<std::pair<std::string, int64_t>>& expected) {
  auto log = Log::Open(std::shared_ptr<ObjectStore>(&store, [](ObjectStore*) {}), RaceLog(prefix))
                 .ValueOrDie();
  auto records = log->ReadFrom(0);
  ASSERT_TRUE(records.ok()) << records.status().ToString();
  std::map<int64_t, std::pair<std::string, int64_t>> at;
  std::set<std::pair<std::string, int64_t>> seen;
  int64_t next = 0;
  for (const auto& [g, text] : *records) {
    ASSERT_EQ(g, next) << "a gap before record " << g;
    ++next;
    auto doc = ParseJson(text);
    ASSERT_TRUE(doc.ok()) << text;
    std::pair<std::string, int64_t> id(doc->Find("writer")->string,
                                       std::stoll(doc->Find("i")->string));
    EXPECT_TRUE(seen.insert(id).second)
        << "duplicated: " << id.first << " #" << id.second << " (again at " << g << ")";
    at[g] = id;
  }
  EXPECT_EQ(seen, expected) << "commits lost or invented";
  EXPECT_EQ(records->size(), expected.size());
  EXPECT_EQ(won.size(), expected.size()) << "a writer failed";
  for (const auto& w : won) {
    auto it = at.find(w.g);
    ASSERT_NE(it, at.end()) << w.writer << " was told " << w.g;
    EXPECT_EQ(it->second, std::make_pair(w.writer, w.i))
        << w.writer << " #" << w.i << " was told it won " << w.g;
  }
}

std::vector<std::string> RaceKinds() {
  std::vector<std::string> kinds = {"memory"};
  for (const auto& k : lakepack::testing::StoreKinds()) kinds.push_back(k);
  return kinds;
}

class TxlogRace : public ::testing::TestWithParam<std::string> {
 protected:
  TxlogRace() : scratch_(GetParam()) {}
  bool remote() const { return GetParam() != "memory" && GetParam() != "local"; }
  Scratch scratch_;
};

TEST_P(TxlogRace, ThreadsAppendTheSameNumbers) {
  const int threads = remote() ? 4 : 8, commits = remote() ? 6 : 30;
  const std::string prefix = scratch_.Key("log/");
  const int64_t tries_before = g_tries.load(), lost_before = g_lost.load();
  std::vector<std::vector<Won>> won(threads);
  std::vector<Status> status(threads);
  std::vector<std::thread> pool;
  std::latch start(threads);  // all at once, or the first thread is done before the last starts
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      start.arrive_and_wait();
      status[t] = RunWriter(scratch_.shared_store(), prefix, "t" + std::to_string(t), commits,
                            100 + t, &won[t]);
    });
  }
  for (auto& t : pool) t.join();
  std::vector<Won> all;
  std::set<std::pair<std::string, int64_t>> expected;
  for (int t = 0; t < threads; ++t) {
    EXPECT_TRUE(status[t].ok()) << status[t].ToString();
    all.insert(all.end(), won[t].begin(), won[t].end());
    for (int i = 0; i < commits; ++i) expected.insert({"t" + std::to_string(t), i});
  }
  ExpectExactlyOnce(scratch_.store(), prefix, all, expected);
  // The race was real: writers lost races (tries > commits) and answers were lost.
  EXPECT_GT(g_tries.load() - tries_before, static_cast<int64_t>(all.size()));
  EXPECT_GT(g_lost.load() - lost_before, 0);
  std::printf("%lld commits, %lld attempts, %lld lost answers\n",
              static_cast<long long>(all.size()),
              static_cast<long long>(g_tries.load() - tries_before),
              static_cast<long long>(g_lost.load() - lost_before));
}

// Worker processes: this binary with LAKEPACK_RACE_WORKER="URI|WRITER|COMMITS|SEED|OUT" runs
// RaceWorker.Run alone, which appends and writes what it was told to OUT.
TEST_P(TxlogRace, ProcessesAppendTheSameNumbers) {
  if (GetParam() == "memory") GTEST_SKIP() << "processes share no memory store";
  const int processes = 3, commits = remote() ? 5 : 15;
  const std::string uri = scratch_.Uri("plog/");
  std::string kind = GetParam();
  std::replace(kind.begin(), kind.end(), '-', '_');
  const std::string dir =
      ::testing::TempDir() + "lakepack-race-" + std::to_string(::getpid()) + "-" + kind;
  std::vector<pid_t> pids;
  std::vector<std::string> outs;
  for (int p = 0; p < processes; ++p) {
    const std::string out = dir + "-" + std::to_string(p) + ".txt";
    std::remove(out.c_str());
    outs.push_back(out);
    std::vector<std::string> env = {"LAKEPACK_RACE_WORKER=" + uri + "|p" + std::to_string(p) + "|" +
                                    std::to_string(commits) + "|" + std::to_string(200 + p) + "|" +
                                    out};
    if (GetParam() == "s3-faulty") env.push_back("LAKEPACK_FAULT_RATE=0.1");
    pid_t pid = lakepack::testing::SpawnSelf("RaceWorker.Run", env);
    ASSERT_GT(pid, 0);
    pids.push_back(pid);
  }
  for (pid_t pid : pids) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "worker status " << status;
  }
  std::vector<Won> all;
  std::set<std::pair<std::string, int64_t>> expected;
  for (int p = 0; p < processes; ++p) {
    std::ifstream in(outs[p]);
    Won w;
    while (in >> w.writer >> w.i >> w.g) all.push_back(w);
    std::remove(outs[p].c_str());
    for (int i = 0; i < commits; ++i) expected.insert({"p" + std::to_string(p), i});
  }
  ExpectExactlyOnce(scratch_.store(), scratch_.Key("plog/"), all, expected);
}

INSTANTIATE_TEST_SUITE_P(Stores, TxlogRace, ::testing::ValuesIn(RaceKinds()),
                         lakepack::testing::KindName);

// The worker side of ProcessesAppendTheSameNumbers; passes trivially in a normal run.
TEST(RaceWorker, Run) {
  const char* spec = std::getenv("LAKEPACK_RACE_WORKER");
  if (!spec) return;
  std::vector<std::string> f;
  std::stringstream ss(spec);
  for (std::string part; std::getline(ss, part, '|');) f.push_back(part);
  ASSERT_EQ(f.size(), 5u) << spec;
  auto loc = OpenStore(f[0]);
  ASSERT_TRUE(loc.ok()) << loc.status().ToString();
  std::vector<Won> won;
  Status st = RunWriter(loc->store, loc->key, f[1], std::stoi(f[2]), std::stoull(f[3]), &won);
  std::ofstream out(f[4]);
  for (const auto& w : won) out << w.writer << " " << w.i << " " << w.g << "\n";
  ASSERT_TRUE(st.ok()) << st.ToString();
}

}  // namespace
}  // namespace lakepack::txlog
