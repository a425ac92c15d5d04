// lease.cc: see lease.h.
#include "txlog/lease.h"

#include <algorithm>
#include <chrono>

#include "txlog/owner.h"

namespace lakepack::txlog {

Status LeaseOptions::Validate() const {
  if (!store) return Status::InvalidArgument("lease: no store");
  if (lease_key.empty()) return Status::InvalidArgument("lease: no lease key");
  if (!renewal_record || !taken_over) return Status::InvalidArgument("lease: missing callback");
  if (lease_ms <= 0) return Status::InvalidArgument("lease: lease_ms must be positive");
  return Status::OK();
}

Result<std::optional<std::string>> TakenOverOnceExists(ObjectStore& store, const std::string& key,
                                                       const std::string& who) {
  auto head = store.Head(key);
  if (head.ok())
    return std::optional<std::string>(who + " took over (" + store.Uri(key) + " exists)");
  if (head.status().IsNotFound()) return std::optional<std::string>();
  return head.status();
}

std::unique_ptr<LeaseKeeper> LeaseKeeper::Start(LeaseOptions options) {
  auto k = std::make_unique<LeaseKeeper>(Token(), std::move(options));
  k->thread_ = std::thread([p = k.get()] { p->Loop(); });
  return k;
}

LeaseKeeper::LeaseKeeper(Token, LeaseOptions options)
    : o_(std::move(options)), last_ok_ms_(NowUnixMs()) {}

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
      std::chrono::milliseconds(std::max<int64_t>(1, o_.lease_ms / kRenewalsPerLease));
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
  auto taken = o_.taken_over();
  if (taken.ok() && *taken) {
    return lost(Status::Cancelled(o_.what + " lost its lock: " + **taken + " after its lease of " +
                                  std::to_string(o_.lease_ms / 1000) + " s was not renewed"));
  }
  Status st = taken.status();
  if (st.ok()) {
    const int64_t now = NowUnixMs();
    st = o_.store->Put(o_.lease_key, o_.renewal_record(now)).status();
    if (st.ok()) {
      last_ok_ms_ = now;
      std::lock_guard<std::mutex> lock(mu_);
      ++renewals_;
      return true;
    }
  }
  if (NowUnixMs() - last_ok_ms_ >= o_.lease_ms) {
    return lost(Status::IOError(o_.what + " could not renew its lock for " +
                                std::to_string(o_.lease_ms / 1000) + " s (" +
                                o_.store->Uri(o_.lease_key) + "): " + st.ToString()));
  }
  return true;  // transient: the next period tries again
}

}  // namespace lakepack::txlog
