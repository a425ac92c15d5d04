// `lakepack sync`: make a prefix hold what another holds, copying only what differs
// (ops/sync.h).
#include "ops/sync.h"

#include <cstdio>

#include "base/size.h"
#include "cli/run_job.h"
#include "cli/verbs.h"

namespace lakepack::cli {
namespace {

int RunSync(const Args& args) {
  ops::SyncOptions o;
  o.src = args.positional()[0];
  o.dst = args.positional()[1];
  o.delete_extra = args.Has("delete");
  o.dry_run = args.Has("dry-run");
  o.size_only = args.Has("size-only");
  o.store = StoreOptionsFrom(args);
  auto jobs = args.GetInt("jobs", o.jobs, 1, 1024);
  if (!jobs.ok()) return Usage(args, jobs.status());
  o.jobs = static_cast<int>(*jobs);
  auto parallel = args.GetInt("parallel", o.parallel, 1, ops::kMaxParallelRanges);
  if (!parallel.ok()) return Usage(args, parallel.status());
  o.parallel = static_cast<int>(*parallel);
  auto part = args.GetSize("part-size", o.part_size);
  if (!part.ok()) return Usage(args, part.status());
  o.part_size = *part;
  auto max_failures = args.GetInt("max-failures", o.max_failures, -1);
  if (!max_failures.ok()) return Usage(args, max_failures.status());
  o.max_failures = *max_failures;
  if (Status valid = o.Validate(); !valid.ok()) return Usage(args, valid);

  JobRun run(args, "sync");
  auto report = ops::Sync(o, run.context());
  if (!report.ok()) {
    if (report.status().code() == StatusCode::kInvalidArgument) {  // overlapping prefixes
      run.ClearBar();
      return Usage(args, report.status());
    }
    return run.Fail(report.status());
  }
  const ops::SyncReport& r = *report;
  std::string lines;
  if (r.dry_run) {
    for (const auto& a : r.actions) {
      lines += a.action == "copy" ? "would copy " + a.src + " to " + a.dst + " (" + a.reason + ")\n"
                                  : "would remove " + a.dst + " (" + a.reason + ")\n";
    }
  }
  char summary[512];
  std::snprintf(summary, sizeof summary,
                "%s%lld copied (%s), %lld removed, %lld unchanged (%lld objects hashed) in %.2f s"
                "%s\n",
                r.dry_run ? "dry run: would have " : "synced: ",
                static_cast<long long>(r.dry_run ? r.to_copy : r.copied),
                FormatBytes(r.dry_run ? r.total_bytes : r.bytes).c_str(),
                static_cast<long long>(r.dry_run ? r.to_delete : r.deleted),
                static_cast<long long>(r.unchanged), static_cast<long long>(r.hashed), r.seconds,
                r.dry_run ? " (nothing was changed)" : "");
  Status st = r.ToStatus();
  if (!st.ok()) {
    std::string text;
    for (const auto& f : r.failures) {
      text += "lakepack: error: " + f.what + ": " + f.status.message() + "\n";
    }
    text += std::string("lakepack: ") + (r.cancelled ? "interrupted" : "error") + ": " +
            std::to_string(r.copied + r.deleted) + " of " +
            std::to_string(r.to_copy + r.to_delete) + " objects synced" +
            (r.failures.empty() ? "" : " (" + std::to_string(r.failures.size()) + " failed)") +
            "\n";
    return run.Partial(r.cancelled ? st : r.failures.front().status, r.ToJson(), text);
  }
  if (r.dry_run) return run.Succeed(r.ToJson(), lines + summary);
  return run.Succeed(r.ToJson(), summary, stderr);
}

}  // namespace

const Verb kSyncVerb = {
    "sync",
    "SRC DST",
    "copy to the prefix DST what differs from the prefix SRC (--delete: remove what SRC lacks)",
    "SRC and DST are prefixes (local directories, file:// or s3:// URIs), in any direction.  An\n"
    "object of SRC is copied when DST lacks it, when the sizes differ, or when the contents\n"
    "differ.  Contents are compared by MD5, never by modification time: an S3 ETag of 32 hex\n"
    "digits (a single-part upload) is the MD5 and costs nothing; two S3 objects with equal ETags\n"
    "are equal; any other pair of equal size (a local file, whose tag is only mtime+size; a\n"
    "multipart ETag) is read on both sides and hashed.  --size-only skips that and takes equal\n"
    "sizes as equal.  Copies follow the rules of cp (whole or not at all; server-side within one\n"
    "bucket).  A missing or empty SRC is an error (nothing changes, even with --delete); SRC and\n"
    "DST overlapping in one store is a usage error.  Failures: as cp, up to --max-failures, each\n"
    "named, then \"N of M objects synced\".  --json prints {\"dry_run\", \"src_objects\",\n"
    "\"dst_objects\", \"unchanged\", \"hashed\", \"to_copy\", \"copied\", \"to_delete\", "
    "\"deleted\",\n"
    "\"bytes\", \"total_bytes\", \"seconds\", \"cancelled\", \"actions\": [{\"action\", \"src\",\n"
    "\"dst\", \"reason\", \"size\"}], \"failures\", \"stores\"}.",
    {{"delete", nullptr,
      "remove objects under DST that SRC does not have, after the copies (default: keep them)"},
     {"dry-run", nullptr,
      "print what would be copied and removed, change nothing (objects may still be read to "
      "compare them) (default: sync)"},
     {"size-only", nullptr,
      "compare sizes only, not contents: faster, but an edit that keeps the size is missed "
      "(default: size and MD5)"},
     {"jobs", "N", "objects copied or hashed at once (default 4)"},
     {"parallel", "N",
      "ranges (downloads) or parts (uploads) of one object in flight, 1..64 (default 8)"},
     {"part-size", "SIZE", "bytes per range or multipart part (default 8MiB)"},
     {"max-failures", "N",
      "stop starting objects after N failed (default 10; -1: go on through every failure)"}},
    2,
    2,
    RunSync};

}  // namespace lakepack::cli
