#include <cstdio>

#include "arrow/config.h"
#include "cli/verbs.h"

namespace lakepack::cli {
namespace {
int RunVersion(const Args&) {
  std::printf("lakepack 0.1.0 (Arrow %s)\n", arrow::GetBuildInfo().version_string.c_str());
  return kExitOk;
}
}  // namespace
const Verb kVersionVerb = {"version", "version", "print the version", {}, {}, 0, 0, RunVersion};
}  // namespace lakepack::cli
