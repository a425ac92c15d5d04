// test_util.h: shared helpers for lakepack's C++ tests.
//
// Store backends under test: every conformance-style test is parameterised over StoreKinds(),
// which always holds "local" and, when the test S3 server is up (scripts/s3-server.sh exports
// LAKEPACK_TEST_S3=1 with AWS_ENDPOINT_URL and credentials), "s3" and "s3-faulty" (the same server
// with ~10% injected faults).  With LAKEPACK_REQUIRE_S3=1 (set by scripts/test.sh) a missing
// server is a failure, not a skip.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <string>
#include <vector>

#include "lakepack/store.h"

namespace lakepack::testing {

// A fresh, empty place to put objects for one test: a temp directory, a unique prefix in the
// test bucket, or a new in-memory store.  Removed (best effort) on destruction.
class Scratch {
 public:
  // kind: "local", "s3", "s3-faulty" (StoreKinds()) or "memory" (an in-memory store).
  explicit Scratch(const std::string& kind);
  // `prefix` (ending with '/') in a store made by the caller: a backend or decorator under test.
  // On destruction every key under `prefix` is deleted.
  Scratch(std::shared_ptr<ObjectStore> store, std::string prefix);
  ~Scratch();
  ObjectStore& store() { return *store_; }
  std::shared_ptr<ObjectStore> shared_store() { return store_; }
  const std::string& prefix() const { return prefix_; }  // ends with '/'
  std::string Key(const std::string& name) const { return prefix_ + name; }
  std::string Uri(const std::string& name) const { return store_->Uri(prefix_ + name); }

 private:
  std::string kind_;
  std::shared_ptr<ObjectStore> store_;
  std::string prefix_;
  std::string local_dir_;
};

// "local" always; "s3" and "s3-faulty" when the test server is configured.
std::vector<std::string> StoreKinds();
bool S3Configured();
// Test-name suffix for a store kind ("s3-faulty" -> "s3_faulty"), for INSTANTIATE_TEST_SUITE_P.
std::string KindName(const ::testing::TestParamInfo<std::string>& info);
std::string TestBucket();  // LAKEPACK_TEST_BUCKET or "lakepack-test"

// Runs the lakepack CLI (LAKEPACK_CLI) with `args` through the shell, with `env` ("K=V ...")
// prepended; returns the exit code and fills `output` with stdout+stderr.
int RunCli(const std::string& args, std::string* output, const std::string& env = "");

// Starts this test binary again with `--gtest_filter=FILTER` and the environment of this process
// (less the variables named in `drop`) plus `extra` ("K=V" each): a child process for tests of
// several processes.  Returns its pid, or -1.
pid_t SpawnSelf(const std::string& filter, const std::vector<std::string>& extra,
                const std::vector<std::string>& drop = {});

// Runs this binary's test `filter` in a child (SpawnSelf) with LAKEPACK_CRASH_AT=k and `extra`
// ("K=V") set, and waits: kFinished when it exits 0 (k is past its last store call), kKilled when
// the crash hook killed it (SIGKILL), kOther otherwise (the caller's test fails then).
enum class CrashRun { kFinished, kKilled, kOther };
CrashRun RunWithCrashAt(int64_t k, const std::string& filter,
                        const std::vector<std::string>& extra);

// Deterministic pseudo-random bytes.
std::string RandomBytes(size_t n, uint64_t seed);

// A local file's bytes ("" if it cannot be read), and a local file written with `data` (its
// directories made first).
std::string ReadLocalFile(const std::string& path);
void WriteLocalFile(const std::string& path, const std::string& data);

}  // namespace lakepack::testing
