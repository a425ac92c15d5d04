// lost_answer_store.cc: see lost_answer_store.h.
#include "store/testing/lost_answer_store.h"

#include <chrono>
#include <thread>

namespace lakepack::testing {
namespace {

class LostAnswerWriter final : public ObjectWriter {
 public:
  LostAnswerWriter(LostAnswerStore* store, std::string key, bool if_absent,
                   std::unique_ptr<ObjectWriter> w)
      : store_(store), key_(std::move(key)), if_absent_(if_absent), w_(std::move(w)) {}
  Status Write(const void* data, size_t size) override { return w_->Write(data, size); }
  Result<ObjectInfo> Finish() override {
    if (store_->Draw(store_->options().refused_rate)) return store_->Refused(key_);
    auto r = w_->Finish();
    if (r.ok() && store_->Draw(store_->options().lost_rate)) {
      return store_->LostAnswer(key_, if_absent_);
    }
    return r;
  }
  Status Abort() override { return w_->Abort(); }
  int64_t bytes_written() const override { return w_->bytes_written(); }

 private:
  LostAnswerStore* store_;
  const std::string key_;
  const bool if_absent_;
  std::unique_ptr<ObjectWriter> w_;
};

}  // namespace

LostAnswerStore::LostAnswerStore(std::shared_ptr<ObjectStore> inner, LostAnswerOptions options)
    : ForwardingStore(std::move(inner)), options_(options), rng_(options.seed) {}

bool LostAnswerStore::Draw(double p) {
  if (p <= 0) return false;
  std::lock_guard<std::mutex> lock(mu_);
  return std::uniform_real_distribution<double>(0, 1)(rng_) < p;
}

Status LostAnswerStore::LostAnswer(const std::string& key, bool if_absent) {
  ++lost_;
  if (if_absent && Draw(0.5)) {
    return Status::AlreadyExists(Uri(key) +
                                 " already exists (injected: the retry of a put whose "
                                 "answer was lost)");
  }
  return Status::IOError("injected: the answer to the put of " + Uri(key) +
                         " was lost after it was applied");
}

Status LostAnswerStore::Refused(const std::string& key) {
  ++refused_;
  return Status::IOError("injected: the put of " + Uri(key) + " failed before it was applied");
}

void LostAnswerStore::Delay() {
  if (options_.max_delay_us <= 0) return;
  int64_t us;
  {
    std::lock_guard<std::mutex> lock(mu_);
    us = std::uniform_int_distribution<int64_t>(0, options_.max_delay_us)(rng_);
  }
  std::this_thread::sleep_for(std::chrono::microseconds(us));
}

Result<ListPage> LostAnswerStore::List(const std::string& prefix, const ListOptions& options) {
  Delay();
  return inner().List(prefix, options);
}

Result<std::string> LostAnswerStore::Get(const std::string& key) {
  Delay();
  if (Draw(options_.get_fail_rate)) {
    return Status::IOError("injected: the get of " + Uri(key) + " failed");
  }
  return inner().Get(key);
}

Result<ObjectInfo> LostAnswerStore::Put(const std::string& key, std::string_view data,
                                        const PutOptions& options) {
  Delay();
  if (Draw(options_.refused_rate)) return Refused(key);
  auto r = inner().Put(key, data, options);
  if (r.ok() && Draw(options_.lost_rate)) return LostAnswer(key, options.if_absent);
  return r;
}

Result<std::unique_ptr<ObjectWriter>> LostAnswerStore::OpenWriter(const std::string& key,
                                                                  const WriterOptions& options) {
  LP_ASSIGN_OR_RETURN(auto w, inner().OpenWriter(key, options));
  return std::unique_ptr<ObjectWriter>(
      new LostAnswerWriter(this, key, options.put.if_absent, std::move(w)));
}

}  // namespace lakepack::testing
