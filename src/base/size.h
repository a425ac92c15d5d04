// base/size.h: the one parser of sizes, counts and durations given as text (CLI flags, Python
// keywords, environment variables), and the one way sizes are shown.
//
// Sizes: "256MB" (decimal: kB, MB, GB, TB, also k, M, G, T), "256MiB" (binary: KiB, MiB, GiB,
// TiB), "1000" or "1000B" (bytes); case-insensitive, a fraction is allowed ("0.5GiB").  Counts:
// a plain decimal integer.  Durations: a number of seconds, or with a unit: "500ms", "30s", "15m",
// "2h".  Every parser rejects trailing junk and out-of-range values with InvalidArgument naming
// the text.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "lakepack/status.h"

namespace lakepack {

Result<int64_t> ParseSize(std::string_view text);
// An integer in [min_value, max_value].
Result<int64_t> ParseCount(std::string_view text, int64_t min_value = INT64_MIN,
                           int64_t max_value = INT64_MAX);
// A duration in milliseconds.
Result<int64_t> ParseDurationMs(std::string_view text);

// "1.23 GB" (decimal units; "512 B" below 1 kB).
std::string FormatBytes(int64_t bytes);
// "1:05:09", "4:09", "0:07".
std::string FormatDuration(double seconds);

}  // namespace lakepack
