// report_json.h: a PackReport as the one JSON object that `lakepack pack --json` prints and the
// Python `pack()` returns (json.loads of the same text), so the two cannot drift.
//
// {"dry_run", "files": [{"uri", "rows", "bytes"}], "inputs", "input_partition_values",
//  "already_packed", "input_bytes", "rows", "rewrote_latest", "recovered", "generation",
//  "seconds", "plan", "stores": [{"uri", "requests", "retries", "bytes_sent", "bytes_received"}]}
//
// Thread-safety: a pure function.
#pragma once

#include <string>

#include "pack/packer.h"

namespace lakepack::pack {

std::string ReportToJson(const PackReport& report, bool dry_run);

}  // namespace lakepack::pack
