#include "cli/cli.h"

#include <unistd.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace lakepack::cli {

const std::set<std::string> kCommonFlags = {"quiet", "help"};
const std::set<std::string> kCommonOptions = {"endpoint-url", "region", "profile"};

Result<Args> Args::Parse(const std::vector<std::string>& argv, const std::set<std::string>& flags,
                         const std::set<std::string>& options) {
  Args a;
  bool options_done = false;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& s = argv[i];
    if (options_done || s.size() < 3 || s.compare(0, 2, "--") != 0) {
      if (s == "--") {
        options_done = true;
        continue;
      }
      a.positional_.push_back(s);
      continue;
    }
    std::string name = s.substr(2), value;
    size_t eq = name.find('=');
    bool has_value = eq != std::string::npos;
    if (has_value) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    if (flags.count(name) || kCommonFlags.count(name)) {
      if (has_value) return Status::InvalidArgument("option --" + name + " takes no value");
      a.options_[name].push_back("");
      continue;
    }
    if (!options.count(name) && !kCommonOptions.count(name)) {
      return Status::InvalidArgument("unknown option --" + name);
    }
    if (!has_value) {
      if (i + 1 >= argv.size()) return Status::InvalidArgument("option --" + name + " needs a value");
      value = argv[++i];
    }
    a.options_[name].push_back(value);
  }
  return a;
}

std::string Args::Get(const std::string& name, const std::string& fallback) const {
  auto it = options_.find(name);
  return it == options_.end() || it->second.empty() ? fallback : it->second.back();
}

std::vector<std::string> Args::GetAll(const std::string& name) const {
  auto it = options_.find(name);
  return it == options_.end() ? std::vector<std::string>{} : it->second;
}

Result<int64_t> ParseSize(const std::string& text) {
  size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
  if (i == 0) return Status::InvalidArgument("not a size: '" + text + "' (e.g. 256MB, 1GiB)");
  double number = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + i, number);
  if (ec != std::errc() || end != text.data() + i) {
    return Status::InvalidArgument("not a size: '" + text + "'");
  }
  std::string unit;
  for (char c : text.substr(i)) {
    if (!std::isspace(static_cast<unsigned char>(c))) unit += static_cast<char>(std::tolower(c));
  }
  static const std::map<std::string, double> kUnits = {
      {"", 1},          {"b", 1},
      {"kb", 1e3},      {"mb", 1e6},          {"gb", 1e9},          {"tb", 1e12},
      {"k", 1e3},       {"m", 1e6},           {"g", 1e9},           {"t", 1e12},
      {"kib", 1024.0},  {"mib", 1048576.0},   {"gib", 1073741824.0}, {"tib", 1099511627776.0}};
  auto it = kUnits.find(unit);
  if (it == kUnits.end()) {
    return Status::InvalidArgument("unknown size unit in '" + text +
                                   "' (use B, kB, MB, GB, TB, KiB, MiB, GiB, TiB)");
  }
  double bytes = number * it->second;
  if (!(bytes >= 0) || bytes > 9.0e18) return Status::InvalidArgument("size out of range: " + text);
  return static_cast<int64_t>(std::llround(bytes));
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

StoreOptions StoreOptionsFrom(const Args& args) {
  StoreOptions o;
  o.endpoint_url = args.Get("endpoint-url");
  o.region = args.Get("region");
  o.profile = args.Get("profile");
  return o;
}

int Fail(const Status& status) {
  std::fprintf(stderr, "lakepack: error: %s\n", status.message().c_str());
  return kExitFailure;
}

int Usage(const Verb& verb, const std::string& problem) {
  if (!problem.empty()) std::fprintf(stderr, "lakepack %s: %s\n", verb.name, problem.c_str());
  std::fprintf(stderr, "usage: lakepack %s\n", verb.usage);
  return kExitUsage;
}

bool ShowProgress(const Args& args) { return !args.Has("quiet") && ::isatty(STDERR_FILENO); }

}  // namespace lakepack::cli
