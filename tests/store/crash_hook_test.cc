// The crash hook in OpenStore (store/testing/crash_store.h): with LAKEPACK_CRASH_AT=K (or the older
// LAKEPACK_PACK_CRASH_AT=K) any process that opens its stores through OpenStore is killed just
// before its K-th store call, whatever job it runs.  This binary runs itself again as the child.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "lakepack/store.h"
#include "test_util.h"

namespace lakepack {
namespace {

// The child: five puts of k1..k5 under the directory LAKEPACK_CRASH_CHILD names.
TEST(CrashHookChild, PutsFiveObjects) {
  const char* dir = std::getenv("LAKEPACK_CRASH_CHILD");
  if (!dir) return;
  auto loc = OpenStore(dir);
  ASSERT_TRUE(loc.ok()) << loc.status().ToString();
  for (int k = 1; k <= 5; ++k) {
    ASSERT_TRUE(loc->store->Put(loc->key + "k" + std::to_string(k), "x").ok());
  }
}

// Runs the child with `env`; returns its wait status.
int RunChild(const std::string& dir, const std::string& env) {
  std::vector<std::string> extra = {"LAKEPACK_CRASH_CHILD=" + dir};
  if (!env.empty()) extra.push_back(env);
  pid_t pid = testing::SpawnSelf("CrashHookChild.*", extra,
                                 {"LAKEPACK_CRASH_AT", "LAKEPACK_PACK_CRASH_AT"});
  if (pid < 0) return -1;
  int status = 0;
  ::waitpid(pid, &status, 0);
  return status;
}

TEST(CrashHook, KillsAnyJobAtItsKthStoreCall) {
  testing::Scratch scratch("local");
  for (const char* var : {"LAKEPACK_CRASH_AT", "LAKEPACK_PACK_CRASH_AT"}) {
    const std::string sub = std::string(var) + "/";
    const std::string dir = scratch.Uri(sub);
    int status = RunChild(dir, std::string(var) + "=3");
    ASSERT_TRUE(WIFSIGNALED(status)) << var << ": status " << status;
    EXPECT_EQ(WTERMSIG(status), SIGKILL);
    // Killed before its third call: k1 and k2 were written, k3 was not.
    EXPECT_TRUE(scratch.store().Head(scratch.Key(sub + "k2")).ok()) << var;
    EXPECT_TRUE(scratch.store().Head(scratch.Key(sub + "k3")).status().IsNotFound()) << var;
  }
  // Without the variable the child runs to the end.
  int status = RunChild(scratch.Uri("none/"), "");
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_TRUE(scratch.store().Head(scratch.Key("none/k5")).ok());
}

}  // namespace
}  // namespace lakepack
