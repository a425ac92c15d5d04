// state.cc: see state.h.
#include "pack/state.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "base/json.h"

namespace lakepack::pack {
namespace {

std::string ReadSmallFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return {};
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// Field 22 of /proc/PID/stat (after the ")" that ends the command name), or -1.
int64_t StartTicksOf(int64_t pid) {
  std::string stat = ReadSmallFile("/proc/" + std::to_string(pid) + "/stat");
  size_t paren = stat.rfind(')');
  if (paren == std::string::npos) return -1;
  std::istringstream in(stat.substr(paren + 2));
  std::string field;
  // Fields after the name start at field 3 (state); start time is field 22.
  for (int i = 3; i <= 22; ++i) {
    if (!(in >> field)) return -1;
  }
  return std::stoll(field);
}

std::string OwnerJson(const Owner& o) {
  return "{\"host\":" + JsonQuote(o.host) + ",\"boot_id\":" + JsonQuote(o.boot_id) +
         ",\"pid\":" + std::to_string(o.pid) + ",\"start_ticks\":" + std::to_string(o.start_ticks) +
         "}";
}

Result<const JsonValue*> Member(const JsonValue& obj, const char* key, JsonValue::Kind kind,
                                const std::string& source) {
  const JsonValue* v = obj.kind == JsonValue::Kind::kObject ? obj.Find(key) : nullptr;
  if (!v || v->kind != kind) {
    return Status::InvalidData(source + ": line " + std::to_string(obj.line) + ": missing " +
                               JsonValue::KindName(kind) + " member '" + key + "'");
  }
  return v;
}

Result<int64_t> Int(const JsonValue& obj, const char* key, const std::string& source) {
  LP_ASSIGN_OR_RETURN(auto v, Member(obj, key, JsonValue::Kind::kNumber, source));
  return static_cast<int64_t>(std::stoll(v->string));
}

Result<std::string> Str(const JsonValue& obj, const char* key, const std::string& source) {
  LP_ASSIGN_OR_RETURN(auto v, Member(obj, key, JsonValue::Kind::kString, source));
  return v->string;
}

Result<Owner> ParseOwner(const JsonValue& v, const std::string& source) {
  Owner o;
  LP_ASSIGN_OR_RETURN(o.host, Str(v, "host", source));
  LP_ASSIGN_OR_RETURN(o.boot_id, Str(v, "boot_id", source));
  LP_ASSIGN_OR_RETURN(o.pid, Int(v, "pid", source));
  LP_ASSIGN_OR_RETURN(o.start_ticks, Int(v, "start_ticks", source));
  return o;
}

}  // namespace

int64_t NowUnixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Owner ThisProcessOwner() {
  Owner o;
  char host[256] = {0};
  ::gethostname(host, sizeof host - 1);
  o.host = host;
  o.boot_id = Trim(ReadSmallFile("/proc/sys/kernel/random/boot_id"));
  o.pid = ::getpid();
  o.start_ticks = StartTicksOf(o.pid);
  return o;
}

bool OwnerIsDeadOnThisHost(const Owner& owner) {
  Owner me = ThisProcessOwner();
  if (owner.host != me.host) return false;
  if (owner.boot_id != me.boot_id) return !owner.boot_id.empty() && !me.boot_id.empty();
  if (owner.pid == me.pid && owner.start_ticks == me.start_ticks) return false;  // ourselves
  int64_t ticks = StartTicksOf(owner.pid);
  return ticks < 0 || ticks != owner.start_ticks;
}

std::string ToJson(const Intent& i) {
  std::string s = "{\"kind\":\"lakepack-pack-intent\",\"version\":1";
  s += ",\"generation\":" + std::to_string(i.generation);
  s += ",\"owner\":" + OwnerJson(i.owner);
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

Result<LeaseRenewal> ParseLeaseRenewal(std::string_view text, const std::string& source) {
  auto doc = ParseJson(text);
  if (!doc.ok()) return Status::InvalidData(source + ": " + doc.status().message());
  LeaseRenewal l;
  LP_ASSIGN_OR_RETURN(l.generation, Int(*doc, "generation", source));
  LP_ASSIGN_OR_RETURN(l.renewed_ms, Int(*doc, "renewed_ms", source));
  return l;
}

int64_t LeaseExpiryMs(const Intent& intent, const LeaseRenewal* renewal) {
  int64_t from = intent.created_ms;
  if (renewal && renewal->generation == intent.generation)
    from = std::max(from, renewal->renewed_ms);
  return from + intent.lease_ms;
}

Result<Intent> ParseIntent(std::string_view text, const std::string& source) {
  auto doc = ParseJson(text);
  if (!doc.ok()) return Status::InvalidData(source + ": " + doc.status().message());
  const auto& v = *doc;
  Intent i;
  LP_ASSIGN_OR_RETURN(i.generation, Int(v, "generation", source));
  LP_ASSIGN_OR_RETURN(auto owner, Member(v, "owner", JsonValue::Kind::kObject, source));
  LP_ASSIGN_OR_RETURN(i.owner, ParseOwner(*owner, source));
  LP_ASSIGN_OR_RETURN(i.created_ms, Int(v, "created_ms", source));
  LP_ASSIGN_OR_RETURN(i.lease_ms, Int(v, "lease_ms", source));
  LP_ASSIGN_OR_RETURN(i.prev_latest_n, Int(v, "prev_latest_n", source));
  LP_ASSIGN_OR_RETURN(i.base_file, Str(v, "base_file", source));
  LP_ASSIGN_OR_RETURN(i.base_copy, Str(v, "base_copy", source));
  LP_ASSIGN_OR_RETURN(i.base_size, Int(v, "base_size", source));
  LP_ASSIGN_OR_RETURN(i.base_etag, Str(v, "base_etag", source));
  LP_ASSIGN_OR_RETURN(i.base_rows, Int(v, "base_rows", source));
  LP_ASSIGN_OR_RETURN(i.recovers, Int(v, "recovers", source));
  return i;
}

Result<Commit> ParseCommit(std::string_view text, const std::string& source) {
  auto doc = ParseJson(text);
  if (!doc.ok()) return Status::InvalidData(source + ": " + doc.status().message());
  const auto& v = *doc;
  Commit c;
  LP_ASSIGN_OR_RETURN(c.generation, Int(v, "generation", source));
  LP_ASSIGN_OR_RETURN(c.created_ms, Int(v, "created_ms", source));
  LP_ASSIGN_OR_RETURN(auto packed, Member(v, "packed", JsonValue::Kind::kArray, source));
  for (const auto& e : packed->array) {
    PackedInput p;
    LP_ASSIGN_OR_RETURN(p.uri, Str(e, "uri", source));
    LP_ASSIGN_OR_RETURN(p.size, Int(e, "size", source));
    LP_ASSIGN_OR_RETURN(p.etag, Str(e, "etag", source));
    if (e.Find("checksum")) {
      LP_ASSIGN_OR_RETURN(p.checksum, Str(e, "checksum", source));
    }
    if (e.Find("generation")) {
      LP_ASSIGN_OR_RETURN(p.generation, Int(e, "generation", source));
    }
    c.packed.push_back(std::move(p));
  }
  LP_ASSIGN_OR_RETURN(auto files, Member(v, "files", JsonValue::Kind::kArray, source));
  for (const auto& e : files->array) {
    ManifestFile f;
    LP_ASSIGN_OR_RETURN(f.name, Str(e, "name", source));
    LP_ASSIGN_OR_RETURN(f.n, Int(e, "n", source));
    LP_ASSIGN_OR_RETURN(f.size, Int(e, "size", source));
    LP_ASSIGN_OR_RETURN(f.etag, Str(e, "etag", source));
    LP_ASSIGN_OR_RETURN(f.rows, Int(e, "rows", source));
    c.files.push_back(std::move(f));
  }
  return c;
}

}  // namespace lakepack::pack
