// Unit tests of txlog's claims, lease keeper and owner liveness on the in-memory store.
#include "txlog/claims.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "store/memory_store.h"
#include "txlog/lease.h"
#include "txlog/owner.h"

namespace lakepack::txlog {
namespace {

std::unique_ptr<Claims> OpenClaims(std::shared_ptr<ObjectStore> store, int max_attempts = 5) {
  ClaimsOptions o;
  o.prefix = "job/claims/";
  o.max_attempts = max_attempts;
  return Claims::Open(std::move(store), o).ValueOrDie();
}

TEST(Owner, LivenessOnThisHost) {
  Owner me = ThisProcessOwner();
  EXPECT_FALSE(OwnerIsDeadOnThisHost(me));
  pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ASSERT_GT(child, 0);
  ::waitpid(child, nullptr, 0);
  Owner gone = me;
  gone.pid = child;
  EXPECT_TRUE(OwnerIsDeadOnThisHost(gone));
  Owner reused = me;
  reused.start_ticks = me.start_ticks + 1;  // our pid, another process's start time
  EXPECT_TRUE(OwnerIsDeadOnThisHost(reused));
  Owner elsewhere = gone;
  elsewhere.host = "another-host";
  EXPECT_FALSE(OwnerIsDeadOnThisHost(elsewhere));  // only the lease can tell
  auto doc = ParseJson(OwnerToJson(me));
  ASSERT_TRUE(doc.ok());
  auto back = ParseOwner(*doc, "test");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->pid, me.pid);
  EXPECT_EQ(back->boot_id, me.boot_id);
}

TEST(Claims, OneClaimantPerUnitAndDoneMarkers) {
  auto store = MemoryStore::Make();
  auto a = OpenClaims(store), b = OpenClaims(store);
  auto first = a->TryClaim("group-1", 60'000);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_TRUE(first->has_value());
  EXPECT_EQ((*first)->attempt, 0);
  EXPECT_TRUE(store->Head("job/claims/group-1/claim-000000000000.json").ok());
  // Held by a live owner (ourselves): nobody else gets it.
  auto second = b->TryClaim("group-1", 60'000);
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(second->has_value());
  EXPECT_FALSE(*a->IsDone("group-1"));
  ASSERT_TRUE(a->MarkDone("group-1", "{\"rows\":10}").ok());
  EXPECT_TRUE(*b->IsDone("group-1"));
  EXPECT_TRUE(b->MarkDone("group-1", "{\"rows\":11}").IsAlreadyExists());
  EXPECT_NE((*b->ReadDone("group-1"))->find("\"rows\":10"), std::string::npos);
  EXPECT_FALSE(b->TryClaim("group-1", 60'000)->has_value());  // done: nothing to claim
  ASSERT_TRUE(b->MarkDone("group-0", "{}").ok());
  EXPECT_EQ(*b->ListDone(), (std::vector<std::string>{"group-0", "group-1"}));
  EXPECT_FALSE(b->ReadDone("group-9")->has_value());
  EXPECT_EQ(a->TryClaim("a/b", 1).status().code(), StatusCode::kInvalidArgument);
}

// A dead holder's unit is re-claimed at once; an expired lease on another host too; a unit that
// keeps failing is given up.
TEST(Claims, ReclaimAfterDeathOrExpiryAndGiveUp) {
  auto store = MemoryStore::Make();
  auto claims = OpenClaims(store, /*max_attempts=*/3);
  // Attempt 0 by a process that is gone.
  pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ::waitpid(child, nullptr, 0);
  Owner gone = ThisProcessOwner();
  gone.pid = child;
  const std::string claim0 = "{\"unit\":\"u\",\"attempt\":0,\"owner\":" + OwnerToJson(gone) +
                             ",\"created_ms\":" + std::to_string(NowUnixMs()) +
                             ",\"lease_ms\":600000}";
  ASSERT_TRUE(store->PutIfAbsent(claims->ClaimKey("u", 0), claim0).ok());
  auto c1 = claims->TryClaim("u", 50);
  ASSERT_TRUE(c1.ok() && c1->has_value()) << c1.status().ToString();
  EXPECT_EQ((*c1)->attempt, 1);
  // Attempt 1 is ours (alive) and unexpired: held.
  EXPECT_FALSE(claims->TryClaim("u", 50)->has_value());
  // On another host only the lease tells: claim 1 was rewritten as foreign, lease 50 ms.
  Owner foreign = ThisProcessOwner();
  foreign.host = "elsewhere";
  ASSERT_TRUE(store->Delete(claims->ClaimKey("u", 1)).ok());
  const std::string claim1 = "{\"unit\":\"u\",\"attempt\":1,\"owner\":" + OwnerToJson(foreign) +
                             ",\"created_ms\":" + std::to_string(NowUnixMs()) + ",\"lease_ms\":50}";
  ASSERT_TRUE(store->PutIfAbsent(claims->ClaimKey("u", 1), claim1).ok());
  EXPECT_FALSE(claims->TryClaim("u", 50)->has_value());
  std::this_thread::sleep_for(std::chrono::milliseconds(80));
  auto c2 = claims->TryClaim("u", 50);
  ASSERT_TRUE(c2.ok() && c2->has_value()) << c2.status().ToString();
  EXPECT_EQ((*c2)->attempt, 2);
  // Three claims without a done marker: the unit is given up once attempt 2 is gone too.
  ASSERT_TRUE(store->Delete(claims->ClaimKey("u", 2)).ok());
  const std::string claim2 = "{\"unit\":\"u\",\"attempt\":2,\"owner\":" + OwnerToJson(gone) +
                             ",\"created_ms\":0,\"lease_ms\":1}";
  ASSERT_TRUE(store->PutIfAbsent(claims->ClaimKey("u", 2), claim2).ok());
  auto given_up = claims->TryClaim("u", 50);
  EXPECT_EQ(given_up.status().code(), StatusCode::kUnavailable) << given_up.status().ToString();
}

// Many threads claim the same units at once: each unit is claimed exactly once.
TEST(Claims, RacingWorkersClaimEachUnitOnce) {
  auto store = MemoryStore::Make();
  constexpr int kUnits = 20, kWorkers = 8;
  std::atomic<int> claimed[kUnits] = {};
  std::vector<std::thread> workers;
  for (int w = 0; w < kWorkers; ++w) {
    workers.emplace_back([&] {
      auto claims = OpenClaims(store);
      for (int u = 0; u < kUnits; ++u) {
        auto c = claims->TryClaim("unit-" + std::to_string(u), 60'000);
        ASSERT_TRUE(c.ok()) << c.status().ToString();
        if (c->has_value()) ++claimed[u];
      }
    });
  }
  for (auto& t : workers) t.join();
  for (int u = 0; u < kUnits; ++u) EXPECT_EQ(claimed[u].load(), 1) << "unit " << u;
}

TEST(LeaseKeeper, RenewsAndNoticesTakeOver) {
  auto store = MemoryStore::Make();
  auto claims = OpenClaims(store);
  auto claim = claims->TryClaim("u", 90);
  ASSERT_TRUE(claim.ok() && claim->has_value());
  auto keeper = claims->KeepAlive(**claim, "unit u");
  ASSERT_TRUE(keeper.ok()) << keeper.status().ToString();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // ~6 renewal periods
  EXPECT_TRUE((*keeper)->status().ok()) << (*keeper)->status().ToString();
  EXPECT_GE((*keeper)->renewals(), 2);
  EXPECT_TRUE(store->Head(claims->LeaseKey("u", 0)).ok());
  // Renewed past its own lease: still held.
  EXPECT_FALSE(claims->TryClaim("u", 90)->has_value());
  // Someone takes over (as after a long stall): the keeper notices within a period.
  ASSERT_TRUE(store->PutIfAbsent(claims->ClaimKey("u", 1), "{}").ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(120));
  Status lost = (*keeper)->status();
  EXPECT_EQ(lost.code(), StatusCode::kCancelled) << lost.ToString();
  EXPECT_NE(lost.message().find("unit u lost its lock: another worker took over"),
            std::string::npos)
      << lost.message();
  (*keeper)->Stop();
}

TEST(LeaseKeeper, ValidatesItsOptions) {
  LeaseOptions o;
  EXPECT_FALSE(o.Validate().ok());
  o.store = MemoryStore::Make();
  o.lease_key = "lease.json";
  o.renewal_record = [](int64_t) { return std::string("{}"); };
  o.taken_over = []() -> Result<std::optional<std::string>> {
    return std::optional<std::string>();
  };
  EXPECT_FALSE(o.Validate().ok());  // lease_ms
  o.lease_ms = 30;
  EXPECT_TRUE(o.Validate().ok());
}

}  // namespace
}  // namespace lakepack::txlog
