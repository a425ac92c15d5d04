// memory_pool.h: the Arrow memory pool lakepack's readers and writers allocate from.
//
// Streaming a file through Arrow allocates and frees its size several times over (blocks, parsed
// values, batches, Parquet pages).  The pyarrow wheel's default pool, mimalloc, keeps freed pages
// resident, so peak RSS follows the allocation rate rather than what is live: a 200 MB CSV ->
// Parquet convert peaked at ~265 MB RSS with ~95 MB live.  jemalloc with a short decay returns
// them: ~140 MB, at ~0.1 s more system time.  An explicit ARROW_DEFAULT_MEMORY_POOL is obeyed.
//
// Thread-safety: StreamPool() is safe to call from any thread; the pool is thread-safe.
#pragma once

#include "arrow/memory_pool.h"

namespace lakepack::format {

// jemalloc with kJemallocDecayMs when Arrow has it and ARROW_DEFAULT_MEMORY_POOL is unset; else
// arrow::default_memory_pool().
arrow::MemoryPool* StreamPool();

// How long jemalloc keeps freed pages before returning them.  Arrow's own default is 1000 ms; 0
// returns them at once but costs ~0.7 s of madvise per 200 MB converted.
constexpr int kJemallocDecayMs = 100;

}  // namespace lakepack::format
