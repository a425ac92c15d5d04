// cli.h: the pieces every `lakepack` verb shares: the verb table, argument parsing, typed flag
// values, help text and store options.
//
// A verb is a function `int Run(const Args&)` in src/cli/<verb>.cc plus a `Verb` entry listed in
// main.cc.  A verb's file holds only its flags and its text summary; the job is a library call
// (ops/, gen/, pack/) run through run_job.h, which owns signals, the progress bar, --json and
// the exit codes:
//
//   0    ok
//   1    the job failed (one line on stderr naming the file and place; with --json an error
//        object on stdout)
//   2    usage error, found before any work: unknown option, bad option value, wrong arguments
//   130  interrupted by SIGINT (Ctrl-C); 143: by SIGTERM.  Nothing half-written is left.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "lakepack/reader.h"
#include "lakepack/status.h"
#include "lakepack/store.h"

namespace lakepack::cli {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

// One --option of a verb.  `value` names its argument in help ("N", "SIZE"); nullptr makes it a
// flag that takes no value.  `help` says what it does, its default and its units.
struct OptionSpec {
  const char* name;
  const char* value;
  const char* help;
  // A one-letter spelling ("-c N" for --bytes N), or 0 for none.
  char short_name = 0;
};

class Args;

struct Verb {
  const char* name;
  const char* args;     // positional arguments for the usage line: "SRC DST"
  const char* summary;  // one line for `lakepack --help`
  const char* details;  // what the positional arguments are and how the verb behaves
  std::vector<OptionSpec> options;
  int min_positional;
  int max_positional;  // -1: unbounded
  int (*run)(const Args&);
};

// Options every verb accepts, before or after the verb: store options, --quiet, --json, --help.
extern const std::vector<OptionSpec> kGlobalOptions;

class Args {
 public:
  // Splits argv (after the verb) into positionals and --options of `verb` or kGlobalOptions
  // (`--k v` or `--k=v`; options with a value may repeat).  "-h" is --help, "-X" the option whose
  // short_name is X; "--" ends options.
  // Any other --option is an error.
  static Result<Args> Parse(const std::vector<std::string>& argv, const Verb& verb);

  const Verb& verb() const { return *verb_; }
  const std::vector<std::string>& positional() const { return positional_; }
  bool Has(const std::string& name) const { return options_.count(name) > 0; }
  std::string Get(const std::string& name, const std::string& fallback = "") const;
  std::vector<std::string> GetAll(const std::string& name) const;

  // Typed values of --name, or `fallback` when absent.  Errors (InvalidArgument) name the option:
  // "--jobs: not an integer: 'abc'".  Through base/size.h, the one parser of such text.
  Result<int64_t> GetInt(const std::string& name, int64_t fallback, int64_t min_value,
                         int64_t max_value = INT64_MAX) const;
  Result<int64_t> GetSize(const std::string& name, int64_t fallback) const;
  Result<int64_t> GetSeconds(const std::string& name, int64_t fallback) const;

  bool quiet() const { return Has("quiet"); }
  bool json() const { return Has("json"); }

 private:
  const Verb* verb_ = nullptr;
  std::vector<std::string> positional_;
  std::map<std::string, std::vector<std::string>> options_;
};

// The spec of --name among `verb`'s options and the global ones, or nullptr.
const OptionSpec* FindOption(const Verb& verb, const std::string& name);

// `lakepack help VERB` / `lakepack VERB --help`: usage, details, every option with its help.
std::string VerbHelp(const Verb& verb);

// --endpoint-url, --region, --profile, --ca-bundle.
StoreOptions StoreOptionsFrom(const Args& args);

// The CSV dialect options (--delimiter, --no-header, --quote, --null) of every verb that reads
// CSV (convert, inspect, pack), with their help.
const std::vector<OptionSpec>& CsvDialectOptions();

// `options` followed by `more` (a verb's own options plus a shared set).
std::vector<OptionSpec> WithOptions(std::vector<OptionSpec> options,
                                    const std::vector<OptionSpec>& more);

// The dialect those options give; InvalidArgument naming the option ("--delimiter: ...").
Result<format::CsvDialect> CsvDialectFrom(const Args& args);

}  // namespace lakepack::cli
