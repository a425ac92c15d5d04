#include "format/arrow_io.h"

#include <algorithm>
#include <cstring>
#include <mutex>

#include "arrow/buffer.h"
#include "arrow/io/file.h"
#include "format/arrow_status.h"
#include "format/memory_pool.h"

namespace lakepack::format {
namespace {

// A RandomAccessFile whose reads are ranged GETs on a store.
// Invariant: size_ is the object's size as of open; reads past it are short.
class StoreInputFile final : public arrow::io::RandomAccessFile {
 public:
  StoreInputFile(std::shared_ptr<ObjectStore> store, std::string key, int64_t size)
      : store_(std::move(store)), key_(std::move(key)), uri_(store_->Uri(key_)), size_(size) {}

  arrow::Status Close() override {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    return arrow::Status::OK();
  }
  bool closed() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return closed_;
  }
  arrow::Result<int64_t> Tell() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return position_;
  }
  arrow::Status Seek(int64_t position) override {
    if (position < 0) return arrow::Status::Invalid(uri_, ": seek to negative offset ", position);
    std::lock_guard<std::mutex> lock(mu_);
    position_ = position;
    return arrow::Status::OK();
  }
  arrow::Result<int64_t> GetSize() override { return size_; }

  arrow::Result<int64_t> Read(int64_t nbytes, void* out) override {
    std::lock_guard<std::mutex> lock(mu_);
    ARROW_ASSIGN_OR_RAISE(int64_t n, DoReadAt(position_, nbytes, true, out));
    position_ += n;
    return n;
  }
  arrow::Result<std::shared_ptr<arrow::Buffer>> Read(int64_t nbytes) override {
    std::lock_guard<std::mutex> lock(mu_);
    ARROW_ASSIGN_OR_RAISE(auto buf, DoReadAt(position_, nbytes, true));
    position_ += buf->size();
    return buf;
  }

  arrow::Result<int64_t> ReadAt(int64_t position, int64_t nbytes, void* out) override {
    return DoReadAt(position, nbytes, true, out);
  }
  arrow::Result<int64_t> ReadAt(int64_t position, int64_t nbytes, bool allow_short_read,
                                void* out) override {
    return DoReadAt(position, nbytes, allow_short_read, out);
  }
  arrow::Result<std::shared_ptr<arrow::Buffer>> ReadAt(int64_t position, int64_t nbytes) override {
    return DoReadAt(position, nbytes, true);
  }
  arrow::Result<std::shared_ptr<arrow::Buffer>> ReadAt(int64_t position, int64_t nbytes,
                                                       bool allow_short_read) override {
    return DoReadAt(position, nbytes, allow_short_read);
  }

 private:
  arrow::Status CheckRange(int64_t position, int64_t nbytes) const {
    if (position < 0 || nbytes < 0) {
      return arrow::Status::Invalid(uri_, ": bad read at offset ", position, " of ", nbytes,
                                    " bytes");
    }
    return arrow::Status::OK();
  }

  // Reads [position, position+nbytes) straight into `out` (no intermediate copy).
  arrow::Result<int64_t> DoReadAt(int64_t position, int64_t nbytes, bool allow_short_read,
                                  void* out) {
    ARROW_RETURN_NOT_OK(CheckRange(position, nbytes));
    const int64_t want = std::max<int64_t>(0, std::min(nbytes, size_ - position));
    int64_t got = 0;
    if (want > 0) {
      auto r = store_->ReadRange(key_, position, want, static_cast<char*>(out));
      if (!r.ok()) return ToArrow(r.status());
      got = *r;
    }
    if (!allow_short_read && got < nbytes) {
      return arrow::Status::IOError(uri_, ": wanted ", nbytes, " bytes at offset ", position,
                                    " but the object (", size_, " bytes) ends first");
    }
    return got;
  }
  // Into a buffer from the stream pool (jemalloc: reused pages rather than fresh ones).
  arrow::Result<std::shared_ptr<arrow::Buffer>> DoReadAt(int64_t position, int64_t nbytes,
                                                         bool allow_short_read) {
    ARROW_RETURN_NOT_OK(CheckRange(position, nbytes));
    const int64_t want = std::max<int64_t>(0, std::min(nbytes, size_ - position));
    ARROW_ASSIGN_OR_RAISE(std::unique_ptr<arrow::ResizableBuffer> buffer,
                          arrow::AllocateResizableBuffer(want, StreamPool()));
    ARROW_ASSIGN_OR_RAISE(int64_t got,
                          DoReadAt(position, nbytes, allow_short_read, buffer->mutable_data()));
    if (got < want) ARROW_RETURN_NOT_OK(buffer->Resize(got, /*shrink_to_fit=*/false));
    return std::shared_ptr<arrow::Buffer>(std::move(buffer));
  }

  const std::shared_ptr<ObjectStore> store_;
  const std::string key_;
  const std::string uri_;
  const int64_t size_;
  mutable std::mutex mu_;  // guards position_ and closed_
  int64_t position_ = 0;
  bool closed_ = false;
};

}  // namespace

Result<std::shared_ptr<arrow::io::RandomAccessFile>> OpenStoreInputFile(
    std::shared_ptr<ObjectStore> store, const std::string& key) {
  LP_ASSIGN_OR_RETURN(ObjectInfo info, store->Head(key));
  return std::shared_ptr<arrow::io::RandomAccessFile>(
      std::make_shared<StoreInputFile>(std::move(store), key, info.size));
}

Result<std::shared_ptr<arrow::io::RandomAccessFile>> OpenStoreInputFile(
    std::shared_ptr<ObjectStore> store, const std::string& key, int64_t size) {
  return std::shared_ptr<arrow::io::RandomAccessFile>(
      std::make_shared<StoreInputFile>(std::move(store), key, size));
}

Result<std::shared_ptr<arrow::io::RandomAccessFile>> OpenInputFile(
    std::shared_ptr<ObjectStore> store, const std::string& key) {
  if (!store->is_local()) return OpenStoreInputFile(std::move(store), key);
  std::string path = store->LocalPath(key);
  auto file = arrow::io::ReadableFile::Open(path, StreamPool());
  if (!file.ok()) {
    // Let the store say what is wrong (NotFound vs permission) in its own words.
    LP_RETURN_NOT_OK(store->Head(key).status());
    return FromArrow(file.status(), store->Uri(key));
  }
  return std::shared_ptr<arrow::io::RandomAccessFile>(std::move(file).ValueUnsafe());
}

ObjectOutputStream::ObjectOutputStream(std::unique_ptr<ObjectWriter> writer, std::string uri)
    : writer_(std::move(writer)), uri_(std::move(uri)) {
  buffer_.reserve(kBufferBytes);
}

ObjectOutputStream::~ObjectOutputStream() { (void)Abort(); }

arrow::Status ObjectOutputStream::Write(const void* data, int64_t nbytes) {
  if (state_ != State::kOpen) return arrow::Status::Invalid(uri_, ": write to a closed stream");
  if (nbytes <= 0) return arrow::Status::OK();
  const char* p = static_cast<const char*>(data);
  if (static_cast<int64_t>(buffer_.size()) + nbytes > kBufferBytes) {
    ARROW_RETURN_NOT_OK(FlushBuffer());
    if (nbytes >= kBufferBytes) {  // big writes go straight through
      LP_TO_ARROW(writer_->Write(p, static_cast<size_t>(nbytes)));
      position_ += nbytes;
      return arrow::Status::OK();
    }
  }
  buffer_.append(p, static_cast<size_t>(nbytes));
  position_ += nbytes;
  return arrow::Status::OK();
}

arrow::Status ObjectOutputStream::FlushBuffer() {
  if (buffer_.empty()) return arrow::Status::OK();
  LP_TO_ARROW(writer_->Write(buffer_.data(), buffer_.size()));
  buffer_.clear();
  return arrow::Status::OK();
}

arrow::Status ObjectOutputStream::Flush() {
  if (state_ != State::kOpen) return arrow::Status::OK();
  return FlushBuffer();
}

arrow::Status ObjectOutputStream::Close() {
  if (state_ == State::kCommitted) return arrow::Status::OK();
  if (state_ == State::kAborted) return arrow::Status::Invalid(uri_, ": Close after Abort");
  arrow::Status st = FlushBuffer();
  if (!st.ok()) {
    (void)Abort();
    return st;
  }
  auto info = writer_->Finish();
  if (!info.ok()) {
    (void)Abort();
    return ToArrow(info.status());
  }
  info_ = std::move(info).ValueOrDie();
  state_ = State::kCommitted;
  return arrow::Status::OK();
}

arrow::Status ObjectOutputStream::Abort() {
  if (state_ != State::kOpen) return arrow::Status::OK();
  state_ = State::kAborted;
  buffer_.clear();
  buffer_.shrink_to_fit();
  return ToArrow(writer_->Abort());
}

arrow::Result<int64_t> ObjectOutputStream::Tell() const { return position_; }

Result<std::shared_ptr<ObjectOutputStream>> OpenOutputStream(std::shared_ptr<ObjectStore> store,
                                                             const std::string& key,
                                                             const WriterOptions& options) {
  LP_ASSIGN_OR_RETURN(auto writer, store->OpenWriter(key, options));
  return std::make_shared<ObjectOutputStream>(std::move(writer), store->Uri(key));
}

}  // namespace lakepack::format
