// `lakepack version` (also `lakepack --version`).
#include <cstdio>

#include "arrow/config.h"
#include "base/json.h"
#include "cli/run_job.h"
#include "cli/verbs.h"

namespace lakepack::cli {
namespace {

// The package version; python/lakepack/__init__.py and pyproject.toml say the same.
constexpr const char* kVersion = "0.1.0";

int RunVersion(const Args& args) {
  const std::string arrow = arrow::GetBuildInfo().version_string;
  JsonWriter w;
  w.BeginObject().Key("version").String(kVersion).Key("arrow").String(arrow).EndObject();
  if (args.quiet() && !args.json()) return kExitOk;
  std::printf("%s\n",
              args.json()
                  ? w.str().c_str()
                  : ("lakepack " + std::string(kVersion) + " (Arrow " + arrow + ")").c_str());
  return kExitOk;
}

}  // namespace

const Verb kVersionVerb = {"version", "", "print the version", "", {}, 0, 0, RunVersion};

}  // namespace lakepack::cli
