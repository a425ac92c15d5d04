// plan.h: what one pack run will do, decided from listings and the committed state, without I/O.
//
// Given the files of the target partition, the last commit, the (abandoned) intent being
// recovered if any, and the listing of the inputs, MakePlan decides:
//   - the inputs to pack: those with the wanted extension that the committed state does not list
//     with the same URI, size and ETag (a changed input is packed again), sorted by URI;
//   - the latest output file (highest N of TABLE[_SUFFIX]_N.EXT in the partition) and whether its
//     rows are rewritten (it is below the limit by more than the size tolerance), so the run
//     writes N0, N0+1, ... (rewrite) or N0+1, ... (no rewrite), or 0, 1, ... (no output yet);
//   - when recovering a crashed run: the output files that run may have written (every N above
//     the latest N it recorded), to delete before starting again;
//   - the extension-mismatch error: a data file of another extension in the partition means
//     InvalidArgument naming it, and nothing is written.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lakepack/store.h"
#include "pack/state.h"

namespace lakepack::pack {

// Tolerance of the exact-size promise: every file but a run's last is within ±2% of the limit.
constexpr double kSizeTolerance = 0.02;

struct PlanRequest {
  std::string table;
  std::string suffix;
  std::string out_ext;  // e.g. "snappy.parquet"
  std::string in_ext;   // "" = every input
  int64_t file_limit_bytes = 0;
  // Objects directly in the target partition directory; keys are base names (anything with a
  // '/' is a sub-directory entry and ignored).
  std::vector<ObjectInfo> partition_files;
  // Inputs; key = the input's URI (its identity in the packed list).
  std::vector<ObjectInfo> inputs;
  const Commit* committed = nullptr;  // the highest commit, if any
  const Intent* abandoned = nullptr;  // a crashed run being recovered, if any
};

struct PackPlan {
  std::vector<ObjectInfo> inputs;  // to pack, sorted by key (URI)
  int64_t already_packed = 0;      // inputs skipped as packed before
  int64_t input_bytes = 0;
  // The latest existing output file (before this run), -1 if none.
  int64_t latest_n = -1;
  std::string latest_name;
  int64_t latest_size = 0;
  std::string latest_etag;
  bool rewrite_latest = false;           // its rows come first and it is rewritten under its name
  int64_t first_n = 0;                   // the first N this run writes
  std::vector<std::string> stale_files;  // recovery: names a crashed run may have written
  // Files a run would write if output bytes ≈ input bytes (+ the rewritten latest file's).
  int64_t estimated_files = 0;

  bool nothing_to_do() const { return inputs.empty(); }
};

Result<PackPlan> MakePlan(const PlanRequest& request);

// Multi-line human description ("inputs to pack: ...", "rewrite table_0.csv (128 kB)").
std::string DescribePlan(const PackPlan& plan, const PlanRequest& request);

}  // namespace lakepack::pack
