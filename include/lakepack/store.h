// lakepack/store.h: the object store, lakepack's one view of storage.
//
// An ObjectStore is object-shaped, not a filesystem: flat keys, whole-object writes that become
// visible atomically, conditional creation, prefix listing.  Two backends implement it:
//   - LocalStore: a directory on local disk (the embedded default);
//   - S3Store: one bucket of an S3-compatible server, over libcurl with our own SigV4 signing.
// Every backend passes the same conformance suite (tests/store/store_conformance.h, instantiated
// per backend).
//
// Keys are UTF-8 strings without a leading '/'.  A store is bound to a root (a bucket, or a local
// directory); `OpenStore(uri)` splits a URI into a store and a key inside it.
//
// Thread-safety: an ObjectStore is safe to use from many threads at once.  An ObjectWriter is
// used by one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "lakepack/status.h"

namespace lakepack {

struct ObjectInfo {
  std::string key;
  int64_t size = 0;
  std::string etag;      // opaque; S3: the ETag without quotes; local: derived from mtime+size
  int64_t mtime_ns = 0;  // last modification, nanoseconds since the epoch (0 if unknown)
};

struct ListOptions {
  // With a delimiter (usually "/"), keys that have it after the prefix are rolled up into
  // common_prefixes, one level deep.  Without one, the listing is recursive.
  std::string delimiter;
  std::string start_after;   // list keys strictly after this one
  std::string continuation;  // token from a previous page ("" for the first page)
  int max_keys = 1000;       // a page holds at most this many entries
};

struct ListPage {
  std::vector<ObjectInfo> objects;           // sorted by key (byte order)
  std::vector<std::string> common_prefixes;  // each ends with the delimiter
  std::string next_continuation;             // "" when this is the last page
};

struct PutOptions {
  // Create only if no object has this key; else fail with AlreadyExists (S3: If-None-Match: *).
  bool if_absent = false;
  std::string content_type;
};

// Streams one object into the store.  Nothing is visible until Finish() succeeds; a writer
// destroyed (or Abort()ed) before that leaves nothing behind (S3: the multipart upload is aborted;
// local: the temp file is removed).
class ObjectWriter {
 public:
  virtual ~ObjectWriter() = default;
  // REQUIRES: neither Finish() nor Abort() has been called.
  virtual Status Write(const void* data, size_t size) = 0;
  // Commits the object; returns its info.  With PutOptions::if_absent, fails with AlreadyExists
  // (and leaves the existing object untouched) when the key exists at commit time.
  virtual Result<ObjectInfo> Finish() = 0;
  // Drops everything written.  Idempotent; a no-op after Finish().
  virtual Status Abort() = 0;
  // Bytes accepted by Write() so far.
  virtual int64_t bytes_written() const = 0;
};

struct WriterOptions {
  PutOptions put;
  // S3: bytes per multipart part (the first; parts grow so that huge objects stay under 10,000
  // parts) and parts uploading at once.  Ignored by the local backend.
  int64_t part_size = 8 << 20;
  int max_parallel_parts = 4;
  // Local backend: a hint that the data is large and written once (a download).  Writes that
  // are whole 4 KiB-aligned blocks bypass the page cache (O_DIRECT) where the file system
  // allows it, which saves the CPU of filling the cache; the first unaligned write ends it.
  // Ignored by S3.
  bool direct_io = false;
};

// What a store has sent and received since it was made.  S3: every HTTP request (each attempt of
// a retried call counts) and the bytes of request and response bodies; the local-disk backend
// counts nothing (all zero).  S3 stores are shared within the process (see OpenStore), so a job
// that wants its own figures subtracts a snapshot taken when it started.
struct StoreStats {
  int64_t requests = 0;        // HTTP requests sent, retries included
  int64_t retries = 0;         // requests that repeated a failed attempt
  int64_t bytes_sent = 0;      // request bodies (PUT, UploadPart, POST)
  int64_t bytes_received = 0;  // response bodies (GET and listings)

  // Field-wise difference: what happened between two snapshots.
  StoreStats operator-(const StoreStats& before) const {
    return {requests - before.requests, retries - before.retries, bytes_sent - before.bytes_sent,
            bytes_received - before.bytes_received};
  }
};

// One store's traffic during a job (its counters' rise), as the job reports list it.
struct StoreTraffic {
  std::string uri;  // the store's root_uri(): "s3://bucket"
  StoreStats stats;
};

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;

  // "s3://bucket" or "file:///abs/dir": the root keys are relative to.
  virtual std::string root_uri() const = 0;
  // The URI of one key: root_uri() + "/" + key.
  std::string Uri(std::string_view key) const;

  virtual Result<ObjectInfo> Head(const std::string& key) = 0;
  // The whole object.
  virtual Result<std::string> Get(const std::string& key) = 0;
  // Bytes [offset, offset+length) of the object, fewer at its end.  REQUIRES: offset >= 0.
  // An offset past the end gives an empty string.
  virtual Result<std::string> GetRange(const std::string& key, int64_t offset, int64_t length) = 0;
  // Like GetRange, into the caller's memory: reads bytes [offset, offset+length) into `out` and
  // returns how many were read (fewer at the object's end, 0 past it).  REQUIRES: `out` has room
  // for `length` bytes.  The default copies from GetRange; backends override it to read straight
  // into `out`, so a caller reusing its buffers touches no fresh memory.
  virtual Result<int64_t> ReadRange(const std::string& key, int64_t offset, int64_t length,
                                    char* out);
  virtual Result<ObjectInfo> Put(const std::string& key, std::string_view data,
                                 const PutOptions& options = {}) = 0;
  Result<ObjectInfo> PutIfAbsent(const std::string& key, std::string_view data) {
    PutOptions o;
    o.if_absent = true;
    return Put(key, data, o);
  }
  // One page of keys that start with `prefix`.
  virtual Result<ListPage> List(const std::string& prefix, const ListOptions& options = {}) = 0;
  // All keys under `prefix` (every page), recursive.
  Result<std::vector<ObjectInfo>> ListAll(const std::string& prefix);
  // Deletes the keys; a key that does not exist is not an error.
  virtual Status Delete(const std::vector<std::string>& keys) = 0;
  Status Delete(const std::string& key) { return Delete(std::vector<std::string>{key}); }
  // Server-side copy within this store.
  virtual Result<ObjectInfo> Copy(const std::string& src_key, const std::string& dst_key) = 0;
  virtual Result<std::unique_ptr<ObjectWriter>> OpenWriter(const std::string& key,
                                                           const WriterOptions& options = {}) = 0;

  // Removes what interrupted writes of exactly `key` left behind, e.g. a writer whose process was
  // killed before Finish or Abort: local disk, its hidden temp files beside the key; S3, the
  // incomplete multipart uploads of the key.  Nothing of any other key is touched.  REQUIRES: no
  // live writer of `key` (it would lose its upload).  The default has nothing to remove.
  virtual Status AbortIncompleteWrites(const std::string& key) { return Status::OK(); }

  // True for the local-disk backend, whose objects are also plain files at LocalPath(key).
  virtual bool is_local() const { return false; }
  virtual std::string LocalPath(const std::string& key) const { return {}; }

  // Counters since the store was made (see StoreStats).  Safe from any thread; the fields are
  // read one by one, so a snapshot taken during traffic may be off by the requests in flight.
  virtual StoreStats stats() const { return {}; }
};

// Options for opening stores.  Fields left empty are resolved from the environment (the AWS_*
// variables and ~/.aws files) when the store is opened.
struct StoreOptions {
  std::string endpoint_url;  // overrides AWS_ENDPOINT_URL
  std::string region;        // overrides AWS_REGION / AWS_DEFAULT_REGION / profile
  std::string profile;       // overrides AWS_PROFILE
  // PEM file of the CAs to trust for https:// endpoints (S3 and STS) instead of the system's;
  // overrides AWS_CA_BUNDLE and the profile's ca_bundle.  Certificates are always verified.
  std::string ca_bundle;
  int max_retries = 8;
  // (Test hooks — injected faults, small multipart copies — are internal: src/store/test_hooks.h.)
};

struct StoreLocation {
  std::shared_ptr<ObjectStore> store;
  std::string key;  // may be "" (the root) or a prefix
};

// Opens the store a URI lives in: "s3://bucket/key", "file:///abs/path" or a plain path
// (relative paths are made absolute).  For a local path the store root is "/" .
//
// S3 stores are reused: the first OpenStore of a bucket builds its client (credentials, region,
// endpoint, a connection pool) and every later call with the same bucket, the same `options` and
// the same environment the client was resolved from (the AWS_* variables, HOME) returns that same
// store, for the life of the process.  So a job that opens thousands of URLs in one bucket
// resolves credentials once and keeps its connections alive.  A changed option or variable gives
// a new store.  (The credentials provider itself refreshes expiring credentials.)
//
// With LAKEPACK_CRASH_AT=K in the environment (tests only) the store kills the process before its
// K-th call (a test hook inside the library).
//
// Thread-safety: safe from any thread.
Result<StoreLocation> OpenStore(const std::string& uri, const StoreOptions& options = {});

// Reads a whole ObjectWriter-sized stream into a store from a callback; helper for copies.
Status CopyObject(ObjectStore& src, const std::string& src_key, ObjectStore& dst,
                  const std::string& dst_key, const WriterOptions& options = {},
                  const std::function<void(int64_t)>& on_progress = {});

}  // namespace lakepack
