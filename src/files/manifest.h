// manifest.h: the resume records of a files pipeline, kept on the store beside its outputs.
//
// A row is finished when all its outputs are written and then its record
// into_path/_lakepack/rows/<id>.json (id percent-encoded) is written: the record names the
// outputs with their size and ETag, and a fingerprint of the row's inputs.  A re-run lists
// into_path once, reads the records it finds, and skips a row whose record matches its inputs
// and whose outputs are all there with the recorded size (and ETag, where the store has one).
// A row killed half-way has no record and is redone; its outputs are overwritten whole.
//
// Thread-safety: a Manifest is safe to use from many threads.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lakepack/files.h"
#include "lakepack/status.h"
#include "lakepack/store.h"

namespace lakepack::files {

struct ManifestOutput {
  std::string name, uri;
  int64_t size = 0;
  std::string etag;
};

struct ManifestRecord {
  std::string id;
  std::string inputs;  // InputFingerprint of the row
  std::vector<ManifestOutput> outputs;

  std::string ToJson() const;
  static Result<ManifestRecord> Parse(std::string_view json, const std::string& where);
};

// A stable fingerprint (FNV-1a 64, hex) of a row's file columns and URLs.
std::string InputFingerprint(const FileTable& table, int64_t row);

// `id` with every byte outside [A-Za-z0-9._-] as %XX: a safe, reversible key component.
std::string EncodeKeyComponent(const std::string& id);

class Manifest {
 public:
  static Result<std::unique_ptr<Manifest>> Open(const std::string& into_path,
                                                const StoreOptions& options);
  // For each row of `table`: its record if a previous run finished it (see above), else nullopt.
  Result<std::vector<std::optional<ManifestRecord>>> LoadDone(const FileTable& table, int parallel);
  Status Write(const ManifestRecord& record);

 private:
  Manifest(StoreLocation into, std::string dir_key)
      : into_(std::move(into)), dir_key_(std::move(dir_key)) {}
  std::string RecordKey(const std::string& id) const;

  StoreLocation into_;
  std::string dir_key_;  // into_path's key, "" or ending with '/'
};

}  // namespace lakepack::files
