// run_job.h: how every `lakepack` verb runs its job: signals → cancel, the progress bar, --json,
// --quiet and the exit codes (cli.h).
//
//   JobRun run(args, "cp");                  // catches SIGINT / SIGTERM, maybe shows a bar
//   auto report = ops::Copy(options, run.context());
//   if (!report.ok()) return run.Fail(report.status());
//   return run.Succeed(report->ToJson(), "copied ...\n");
//
// Signals: the first SIGINT or SIGTERM cancels the job (CancelToken::Cancel, async-signal-safe);
// the job stops at its next safe point and takes back what it wrote; the verb exits 130 (SIGINT)
// or 143 (SIGTERM).  The handlers are reset by their first signal, so a second one kills at once.
//
// The bar: on stderr, only when it is a terminal and neither --quiet nor --json was given; it
// shows done (and, once the job knows it, the total, a bar and the ETA) and the rate, and is
// cleared before any summary or error line.
//
// Output: Succeed prints the report JSON on stdout with --json, else the text summary unless
// --quiet.  Fail prints "lakepack: error: <message>" on stderr, or with --json
// {"error": {"code": "NotFound", "message": "..."}, "exit_code": 1} on stdout.
//
// Thread-safety: one JobRun per process, used by the main thread.
#pragma once

#include <cstdio>
#include <memory>
#include <string>

#include "base/job.h"
#include "cli/cli.h"

namespace lakepack {
class Ticker;
}

namespace lakepack::cli {

class JobRun {
 public:
  // `label` is shown before the bar; `unit` is what Progress counts ("bytes", "rows").
  JobRun(const Args& args, std::string label, std::string unit = "bytes");
  ~JobRun();
  JobRun(const JobRun&) = delete;
  JobRun& operator=(const JobRun&) = delete;

  const JobContext& context() const { return context_; }
  Progress& progress() { return progress_; }
  const CancelToken& cancel() const { return cancel_; }

  // Clears the bar (idempotent); call before printing anything else.
  void ClearBar();
  // The exit code for a job that ended with `status`: 0, 1, or 130/143 when a signal cancelled it.
  int ExitCode(const Status& status) const;

  // Prints the job's error (see above) and returns its exit code.
  int Fail(const Status& status);
  // Prints `json` (--json) or `text` (unless --quiet) to stdout or `text_stream`; returns 0.
  int Succeed(const std::string& json, const std::string& text, FILE* text_stream = stdout);
  // Prints `json` with --json (a report that holds the failures), else `text` on stderr; returns
  // ExitCode(status).  For jobs that go on past failures (cp).
  int Partial(const Status& status, const std::string& json, const std::string& text);

 private:
  void Draw();

  const Args& args_;
  std::string label_;
  CancelToken cancel_;
  Progress progress_;
  JobContext context_;
  double start_seconds_ = 0;
  std::unique_ptr<Ticker> bar_;
};

// A usage error found before any work: prints "lakepack VERB: <problem>" and the usage line on
// stderr (with --json: the error object on stdout, code "usage"); returns kExitUsage.
int Usage(const Args& args, const Status& problem);
int Usage(const Verb& verb, const std::string& problem, bool json);

// A failure found before the job started that is not a usage error (e.g. a file whose format
// cannot be told from its name): printed as JobRun::Fail does; returns kExitFailure.
int Fail(const Args& args, const Status& status);

// Prints `status` as --json wants it (used also for errors found before a JobRun exists).
void PrintJsonError(const Status& status, int exit_code, const char* code_name = nullptr);

// Seconds on a monotonic clock (for report timings).
double MonotonicSeconds();

}  // namespace lakepack::cli
