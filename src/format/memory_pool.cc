#include "format/memory_pool.h"

#include <cstdlib>

namespace lakepack::format {

arrow::MemoryPool* StreamPool() {
  static arrow::MemoryPool* const pool = [] {
    if (std::getenv("ARROW_DEFAULT_MEMORY_POOL") != nullptr) return arrow::default_memory_pool();
    arrow::MemoryPool* je = nullptr;
    if (!arrow::jemalloc_memory_pool(&je).ok() || je == nullptr) {
      return arrow::default_memory_pool();
    }
    (void)arrow::jemalloc_set_decay_ms(kJemallocDecayMs);  // best effort
    return je;
  }();
  return pool;
}

}  // namespace lakepack::format
