// timestamp_text.h: moved to format/timestamp_text.h (the CSV writer uses it too).  These
// forwarding names keep older callers building; new code includes format/timestamp_text.h.
//
// Thread-safety: pure functions; safe from any thread.
#pragma once

#include "format/timestamp_text.h"

namespace lakepack::gen {

using format::SchemaWithUtcTimestampsAsText;
using format::UtcTimestampText;
using format::WithUtcTimestampsAsText;

inline bool IsUtcMicrosTimestamp(const arrow::DataType& type) {
  return format::IsUtcTimestamp(type) &&
         static_cast<const arrow::TimestampType&>(type).unit() == arrow::TimeUnit::MICRO;
}

}  // namespace lakepack::gen
