#include "base/size.h"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>

namespace lakepack {
namespace {

// Splits "12.5 MiB" into 12.5 and "mib" (lower case, spaces dropped).  False if no number leads.
bool SplitNumber(std::string_view text, double* number, std::string* unit) {
  size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.'))
    ++i;
  if (i == 0) return false;
  std::string digits(text.substr(0, i));
  char* end = nullptr;
  errno = 0;
  *number = std::strtod(digits.c_str(), &end);
  if (errno != 0 || *end != '\0') return false;
  unit->clear();
  for (char c : text.substr(i)) {
    if (!std::isspace(static_cast<unsigned char>(c)))
      unit->push_back(static_cast<char>(std::tolower(c)));
  }
  return true;
}

// "<number><unit>" scaled by the unit's factor in `units`: the shared core of sizes and
// durations.  `what` names the kind in errors ("size"); `hint` lists the units.
Result<int64_t> Scaled(std::string_view text, const std::map<std::string, double>& units,
                       const char* what, const char* example, const char* hint) {
  double number;
  std::string unit;
  if (!SplitNumber(text, &number, &unit)) {
    return Status::InvalidArgument(std::string("not a ") + what + ": '" + std::string(text) +
                                   "' (e.g. " + example + ")");
  }
  auto it = units.find(unit);
  if (it == units.end()) {
    return Status::InvalidArgument(std::string("unknown ") + what + " unit in '" +
                                   std::string(text) + "' (" + hint + ")");
  }
  double v = number * it->second;
  // 9e18 < INT64_MAX (9.22e18): the rounding below cannot overflow.
  if (!(v >= 0) || v > 9.0e18) {
    return Status::InvalidArgument(std::string(what) + " out of range: " + std::string(text));
  }
  return static_cast<int64_t>(std::llround(v));
}

}  // namespace

Result<int64_t> ParseSize(std::string_view text) {
  static const std::map<std::string, double> kUnits = {{"", 1},
                                                       {"b", 1},
                                                       {"kb", 1e3},
                                                       {"mb", 1e6},
                                                       {"gb", 1e9},
                                                       {"tb", 1e12},
                                                       {"k", 1e3},
                                                       {"m", 1e6},
                                                       {"g", 1e9},
                                                       {"t", 1e12},
                                                       {"kib", 1024.0},
                                                       {"mib", 1048576.0},
                                                       {"gib", 1073741824.0},
                                                       {"tib", 1099511627776.0}};
  return Scaled(text, kUnits, "size", "256MB, 1GiB", "use B, kB, MB, GB, TB, KiB, MiB, GiB, TiB");
}

Result<int64_t> ParseCount(std::string_view text, int64_t min_value, int64_t max_value) {
  std::string s(text);
  char* end = nullptr;
  errno = 0;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (s.empty() || *end != '\0' || errno != 0 || std::isspace(static_cast<unsigned char>(s[0]))) {
    return Status::InvalidArgument("not an integer: '" + s + "'");
  }
  if (v < min_value || v > max_value) {
    std::string range = max_value == INT64_MAX ? ">= " + std::to_string(min_value)
                        : min_value == INT64_MIN
                            ? "<= " + std::to_string(max_value)
                            : std::to_string(min_value) + ".." + std::to_string(max_value);
    return Status::InvalidArgument("out of range (must be " + range + "): " + s);
  }
  return static_cast<int64_t>(v);
}

Result<int64_t> ParseDurationMs(std::string_view text) {
  static const std::map<std::string, double> kMs = {{"", 1000},  {"s", 1000},   {"ms", 1},
                                                    {"m", 60e3}, {"min", 60e3}, {"h", 3600e3}};
  return Scaled(text, kMs, "duration", "30, 30s, 15m",
                "use ms, s, m, h; a plain number is seconds");
}

std::string FormatBytes(int64_t bytes) {
  const char* units[] = {"B", "kB", "MB", "GB", "TB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1000 && u < 4) {
    v /= 1000;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.2f %s", v, units[u]);
  return buf;
}

std::string FormatDuration(double seconds) {
  if (!(seconds >= 0)) seconds = 0;
  const int64_t s = static_cast<int64_t>(seconds + 0.5);
  char buf[32];
  if (s >= 3600) {
    std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", static_cast<long long>(s / 3600),
                  static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60));
  } else {
    std::snprintf(buf, sizeof buf, "%lld:%02lld", static_cast<long long>(s / 60),
                  static_cast<long long>(s % 60));
  }
  return buf;
}

}  // namespace lakepack
