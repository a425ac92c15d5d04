// lakepack: the command line.  Each verb lives in src/cli/<verb>.cc; this file only dispatches.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "cli/verbs.h"

namespace lakepack::cli {
static const Verb* const kVerbs[] = {
    &kConvertVerb,
    &kCpVerb,
    &kGenerateVerb,
    &kInspectVerb,
    &kLakeVerb,
    &kLsVerb,
    &kPackVerb,
    &kVersionVerb,
};
}  // namespace lakepack::cli

using namespace lakepack::cli;

static void PrintHelp() {
  std::printf("lakepack: build and keep data lakes on object storage (S3 or local disk)\n\n"
              "usage: lakepack VERB [ARGS] [--endpoint-url URL] [--region R] [--profile P] [--quiet]\n\n");
  for (const Verb* v : kVerbs) std::printf("  %-10s %s\n", v->name, v->summary);
  std::printf("\n`lakepack VERB --help` shows a verb's arguments.\n");
}

int main(int argc, char** argv) {
  if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h") ||
      !std::strcmp(argv[1], "help")) {
    PrintHelp();
    return argc < 2 ? kExitUsage : kExitOk;
  }
  if (!std::strcmp(argv[1], "--version")) argv[1] = const_cast<char*>("version");
  const Verb* verb = nullptr;
  for (const Verb* v : kVerbs) {
    if (!std::strcmp(v->name, argv[1])) verb = v;
  }
  if (!verb) {
    std::fprintf(stderr, "lakepack: unknown verb '%s' (see lakepack --help)\n", argv[1]);
    return kExitUsage;
  }
  std::vector<std::string> rest(argv + 2, argv + argc);
  auto args = Args::Parse(rest, verb->flags, verb->options);
  if (!args.ok()) return Usage(*verb, args.status().message());
  if (args->Has("help")) {
    std::printf("usage: lakepack %s\n\n%s\n", verb->usage, verb->summary);
    return kExitOk;
  }
  int n = static_cast<int>(args->positional().size());
  if (n < verb->min_positional || (verb->max_positional >= 0 && n > verb->max_positional)) {
    return Usage(*verb, "wrong number of arguments");
  }
  try {
    return verb->run(*args);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lakepack: error: %s\n", e.what());
    return kExitFailure;
  }
}
