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

namespace lakepack::cli {

class CountingStore : public ObjectStore {
 public:
  explicit CountingStore(std::shared_ptr<ObjectStore> inner) : inner_(std::move(inner)) {}

  // Bytes accepted by writers opened through this store (Put() bodies included).
  int64_t bytes_written() const { return bytes_->load(std::memory_order_relaxed); }

  std::string root_uri() const override { return inner_->root_uri(); }
  Result<ObjectInfo> Head(const std::string& key) override { return inner_->Head(key); }
  Result<std::string> Get(const std::string& key) override { return inner_->Get(key); }
  Result<std::string> GetRange(const std::string& key, int64_t offset, int64_t length) override {
    return inner_->GetRange(key, offset, length);
  }
  Result<ObjectInfo> Put(const std::string& key, std::string_view data,
                         const PutOptions& options = {}) override {
    bytes_->fetch_add(static_cast<int64_t>(data.size()), std::memory_order_relaxed);
    return inner_->Put(key, data, options);
  }
  Result<ListPage> List(const std::string& prefix, const ListOptions& options = {}) override {
    return inner_->List(prefix, options);
  }
  using ObjectStore::Delete;  // keep the one-key overload visible
  Status Delete(const std::vector<std::string>& keys) override { return inner_->Delete(keys); }
  Result<ObjectInfo> Copy(const std::string& src_key, const std::string& dst_key) override {
    return inner_->Copy(src_key, dst_key);
  }
  Result<std::unique_ptr<ObjectWriter>> OpenWriter(const std::string& key,
                                                   const WriterOptions& options = {}) override;
  bool is_local() const override { return inner_->is_local(); }
  std::string LocalPath(const std::string& key) const override { return inner_->LocalPath(key); }

 private:
  std::shared_ptr<ObjectStore> inner_;
  // Shared with the writers, which may outlive this store object.
  std::shared_ptr<std::atomic<int64_t>> bytes_ = std::make_shared<std::atomic<int64_t>>(0);
};

}  // namespace lakepack::cli
