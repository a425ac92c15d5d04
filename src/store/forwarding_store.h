// forwarding_store.h: an ObjectStore that passes every call to another one.
//
// A base for decorators (byte counting, fault or crash injection in tests, a store that hides
// is_local()): derive, and override only the calls that differ.
//
// Thread-safety: as the inner store's.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "lakepack/store.h"

namespace lakepack {

class ForwardingStore : public ObjectStore {
 public:
  explicit ForwardingStore(std::shared_ptr<ObjectStore> inner) : inner_(std::move(inner)) {}

  std::string root_uri() const override { return inner_->root_uri(); }
  Result<ObjectInfo> Head(const std::string& key) override { return inner_->Head(key); }
  Result<std::string> Get(const std::string& key) override { return inner_->Get(key); }
  Result<std::string> GetRange(const std::string& key, int64_t offset, int64_t length) override {
    return inner_->GetRange(key, offset, length);
  }
  Result<int64_t> ReadRange(const std::string& key, int64_t offset, int64_t length,
                            char* out) override {
    return inner_->ReadRange(key, offset, length, out);
  }
  Result<ObjectInfo> Put(const std::string& key, std::string_view data,
                         const PutOptions& options = {}) override {
    return inner_->Put(key, data, options);
  }
  Result<ListPage> List(const std::string& prefix, const ListOptions& options = {}) override {
    return inner_->List(prefix, options);
  }
  using ObjectStore::Delete;
  Status Delete(const std::vector<std::string>& keys) override { return inner_->Delete(keys); }
  Status AbortIncompleteWrites(const std::string& key) override {
    return inner_->AbortIncompleteWrites(key);
  }
  Result<ObjectInfo> Copy(const std::string& src_key, const std::string& dst_key) override {
    return inner_->Copy(src_key, dst_key);
  }
  Result<std::unique_ptr<ObjectWriter>> OpenWriter(const std::string& key,
                                                   const WriterOptions& options = {}) override {
    return inner_->OpenWriter(key, options);
  }
  bool is_local() const override { return inner_->is_local(); }
  std::string LocalPath(const std::string& key) const override { return inner_->LocalPath(key); }
  StoreStats stats() const override { return inner_->stats(); }

 protected:
  ObjectStore& inner() { return *inner_; }
  const std::shared_ptr<ObjectStore>& inner_ptr() const { return inner_; }

 private:
  std::shared_ptr<ObjectStore> inner_;
};

}  // namespace lakepack
