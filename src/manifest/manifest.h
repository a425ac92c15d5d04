// manifest/manifest.h: a list of files as two objects — a data Parquet file with one row per file
// and a summary JSON written last, the commit point — in the layout of s3manifesto / dbsnaplake
// snapshot manifests, so a manifest their users already have is read as it is.
//
//   summary (JSON):  {"manifest": "<URI of the data file>", "size": <total bytes>,
//                     "n_record": <total rows or null>, "fingerprint": "<md5>", "details": {...}}
//   data (Parquet):  columns uri (string), size (int64), etag (string), n_record (int64), and —
//                    only when some entry has them — partition (string, "k1=v1/k2=v2"),
//                    min_key, max_key (string).
//
// The fingerprint is s3manifesto's: the MD5 (hex) of every entry's uri then etag, in uri order.
// A manifest is visible once its summary exists: WriteManifest puts the data file first, so a
// reader that finds a summary always finds complete data.  Readers accept any integer type for
// size and n_record and tolerate missing etag / n_record columns (rows = -1: unknown).
//
// Thread-safety: plain values and functions; the store calls are as thread-safe as the store.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "lakepack/status.h"
#include "lakepack/store.h"

namespace lakepack::manifest {

struct FileEntry {
  std::string uri;
  int64_t size = 0;
  std::string etag;
  int64_t rows = -1;  // "n_record"; -1 when unknown
  // Hive partition of the file, in key order of the path ("year=2021/month=01"); empty if none.
  std::string partition;
  // Smallest and largest key in the file (sorted tables); "" when unknown.
  std::string min_key, max_key;
};

struct Manifest {
  std::string data_uri;     // the "manifest" field: where the Parquet list lives
  std::string summary_uri;  // where the summary lives (not stored in it)
  int64_t size = 0;         // sum of entries' sizes
  int64_t rows = -1;        // sum of entries' rows; -1 if any is unknown
  std::string fingerprint;
  std::string details_json = "{}";  // a JSON object, kept as text
  std::vector<FileEntry> files;
};

// s3manifesto's fingerprint of `files`: md5 over (uri, etag) in uri order, as lowercase hex.
std::string Fingerprint(const std::vector<FileEntry>& files);

// A manifest of `files` with size, rows and fingerprint computed.
Manifest MakeManifest(std::vector<FileEntry> files, std::string data_uri, std::string summary_uri,
                      std::string details_json = "{}");

// The summary document of `m` (JSON text).
std::string SummaryJson(const Manifest& m);
// The data file of `m` (Parquet bytes).
Result<std::string> DataParquet(const Manifest& m);

// Writes the data file, then the summary (the commit point).  URIs are resolved with OpenStore
// unless they lie in `store` (same root), which is then used.
Status WriteManifest(const Manifest& m, std::shared_ptr<ObjectStore> store,
                     const StoreOptions& options = {});

// Reads the summary at `summary_uri` and the data file it names.  Errors name the object.
Result<Manifest> ReadManifest(const std::string& summary_uri, std::shared_ptr<ObjectStore> store,
                              const StoreOptions& options = {});
// Only the summary (files left empty).
Result<Manifest> ReadManifestSummary(const std::string& summary_uri,
                                     std::shared_ptr<ObjectStore> store,
                                     const StoreOptions& options = {});
// Parses a data file's bytes; `source` names it in errors.
Result<std::vector<FileEntry>> ParseDataParquet(std::string_view bytes, const std::string& source);

// Resolves `uri` to a store and key: `store` when the URI is under its root, else OpenStore.
Result<StoreLocation> Resolve(const std::string& uri, const std::shared_ptr<ObjectStore>& store,
                              const StoreOptions& options);

// "k1=v1/k2=v2" <-> pairs.  ParsePartition fails on a segment without '='.
std::string FormatPartition(const std::vector<std::pair<std::string, std::string>>& kv);
Result<std::vector<std::pair<std::string, std::string>>> ParsePartition(std::string_view path);

}  // namespace lakepack::manifest
