// transfer.h: one file's transfer between an object store and local disk or memory, with the
// size checks and per-file retries every files job relies on.
//
// Reads: a first ranged GET of kSmallObject + 1 bytes; an object that fits is done in that one
// request (no HEAD).  A larger one gets a HEAD for its size and ETag and its remaining ranges
// are read in parallel (each pinned to the ETag) straight into place in the file.  Writes go
// to a temp name beside the target and are renamed once their size checked out, so a file
// under its final name is always complete.
//
// Thread-safety: the functions are safe to call from many threads.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "files/byte_budget.h"
#include "lakepack/status.h"
#include "lakepack/store.h"

namespace lakepack::files {

// Objects up to this size are read with one GET.  8 MiB: the S3 client's own chunk, where a
// request's latency is already small next to its transfer time.
inline constexpr int64_t kSmallObject = int64_t{8} << 20;
// Ranged-read size and parallel ranges of one large object.
inline constexpr int64_t kRangeChunk = int64_t{8} << 20;
inline constexpr int kRangesInFlight = 4;
// Uploads up to this size are one PUT (with Content-MD5) from memory; larger ones stream as a
// multipart upload.  64 MiB keeps the memory of one upload small next to the byte budget.
inline constexpr int64_t kSinglePutLimit = int64_t{64} << 20;

// Failures worth another attempt: transient server or network trouble (Unavailable).
bool IsTransient(const Status& status);

// Runs `attempt` until it succeeds, fails permanently, or `max_attempts` were made, sleeping a
// short jittered backoff between attempts.  Sets *attempts to the number made.
Status WithRetries(int max_attempts, int* attempts, const std::function<Status()>& attempt);

// Writes object `key` of `store` to the local file `path` (replacing it).  *bytes = its size.
Status FetchToFile(ObjectStore& store, const std::string& key, const std::string& path,
                   ByteBudget* budget, int64_t* bytes);

// The whole object in memory.
Result<std::string> FetchToMemory(ObjectStore& store, const std::string& key);

// Uploads `src` (a local file or another store's object) to `key` of `dst`.  Returns the written
// object's info, whose size was checked against the source.
Result<ObjectInfo> PutFile(ObjectStore& src_store, const std::string& src_key, ObjectStore& dst,
                           const std::string& key, ByteBudget* budget);

}  // namespace lakepack::files
