// job_binding.h: how every binding runs a library job — with the GIL released, Ctrl-C polled into
// the job's CancelToken, and the job's error raised as the matching Python exception.
//
//   nb::dict d = RunJob([&](const JobContext& ctx) -> Result<ops::CopyReport> {
//     return ops::Copy(options, ctx);
//   });
//
// The token polls CheckInterrupt (errors.h) at most every kInterruptPollInterval, on the calling
// thread only (Python runs signal handlers there; other threads see the token's flag).  A job that
// stops because of Ctrl-C returns Cancelled, and ThrowIfError re-raises the pending
// KeyboardInterrupt with the job's message as a note.
//
// Thread-safety: call with the GIL held, from the thread that called into the module.
#pragma once

#include <nanobind/nanobind.h>

#include <chrono>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "base/job.h"
#include "errors.h"
#include "lakepack/status.h"

namespace lakepack::py {

// Ctrl-C is polled at most this often: each poll takes the GIL.
constexpr auto kInterruptPollInterval = std::chrono::milliseconds(100);

// Runs body(const JobContext&), which returns Result<T> or Status, without the GIL; returns the
// T (or nothing) or throws.
template <typename Body>
auto RunJob(Body&& body) {
  CancelToken token;
  token.SetPoll([] { return !CheckInterrupt().ok(); }, kInterruptPollInterval);
  JobContext context;
  context.cancel = &token;
  using R = std::invoke_result_t<Body&, const JobContext&>;
  std::optional<R> result;
  {
    nanobind::gil_scoped_release release;
    result.emplace(body(context));
  }
  if constexpr (std::is_same_v<R, Status>) {
    ThrowIfError(*result);
  } else {
    return ValueOrThrow(std::move(*result));
  }
}

// A report's ToJson() text as a Python dict (json.loads): the same object the CLI's --json prints.
inline nanobind::object JsonToPython(const std::string& json) {
  return nanobind::module_::import_("json").attr("loads")(json);
}

}  // namespace lakepack::py
