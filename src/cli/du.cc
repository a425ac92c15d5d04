// `lakepack du` and `lakepack stat`: how much is under a prefix, and what one object or prefix
// is (ops/du.h).  Both list or HEAD only.
#include "lakepack/du.h"

#include <cstdio>
#include <ctime>

#include "base/size.h"
#include "cli/run_job.h"
#include "cli/verbs.h"

namespace lakepack::cli {
namespace {

std::string Line(int64_t bytes, int64_t objects, const std::string& name) {
  char line[96];
  std::snprintf(line, sizeof line, "%12s %14lld B %9lld  ", FormatBytes(bytes).c_str(),
                static_cast<long long>(bytes), static_cast<long long>(objects));
  return line + name + "\n";
}

int RunDu(const Args& args) {
  JobRun run(args, "du", "objects");
  auto report = ops::DiskUsage(args.positional()[0], StoreOptionsFrom(args), run.context());
  if (!report.ok()) return run.Fail(report.status());
  std::string text;
  if (!args.Has("summarize")) {
    for (const auto& c : report->children) text += Line(c.bytes, c.objects, c.name);
  }
  text += Line(report->bytes, report->objects, report->uri + "  (total)");
  return run.Succeed(report->ToJson(), text);
}

std::string FormatNs(int64_t ns) {
  if (ns == 0) return "unknown";
  std::time_t t = static_cast<std::time_t>(ns / 1000000000);
  std::tm tm;
  gmtime_r(&t, &tm);
  char buf[48];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

int RunStat(const Args& args) {
  JobRun run(args, "stat", "objects");
  auto report = ops::Stat(args.positional()[0], StoreOptionsFrom(args), run.context());
  if (!report.ok()) return run.Fail(report.status());
  const ops::StatReport& r = *report;
  std::string text = "uri:     " + r.uri + "\n";
  if (r.prefix) {
    text += "type:    prefix\nobjects: " + std::to_string(r.usage.objects) +
            "\nbytes:   " + std::to_string(r.usage.bytes) + " (" + FormatBytes(r.usage.bytes) +
            ")\n";
  } else {
    text += "type:    object\nsize:    " + std::to_string(r.info.size) + " (" +
            FormatBytes(r.info.size) + ")\netag:    " + r.info.etag +
            "\nmtime:   " + FormatNs(r.info.mtime_ns) + "\n";
  }
  return run.Succeed(r.ToJson(), text);
}

}  // namespace

const Verb kDuVerb = {
    "du",
    "URI",
    "count the objects and bytes under a prefix (local or s3://), per first-level child",
    "Lists every object under URI (recursive; no object is read) and prints, for each child one\n"
    "level below URI (a sub-prefix ends with '/'), its size, exact bytes and object count, then\n"
    "the total.  A URI that is one object counts that object.  Nothing there is an error.\n"
    "--json prints {\"uri\", \"prefix\", \"objects\", \"bytes\", \"children\": [{\"name\",\n"
    "\"objects\", \"bytes\"}]}.",
    {{"summarize", nullptr, "print the total only (default: each child, then the total)", 's'}},
    1,
    1,
    RunDu};

const Verb kStatVerb = {
    "stat",
    "URI",
    "show one object's size, ETag and time, or a prefix's object count and bytes",
    "HEADs URI; when no object has that key (or URI is a local directory or ends with '/'), it\n"
    "is taken as a prefix and its objects are counted.  --json prints {\"uri\", \"type\":\n"
    "\"object\", \"key\", \"size\", \"etag\", \"mtime_ns\"} or {\"uri\", \"type\": \"prefix\",\n"
    "\"objects\", \"bytes\"}.  The local store's ETag is mtime+size, not a content hash.",
    {},
    1,
    1,
    RunStat};

}  // namespace lakepack::cli
