// dispatch.cc: the command line's entry (cli/verbs.h RunMain) — global options, help, and the
// dispatch to a verb; each verb lives in src/cli/<verb>.cc.  Kept out of main.cc so that its code
// is in the verbs archive, whose symbols the CLI never exports (tests/link_isolation_test.sh).
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "cli/run_job.h"
#include "cli/verbs.h"

namespace lakepack::cli {
static const Verb* const kVerbs[] = {
    &kCatVerb,  &kConvertVerb, &kCpVerb,   &kDuVerb,    &kFilesVerb,   &kGenerateVerb,
    &kHeadVerb, &kInspectVerb, &kLakeVerb, &kLsVerb,    &kMvVerb,      &kPackVerb,
    &kRmVerb,   &kStatVerb,    &kSyncVerb, &kTableVerb, &kVersionVerb,
};

static const Verb* FindVerb(const std::string& name) {
  for (const Verb* v : kVerbs) {
    if (name == v->name) return v;
  }
  return nullptr;
}

static void PrintHelp() {
  std::printf(
      "lakepack: build and keep data lakes on object storage (S3 or local disk)\n\n"
      "usage: lakepack [GLOBAL OPTIONS] VERB [ARGS] [OPTIONS]\n\nverbs:\n");
  for (const Verb* v : kVerbs) std::printf("  %-10s %s\n", v->name, v->summary);
  std::printf("\nglobal options (before or after the verb):\n");
  for (const auto& o : kGlobalOptions) {
    std::string left = std::string("--") + o.name + (o.value ? std::string(" ") + o.value : "");
    std::printf("  %-22s %s\n", left.c_str(), o.help);
  }
  std::printf(
      "\n`lakepack help VERB` (or `lakepack VERB --help`) explains a verb and every option.\n"
      "exit codes: 0 ok, 1 failed, 2 usage error (nothing done), 130/143 interrupted by "
      "SIGINT/SIGTERM\n");
}
int RunMain(int argc, char** argv) {
  std::vector<std::string> all(argv + 1, argv + argc);
  // Global options may come before the verb: set them aside and hand them to the verb's parser.
  std::vector<std::string> leading;
  size_t i = 0;
  bool want_help = false;
  for (; i < all.size(); ++i) {
    const std::string& s = all[i];
    if (s == "-h" || s == "--help") {
      want_help = true;
      continue;
    }
    if (s == "--version") {
      all[i] = "version";
      break;
    }
    if (s.size() < 3 || s.compare(0, 2, "--") != 0) break;
    std::string name = s.substr(2);
    const bool has_value = name.find('=') != std::string::npos;
    name = name.substr(0, name.find('='));
    const OptionSpec* spec = nullptr;
    for (const auto& o : kGlobalOptions) {
      if (name == o.name) spec = &o;
    }
    if (spec == nullptr) {
      std::fprintf(stderr, "lakepack: unknown global option --%s (see lakepack --help)\n",
                   name.c_str());
      return kExitUsage;
    }
    leading.push_back(s);
    if (spec->value != nullptr && !has_value && i + 1 < all.size()) leading.push_back(all[++i]);
  }
  if (i >= all.size()) {
    PrintHelp();
    return want_help ? kExitOk : kExitUsage;
  }
  std::string verb_name = all[i++];
  if (verb_name == "help") {
    if (i >= all.size()) {
      PrintHelp();
      return kExitOk;
    }
    const Verb* v = FindVerb(all[i]);
    if (v == nullptr) {
      std::fprintf(stderr, "lakepack: unknown verb '%s' (see lakepack --help)\n", all[i].c_str());
      return kExitUsage;
    }
    std::fputs(VerbHelp(*v).c_str(), stdout);
    return kExitOk;
  }
  const Verb* verb = FindVerb(verb_name);
  if (!verb) {
    std::fprintf(stderr, "lakepack: unknown verb '%s' (see lakepack --help)\n", verb_name.c_str());
    return kExitUsage;
  }
  std::vector<std::string> rest(leading);
  if (want_help) rest.push_back("--help");
  rest.insert(rest.end(), all.begin() + static_cast<std::ptrdiff_t>(i), all.end());
  auto args = Args::Parse(rest, *verb);
  if (!args.ok()) {
    bool json = false;
    for (const auto& s : rest) json |= s == "--json";
    return Usage(*verb, args.status().message(), json);
  }
  if (args->Has("help")) {
    std::fputs(VerbHelp(*verb).c_str(), stdout);
    return kExitOk;
  }
  int n = static_cast<int>(args->positional().size());
  if (n < verb->min_positional || (verb->max_positional >= 0 && n > verb->max_positional)) {
    return Usage(*verb, "wrong number of arguments", args->json());
  }
  try {
    return verb->run(*args);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lakepack: error: %s\n", e.what());
    return kExitFailure;
  }
}

}  // namespace lakepack::cli
