// crash_store.cc: see crash_store.h.
#include "pack/crash_store.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>

namespace lakepack::pack {
namespace {

std::atomic<int64_t> g_steps{0};

void Step(int64_t crash_at, const char* what) {
  int64_t k = ++g_steps;
  if (k == crash_at) {
    std::fprintf(stderr, "lakepack: LAKEPACK_PACK_CRASH_AT=%lld: killed before %s\n",
                 static_cast<long long>(k), what);
    std::fflush(stderr);
    ::raise(SIGKILL);
  }
}

class CrashWriter final : public ObjectWriter {
 public:
  CrashWriter(std::unique_ptr<ObjectWriter> w, int64_t at) : w_(std::move(w)), at_(at) {}
  Status Write(const void* data, size_t size) override {
    Step(at_, "write");
    return w_->Write(data, size);
  }
  Result<ObjectInfo> Finish() override {
    Step(at_, "finish");
    return w_->Finish();
  }
  Status Abort() override { return w_->Abort(); }
  int64_t bytes_written() const override { return w_->bytes_written(); }

 private:
  std::unique_ptr<ObjectWriter> w_;
  int64_t at_;
};

class CrashStore final : public ObjectStore {
 public:
  CrashStore(std::shared_ptr<ObjectStore> s, int64_t at) : s_(std::move(s)), at_(at) {}
  std::string root_uri() const override { return s_->root_uri(); }
  Result<ObjectInfo> Head(const std::string& key) override {
    Step(at_, "head");
    return s_->Head(key);
  }
  Result<std::string> Get(const std::string& key) override {
    Step(at_, "get");
    return s_->Get(key);
  }
  Result<std::string> GetRange(const std::string& key, int64_t offset, int64_t length) override {
    Step(at_, "get-range");
    return s_->GetRange(key, offset, length);
  }
  Result<ObjectInfo> Put(const std::string& key, std::string_view data,
                         const PutOptions& options) override {
    Step(at_, "put");
    return s_->Put(key, data, options);
  }
  Result<ListPage> List(const std::string& prefix, const ListOptions& options) override {
    Step(at_, "list");
    return s_->List(prefix, options);
  }
  Status Delete(const std::vector<std::string>& keys) override {
    Step(at_, "delete");
    return s_->Delete(keys);
  }
  Result<ObjectInfo> Copy(const std::string& src, const std::string& dst) override {
    Step(at_, "copy");
    return s_->Copy(src, dst);
  }
  Result<std::unique_ptr<ObjectWriter>> OpenWriter(const std::string& key,
                                                   const WriterOptions& options) override {
    Step(at_, "open-writer");
    LP_ASSIGN_OR_RETURN(auto w, s_->OpenWriter(key, options));
    return std::unique_ptr<ObjectWriter>(new CrashWriter(std::move(w), at_));
  }
  // Not local: readers then go through the store (and its counted calls).
  Status AbortIncompleteWrites(const std::string& key) override {
    return s_->AbortIncompleteWrites(key);
  }
  bool is_local() const override { return false; }

 private:
  std::shared_ptr<ObjectStore> s_;
  int64_t at_;
};

}  // namespace

std::shared_ptr<ObjectStore> MaybeWrapForCrashTest(std::shared_ptr<ObjectStore> store) {
  const char* v = std::getenv("LAKEPACK_PACK_CRASH_AT");
  if (!v || !*v) return store;
  int64_t at = std::atoll(v);
  if (at <= 0) return store;
  return std::make_shared<CrashStore>(std::move(store), at);
}

}  // namespace lakepack::pack
