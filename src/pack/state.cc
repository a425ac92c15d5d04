// state.cc: see state.h.
#include "pack/state.h"

#include <algorithm>

#include "base/json.h"
#include "txlog/json_fields.h"

namespace lakepack::pack {
namespace {

using txlog::JsonInt;
using txlog::JsonMember;
using txlog::JsonString;

}  // namespace

std::string ToJson(const Intent& i) {
  std::string s = "{\"kind\":\"lakepack-pack-intent\",\"version\":1";
  s += ",\"generation\":" + std::to_string(i.generation);
  s += ",\"owner\":" + txlog::OwnerToJson(i.owner);
  s += ",\"created_ms\":" + std::to_string(i.created_ms);
  s += ",\"lease_ms\":" + std::to_string(i.lease_ms);
  s += ",\"prev_latest_n\":" + std::to_string(i.prev_latest_n);
  s += ",\"base_file\":" + JsonQuote(i.base_file);
  s += ",\"base_copy\":" + JsonQuote(i.base_copy);
  s += ",\"base_size\":" + std::to_string(i.base_size);
  s += ",\"base_etag\":" + JsonQuote(i.base_etag);
  s += ",\"base_rows\":" + std::to_string(i.base_rows);
  s += ",\"recovers\":" + std::to_string(i.recovers);
  return s + "}\n";
}

std::string ToJson(const Commit& c) {
  std::string s = "{\"kind\":\"lakepack-pack-commit\",\"version\":1";
  s += ",\"generation\":" + std::to_string(c.generation);
  s += ",\"created_ms\":" + std::to_string(c.created_ms);
  s += ",\"packed\":[";
  for (size_t k = 0; k < c.packed.size(); ++k) {
    const auto& p = c.packed[k];
    s += std::string(k ? "," : "") + "\n {\"uri\":" + JsonQuote(p.uri) +
         ",\"size\":" + std::to_string(p.size) + ",\"etag\":" + JsonQuote(p.etag) +
         ",\"checksum\":" + JsonQuote(p.checksum) +
         ",\"generation\":" + std::to_string(p.generation) + "}";
  }
  s += "],\"files\":[";
  for (size_t k = 0; k < c.files.size(); ++k) {
    const auto& f = c.files[k];
    s += std::string(k ? "," : "") + "\n {\"name\":" + JsonQuote(f.name) +
         ",\"n\":" + std::to_string(f.n) + ",\"size\":" + std::to_string(f.size) +
         ",\"etag\":" + JsonQuote(f.etag) + ",\"rows\":" + std::to_string(f.rows) + "}";
  }
  return s + "]}\n";
}

std::string ToJson(const LeaseRenewal& l) {
  return "{\"kind\":\"lakepack-pack-lease\",\"version\":1,\"generation\":" +
         std::to_string(l.generation) + ",\"renewed_ms\":" + std::to_string(l.renewed_ms) + "}\n";
}

std::string ToJson(const UnlockRecord& u) {
  return "{\"kind\":\"lakepack-pack-unlock\",\"version\":1,\"generation\":" +
         std::to_string(u.generation) + ",\"by\":" + txlog::OwnerToJson(u.by) +
         ",\"created_ms\":" + std::to_string(u.created_ms) +
         ",\"forced\":" + (u.forced ? "true" : "false") + "}\n";
}

Result<UnlockRecord> ParseUnlockRecord(std::string_view text, const std::string& source) {
  auto doc = txlog::ParseRecord(text, source);
  if (!doc.ok()) return doc.status();
  UnlockRecord u;
  LP_ASSIGN_OR_RETURN(u.generation, JsonInt(*doc, "generation", source));
  LP_ASSIGN_OR_RETURN(auto by, JsonMember(*doc, "by", JsonValue::Kind::kObject, source));
  LP_ASSIGN_OR_RETURN(u.by, txlog::ParseOwner(*by, source));
  LP_ASSIGN_OR_RETURN(u.created_ms, JsonInt(*doc, "created_ms", source));
  LP_ASSIGN_OR_RETURN(auto forced, JsonMember(*doc, "forced", JsonValue::Kind::kBool, source));
  u.forced = forced->boolean;
  return u;
}

Result<LeaseRenewal> ParseLeaseRenewal(std::string_view text, const std::string& source) {
  auto doc = txlog::ParseRecord(text, source);
  if (!doc.ok()) return doc.status();
  LeaseRenewal l;
  LP_ASSIGN_OR_RETURN(l.generation, JsonInt(*doc, "generation", source));
  LP_ASSIGN_OR_RETURN(l.renewed_ms, JsonInt(*doc, "renewed_ms", source));
  return l;
}

int64_t LeaseExpiryMs(const Intent& intent, const LeaseRenewal* renewal) {
  int64_t from = intent.created_ms;
  if (renewal && renewal->generation == intent.generation)
    from = std::max(from, renewal->renewed_ms);
  if (intent.lease_ms <= 0 || intent.lease_ms > kMaxLeaseMs) return INT64_MAX;
  int64_t expiry = 0;
  return __builtin_add_overflow(from, intent.lease_ms, &expiry) ? INT64_MAX : expiry;
}

Result<Intent> ParseIntent(std::string_view text, const std::string& source) {
  auto doc = txlog::ParseRecord(text, source);
  if (!doc.ok()) return doc.status();
  const auto& v = *doc;
  Intent i;
  LP_ASSIGN_OR_RETURN(i.generation, JsonInt(v, "generation", source));
  LP_ASSIGN_OR_RETURN(auto owner, JsonMember(v, "owner", JsonValue::Kind::kObject, source));
  LP_ASSIGN_OR_RETURN(i.owner, txlog::ParseOwner(*owner, source));
  LP_ASSIGN_OR_RETURN(i.created_ms, JsonInt(v, "created_ms", source));
  LP_ASSIGN_OR_RETURN(i.lease_ms, JsonInt(v, "lease_ms", source));
  LP_ASSIGN_OR_RETURN(i.prev_latest_n, JsonInt(v, "prev_latest_n", source));
  LP_ASSIGN_OR_RETURN(i.base_file, JsonString(v, "base_file", source));
  LP_ASSIGN_OR_RETURN(i.base_copy, JsonString(v, "base_copy", source));
  LP_ASSIGN_OR_RETURN(i.base_size, JsonInt(v, "base_size", source));
  LP_ASSIGN_OR_RETURN(i.base_etag, JsonString(v, "base_etag", source));
  LP_ASSIGN_OR_RETURN(i.base_rows, JsonInt(v, "base_rows", source));
  LP_ASSIGN_OR_RETURN(i.recovers, JsonInt(v, "recovers", source));
  return i;
}

Result<Commit> ParseCommit(std::string_view text, const std::string& source) {
  auto doc = txlog::ParseRecord(text, source);
  if (!doc.ok()) return doc.status();
  const auto& v = *doc;
  Commit c;
  LP_ASSIGN_OR_RETURN(c.generation, JsonInt(v, "generation", source));
  LP_ASSIGN_OR_RETURN(c.created_ms, JsonInt(v, "created_ms", source));
  LP_ASSIGN_OR_RETURN(auto packed, JsonMember(v, "packed", JsonValue::Kind::kArray, source));
  for (const auto& e : packed->array) {
    PackedInput p;
    LP_ASSIGN_OR_RETURN(p.uri, JsonString(e, "uri", source));
    LP_ASSIGN_OR_RETURN(p.size, JsonInt(e, "size", source));
    LP_ASSIGN_OR_RETURN(p.etag, JsonString(e, "etag", source));
    if (e.Find("checksum")) {
      LP_ASSIGN_OR_RETURN(p.checksum, JsonString(e, "checksum", source));
    }
    if (e.Find("generation")) {
      LP_ASSIGN_OR_RETURN(p.generation, JsonInt(e, "generation", source));
    }
    c.packed.push_back(std::move(p));
  }
  LP_ASSIGN_OR_RETURN(auto files, JsonMember(v, "files", JsonValue::Kind::kArray, source));
  for (const auto& e : files->array) {
    ManifestFile f;
    LP_ASSIGN_OR_RETURN(f.name, JsonString(e, "name", source));
    LP_ASSIGN_OR_RETURN(f.n, JsonInt(e, "n", source));
    LP_ASSIGN_OR_RETURN(f.size, JsonInt(e, "size", source));
    LP_ASSIGN_OR_RETURN(f.etag, JsonString(e, "etag", source));
    LP_ASSIGN_OR_RETURN(f.rows, JsonInt(e, "rows", source));
    c.files.push_back(std::move(f));
  }
  return c;
}

}  // namespace lakepack::pack
