// claims.cc: see claims.h.
#include "lake/claims.h"

#include <random>

#include "base/json.h"
#include "pack/state.h"

namespace lakepack::lake {
namespace {

std::string Nonce() {
  static thread_local std::mt19937_64 rng(std::random_device{}() ^
                                          static_cast<uint64_t>(pack::NowUnixMs()));
  return std::to_string(rng());
}

std::string ClaimJson(const pack::Owner& o, int64_t now, int64_t lease_ms, const std::string& nonce) {
  JsonWriter w;
  w.BeginObject();
  w.Key("owner").BeginObject();
  w.Key("host").String(o.host);
  w.Key("boot_id").String(o.boot_id);
  w.Key("pid").Int(o.pid);
  w.Key("start_ticks").Int(o.start_ticks);
  w.EndObject();
  w.Key("created_ms").Int(now);
  w.Key("lease_ms").Int(lease_ms);
  w.Key("nonce").String(nonce);
  w.EndObject();
  return w.str();
}

struct ClaimRecord {
  pack::Owner owner;
  int64_t created_ms = 0, lease_ms = 0;
  std::string nonce;
};

int64_t Int(const JsonValue* v) {
  return v && v->kind == JsonValue::Kind::kNumber ? std::stoll(v->string) : 0;
}
std::string Str(const JsonValue* v) {
  return v && v->kind == JsonValue::Kind::kString ? v->string : std::string();
}

Result<ClaimRecord> ParseClaim(const std::string& text, const std::string& source) {
  auto j = ParseJson(text);
  if (!j.ok() || j->kind != JsonValue::Kind::kObject) {
    return Status::InvalidData(source + ": not a claim record");
  }
  ClaimRecord c;
  if (const JsonValue* o = j->Find("owner"); o && o->kind == JsonValue::Kind::kObject) {
    c.owner.host = Str(o->Find("host"));
    c.owner.boot_id = Str(o->Find("boot_id"));
    c.owner.pid = Int(o->Find("pid"));
    c.owner.start_ticks = Int(o->Find("start_ticks"));
  }
  c.created_ms = Int(j->Find("created_ms"));
  c.lease_ms = Int(j->Find("lease_ms"));
  c.nonce = Str(j->Find("nonce"));
  return c;
}

std::string ClaimName(int64_t n) { return "claim-" + std::to_string(n) + ".json"; }

}  // namespace

Result<std::optional<std::string>> Claims::ReadDone(const std::string& unit) {
  auto got = store_->Get(UnitPrefix(unit) + "done.json");
  if (got.status().IsNotFound()) return std::optional<std::string>();
  LP_RETURN_NOT_OK(got.status());
  return std::optional<std::string>(std::move(*got));
}

Result<Claims::Outcome> Claims::TryClaim(const std::string& unit) {
  LP_ASSIGN_OR_RETURN(auto done, ReadDone(unit));
  if (done) return Outcome::kDone;
  const std::string dir = UnitPrefix(unit);
  LP_ASSIGN_OR_RETURN(auto objects, store_->ListAll(dir + "claim-"));
  int64_t latest = -1;
  for (const auto& o : objects) {
    std::string base = o.key.substr(dir.size());
    if (base.rfind("claim-", 0) != 0) continue;
    try {
      latest = std::max<int64_t>(latest, std::stoll(base.substr(6)));
    } catch (...) {
    }
  }
  int64_t next = latest + 1;
  if (latest >= 0) {
    auto text = store_->Get(dir + ClaimName(latest));
    if (text.ok()) {
      LP_ASSIGN_OR_RETURN(ClaimRecord c, ParseClaim(*text, store_->Uri(dir + ClaimName(latest))));
      bool dead = pack::OwnerIsDeadOnThisHost(c.owner);
      bool expired = pack::NowUnixMs() > c.created_ms + c.lease_ms;
      if (!dead && !expired) return Outcome::kBusy;
    } else if (!text.status().IsNotFound()) {
      return text.status();
    } else {
      next = latest;  // released: take the same attempt number again
    }
  }
  const std::string nonce = Nonce();
  const std::string key = dir + ClaimName(next);
  auto put = store_->PutIfAbsent(key, ClaimJson(pack::ThisProcessOwner(), pack::NowUnixMs(),
                                                lease_ms_, nonce));
  if (!put.ok()) {
    if (!put.status().IsAlreadyExists()) return put.status();
    auto text = store_->Get(key);
    if (!text.ok()) return text.status().IsNotFound() ? Outcome::kBusy : Result<Outcome>(text.status());
    LP_ASSIGN_OR_RETURN(ClaimRecord c, ParseClaim(*text, store_->Uri(key)));
    if (c.nonce != nonce) return Outcome::kBusy;  // another worker won the race
  }
  // Done while we claimed (a worker that finished and exited between our checks)?
  LP_ASSIGN_OR_RETURN(done, ReadDone(unit));
  if (done) return Outcome::kDone;
  return Outcome::kClaimed;
}

Status Claims::MarkDone(const std::string& unit, std::string_view record) {
  auto put = store_->PutIfAbsent(UnitPrefix(unit) + "done.json", record);
  if (put.ok() || put.status().IsAlreadyExists()) return Status::OK();
  return put.status();
}

void Claims::Release(const std::string& unit) {
  const std::string dir = UnitPrefix(unit);
  auto objects = store_->ListAll(dir + "claim-");
  if (!objects.ok()) return;
  pack::Owner me = pack::ThisProcessOwner();
  for (const auto& o : *objects) {
    auto text = store_->Get(o.key);
    if (!text.ok()) continue;
    auto c = ParseClaim(*text, o.key);
    if (c.ok() && c->owner.pid == me.pid && c->owner.host == me.host &&
        c->owner.start_ticks == me.start_ticks) {
      (void)store_->Delete(o.key);
    }
  }
}

}  // namespace lakepack::lake
