// `lakepack cp`, `lakepack mv` and `lakepack ls`: copying and moving objects between local disk
// and S3 (ops/copy.h, ops/move.h), and listing them.
#include <cstdio>
#include <ctime>
#include <filesystem>

#include "base/json.h"
#include "base/size.h"
#include "cli/run_job.h"
#include "cli/verbs.h"
#include "ops/copy.h"
#include "ops/move.h"

namespace lakepack::cli {
namespace {

// cp's and mv's options, or the usage error's exit code.
Result<ops::CopyOptions> CopyOptionsFrom(const Args& args) {
  ops::CopyOptions o;
  o.src = args.positional()[0];
  o.dst = args.positional()[1];
  o.recursive = args.Has("recursive");
  o.store = StoreOptionsFrom(args);
  LP_ASSIGN_OR_RETURN(int64_t jobs, args.GetInt("jobs", o.jobs, 1, 1024));
  o.jobs = static_cast<int>(jobs);
  LP_ASSIGN_OR_RETURN(int64_t parallel,
                      args.GetInt("parallel", o.parallel, 1, ops::kMaxParallelRanges));
  o.parallel = static_cast<int>(parallel);
  LP_ASSIGN_OR_RETURN(o.part_size, args.GetSize("part-size", o.part_size));
  LP_ASSIGN_OR_RETURN(o.max_failures, args.GetInt("max-failures", o.max_failures, -1));
  LP_RETURN_NOT_OK(o.Validate());
  return o;
}

int RunCp(const Args& args) {
  auto options = CopyOptionsFrom(args);
  if (!options.ok()) return Usage(args, options.status());
  const ops::CopyOptions& o = *options;

  JobRun run(args, "cp");
  auto report = ops::Copy(o, run.context());
  if (!report.ok()) return run.Fail(report.status());
  const ops::CopyReport& r = *report;
  Status st = r.ToStatus();
  if (!st.ok()) {
    // Every failure on its own line, then how far the copy got.
    std::string text;
    for (const auto& f : r.failures) {
      text += "lakepack: error: copying " + f.src_uri + " to " + f.dst_uri + ": " +
              f.status.message() + "\n";
    }
    if (r.recursive || r.planned > 1 || r.cancelled) {
      text += std::string("lakepack: ") + (r.cancelled ? "interrupted" : "error") + ": " +
              std::to_string(r.copied) + " of " + std::to_string(r.planned) + " objects copied" +
              (r.failures.empty() ? "" : " (" + std::to_string(r.failures.size()) + " failed)") +
              "\n";
    }
    return run.Partial(r.cancelled ? st : r.failures.front().status, r.ToJson(), text);
  }
  char text[256];
  std::snprintf(text, sizeof text, "copied %lld object%s, %s in %.2f s (%s/s)\n",
                static_cast<long long>(r.copied), r.copied == 1 ? "" : "s",
                FormatBytes(r.bytes).c_str(), r.seconds,
                FormatBytes(static_cast<int64_t>(r.seconds > 0 ? r.bytes / r.seconds : 0)).c_str());
  return run.Succeed(r.ToJson(), text, stderr);
}

int RunMv(const Args& args) {
  auto options = CopyOptionsFrom(args);
  if (!options.ok()) return Usage(args, options.status());
  JobRun run(args, "mv");
  auto report = ops::Move(*options, run.context());
  if (!report.ok()) {
    if (report.status().code() == StatusCode::kInvalidArgument) {  // onto itself, a directory
      run.ClearBar();
      return Usage(args, report.status());
    }
    return run.Fail(report.status());
  }
  const ops::MoveReport& r = *report;
  Status st = r.ToStatus();
  if (!st.ok()) {
    std::string text;
    for (const auto& f : r.copy.failures) {
      text += "lakepack: error: copying " + f.src_uri + " to " + f.dst_uri + ": " +
              f.status.message() + " (the source was kept)\n";
    }
    for (const auto& f : r.failures) {
      text += "lakepack: error: moving " + f.src_uri + " to " + f.dst_uri + ": " +
              f.status.message() + "\n";
    }
    const size_t failed = r.copy.failures.size() + r.failures.size();
    if (r.copy.recursive || r.copy.planned > 1 || r.copy.cancelled) {
      text += std::string("lakepack: ") + (r.copy.cancelled ? "interrupted" : "error") + ": " +
              std::to_string(r.moved) + " of " + std::to_string(r.copy.planned) + " objects moved" +
              (failed == 0 ? "" : " (" + std::to_string(failed) + " failed)") + "\n";
    }
    return run.Partial(st, r.ToJson(), text);
  }
  char text[256];
  std::snprintf(text, sizeof text, "moved %lld object%s, %s in %.2f s\n",
                static_cast<long long>(r.moved), r.moved == 1 ? "" : "s",
                FormatBytes(r.copy.bytes).c_str(), r.copy.seconds);
  return run.Succeed(r.ToJson(), text, stderr);
}

std::string FormatTime(int64_t ns) {
  if (ns == 0) return "                   ";
  std::time_t t = static_cast<std::time_t>(ns / 1000000000);
  std::tm tm;
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

// True when `key` names a local directory (so it lists as a prefix).
bool IsLocalDirectory(ObjectStore& store, const std::string& key) {
  std::error_code ec;
  return store.is_local() && std::filesystem::is_directory(store.LocalPath(key), ec);
}

int RunLs(const Args& args) {
  JobRun run(args, "");
  auto loc = OpenStore(args.positional()[0], StoreOptionsFrom(args));
  if (!loc.ok()) return run.Fail(loc.status());
  ObjectStore& store = *loc->store;
  std::string prefix = loc->key;
  if (!prefix.empty() && prefix.back() != '/' && IsLocalDirectory(store, prefix)) prefix += '/';
  ListOptions options;
  if (!args.Has("recursive")) options.delimiter = "/";
  const bool json = args.json();
  int64_t count = 0, objects = 0, bytes = 0;
  std::string out;  // printed only once the listing is complete: no partial answer
  while (true) {
    if (Status st = run.context().CheckCancelled("ls"); !st.ok()) return run.Fail(st);
    auto page = store.List(prefix, options);
    if (!page.ok()) return run.Fail(page.status());
    for (const auto& p : page->common_prefixes) {
      if (json) {
        out += std::string(count++ ? "," : "") + "\n{\"prefix\": " + JsonQuote(p) + "}";
      } else {
        char line[64];
        std::snprintf(line, sizeof line, "%30s PRE ", "");
        out += line + p.substr(prefix.size()) + "\n";
      }
    }
    for (const auto& o : page->objects) {
      bytes += o.size;
      ++objects;
      if (json) {
        out += std::string(count++ ? "," : "") + "\n{\"key\": " + JsonQuote(o.key) +
               ", \"uri\": " + JsonQuote(store.Uri(o.key)) +
               ", \"size\": " + std::to_string(o.size) + ", \"etag\": " + JsonQuote(o.etag) +
               ", \"mtime\": \"" + FormatTime(o.mtime_ns) + "\"}";
      } else {
        char line[64];
        std::snprintf(line, sizeof line, " %10lld ", static_cast<long long>(o.size));
        out += FormatTime(o.mtime_ns) + line + o.key.substr(prefix.size()) + "\n";
      }
    }
    if (page->next_continuation.empty()) break;
    options.continuation = page->next_continuation;
  }
  if (!json) return run.Succeed("", out);
  std::string report = "{\"uri\": " + JsonQuote(store.Uri(prefix)) +
                       ", \"objects\": " + std::to_string(objects) +
                       ", \"bytes\": " + std::to_string(bytes) + ", \"entries\": [" + out + "\n]}";
  return run.Succeed(report, "");
}

// cp's and mv's options (one list: mv is a cp that then deletes the sources).
const std::vector<OptionSpec> kCopyOptionSpecs = {
    {"recursive", nullptr, "every object under the prefix SRC (default: SRC is one object)", 'r'},
    {"jobs", "N", "objects copied at once by a recursive copy (default 4)"},
    {"parallel", "N",
     "ranges (downloads) or parts (uploads) of one object in flight, 1..64 "
     "(default 8; each holds one part-sized buffer)"},
    {"part-size", "SIZE", "bytes per range or multipart part, e.g. 8MiB, 16MB (default 8MiB)"},
    {"max-failures", "N",
     "a recursive copy stops starting objects after N failed (default 10; "
     "-1: go on through every failure)"}};

}  // namespace

const Verb kCpVerb = {
    "cp",
    "SRC DST",
    "copy objects between local disk and S3 (S3 to S3 in one bucket: server-side)",
    "SRC and DST are local paths, file:// or s3:// URIs.  One object into a directory (an "
    "existing\n"
    "local directory, a URI ending in '/', a bucket root) keeps its name: `cp a.csv DIR` writes\n"
    "DIR/a.csv.  With --recursive every object under the prefix SRC/ goes below DST/.  Each "
    "object\n"
    "appears whole or not at all.  A recursive copy goes on past failed objects (up to\n"
    "--max-failures), names every failure and says how many of the objects were copied.",
    kCopyOptionSpecs,
    2,
    2,
    RunCp};

const Verb kMvVerb = {
    "mv",
    "SRC DST",
    "move objects: copy (as cp), then delete each source whose copy is verified",
    "Where things go is as for cp (`mv a.csv DIR` writes DIR/a.csv; --recursive moves every\n"
    "object under SRC/ below DST/).  A source is deleted only after its copy is complete and a\n"
    "HEAD of the target shows the source's size; a failed or interrupted copy keeps its source.\n"
    "Moving onto itself or a prefix into itself is a usage error.  A local recursive move\n"
    "removes the source directories it emptied.  --json prints cp's report plus \"moved\" and\n"
    "\"failures\" with a \"stage\" (copy or delete).",
    kCopyOptionSpecs,
    2,
    2,
    RunMv};

const Verb kLsVerb = {
    "ls",
    "URI",
    "list objects under a prefix (local or s3://)",
    "Lists the objects and, without --recursive, the sub-prefixes (PRE) one level below URI.\n"
    "--json prints {\"uri\", \"objects\", \"bytes\", \"entries\": [{\"key\", \"uri\", \"size\", "
    "\"etag\", \"mtime\"} or {\"prefix\"}]}.",
    {{"recursive", nullptr, "list every object below URI, not one level (default: one level)"}},
    1,
    1,
    RunLs};

}  // namespace lakepack::cli
