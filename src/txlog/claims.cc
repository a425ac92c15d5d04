// claims.cc: see claims.h.
#include "txlog/claims.h"

#include <algorithm>

#include "txlog/json_fields.h"
#include "txlog/log.h"

namespace lakepack::txlog {
namespace {

constexpr std::string_view kDoneName = "done.json";

std::string ClaimJson(const Claim& c) {
  return "{\"kind\":\"lakepack-claim\",\"version\":1,\"unit\":" + JsonQuote(c.unit) +
         ",\"attempt\":" + std::to_string(c.attempt) + ",\"owner\":" + OwnerToJson(c.owner) +
         ",\"created_ms\":" + std::to_string(c.created_ms) +
         ",\"lease_ms\":" + std::to_string(c.lease_ms) + "}\n";
}

Result<Claim> ParseClaim(std::string_view text, const std::string& source) {
  LP_ASSIGN_OR_RETURN(JsonValue v, ParseRecord(text, source));
  Claim c;
  LP_ASSIGN_OR_RETURN(c.unit, JsonString(v, "unit", source));
  LP_ASSIGN_OR_RETURN(c.attempt, JsonInt(v, "attempt", source));
  LP_ASSIGN_OR_RETURN(auto owner, JsonMember(v, "owner", JsonValue::Kind::kObject, source));
  LP_ASSIGN_OR_RETURN(c.owner, ParseOwner(*owner, source));
  LP_ASSIGN_OR_RETURN(c.created_ms, JsonInt(v, "created_ms", source));
  LP_ASSIGN_OR_RETURN(c.lease_ms, JsonInt(v, "lease_ms", source));
  return c;
}

std::string RenewalJson(int64_t attempt, int64_t now_ms) {
  return "{\"kind\":\"lakepack-claim-lease\",\"version\":1,\"attempt\":" + std::to_string(attempt) +
         ",\"renewed_ms\":" + std::to_string(now_ms) + "}\n";
}

}  // namespace

Status ClaimsOptions::Validate() const {
  if (!prefix.empty() && prefix.back() != '/') {
    return Status::InvalidArgument("claims: prefix '" + prefix + "' must end with '/'");
  }
  if (max_attempts < 0) return Status::InvalidArgument("claims: max_attempts must be >= 0");
  return Status::OK();
}

Result<std::unique_ptr<Claims>> Claims::Open(std::shared_ptr<ObjectStore> store,
                                             ClaimsOptions options) {
  LP_RETURN_NOT_OK(options.Validate());
  if (!store) return Status::InvalidArgument("claims: no store");
  return std::make_unique<Claims>(std::move(store), std::move(options));
}

Status Claims::CheckUnit(const std::string& unit) const {
  if (unit.empty() || unit.find('/') != std::string::npos || unit == "." || unit == "..") {
    return Status::InvalidArgument("claims: bad unit name '" + unit + "' (non-empty, no '/')");
  }
  return Status::OK();
}

std::string Claims::ClaimKey(const std::string& unit, int64_t attempt) const {
  return options_.prefix + unit + "/claim-" + PaddedNumber(attempt) + ".json";
}
std::string Claims::LeaseKey(const std::string& unit, int64_t attempt) const {
  return options_.prefix + unit + "/lease-" + PaddedNumber(attempt) + ".json";
}
std::string Claims::DoneKey(const std::string& unit) const {
  return options_.prefix + unit + "/" + std::string(kDoneName);
}

Result<bool> Claims::IsDone(const std::string& unit) {
  LP_RETURN_NOT_OK(CheckUnit(unit));
  auto head = store_->Head(DoneKey(unit));
  if (head.ok()) return true;
  if (head.status().IsNotFound()) return false;
  return head.status();
}

Result<std::optional<std::string>> Claims::ReadDone(const std::string& unit) {
  LP_RETURN_NOT_OK(CheckUnit(unit));
  auto got = store_->Get(DoneKey(unit));
  if (got.ok()) return std::optional<std::string>(std::move(*got));
  if (got.status().IsNotFound()) return std::optional<std::string>();
  return got.status();
}

Result<std::optional<Claim>> Claims::TryClaim(const std::string& unit, int64_t lease_ms) {
  LP_RETURN_NOT_OK(CheckUnit(unit));
  if (lease_ms <= 0) return Status::InvalidArgument("claims: lease_ms must be positive");
  LP_ASSIGN_OR_RETURN(bool done, IsDone(unit));
  if (done) return std::optional<Claim>();
  LogOptions lo;
  lo.prefix = options_.prefix + unit + "/";
  lo.stem = "claim-";
  LP_ASSIGN_OR_RETURN(auto log, Log::Open(store_, lo));
  LP_ASSIGN_OR_RETURN(int64_t latest, log->Latest());
  if (latest >= 0) {
    const std::string key = ClaimKey(unit, latest);
    LP_ASSIGN_OR_RETURN(std::string text, log->Read(latest));
    LP_ASSIGN_OR_RETURN(Claim held, ParseClaim(text, store_->Uri(key)));
    if (!OwnerIsDeadOnThisHost(held.owner)) {
      int64_t from = held.created_ms;
      auto renewal = store_->Get(LeaseKey(unit, latest));
      if (renewal.ok()) {
        const std::string source = store_->Uri(LeaseKey(unit, latest));
        LP_ASSIGN_OR_RETURN(JsonValue r, ParseRecord(*renewal, source));
        LP_ASSIGN_OR_RETURN(int64_t renewed, JsonInt(r, "renewed_ms", source));
        from = std::max(from, renewed);
      } else if (!renewal.status().IsNotFound()) {
        return renewal.status();
      }
      // A lease no writer of ours makes (<= 0, or so long that from + lease overflows) is taken
      // as held: only the holder's death frees it, never a wrapped-around expiry.
      int64_t expiry = 0;
      if (held.lease_ms <= 0 || __builtin_add_overflow(from, held.lease_ms, &expiry) ||
          NowUnixMs() <= expiry) {
        return std::optional<Claim>();  // held
      }
    }
    if (options_.max_attempts > 0 && latest + 1 >= options_.max_attempts) {
      return Status::Unavailable("claims: " + store_->Uri(options_.prefix + unit) +
                                 " was claimed " + std::to_string(latest + 1) +
                                 " times and never finished; giving it up");
    }
  }
  Claim claim;
  claim.unit = unit;
  claim.attempt = latest + 1;
  claim.owner = ThisProcessOwner();
  claim.created_ms = NowUnixMs();
  claim.lease_ms = lease_ms;
  Status st = log->Append(claim.attempt, ClaimJson(claim));
  if (st.IsAlreadyExists()) return std::optional<Claim>();  // another worker was first
  LP_RETURN_NOT_OK(st);
  // A holder may have finished between our first look and our claim: then there is nothing to do.
  LP_ASSIGN_OR_RETURN(done, IsDone(unit));
  if (done) return std::optional<Claim>();
  return std::optional<Claim>(std::move(claim));
}

Result<std::unique_ptr<LeaseKeeper>> Claims::KeepAlive(const Claim& claim, std::string what) {
  LP_RETURN_NOT_OK(CheckUnit(claim.unit));
  LeaseOptions lo;
  lo.store = store_;
  lo.lease_key = LeaseKey(claim.unit, claim.attempt);
  const int64_t attempt = claim.attempt;
  lo.renewal_record = [attempt](int64_t now_ms) { return RenewalJson(attempt, now_ms); };
  const std::string next = ClaimKey(claim.unit, claim.attempt + 1);
  auto store = store_;
  lo.taken_over = [store, next] { return TakenOverOnceExists(*store, next, "another worker"); };
  lo.lease_ms = claim.lease_ms;
  lo.what = std::move(what);
  LP_RETURN_NOT_OK(lo.Validate());
  return LeaseKeeper::Start(std::move(lo));
}

Status Claims::MarkDone(const std::string& unit, std::string_view record) {
  LP_RETURN_NOT_OK(CheckUnit(unit));
  return PutOnce(*store_, DoneKey(unit), record);
}

Result<std::vector<std::string>> Claims::ListDone() {
  LP_ASSIGN_OR_RETURN(auto all, store_->ListAll(options_.prefix));
  std::vector<std::string> units;
  const std::string tail = "/" + std::string(kDoneName);
  for (const auto& o : all) {
    std::string_view rel = std::string_view(o.key).substr(options_.prefix.size());
    if (rel.size() > tail.size() && rel.substr(rel.size() - tail.size()) == tail) {
      std::string_view unit = rel.substr(0, rel.size() - tail.size());
      if (unit.find('/') == std::string_view::npos) units.emplace_back(unit);
    }
  }
  std::sort(units.begin(), units.end());
  return units;
}

}  // namespace lakepack::txlog
