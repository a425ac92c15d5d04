#include "cli/run_job.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>

#include "base/json.h"
#include "base/size.h"
#include "base/ticker.h"

namespace lakepack::cli {
namespace {

// The process's one running job's token and the signal that cancelled it (0: none).  Set before
// the handlers are installed and never freed while they may run.
std::atomic<CancelToken*> g_token{nullptr};
volatile sig_atomic_t g_signal = 0;

void OnSignal(int signo) {
  if (g_signal == 0) g_signal = signo;
  if (CancelToken* t = g_token.load()) t->Cancel();
}

void CatchSignals() {
  struct sigaction sa = {};
  sa.sa_handler = OnSignal;
  sa.sa_flags = SA_RESETHAND;  // a second signal takes the default action: the process dies
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

// The bar redraws this often: smooth enough to read, rare enough to cost nothing.
constexpr std::chrono::milliseconds kRedrawInterval{200};

std::string Amount(int64_t n, const std::string& unit) {
  if (unit == "bytes") return FormatBytes(n);
  return std::to_string(n) + " " + unit;
}

}  // namespace

double MonotonicSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

JobRun::JobRun(const Args& args, std::string label, std::string unit)
    : args_(args), label_(std::move(label)) {
  progress_.unit = std::move(unit);
  context_.cancel = &cancel_;
  context_.progress = &progress_;
  start_seconds_ = MonotonicSeconds();
  g_token.store(&cancel_);
  CatchSignals();
  if (!label_.empty() && !args.quiet() && !args.json() && ::isatty(STDERR_FILENO)) {
    bar_ = std::make_unique<Ticker>(kRedrawInterval, [this] { Draw(); });
  }
}

JobRun::~JobRun() {
  ClearBar();
  // Later signals (there is no job left to cancel) take their default action.
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  g_token.store(nullptr);
}

void JobRun::Draw() {
  const int64_t done = progress_.done.load(), total = progress_.total.load();
  const double secs = MonotonicSeconds() - start_seconds_;
  const double rate = secs > 0 ? static_cast<double>(done) / secs : 0;
  constexpr int kWidth = 30;
  std::string line = label_ + " ";
  if (total > 0) {
    const double fraction = std::min(1.0, static_cast<double>(done) / total);
    const int filled = static_cast<int>(kWidth * fraction);
    line += "[" + std::string(filled, '=') + (filled < kWidth ? ">" : "") +
            std::string(std::max(0, kWidth - filled - 1), ' ') + "] ";
    char pct[16];
    std::snprintf(pct, sizeof pct, "%3.0f%% ", 100 * fraction);
    line += pct;
  }
  line += Amount(done, progress_.unit);
  if (total >= 0) line += " / " + Amount(total, progress_.unit);
  line += "  " + Amount(static_cast<int64_t>(rate), progress_.unit) + "/s";
  if (total > 0 && rate > 0 && done < total) {
    line += "  ETA " + FormatDuration(static_cast<double>(total - done) / rate);
  }
  if (cancel_.cancelled()) line += "  (stopping...)";
  std::fprintf(stderr, "\r\033[K%s", line.c_str());
  std::fflush(stderr);
}

void JobRun::ClearBar() {
  if (!bar_) return;
  bar_.reset();  // joins the redraw thread
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
}

int JobRun::ExitCode(const Status& status) const {
  if (status.ok()) return kExitOk;
  if (status.code() == StatusCode::kCancelled && g_signal != 0) return 128 + g_signal;
  return kExitFailure;
}

void PrintJsonError(const Status& status, int exit_code, const char* code_name) {
  JsonWriter w;
  w.BeginObject().Key("error").BeginObject();
  w.Key("code").String(code_name ? code_name : StatusCodeName(status.code()));
  w.Key("message").String(status.message());
  w.EndObject().Key("exit_code").Int(exit_code).EndObject();
  std::printf("%s\n", w.str().c_str());
  std::fflush(stdout);
}

int JobRun::Fail(const Status& status) {
  ClearBar();
  const int code = ExitCode(status);
  if (args_.json()) {
    PrintJsonError(status, code);
  } else {
    std::fprintf(stderr, "lakepack: %s: %s\n", code == kExitFailure ? "error" : "interrupted",
                 status.message().c_str());
  }
  return code;
}

int JobRun::Succeed(const std::string& json, const std::string& text, FILE* text_stream) {
  ClearBar();
  if (args_.json()) {
    std::printf("%s\n", json.c_str());
  } else if (!args_.quiet() && !text.empty()) {
    std::fputs(text.c_str(), text_stream);
  }
  std::fflush(text_stream);
  std::fflush(stdout);
  return kExitOk;
}

int JobRun::Partial(const Status& status, const std::string& json, const std::string& text) {
  ClearBar();
  if (args_.json()) {
    std::printf("%s\n", json.c_str());
    std::fflush(stdout);
  } else {
    std::fputs(text.c_str(), stderr);
  }
  return ExitCode(status);
}

int Usage(const Verb& verb, const std::string& problem, bool json) {
  if (json) {
    PrintJsonError(Status::InvalidArgument(problem), kExitUsage, "usage");
    return kExitUsage;
  }
  if (!problem.empty()) std::fprintf(stderr, "lakepack %s: %s\n", verb.name, problem.c_str());
  std::fprintf(stderr,
               "usage: lakepack %s %s [OPTIONS]  (lakepack help %s explains every option)\n",
               verb.name, verb.args, verb.name);
  return kExitUsage;
}

int Fail(const Args& args, const Status& status) {
  if (args.json()) {
    PrintJsonError(status, kExitFailure);
  } else {
    std::fprintf(stderr, "lakepack: error: %s\n", status.message().c_str());
  }
  return kExitFailure;
}

int Usage(const Args& args, const Status& problem) {
  return Usage(args.verb(), problem.message(), args.json());
}

}  // namespace lakepack::cli
