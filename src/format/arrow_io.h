// arrow_io.h: Arrow IO views of ObjectStore objects, so Arrow's readers and writers work on any
// backend.
//
// OpenInputFile gives an arrow::io::RandomAccessFile over one object.  For a local store it is
// the plain file; otherwise every ReadAt becomes one ranged GET, so callers should let Arrow
// coalesce reads (Parquet: ArrowReaderProperties::set_pre_buffer + CacheOptions) to make few,
// large requests.  The object's size is fetched once (Head) when the file is opened.
//
// OpenOutputStream gives an arrow::io::OutputStream over an ObjectWriter: the object appears when
// Close() succeeds, and not at all if the stream is Abort()ed or destroyed before that.  Nothing
// is staged in temporary files by this layer.
//
// Thread-safety: the input file allows concurrent ReadAt calls (as Arrow's pre-buffering makes
// them); Read/Seek/Tell share a position and are serialised.  The output stream is used by one
// thread at a time.
#pragma once

#include <memory>
#include <string>

#include "arrow/io/interfaces.h"
#include "lakepack/store.h"

namespace lakepack::format {

// Opens `key` for random access.  Fails with NotFound (naming the object) if it does not exist.
Result<std::shared_ptr<arrow::io::RandomAccessFile>> OpenInputFile(
    std::shared_ptr<ObjectStore> store, const std::string& key);

// The store-backed file even for a local store (tests use this to exercise the remote path).
Result<std::shared_ptr<arrow::io::RandomAccessFile>> OpenStoreInputFile(
    std::shared_ptr<ObjectStore> store, const std::string& key);

// The store-backed file of an object whose size the caller knows (from a log or a listing):
// no Head, so opening costs no request.  REQUIRES: `size` is the object's size.
Result<std::shared_ptr<arrow::io::RandomAccessFile>> OpenStoreInputFile(
    std::shared_ptr<ObjectStore> store, const std::string& key, int64_t size);

// An OutputStream that writes one object.  Close() commits; info() then describes the object.
class ObjectOutputStream : public arrow::io::OutputStream {
 public:
  // Bytes gathered before handing them to the ObjectWriter: Arrow writers make many small writes
  // (page headers, footers) and a write(2) or part upload per call would be slow.
  static constexpr int64_t kBufferBytes = 1 << 20;

  ObjectOutputStream(std::unique_ptr<ObjectWriter> writer, std::string uri);
  ~ObjectOutputStream() override;  // aborts unless closed

  arrow::Status Write(const void* data, int64_t nbytes) override;
  using arrow::io::OutputStream::Write;
  arrow::Status Flush() override;
  // Commits the object; idempotent after success.
  arrow::Status Close() override;
  // Drops everything; nothing becomes visible.  Idempotent; a no-op after a successful Close().
  arrow::Status Abort() override;
  arrow::Result<int64_t> Tell() const override;
  bool closed() const override { return state_ != State::kOpen; }

  // REQUIRES: Close() succeeded.
  const ObjectInfo& info() const { return info_; }
  const std::string& uri() const { return uri_; }
  // Bytes handed to the ObjectWriter so far (Tell() less what is still buffered here).
  int64_t stored_bytes() const { return writer_->bytes_written(); }

 private:
  enum class State { kOpen, kCommitted, kAborted };
  arrow::Status FlushBuffer();

  std::unique_ptr<ObjectWriter> writer_;
  std::string uri_;
  std::string buffer_;
  int64_t position_ = 0;
  State state_ = State::kOpen;
  ObjectInfo info_;
};

// Starts writing `key`.
Result<std::shared_ptr<ObjectOutputStream>> OpenOutputStream(std::shared_ptr<ObjectStore> store,
                                                             const std::string& key,
                                                             const WriterOptions& options = {});

}  // namespace lakepack::format
