// plan.h: what one pack run will do, decided from listings and the committed state, without I/O.
//
// Given the files of the target partition, the last commit, the (abandoned) intent being
// recovered if any, and the listing of the inputs, MakePlan decides:
//   - the inputs to pack: those with the wanted extension whose URI the committed state does not
//     list, sorted by URI.  An input is identified by its URI: a listed one with the same size and
//     ETag is packed; one of the same size and another ETag (touch, cp without -p, a re-upload)
//     goes to `verify`, for the packer to compare its content checksum with the recorded one; one
//     of another size, or of another ETag without a recorded checksum, is `changed` (never packed
//     again: its rows are in the table);
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
  bool append_new_file = false;       // never rewrite the latest file (PackOptions)
};

// An input whose URI was packed before, as listed now and as recorded then.
struct PackedAgain {
  ObjectInfo now;
  PackedInput then;
};

struct PackPlan {
  std::vector<ObjectInfo> inputs;    // to pack, sorted by key (URI)
  int64_t already_packed = 0;        // inputs skipped as packed before (not counting `verify`)
  std::vector<PackedAgain> verify;   // same size, other ETag: packed iff the checksum matches
  std::vector<PackedAgain> changed;  // packed before, with other bytes now
  // Files of the table's extension in the partition that are not TABLE[_SUFFIX]_N.EXT (e.g.
  // "t_final.csv"): neither counted as outputs nor touched; listed by DescribePlan.
  std::vector<std::string> skipped_outputs;
  // Inputs not packed: not of a known format (lakepack/format.h), or not of `in_ext` (URIs).
  std::vector<std::string> skipped_inputs;
  int64_t input_bytes = 0;
  // The latest existing output file (before this run), -1 if none.
  int64_t latest_n = -1;
  std::string latest_name;
  int64_t latest_size = 0;
  std::string latest_etag;
  bool rewrite_latest = false;           // its rows come first and it is rewritten under its name
  int64_t first_n = 0;                   // the first N this run writes
  std::vector<std::string> stale_files;  // recovery: names a crashed run may have written
  // Output bytes per input byte measured by the committed runs (their files' bytes over their
  // inputs' bytes); 0 when there is no such history.
  double output_per_input = 0;
  // Files a run would write at that ratio (else output bytes ≈ input bytes), plus the rewritten
  // latest file's bytes.
  int64_t estimated_files = 0;

  bool nothing_to_do() const { return inputs.empty(); }
};

Result<PackPlan> MakePlan(const PlanRequest& request);

// Multi-line human description ("inputs to pack: ...", "rewrite table_0.csv (128 kB)").
std::string DescribePlan(const PackPlan& plan, const PlanRequest& request);

}  // namespace lakepack::pack
