// local_store.h: the local-disk backend of ObjectStore, rooted at a directory.
//
// A key maps to the file root/key; '/' in keys makes sub-directories.  Writes go to a hidden temp
// file in the target directory (".NAME.lakepack-tmp-RANDOM") and become visible by rename(2)
// (put) or link(2) (put-if-absent, which is atomic: the loser gets EEXIST).  So a reader never sees
// half an object and a process killed mid-write leaves only a temp file, which listings skip.
// Not fsync'd: committed objects survive the death of the process, not of the machine.
//
// Thread-safety: safe to use from many threads at once.
#pragma once

#include <memory>
#include <string>

#include "lakepack/store.h"

namespace lakepack {

class LocalStore final : public ObjectStore {
 public:
  // REQUIRES: `root` is an absolute path.  The directory need not exist yet.
  static Result<std::shared_ptr<LocalStore>> Make(std::string root);

  std::string root_uri() const override;
  Result<ObjectInfo> Head(const std::string& key) override;
  Result<std::string> Get(const std::string& key) override;
  Result<std::string> GetRange(const std::string& key, int64_t offset, int64_t length) override;
  Result<int64_t> ReadRange(const std::string& key, int64_t offset, int64_t length,
                            char* out) override;
  Result<ObjectInfo> Put(const std::string& key, std::string_view data,
                         const PutOptions& options) override;
  Result<ListPage> List(const std::string& prefix, const ListOptions& options) override;
  Status Delete(const std::vector<std::string>& keys) override;
  Status AbortIncompleteWrites(const std::string& key) override;
  Result<ObjectInfo> Copy(const std::string& src_key, const std::string& dst_key) override;
  Result<std::unique_ptr<ObjectWriter>> OpenWriter(const std::string& key,
                                                   const WriterOptions& options) override;
  bool is_local() const override { return true; }
  std::string LocalPath(const std::string& key) const override;

  // True for the names of in-flight temp files, which listings skip.
  static bool IsTempName(std::string_view filename);

 private:
  struct PrivateTag {};

 public:
  LocalStore(PrivateTag, std::string root) : root_(std::move(root)) {}  // use Make()

 private:
  std::string root_;  // absolute, without a trailing '/' (except for "/" itself)
};

}  // namespace lakepack
