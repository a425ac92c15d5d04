// lease_keeper.cc: see lease_keeper.h.
#include "pack/lease_keeper.h"

#include <algorithm>
#include <chrono>

#include "pack/naming.h"
#include "pack/state.h"

namespace lakepack::pack {

std::unique_ptr<LeaseKeeper> LeaseKeeper::Start(std::shared_ptr<ObjectStore> store,
                                                std::string state_prefix, int64_t generation,
                                                int64_t lease_ms, std::string what) {
  auto k = std::make_unique<LeaseKeeper>(Token(), std::move(store), std::move(state_prefix),
                                         generation, lease_ms, std::move(what));
  k->thread_ = std::thread([p = k.get()] { p->Loop(); });
  return k;
}

LeaseKeeper::LeaseKeeper(Token, std::shared_ptr<ObjectStore> store, std::string state_prefix,
                         int64_t generation, int64_t lease_ms, std::string what)
    : store_(std::move(store)),
      state_prefix_(std::move(state_prefix)),
      generation_(generation),
      lease_ms_(lease_ms),
      what_(std::move(what)),
      last_ok_ms_(NowUnixMs()) {}  // the intent, just written, counts as the first renewal

LeaseKeeper::~LeaseKeeper() { Stop(); }

void LeaseKeeper::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Status LeaseKeeper::status() const {
  std::lock_guard<std::mutex> lock(mu_);
  return status_;
}

int64_t LeaseKeeper::renewals() const {
  std::lock_guard<std::mutex> lock(mu_);
  return renewals_;
}

void LeaseKeeper::Loop() {
  const auto period =
      std::chrono::milliseconds(std::max<int64_t>(1, lease_ms_ / kRenewalsPerLease));
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    if (stop_cv_.wait_for(lock, period, [&] { return stopping_; })) return;
    lock.unlock();
    bool held = RenewOnce();
    lock.lock();
    if (!held) return;
  }
}

bool LeaseKeeper::RenewOnce() {
  auto lost = [&](Status st) {
    std::lock_guard<std::mutex> lock(mu_);
    status_ = std::move(st);
    return false;
  };
  // Another packer only starts run G+1 once it found our lease expired.
  auto next = store_->Head(state_prefix_ + IntentName(generation_ + 1));
  if (next.ok()) {
    return lost(Status::Cancelled(what_ + " lost its lock: another packer took over (" +
                                  store_->Uri(state_prefix_ + IntentName(generation_ + 1)) +
                                  " exists) after its lease of " +
                                  std::to_string(lease_ms_ / 1000) + " s was not renewed"));
  }
  Status st = next.status().IsNotFound() ? Status::OK() : next.status();
  if (st.ok()) {
    LeaseRenewal renewal{generation_, NowUnixMs()};
    auto put = store_->Put(state_prefix_ + LeaseName(generation_), ToJson(renewal));
    st = put.status();
    if (st.ok()) {
      last_ok_ms_ = renewal.renewed_ms;
      std::lock_guard<std::mutex> lock(mu_);
      ++renewals_;
      return true;
    }
  }
  if (NowUnixMs() - last_ok_ms_ >= lease_ms_) {
    return lost(Status::IOError(
        what_ + " could not renew its lock for " + std::to_string(lease_ms_ / 1000) + " s (" +
        store_->Uri(state_prefix_ + LeaseName(generation_)) + "): " + st.ToString()));
  }
  return true;  // transient: the next period tries again
}

}  // namespace lakepack::pack
