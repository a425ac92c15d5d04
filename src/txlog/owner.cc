// owner.cc: see owner.h.
#include "txlog/owner.h"

#include <unistd.h>

#include <charconv>
#include <chrono>
#include <fstream>
#include <sstream>

#include "txlog/json_fields.h"

namespace lakepack::txlog {
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
  int64_t ticks = -1;
  auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), ticks);
  return ec == std::errc() && end == field.data() + field.size() ? ticks : -1;
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

std::string OwnerToJson(const Owner& o) {
  return "{\"host\":" + JsonQuote(o.host) + ",\"boot_id\":" + JsonQuote(o.boot_id) +
         ",\"pid\":" + std::to_string(o.pid) + ",\"start_ticks\":" + std::to_string(o.start_ticks) +
         "}";
}

Result<Owner> ParseOwner(const JsonValue& v, const std::string& source) {
  Owner o;
  LP_ASSIGN_OR_RETURN(o.host, JsonString(v, "host", source));
  LP_ASSIGN_OR_RETURN(o.boot_id, JsonString(v, "boot_id", source));
  LP_ASSIGN_OR_RETURN(o.pid, JsonInt(v, "pid", source));
  LP_ASSIGN_OR_RETURN(o.start_ticks, JsonInt(v, "start_ticks", source));
  return o;
}

}  // namespace lakepack::txlog
