// format.h: the format names (public: lakepack/format.h) plus what only lakepack's own reports use.
//
// Thread-safety: pure functions; safe from any thread.
#pragma once

#include <cstdint>
#include <string_view>

#include "lakepack/format.h"

namespace lakepack {
class JsonWriter;
}

namespace lakepack::format {

// The members every report of one written file starts with — "uri", "format", "rows", "bytes",
// "seconds" — written into the open JSON object `w` (generate, convert, write_batches).
void WriteFileReport(JsonWriter& w, std::string_view uri, Format format, int64_t rows,
                     int64_t bytes, double seconds);

}  // namespace lakepack::format
