// cli.h: the pieces every `lakepack` verb shares: argument parsing, sizes, errors, store options.
//
// A verb is a function `int Run(const Args&)` in src/cli/<verb>.cc plus a `Verb` entry listed in
// main.cc.  Exit codes: 0 success, 1 failure (one line on stderr naming the file and place),
// 2 usage error.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "lakepack/status.h"
#include "lakepack/store.h"

namespace lakepack::cli {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

class Args {
 public:
  // Splits argv (after the verb) into positionals and --options.  Options named in `flags` take
  // no value; those in `options` take one (`--k v` or `--k=v`) and may repeat; kCommonFlags and
  // kCommonOptions are accepted too.  Any other --option is an error.  "--" ends options.
  static Result<Args> Parse(const std::vector<std::string>& argv, const std::set<std::string>& flags,
                            const std::set<std::string>& options);

  const std::vector<std::string>& positional() const { return positional_; }
  bool Has(const std::string& name) const { return options_.count(name) > 0; }
  std::string Get(const std::string& name, const std::string& fallback = "") const;
  std::vector<std::string> GetAll(const std::string& name) const;
  const std::map<std::string, std::vector<std::string>>& options() const { return options_; }

 private:
  std::vector<std::string> positional_;
  std::map<std::string, std::vector<std::string>> options_;
};

struct Verb {
  const char* name;
  const char* usage;    // "convert IN OUT [--compression C] ..."
  const char* summary;  // one line for `lakepack --help`
  std::set<std::string> flags;    // options without a value
  std::set<std::string> options;  // options with a value
  int min_positional;
  int max_positional;  // -1: unbounded
  int (*run)(const Args&);
};

// Options every verb accepts (store options, --quiet).
extern const std::set<std::string> kCommonFlags;
extern const std::set<std::string> kCommonOptions;

// "256MB" (decimal: kB, MB, GB, TB), "256MiB" (binary: KiB, MiB, GiB, TiB), "1000" (bytes).
Result<int64_t> ParseSize(const std::string& text);
std::string FormatBytes(int64_t bytes);  // "1.23 GB"

// --endpoint-url, --region, --profile.
StoreOptions StoreOptionsFrom(const Args& args);

// Prints "lakepack: error: <message>" to stderr and returns kExitFailure.
int Fail(const Status& status);
int Usage(const Verb& verb, const std::string& problem);

// True when stderr is a terminal and --quiet was not given: show progress bars.
bool ShowProgress(const Args& args);

}  // namespace lakepack::cli
