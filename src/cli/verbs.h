// verbs.h: every verb of the `lakepack` CLI; each is defined in src/cli/<verb>.cc.
#pragma once

#include "cli/cli.h"

namespace lakepack::cli {
// The CLI: argv to exit code (dispatch.cc).
int RunMain(int argc, char** argv);

extern const Verb kCatVerb;
extern const Verb kConvertVerb;
extern const Verb kCpVerb;
extern const Verb kDuVerb;
extern const Verb kFilesVerb;
extern const Verb kGenerateVerb;
extern const Verb kHeadVerb;
extern const Verb kInspectVerb;
extern const Verb kLakeVerb;
extern const Verb kLsVerb;
extern const Verb kMvVerb;
extern const Verb kPackVerb;
extern const Verb kRmVerb;
extern const Verb kStatVerb;
extern const Verb kSyncVerb;
extern const Verb kTableVerb;
extern const Verb kVersionVerb;
}  // namespace lakepack::cli
