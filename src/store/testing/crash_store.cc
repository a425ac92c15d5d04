// crash_store.cc: see crash_store.h.
#include "store/testing/crash_store.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>

#include "store/forwarding_store.h"

namespace lakepack {
namespace {

std::atomic<int64_t> g_steps{0};

void Step(int64_t crash_at, const char* what) {
  int64_t k = ++g_steps;
  if (k == crash_at) {
    std::fprintf(stderr, "lakepack: LAKEPACK_CRASH_AT=%lld: killed before %s\n",
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

class CrashStore final : public ForwardingStore {
 public:
  CrashStore(std::shared_ptr<ObjectStore> s, int64_t at) : ForwardingStore(std::move(s)), at_(at) {}
  Result<ObjectInfo> Head(const std::string& key) override {
    Step(at_, "head");
    return inner().Head(key);
  }
  Result<std::string> Get(const std::string& key) override {
    Step(at_, "get");
    return inner().Get(key);
  }
  Result<std::string> GetRange(const std::string& key, int64_t offset, int64_t length) override {
    Step(at_, "get-range");
    return inner().GetRange(key, offset, length);
  }
  Result<int64_t> ReadRange(const std::string& key, int64_t offset, int64_t length,
                            char* out) override {
    // The base class turns this into one GetRange (counted once), as before the hook moved.
    return ObjectStore::ReadRange(key, offset, length, out);
  }
  Result<ObjectInfo> Put(const std::string& key, std::string_view data,
                         const PutOptions& options) override {
    Step(at_, "put");
    return inner().Put(key, data, options);
  }
  Result<ListPage> List(const std::string& prefix, const ListOptions& options) override {
    Step(at_, "list");
    return inner().List(prefix, options);
  }
  Status Delete(const std::vector<std::string>& keys) override {
    Step(at_, "delete");
    return inner().Delete(keys);
  }
  Result<ObjectInfo> Copy(const std::string& src, const std::string& dst) override {
    Step(at_, "copy");
    return inner().Copy(src, dst);
  }
  Result<std::unique_ptr<ObjectWriter>> OpenWriter(const std::string& key,
                                                   const WriterOptions& options) override {
    Step(at_, "open-writer");
    LP_ASSIGN_OR_RETURN(auto w, inner().OpenWriter(key, options));
    return std::unique_ptr<ObjectWriter>(new CrashWriter(std::move(w), at_));
  }
  bool is_local() const override { return false; }
  std::string LocalPath(const std::string&) const override { return {}; }

 private:
  int64_t at_;
};

int64_t CrashAt() {
  for (const char* name : {"LAKEPACK_CRASH_AT", "LAKEPACK_PACK_CRASH_AT"}) {
    const char* v = std::getenv(name);
    if (v && *v) return std::atoll(v);
  }
  return 0;
}

}  // namespace

std::shared_ptr<ObjectStore> MaybeWrapForCrashTest(std::shared_ptr<ObjectStore> store) {
  static const int64_t at = CrashAt();
  if (at <= 0) return store;
  return std::make_shared<CrashStore>(std::move(store), at);
}

}  // namespace lakepack
