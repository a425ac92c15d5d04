#include "cli/progress.h"

#include <cstdio>

#include "cli/cli.h"

namespace lakepack::cli {

Progress::Progress(bool enabled, std::string label, int64_t total)
    : enabled_(enabled), label_(std::move(label)), total_(total),
      start_(std::chrono::steady_clock::now()) {
  if (!enabled_) return;
  thread_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(mu_);
    while (!cv_.wait_for(lock, std::chrono::milliseconds(200), [this] { return stop_; })) Draw();
  });
}

Progress::~Progress() {
  if (!enabled_) return;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
  std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
}

double Progress::seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void Progress::Draw() {
  const int64_t done = done_.load(), total = total_.load();
  const double secs = seconds();
  const double rate = secs > 0 ? static_cast<double>(done) / secs : 0;
  constexpr int kWidth = 30;
  std::string bar;
  if (total > 0) {
    int filled = static_cast<int>(kWidth * std::min(1.0, static_cast<double>(done) / total));
    bar = "[" + std::string(filled, '=') + (filled < kWidth ? ">" : "") +
          std::string(std::max(0, kWidth - filled - 1), ' ') + "] ";
  }
  std::string amount = FormatBytes(done) + (total > 0 ? " / " + FormatBytes(total) : "");
  std::fprintf(stderr, "\r\033[K%s %s%s  %s/s", label_.c_str(), bar.c_str(), amount.c_str(),
               FormatBytes(static_cast<int64_t>(rate)).c_str());
  std::fflush(stderr);
}

}  // namespace lakepack::cli
