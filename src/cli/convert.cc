// `lakepack convert`: rewrite a data file in another format (ops/convert.h).
#include "ops/convert.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "base/size.h"
#include "cli/run_job.h"
#include "cli/verbs.h"

namespace lakepack::cli {
namespace {

// A temp file that is removed when this goes out of scope: where stdin is spooled (Parquet needs
// random access, and a failed read must not leave half an input) and where output for stdout is
// written until it is complete (no partial output on stdout).
class TempFile {
 public:
  TempFile() {
    std::error_code ec;
    path_ = (std::filesystem::temp_directory_path(ec) / "lakepack-stdio-XXXXXX").string();
    fd_ = ::mkstemp(path_.data());
    if (fd_ < 0) path_.clear();
  }
  ~TempFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!path_.empty()) ::unlink(path_.c_str());
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const std::string& path() const { return path_; }
  int fd() const { return fd_; }

 private:
  std::string path_;
  int fd_ = -1;
};

// Copies everything from `from` to `to`; `what` names the copy in errors.
Status Pump(int from, int to, const std::string& what) {
  char buf[1 << 16];
  while (true) {
    ssize_t n = ::read(from, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::IOError(what + ": " + std::strerror(errno));
    if (n == 0) return Status::OK();
    for (ssize_t done = 0; done < n;) {
      ssize_t w = ::write(to, buf + done, static_cast<size_t>(n - done));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) return Status::IOError(what + ": " + std::strerror(errno));
      done += w;
    }
  }
}

int RunConvert(const Args& args) {
  ops::ConvertOptions o;
  o.src = args.positional()[0];
  o.dst = args.positional()[1];
  o.in_format = args.Get("in-format");
  o.out_format = args.Get("out-format");
  o.schema = args.Get("schema");
  o.on_schema_mismatch = args.Get("on-schema-mismatch");
  o.compression = args.Get("compression");
  o.store = StoreOptionsFrom(args);
  auto dialect = CsvDialectFrom(args);
  if (!dialect.ok()) return Usage(args, dialect.status());
  o.csv = *dialect;
  if (args.Has("out-delimiter")) {
    const std::string v = args.Get("out-delimiter");
    if (v == "tab" || v == "\\t" || v == "\t") {
      o.out_delimiter = '\t';
    } else if (v.size() == 1) {
      o.out_delimiter = v[0];
    } else {
      return Usage(args, Status::InvalidArgument("--out-delimiter: one character (or tab), not '" +
                                                 v + "'"));
    }
  }
  auto batch_rows = args.GetInt("batch-rows", 0, 1);
  if (!batch_rows.ok()) return Usage(args, batch_rows.status());
  o.batch_rows = *batch_rows;
  if (args.Has("row-group-size")) {
    // "500000rows" counts rows; anything else is a byte size ("64MB").
    std::string v = args.Get("row-group-size");
    constexpr std::string_view kRows = "rows";
    Result<int64_t> n = Status::OK();
    if (v.size() > kRows.size() && v.compare(v.size() - kRows.size(), kRows.size(), kRows) == 0) {
      n = ParseCount(v.substr(0, v.size() - kRows.size()), 1);
      if (n.ok()) o.row_group_rows = *n;
    } else {
      n = ParseSize(v);
      if (n.ok()) o.row_group_bytes = *n;
    }
    if (!n.ok())
      return Usage(args, Status::InvalidArgument("--row-group-size: " + n.status().message()));
    if (o.row_group_rows <= 0 && o.row_group_bytes <= 0) {
      return Usage(args, Status::InvalidArgument("--row-group-size must be positive"));
    }
  }
  if (Status valid = o.Validate(); !valid.ok()) return Usage(args, valid);
  // '-': stdin or stdout, whose format no name tells.
  const bool from_stdin = o.src == "-", to_stdout = o.dst == "-";
  if (from_stdin && o.in_format.empty()) {
    return Usage(args, Status::InvalidArgument("IN '-' (stdin) needs --in-format"));
  }
  if (to_stdout && o.out_format.empty()) {
    return Usage(args, Status::InvalidArgument("OUT '-' (stdout) needs --out-format"));
  }
  if (to_stdout && args.json()) {
    return Usage(args, Status::InvalidArgument(
                           "OUT '-' writes the data to stdout, so --json has no room there"));
  }

  JobRun run(args, "convert", "rows");
  TempFile in_spool, out_spool;
  if (from_stdin) {
    if (in_spool.path().empty())
      return run.Fail(Status::IOError("cannot make a temp file for stdin"));
    if (Status st = Pump(STDIN_FILENO, in_spool.fd(), "reading stdin into " + in_spool.path());
        !st.ok()) {
      return run.Fail(st);
    }
    o.src = in_spool.path();
    o.src_name = "stdin";
  }
  if (to_stdout) {
    if (out_spool.path().empty())
      return run.Fail(Status::IOError("cannot make a temp file for stdout"));
    o.dst = out_spool.path();
  }
  auto report = ops::Convert(o, run.context());
  if (!report.ok()) return run.Fail(report.status());
  if (to_stdout) {
    // Complete: only now does any of it reach stdout.  (The store replaced the spool's file
    // by rename, so it is opened again by name.)
    int in = ::open(out_spool.path().c_str(), O_RDONLY | O_CLOEXEC);
    if (in < 0) return run.Fail(Status::IOError("opening " + out_spool.path()));
    Status st = Pump(in, STDOUT_FILENO, "writing to stdout");
    ::close(in);
    if (!st.ok()) return run.Fail(st);
    report->dst = "stdout";
  }
  const ops::ConvertReport& r = *report;
  char text[1024];
  std::snprintf(text, sizeof text,
                "converted %lld rows: %s (%s, %s) -> %s (%s, %s) in %.2f s, %.1f MB/s\n",
                static_cast<long long>(r.rows), r.src.c_str(), format::FormatName(r.in_format),
                FormatBytes(r.in_bytes).c_str(), r.dst.c_str(), format::FormatName(r.out_format),
                FormatBytes(r.bytes).c_str(), r.seconds,
                r.seconds > 0 ? static_cast<double>(r.in_bytes) / 1e6 / r.seconds : 0.0);
  // With OUT '-' stdout holds the data: the summary goes to stderr.
  return run.Succeed(r.ToJson(), text, to_stdout ? stderr : stdout);
}

}  // namespace

const Verb kConvertVerb = {
    "convert",
    "IN OUT",
    "convert a data file between csv, jsonl and parquet (local paths or s3:// URIs)",
    "Streams IN batch by batch (bounded memory) into OUT, which names a file.  Formats come from\n"
    "the extensions (.csv, .tsv, .jsonl/.ndjson/.json, .parquet; any case) unless given.  A CSV or\n"
    "JSON Lines IN may be compressed: .gz or .zst after its extension (x.csv.gz), decompressed as\n"
    "it streams.  OUT appears only when complete: a failure or Ctrl-C leaves nothing.  IN '-' reads\n"
    "stdin (needs --in-format; it is spooled to a temp file first, since Parquet needs random\n"
    "access); OUT '-' writes stdout (needs --out-format; written to a temp file and sent only once\n"
    "complete, so a failure leaves no partial output; the summary then goes to stderr, and --json\n"
    "is refused).",
    WithOptions({{"in-format", "F", "csv, jsonl or parquet (default: from IN's extension)"},
     {"out-format", "F", "csv, jsonl or parquet (default: from OUT's extension)"},
     {"compression", "C",
      "Parquet codec: snappy, zstd, gzip, lz4, brotli or none (default snappy)"},
     {"schema", "FILE",
      "a lakepack JSON schema file fixing CSV/JSONL column types (default: "
      "inferred from the first block, 4 MiB)"},
     {"on-schema-mismatch", "fail|union|drop",
      "a later block whose columns differ from the first's: fail naming both (default), union "
      "(new columns appended, null before) or drop (extra columns dropped, missing null)"},
     {"row-group-size", "SIZE|Nrows",
      "Parquet row groups of about SIZE in-memory bytes (e.g. 64MB) "
      "or of N rows (e.g. 500000rows) (default 128MB)"},
     {"batch-rows", "N", "rows per batch read from Parquet (default 65536)"},
     {"out-delimiter", "C",
      "CSV output field separator: one character, or tab (default ',', a tab for .tsv names)"}},
                CsvDialectOptions()),
    2,
    2,
    RunConvert};

}  // namespace lakepack::cli
