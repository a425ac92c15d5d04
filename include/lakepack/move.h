// lakepack/move.h: the move job — copy (ops::CopyItems, the rules of lakepack/copy.h), then
// delete each source object whose copy is verified complete.  The one implementation behind
// `lakepack mv` and the Python `lakepack.mv()`.
//
// Order and safety: no source object is deleted before its copy finished and a HEAD of the
// target shows the source's size; a failed or cancelled copy leaves its source untouched.  Moving
// an object onto itself, or a prefix into itself, is InvalidArgument before any work.  A local
// recursive move removes the source directories it left empty.
//
// Thread-safety: as for Copy.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "lakepack/copy.h"
#include "lakepack/job.h"
#include "lakepack/status.h"

namespace lakepack::ops {

struct MoveReport {
  CopyReport copy;                    // the copy phase (its failures leave their sources in place)
  int64_t moved = 0;                  // objects copied, verified and deleted at the source
  std::vector<CopyFailure> failures;  // verifications or source deletions that failed

  bool ok() const { return copy.ok() && failures.empty(); }
  // OK; Cancelled when cancelled; else the first failure naming each and "N of M objects were
  // moved".
  Status ToStatus() const;
  // The copy report's fields plus "moved" and "failures" of both phases (each with "src", "dst",
  // "error", "code").
  std::string ToJson() const;
};

// Opens the stores, plans (PlanCopy), copies, verifies and deletes the sources.  Uses
// options.src/dst/recursive/jobs/parallel/part_size/max_failures/store.
Result<MoveReport> Move(const CopyOptions& options, const JobContext& context);

}  // namespace lakepack::ops
