// files.cc: `lakepack files fetch|sizes|put|run` — the files jobs (include/lakepack/files.h) on
// tables of file URLs.  TABLE is a Parquet, CSV or JSON Lines file with an optional `id` column
// and file columns (named like files, holding URLs or paths).
#include "lakepack/files.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <sstream>
#include <thread>

#include "arrow/api.h"
#include "base/json.h"
#include "base/size.h"
#include "cli/run_job.h"
#include "cli/verbs.h"
#include "format/format.h"
#include "format/reader.h"
#include "format/writer.h"

extern char** environ;

namespace lakepack::cli {
namespace {

namespace fs = std::filesystem;
using files::FileTable;
using files::RowOutcome;

Result<FileTable> LoadTable(const std::string& uri, const StoreOptions& so) {
  LP_ASSIGN_OR_RETURN(StoreLocation loc, OpenStore(uri, so));
  LP_ASSIGN_OR_RETURN(format::Format fmt, format::DetectFormat(uri));
  format::ReadOptions ro;
  ro.display_name = uri;
  LP_ASSIGN_OR_RETURN(auto reader, format::OpenBatchReader(loc.store, loc.key, fmt, ro));
  auto table = reader->ToTable();
  if (!table.ok()) return Status::InvalidData(uri + ": " + table.status().ToString());
  auto t = files::FileTableFromArrow(**table);
  if (!t.ok()) return Status(t.status().code(), uri + ": " + t.status().message());
  return t;
}

Status WriteParquet(const std::string& uri, const std::shared_ptr<arrow::Table>& table,
                    const StoreOptions& so) {
  LP_ASSIGN_OR_RETURN(StoreLocation loc, OpenStore(uri, so));
  LP_ASSIGN_OR_RETURN(
      auto writer,
      format::OpenBatchWriter(loc.store, loc.key, format::Format::kParquet, table->schema()));
  arrow::TableBatchReader batches(*table);
  std::shared_ptr<arrow::RecordBatch> batch;
  while (batches.ReadNext(&batch).ok() && batch) {
    Status st = writer->Write(*batch);
    if (!st.ok()) {
      (void)writer->Abort();
      return st;
    }
  }
  return writer->Close().status();
}

Result<files::FilesOptions> OptionsFrom(const Args& args) {
  files::FilesOptions o;
  o.store = StoreOptionsFrom(args);
  LP_ASSIGN_OR_RETURN(int64_t jobs, args.GetInt("jobs", o.parallel_rows, 1, 4096));
  o.parallel_rows = static_cast<int>(jobs);
  LP_RETURN_NOT_OK(o.Validate());
  return o;
}

// A files job under the CLI's JobRun (run_job.h): the bar counts rows against the table's rows,
// SIGINT / SIGTERM stop starting rows (those never started are reported Cancelled).
struct RowsRun {
  RowsRun(const Args& args, const std::string& label, int64_t rows, files::FilesOptions& o)
      : run(args, label, "rows"), start(MonotonicSeconds()) {
    run.progress().SetTotal(rows);
    o.on_row = [this](int64_t, const RowOutcome&) { run.progress().Add(1); };
    o.cancelled = [this] { return run.cancel().cancelled(); };
  }
  double seconds() const { return MonotonicSeconds() - start; }
  JobRun run;
  double start;
};

// Prints failures to stderr (the first few) and the summary; returns the exit code.
int Report(const Args& args, RowsRun& job, const char* what, const FileTable& table,
           const std::vector<RowOutcome>& outcomes,
           const std::function<void(JsonWriter&)>& extra_json, const std::string& extra_text) {
  job.run.ClearBar();
  const double seconds = job.seconds();
  const files::RunSummary s = files::Summarize(outcomes);
  int shown = 0;
  for (size_t r = 0; r < outcomes.size(); ++r) {
    const RowOutcome& o = outcomes[r];
    if (o.ok || args.Has("json")) continue;
    if (++shown > 10) break;
    std::fprintf(stderr, "lakepack files %s: row %zu (id %s) failed at %s%s%s: %s\n", what, r,
                 table.IdOf(static_cast<int64_t>(r)).c_str(),
                 o.stage == files::Stage::kNone ? "start" : files::StageName(o.stage),
                 o.column.empty() ? "" : " of ", o.column.c_str(), o.error.message().c_str());
  }
  if (args.Has("json")) {
    JsonWriter w;
    w.BeginObject().Key("verb").String(what).Key("rows").Int(s.rows);
    w.Key("succeeded").Int(s.succeeded).Key("failed").Int(s.failed).Key("skipped").Int(s.skipped);
    w.Key("bytes").Int(s.bytes).Key("seconds").Double(seconds);
    if (extra_json) extra_json(w);
    w.Key("failures").BeginArray();
    for (size_t r = 0; r < outcomes.size(); ++r) {
      const RowOutcome& o = outcomes[r];
      if (o.ok) continue;
      w.BeginObject().Key("row").Int(static_cast<int64_t>(r));
      w.Key("id").String(table.IdOf(static_cast<int64_t>(r)));
      w.Key("stage").String(o.stage == files::Stage::kNone ? "start" : files::StageName(o.stage));
      w.Key("column").String(o.column).Key("error").String(o.error.message());
      w.Key("attempts").Int(o.attempts).EndObject();
    }
    w.EndArray().EndObject();
    std::printf("%s\n", w.str().c_str());
  } else if (!args.Has("quiet")) {
    std::printf("%s: %lld rows, %lld ok, %lld failed%s, %s in %.2f s%s\n", what,
                static_cast<long long>(s.rows), static_cast<long long>(s.succeeded),
                static_cast<long long>(s.failed),
                s.skipped ? (", " + std::to_string(s.skipped) + " already done").c_str() : "",
                FormatBytes(s.bytes).c_str(), seconds, extra_text.c_str());
  }
  if (job.run.cancel().cancelled()) return job.run.ExitCode(Status::Cancelled("interrupted"));
  return s.failed > 0 ? kExitFailure : kExitOk;
}

int RunFetch(const Args& args, const FileTable& table, files::FilesOptions& o) {
  const std::string into = args.Get("into");
  if (into.empty()) return Fail(args, Status::InvalidArgument("files fetch: --into DIR is required"));
  if (into.rfind("s3://", 0) == 0) {
    return Fail(args, Status::InvalidArgument("files fetch: --into is a local directory"));
  }
  Status ids = files::ValidateIdsForWrite(table);
  if (!ids.ok()) return Fail(args, ids);
  std::vector<std::string> dirs;
  for (int64_t r = 0; r < table.num_rows(); ++r) {
    dirs.push_back((fs::path(into) / table.IdOf(r)).string());
  }
  if (args.Has("dry-run")) {
    std::printf("files fetch: would fetch %lld rows of %zu file columns into %s/<id>/\n",
                static_cast<long long>(table.num_rows()), table.columns.size(), into.c_str());
    return kExitOk;
  }
  for (const auto& d : dirs) {
    std::error_code ec;
    fs::create_directories(d, ec);
    if (ec) return Fail(args, Status::IOError("mkdir " + d + ": " + ec.message()));
  }
  RowsRun job(args, "files fetch", table.num_rows(), o);
  auto res = files::FetchToDirs(table, dirs, o);
  if (!res.ok()) return job.run.Fail(res.status());
  for (size_t r = 0; r < dirs.size(); ++r) {  // a failed row leaves no directory behind
    std::error_code ec;
    if (!(*res)[r].ok) fs::remove_all(dirs[r], ec);
  }
  return Report(args, job, "fetch", table, *res, nullptr, "");
}

int RunSizes(const Args& args, const FileTable& table, files::FilesOptions& o) {
  if (args.Has("dry-run")) {
    std::printf("files sizes: would look up %lld rows of %zu file columns\n",
                static_cast<long long>(table.num_rows()), table.columns.size());
    return kExitOk;
  }
  RowsRun job(args, "files sizes", table.num_rows(), o);
  auto res = files::FetchSizeTable(table, o);
  if (!res.ok()) return job.run.Fail(res.status());
  job.run.ClearBar();
  const std::string output = args.Get("output");
  if (!output.empty()) {
    Status st = WriteParquet(output, res->table, o.store);
    if (!st.ok()) return job.run.Fail(st);
  } else if (!args.Has("json")) {
    // id, then one size per file column ("-" for none or failed).
    std::printf("id");
    for (const auto& c : table.columns) std::printf("\t%s", c.c_str());
    std::printf("\n");
    for (int64_t r = 0; r < table.num_rows(); ++r) {
      std::printf("%s", table.IdOf(r).c_str());
      for (int c = 0; c < static_cast<int>(table.columns.size()); ++c) {
        auto col = std::static_pointer_cast<arrow::Int64Array>(res->table->column(c)->chunk(0));
        if (col->IsNull(r)) {
          std::printf("\t-");
        } else {
          std::printf("\t%lld", static_cast<long long>(col->Value(r)));
        }
      }
      std::printf("\n");
    }
  }
  int64_t total = 0;
  for (int c = 0; c < static_cast<int>(table.columns.size()); ++c) {
    auto col = std::static_pointer_cast<arrow::Int64Array>(res->table->column(c)->chunk(0));
    for (int64_t r = 0; r < col->length(); ++r) total += col->IsNull(r) ? 0 : col->Value(r);
  }
  return Report(
      args, job, "sizes", table, res->outcomes,
      [&](JsonWriter& w) { w.Key("total_size").Int(total); }, ", total size " + FormatBytes(total));
}

int RunPut(const Args& args, files::FilesOptions& o) {
  const std::string dir = args.positional()[1];
  const std::string into = args.Get("into-path"), id = args.Get("id");
  if (into.empty() || id.empty()) {
    return Fail(args, Status::InvalidArgument("files put: --into-path URI and --id ID are required"));
  }
  FileTable t;
  t.has_id = true;
  t.ids = {id};
  t.urls.emplace_back();
  std::error_code ec;
  std::vector<fs::path> entries;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.is_regular_file()) entries.push_back(e.path());
  }
  if (ec) return Fail(args, Status::NotFound("files put: " + dir + ": " + ec.message()));
  std::sort(entries.begin(), entries.end());
  for (const auto& p : entries) {
    t.columns.push_back(p.filename().string());
    t.urls[0].push_back(p.string());
  }
  if (args.Has("dry-run")) {
    for (const auto& c : t.columns) {
      std::printf("%s\n", files::OutputUri(into, id, c).c_str());
    }
    return kExitOk;
  }
  RowsRun job(args, "files put", 1, o);
  auto res = files::WriteFiles(t, into, o);
  if (!res.ok()) return job.run.Fail(res.status());
  job.run.ClearBar();
  if (!args.Has("json") && !args.Has("quiet")) {
    for (const auto& u : res->written.urls[0]) {
      if (!u.empty()) std::printf("%s\n", u.c_str());
    }
  }
  return Report(args, job, "put", t, res->outcomes, nullptr, "");
}

// Runs argv with LAKEPACK_IN / LAKEPACK_OUT / LAKEPACK_ID set, its output into `log`.
Status RunCommand(const std::vector<std::string>& command, const std::string& in,
                  const std::string& out, const std::string& id, const std::string& log) {
  std::vector<std::string> argv = command;
  if (argv.size() == 1) argv = {"/bin/sh", "-c", command[0]};  // one string: a shell command
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string_view kv(*e);
    if (kv.rfind("LAKEPACK_IN=", 0) == 0 || kv.rfind("LAKEPACK_OUT=", 0) == 0 ||
        kv.rfind("LAKEPACK_ID=", 0) == 0) {
      continue;
    }
    env_strings.emplace_back(kv);
  }
  env_strings.push_back("LAKEPACK_IN=" + in);
  env_strings.push_back("LAKEPACK_OUT=" + out);
  env_strings.push_back("LAKEPACK_ID=" + id);
  std::vector<char*> cargv, cenv;
  for (auto& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  for (auto& e : env_strings) cenv.push_back(e.data());
  cenv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  pid_t pid;
  int rc = posix_spawnp(&pid, cargv[0], &actions, nullptr, cargv.data(), cenv.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return Status::InvalidArgument("cannot run '" + argv[0] + "': " + std::strerror(rc));
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return Status::OK();
  std::ifstream f(log);
  std::stringstream ss;
  ss << f.rdbuf();
  std::string text = ss.str();
  if (text.size() > 2000) text = "..." + text.substr(text.size() - 2000);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  const std::string how = WIFEXITED(status)
                              ? "exited with status " + std::to_string(WEXITSTATUS(status))
                              : "was killed by signal " + std::to_string(WTERMSIG(status));
  return Status::InvalidData("the command " + how + (text.empty() ? "" : ": " + text));
}

int RunRun(const Args& args, const FileTable& table, files::FilesOptions& o) {
  const auto& pos = args.positional();
  std::vector<std::string> command(pos.begin() + 2, pos.end());
  if (command.empty()) {
    return Fail(args, Status::InvalidArgument("files run: no command (give it after --)"));
  }
  files::PipelineOptions p;
  p.into_path = args.Get("into-path");
  if (p.into_path.empty()) {
    return Fail(args, Status::InvalidArgument("files run: --into-path URI is required"));
  }
  Status ids = files::ValidateIdsForWrite(table);
  if (!ids.ok()) return Fail(args, ids);
  std::string base = p.into_path;
  if (base.back() != '/') base += '/';
  const std::string output = args.Get("output", base + "_lakepack/output.parquet");
  const std::string failures = args.Get("failures", base + "_lakepack/failures.parquet");
  if (args.Has("dry-run")) {
    std::printf(
        "files run: would run `%s` on %lld rows (%zu file columns), outputs to "
        "%s<id>/<name>, output table %s, failure table %s\n",
        command[0].c_str(), static_cast<long long>(table.num_rows()), table.columns.size(),
        base.c_str(), output.c_str(), failures.c_str());
    return kExitOk;
  }
  p.resume = !args.Has("no-resume");
  files::RowFn fn = [&](int64_t row, const std::string& in,
                        const std::string& out) -> Result<files::FnOutputs> {
    const std::string log = (fs::path(out).parent_path() / "command.log").string();
    LP_RETURN_NOT_OK(RunCommand(command, in, out, table.IdOf(row), log));
    files::FnOutputs outputs;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(out, ec)) {
      if (e.is_regular_file())
        outputs.emplace_back(e.path().filename().string(), e.path().string());
    }
    std::sort(outputs.begin(), outputs.end());
    return outputs;
  };
  RowsRun job(args, "files run", table.num_rows(), o);
  auto res = files::RunPipeline(table, fn, p, o);
  if (!res.ok()) return job.run.Fail(res.status());
  Status st = WriteParquet(output, files::FileTableToArrow(res->outputs), o.store);
  if (st.ok()) st = WriteParquet(failures, files::FailureTable(table, res->outcomes), o.store);
  if (!st.ok()) return job.run.Fail(st);
  auto extra = [&](JsonWriter& w) {
    w.Key("output").String(output).Key("failure_table").String(failures);
    w.Key("objects_written").Int(res->objects_written);
  };
  return Report(args, job, "run", table, res->outcomes, extra,
                "; output table " + output + ", failure table " + failures);
}

int RunFiles(const Args& args) {
  const auto& pos = args.positional();
  const std::string sub = pos[0];
  auto o = OptionsFrom(args);
  if (!o.ok()) return Usage(args, o.status());
  if (sub == "put") {
    if (pos.size() != 2) return Usage(args, Status::InvalidArgument("files put DIR --into-path URI --id ID"));
    return RunPut(args, *o);
  }
  if (sub != "fetch" && sub != "sizes" && sub != "run") {
    return Usage(args, Status::InvalidArgument("unknown files command '" + sub +
                                              "' (fetch, sizes, put, run)"));
  }
  if (pos.size() < 2) return Usage(args, Status::InvalidArgument("files " + sub + " needs a TABLE"));
  if (sub != "run" && pos.size() != 2) return Usage(args, Status::InvalidArgument("too many arguments"));
  auto table = LoadTable(pos[1], o->store);
  if (!table.ok()) return Fail(args, table.status());
  if (sub == "fetch") return RunFetch(args, *table, *o);
  if (sub == "sizes") return RunSizes(args, *table, *o);
  return RunRun(args, *table, *o);
}

}  // namespace

const Verb kFilesVerb = {
    "files",
    "COMMAND TABLE|DIR [-- COMMAND ARGS...]",
    "tables of file URLs: fetch rows into dirs, sizes, put files, run a command per row",
    "COMMAND is one of:\n"
    "  fetch TABLE --into DIR      each row's files into DIR/<id>/ (a failed row leaves no dir)\n"
    "  sizes TABLE [--output T]    each file's size from LIST/HEAD, no download\n"
    "  put DIR --into-path URI --id ID   DIR's files to URI/<id>/<name>\n"
    "  run TABLE --into-path URI -- COMMAND ARGS...   COMMAND once per row with $LAKEPACK_IN\n"
    "      (the row's files), $LAKEPACK_OUT (upload what it leaves there to URI/<id>/<name>) and\n"
    "      $LAKEPACK_ID; writes the output and failure tables; rows done before are skipped\n"
    "TABLE is Parquet, CSV or JSON Lines with an `id` column and file columns (named like files,\n"
    "holding URLs or paths).  Every row is accounted for: exit 1 when any row failed.",
    {{"into", "DIR", "fetch: the local directory rows are fetched into (no default: required)"},
     {"into-path", "URI", "put/run: where outputs go, as URI/<id>/<name> (no default: required)"},
     {"id", "ID", "put: the row id the files are written under (no default: required)"},
     {"jobs", "N", "rows worked on at once (default 32)"},
     {"output", "T",
      "sizes: write the size table to this Parquet file (default: print it); run: the output "
      "table (default URI/_lakepack/output.parquet)"},
     {"failures", "T", "run: the failure table (default URI/_lakepack/failures.parquet)"},
     {"no-resume", nullptr, "run: run every row again, ignoring rows done before"},
     {"dry-run", nullptr, "say what would be done; do nothing"}},
    1,
    -1,
    RunFiles};

}  // namespace lakepack::cli
