#include "test_util.h"

#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>

#include "store/local_store.h"
#include "store/memory_store.h"
#include "store/test_hooks.h"

extern char** environ;

namespace lakepack::testing {

bool S3Configured() {
  const char* v = std::getenv("LAKEPACK_TEST_S3");
  return v && std::string(v) == "1" && std::getenv("AWS_ENDPOINT_URL");
}

std::string KindName(const ::testing::TestParamInfo<std::string>& info) {
  std::string n = info.param;
  std::replace(n.begin(), n.end(), '-', '_');
  return n;
}

std::string TestBucket() {
  const char* b = std::getenv("LAKEPACK_TEST_BUCKET");
  return b ? b : "lakepack-test";
}

std::vector<std::string> StoreKinds() {
  std::vector<std::string> kinds = {"local"};
  // With LAKEPACK_REQUIRE_S3=1 the S3 kinds are listed even without a server, so that their
  // tests fail (in Scratch) instead of silently not running.
  const char* required = std::getenv("LAKEPACK_REQUIRE_S3");
  if (S3Configured() || (required && std::string(required) == "1")) {
    kinds.push_back("s3");
    kinds.push_back("s3-faulty");
  }
  return kinds;
}

static std::string UniqueName() {
  static std::atomic<int> counter{0};
  auto now = std::chrono::steady_clock::now().time_since_epoch().count();
  return std::to_string(::getpid()) + "-" + std::to_string(now) + "-" + std::to_string(counter++);
}

Scratch::Scratch(std::shared_ptr<ObjectStore> store, std::string prefix)
    : kind_("custom"), store_(std::move(store)), prefix_(std::move(prefix)) {}

Scratch::Scratch(const std::string& kind) : kind_(kind) {
  if (kind == "memory") {
    store_ = MemoryStore::Make();
    prefix_ = "t/";
    return;
  }
  if (kind == "local") {
    local_dir_ =
        (std::filesystem::temp_directory_path() / ("lakepack-test-" + UniqueName())).string();
    std::filesystem::create_directories(local_dir_);
    store_ = LocalStore::Make(local_dir_).ValueOrDie();
    prefix_ = "t/";
    return;
  }
  StoreTestHooks hooks;
  if (kind == "s3-faulty") hooks.fault_rate = 0.1;
  auto loc = S3Configured()
                 ? OpenStoreWithHooks("s3://" + TestBucket() + "/", {}, hooks)
                 : Result<StoreLocation>(Status::InvalidArgument(
                       "LAKEPACK_REQUIRE_S3=1 but LAKEPACK_TEST_S3/AWS_ENDPOINT_URL unset"));
  if (!loc.ok()) {
    ADD_FAILURE() << "cannot open the S3 test store: " << loc.status().ToString();
    store_ = LocalStore::Make("/tmp").ValueOrDie();
  } else {
    store_ = loc->store;
  }
  prefix_ = "scratch/" + UniqueName() + "/";
}

Scratch::~Scratch() {
  if (!local_dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(local_dir_, ec);
    return;
  }
  auto all = store_->ListAll(prefix_);
  if (!all.ok()) return;
  std::vector<std::string> keys;
  for (auto& o : *all) keys.push_back(o.key);
  if (!keys.empty()) (void)store_->Delete(keys);
}

int RunCli(const std::string& args, std::string* output, const std::string& env) {
  const char* cli = std::getenv("LAKEPACK_CLI");
  std::string cmd = (env.empty() ? "" : "env " + env + " ") + std::string(cli ? cli : "lakepack") +
                    " " + args + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return -1;
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int rc = ::pclose(p);
  if (output) *output = out;
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

pid_t SpawnSelf(const std::string& filter, const std::vector<std::string>& extra,
                const std::vector<std::string>& drop) {
  std::vector<std::string> strings;
  for (char** e = environ; *e; ++e) {
    std::string s = *e;
    bool dropped = false;
    for (const auto& name : drop) dropped = dropped || s.rfind(name + "=", 0) == 0;
    if (!dropped) strings.push_back(std::move(s));
  }
  strings.insert(strings.end(), extra.begin(), extra.end());
  std::vector<char*> envp;
  for (auto& s : strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::string self = "/proc/self/exe", flag = "--gtest_filter=" + filter;
  char* argv[] = {self.data(), flag.data(), nullptr};
  pid_t pid = 0;
  if (::posix_spawn(&pid, self.c_str(), nullptr, nullptr, argv, envp.data()) != 0) return -1;
  return pid;
}

CrashRun RunWithCrashAt(int64_t k, const std::string& filter,
                        const std::vector<std::string>& extra) {
  std::vector<std::string> env = extra;
  env.push_back("LAKEPACK_CRASH_AT=" + std::to_string(k));
  pid_t pid = SpawnSelf(filter, env, {"LAKEPACK_CRASH_AT"});
  if (pid < 0) return CrashRun::kOther;
  int status = 0;
  if (::waitpid(pid, &status, 0) != pid) return CrashRun::kOther;
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return CrashRun::kFinished;
  if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) return CrashRun::kKilled;
  return CrashRun::kOther;
}

std::string ReadLocalFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void WriteLocalFile(const std::string& path, const std::string& data) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << data;
}

std::string RandomBytes(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string s(n, '\0');
  for (size_t i = 0; i < n; i += 8) {
    uint64_t v = rng();
    for (size_t j = 0; j < 8 && i + j < n; ++j) s[i + j] = static_cast<char>(v >> (8 * j));
  }
  return s;
}

}  // namespace lakepack::testing
