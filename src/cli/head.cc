// `lakepack cat` and `lakepack head`: an object's bytes, or a data file's first rows
// (ops/head.h), on stdout.
#include "lakepack/head.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "cli/run_job.h"
#include "cli/verbs.h"

namespace lakepack::cli {
namespace {

// Writes all of `data` to stdout (fd 1).
Status WriteStdout(std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(STDOUT_FILENO, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::IOError(std::string("writing to stdout: ") + std::strerror(errno));
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::OK();
}

// Streams `uri` ("-": stdin) to stdout, at most `limit` bytes (negative: all).
Status CatOne(const Args& args, const std::string& uri, int64_t limit, const JobContext& context) {
  if (uri == "-") {
    char buf[1 << 16];
    for (int64_t done = 0; limit < 0 || done < limit;) {
      LP_RETURN_NOT_OK(context.CheckCancelled("cat"));
      size_t want = limit < 0 ? sizeof buf : std::min<size_t>(sizeof buf, limit - done);
      ssize_t n = ::read(STDIN_FILENO, buf, want);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Status::IOError(std::string("reading stdin: ") + std::strerror(errno));
      if (n == 0) break;
      LP_RETURN_NOT_OK(WriteStdout(std::string_view(buf, static_cast<size_t>(n))));
      done += n;
    }
    return Status::OK();
  }
  LP_ASSIGN_OR_RETURN(StoreLocation loc, OpenStore(uri, StoreOptionsFrom(args)));
  if (loc.key.empty() || loc.key.back() == '/') {
    return Status::InvalidArgument(loc.store->Uri(loc.key) + " is a prefix, not an object");
  }
  return ops::ReadObject(*loc.store, loc.key, limit, WriteStdout, context);
}

int RunCat(const Args& args) {
  // Bytes go to stdout as they arrive, so the bar would only interleave with them: none.
  JobRun run(args, "");
  for (const auto& uri : args.positional()) {
    if (Status st = CatOne(args, uri, -1, run.context()); !st.ok()) return run.Fail(st);
  }
  return kExitOk;
}

int RunHead(const Args& args) {
  auto rows = args.GetInt("rows", ops::kDefaultHeadRows, 0);
  if (!rows.ok()) return Usage(args, rows.status());
  auto bytes = args.GetSize("bytes", -1);
  if (!bytes.ok()) return Usage(args, bytes.status());
  if (args.Has("bytes") && (args.Has("rows") || args.Has("format"))) {
    return Usage(args,
                 Status::InvalidArgument("--bytes shows bytes; it takes no --rows or --format"));
  }
  if (args.Has("bytes") && args.json()) {
    return Usage(args, Status::InvalidArgument("--bytes writes raw bytes; --json shows rows only"));
  }
  JobRun run(args, "");
  if (args.Has("bytes")) {
    if (Status st = CatOne(args, args.positional()[0], *bytes, run.context()); !st.ok()) {
      return run.Fail(st);
    }
    return kExitOk;
  }
  ops::HeadOptions o;
  o.uri = args.positional()[0];
  o.rows = *rows;
  o.format = args.Get("format");
  o.store = StoreOptionsFrom(args);
  if (Status valid = o.Validate(); !valid.ok()) return Usage(args, valid);
  auto report = ops::HeadRows(o, run.context());
  if (!report.ok()) return run.Fail(report.status());
  return run.Succeed(report->ToJson(), report->csv);
}

}  // namespace

const Verb kCatVerb = {
    "cat",
    "URI [URI...]",
    "write objects' bytes to stdout (local or s3://; '-' is stdin)",
    "Streams each object in turn to stdout, in 8 MiB ranges (memory stays bounded).  A missing\n"
    "object is an error (exit 1) after the ones before it were written.  With --json an error\n"
    "is the JSON error object on stdout; the bytes themselves are never wrapped.",
    {},
    1,
    -1,
    RunCat};

const Verb kHeadVerb = {
    "head",
    "URI",
    "print the first rows of a csv/jsonl/parquet file as CSV (or its first bytes, -c N)",
    "Reads only the start of the file (the first block or row group) through the format\n"
    "readers and prints the first N rows as CSV with a header line.  --json prints {\"uri\",\n"
    "\"format\", \"rows\", \"columns\", \"data\": [{column: value, ...}]}.  -c N prints the first "
    "N\n"
    "bytes of any object instead.",
    {{"rows", "N", "rows to print (default 10)", 'n'},
     {"bytes", "SIZE", "print the first SIZE bytes instead of rows, e.g. 100, 1KiB (default: rows)",
      'c'},
     {"format", "F", "csv, jsonl or parquet (default: from the name's extension)"}},
    1,
    1,
    RunHead};

}  // namespace lakepack::cli
