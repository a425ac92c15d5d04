// `lakepack rm`: remove an object, or a prefix with --recursive (ops/remove.h).
#include <cstdio>

#include "base/size.h"
#include "cli/run_job.h"
#include "cli/verbs.h"
#include "ops/remove.h"

namespace lakepack::cli {
namespace {

int RunRm(const Args& args) {
  ops::RemoveOptions o;
  o.uri = args.positional()[0];
  o.recursive = args.Has("recursive");
  o.dry_run = args.Has("dry-run");
  o.confirm_root = args.Has("yes");
  o.store = StoreOptionsFrom(args);
  auto jobs = args.GetInt("jobs", o.jobs, 1, 1024);
  if (!jobs.ok()) return Usage(args, jobs.status());
  o.jobs = static_cast<int>(*jobs);
  auto max_failures = args.GetInt("max-failures", o.max_failures, -1);
  if (!max_failures.ok()) return Usage(args, max_failures.status());
  o.max_failures = *max_failures;
  if (Status valid = o.Validate(); !valid.ok()) return Usage(args, valid);

  JobRun run(args, "rm", "objects");
  auto report = ops::Remove(o, run.context());
  if (!report.ok()) {
    // A prefix named without --recursive is found by a listing, before anything is removed.
    if (report.status().code() == StatusCode::kInvalidArgument) {
      run.ClearBar();
      return Usage(args, report.status());
    }
    return run.Fail(report.status());
  }
  const ops::RemoveReport& r = *report;
  if (r.dry_run) {
    std::string text;
    for (const auto& u : r.uris) text += "would remove " + u + "\n";
    text += "dry run: would remove " + std::to_string(r.planned) + " object" +
            (r.planned == 1 ? "" : "s") + ", " + FormatBytes(r.total_bytes) +
            " (nothing was removed)\n";
    return run.Succeed(r.ToJson(), text);
  }
  Status st = r.ToStatus();
  if (!st.ok()) {
    std::string text;
    for (const auto& f : r.failures) {
      text += "lakepack: error: removing " + f.uri + ": " + f.status.message() + "\n";
    }
    if (r.recursive || r.planned > 1 || r.cancelled) {
      text += std::string("lakepack: ") + (r.cancelled ? "interrupted" : "error") + ": " +
              std::to_string(r.removed) + " of " + std::to_string(r.planned) + " objects removed" +
              (r.failures.empty() ? "" : " (" + std::to_string(r.failures.size()) + " failed)") +
              "\n";
    }
    return run.Partial(r.cancelled ? st : r.failures.front().status, r.ToJson(), text);
  }
  char text[256];
  std::snprintf(text, sizeof text, "removed %lld object%s, %s in %.2f s\n",
                static_cast<long long>(r.removed), r.removed == 1 ? "" : "s",
                FormatBytes(r.total_bytes).c_str(), r.seconds);
  return run.Succeed(r.ToJson(), text, stderr);
}

}  // namespace

const Verb kRmVerb = {
    "rm",
    "URI",
    "remove an object, or every object under a prefix (--recursive), local or s3://",
    "URI is a local path, file:// or s3:// URI.  Without --recursive it must name one object; a\n"
    "prefix (a URI ending in '/', a local directory, a key with objects below it) is a usage "
    "error\n"
    "and nothing is removed.  Removing everything in a bucket or store root (s3://bucket,\n"
    "s3://bucket/, /) needs --yes as well.  A local recursive remove also removes the directories\n"
    "it left empty.  Deletion goes on past failed objects (up to --max-failures), names every\n"
    "failure and says how many of the objects were removed.  --json prints {\"uri\", \"dry_run\",\n"
    "\"planned\", \"removed\", \"total_bytes\", \"seconds\", \"cancelled\", \"objects\" (dry "
    "run),\n"
    "\"failures\", \"stores\"}.",
    {{"recursive", nullptr, "remove every object under the prefix URI (default: URI is one object)",
      'r'},
     {"dry-run", nullptr, "print what would be removed and remove nothing (default: remove)"},
     {"yes", nullptr,
      "confirm removing everything in a whole bucket or store root (default: refused)"},
     {"jobs", "N", "batches of up to 1000 objects deleted at once (default 4)"},
     {"max-failures", "N",
      "stop starting deletions after N objects failed (default 10; -1: go on through every "
      "failure)"}},
    1,
    1,
    RunRm};

}  // namespace lakepack::cli
