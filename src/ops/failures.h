// ops/failures.h: the one status of a job over many objects that ended with failures (copy, rm,
// sync): every failure named, the first one's code, and the tally of what was done.
//
//   cancelled:  Cancelled "<verb> cancelled; <tally>; failed: A; B"
//   failures:   <first's code> "A (and 2 more failed: B; C)[; <tally>]"
//   neither:    OK
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "lakepack/status.h"

namespace lakepack::ops {

// `failures` are the failed items in order, `describe(f)` names one ("copying a to b: why").
// REQUIRES: every F has a `status` member.
template <typename F, typename Describe>
Status FailuresStatus(std::string_view verb, bool cancelled, const std::vector<F>& failures,
                      Describe describe, const std::string& tally, bool with_tally) {
  if (cancelled) {
    std::string message = std::string(verb) + " cancelled; " + tally;
    for (size_t k = 0; k < failures.size(); ++k) {
      message += (k == 0 ? "; failed: " : "; ") + describe(failures[k]);
    }
    return Status::Cancelled(message);
  }
  if (failures.empty()) return Status::OK();
  std::string message = describe(failures[0]);
  if (failures.size() > 1) {
    message += " (and " + std::to_string(failures.size() - 1) + " more failed:";
    for (size_t k = 1; k < failures.size(); ++k) {
      message += (k > 1 ? "; " : " ") + describe(failures[k]);
    }
    message += ")";
  }
  if (with_tally) message += "; " + tally;
  return Status(failures[0].status.code(), message);
}

}  // namespace lakepack::ops
