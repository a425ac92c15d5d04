// memory_store.h: an ObjectStore held in the memory of this process, for fast unit tests and race
// suites (txlog's records, claims and checkpoints run here in microseconds instead of the
// milliseconds of a disk or a server round trip).
//
// Behaves as the other backends do (it passes tests/store/store_conformance.h): flat keys, objects
// visible atomically at Put or ObjectWriter::Finish, put-if-absent decided under one lock (so of
// racing writers exactly one wins), listings sorted by key with delimiter roll-up, start_after
// and pages of max_keys.  Its URIs are "mem://NAME/KEY".  Nothing outlives the store object; two
// stores never share objects, even with the same name.  An ETag is derived from the content (equal
// bytes, equal ETag, as S3's for single-part objects).
//
// Thread-safety: safe to use from many threads at once; an ObjectWriter by one thread at a time.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "lakepack/store.h"

namespace lakepack {

class MemoryStore final : public ObjectStore {
 public:
  // `name` appears in root_uri() ("mem://NAME"); "" picks a name unique in this process.
  static std::shared_ptr<MemoryStore> Make(std::string name = "");

  std::string root_uri() const override { return "mem://" + name_; }
  Result<ObjectInfo> Head(const std::string& key) override;
  Result<std::string> Get(const std::string& key) override;
  Result<std::string> GetRange(const std::string& key, int64_t offset, int64_t length) override;
  Result<ObjectInfo> Put(const std::string& key, std::string_view data,
                         const PutOptions& options = {}) override;
  Result<ListPage> List(const std::string& prefix, const ListOptions& options = {}) override;
  using ObjectStore::Delete;
  Status Delete(const std::vector<std::string>& keys) override;
  Result<ObjectInfo> Copy(const std::string& src_key, const std::string& dst_key) override;
  Result<std::unique_ptr<ObjectWriter>> OpenWriter(const std::string& key,
                                                   const WriterOptions& options = {}) override;

  // Objects held now, and their bytes (for tests).
  size_t object_count() const;

 private:
  struct PrivateTag {};

 public:
  MemoryStore(PrivateTag, std::string name) : name_(std::move(name)) {}  // use Make()

 private:
  struct Object {
    std::shared_ptr<const std::string> data;  // shared: Get copies outside the lock
    std::string etag;
    int64_t mtime_ns = 0;
  };
  ObjectInfo InfoOf(const std::string& key, const Object& o) const;
  Result<Object> Find(const std::string& key) const;

  const std::string name_;
  mutable std::mutex mu_;
  std::map<std::string, Object> objects_;  // guarded by mu_
};

}  // namespace lakepack
