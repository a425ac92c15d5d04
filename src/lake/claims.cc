// claims.cc: see claims.h.
#include "lake/claims.h"

namespace lakepack::lake {

Result<std::unique_ptr<Claims>> Claims::Open(std::shared_ptr<ObjectStore> store, std::string prefix,
                                             int64_t lease_ms) {
  txlog::ClaimsOptions o;
  o.prefix = std::move(prefix);
  // A group that took down this many workers is poison (a bad file, a crashing user function).
  o.max_attempts = 10;
  LP_ASSIGN_OR_RETURN(auto claims, txlog::Claims::Open(store, o));
  return std::unique_ptr<Claims>(new Claims(std::move(store), std::move(claims), lease_ms));
}

Result<Claims::Outcome> Claims::TryClaim(const std::string& unit) {
  LP_ASSIGN_OR_RETURN(auto claim, claims_->TryClaim(unit, lease_ms_));
  if (!claim) {
    LP_ASSIGN_OR_RETURN(bool done, claims_->IsDone(unit));
    return done ? Outcome::kDone : Outcome::kBusy;
  }
  LP_ASSIGN_OR_RETURN(auto keeper, claims_->KeepAlive(*claim, "lake " + unit));
  std::lock_guard<std::mutex> l(mu_);
  held_[unit] = Held{*claim, std::move(keeper)};
  return Outcome::kClaimed;
}

Status Claims::MarkDone(const std::string& unit, std::string_view record) {
  Status st = claims_->MarkDone(unit, record);
  std::unique_ptr<txlog::LeaseKeeper> keeper;
  {
    std::lock_guard<std::mutex> l(mu_);
    auto it = held_.find(unit);
    if (it != held_.end()) {
      keeper = std::move(it->second.keeper);
      held_.erase(it);
    }
  }
  if (keeper) keeper->Stop();
  if (st.IsAlreadyExists()) return Status::OK();
  return st;
}

Result<std::optional<std::string>> Claims::ReadDone(const std::string& unit) {
  return claims_->ReadDone(unit);
}

void Claims::Release(const std::string& unit) {
  Held h;
  {
    std::lock_guard<std::mutex> l(mu_);
    auto it = held_.find(unit);
    if (it == held_.end()) return;
    h = std::move(it->second);
    held_.erase(it);
  }
  if (h.keeper) h.keeper->Stop();
  (void)store_->Delete(std::vector<std::string>{claims_->LeaseKey(unit, h.claim.attempt),
                                                claims_->ClaimKey(unit, h.claim.attempt)});
}

}  // namespace lakepack::lake
