// counting_store.h: an ObjectStore decorator that counts the bytes written through it.
//
// `lakepack generate --size` must stop once the output reaches a size, but a format::BatchWriter
// does not report bytes.  Every writer reaches the store through ObjectStore::OpenWriter, so
// wrapping the store and counting what its ObjectWriters accept gives the exact byte count
// (lagging only by what the format layer still buffers: ~1 MB of stream buffer, or a Parquet row
// group) without knowing anything about formats.  All other calls pass straight through.
//
// Thread-safety: as the wrapped store; the counter is atomic.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "lakepack/store.h"
#include "store/forwarding_store.h"

namespace lakepack::cli {

class CountingStore : public ForwardingStore {
 public:
  explicit CountingStore(std::shared_ptr<ObjectStore> inner) : ForwardingStore(std::move(inner)) {}

  // Bytes accepted by writers opened through this store (Put() bodies included).
  int64_t bytes_written() const { return bytes_->load(std::memory_order_relaxed); }

  Result<ObjectInfo> Put(const std::string& key, std::string_view data,
                         const PutOptions& options = {}) override {
    bytes_->fetch_add(static_cast<int64_t>(data.size()), std::memory_order_relaxed);
    return ForwardingStore::Put(key, data, options);
  }
  Result<std::unique_ptr<ObjectWriter>> OpenWriter(const std::string& key,
                                                   const WriterOptions& options = {}) override;

 private:
  // Shared with the writers, which may outlive this store object.
  std::shared_ptr<std::atomic<int64_t>> bytes_ = std::make_shared<std::atomic<int64_t>>(0);
};

}  // namespace lakepack::cli
