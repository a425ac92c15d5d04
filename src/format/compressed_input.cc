#include "format/compressed_input.h"

#include <algorithm>
#include <cstring>
#include <deque>
#include <mutex>

#include "arrow/buffer.h"
#include "arrow/io/compressed.h"
#include "arrow/util/compression.h"
#include "format/arrow_io.h"
#include "format/arrow_status.h"
#include "format/memory_pool.h"

namespace lakepack::format {
namespace {

// Decompressed bytes asked of the codec stream at a time: large enough that per-call overhead is
// nothing next to inflating them, small next to the window.
constexpr int64_t kChunkBytes = 1 << 20;
// Decompressed bytes kept behind the furthest point read, for readers that step back a little.
// The JSON Lines reader has up to 4 blocks of 1 MiB in flight (jsonl_reader.cc), read in any
// order by its workers; 8 MiB holds them with room for lines running past a block's end.
constexpr int64_t kWindowBytes = 8 << 20;

arrow::Compression::type CodecOf(InputCompression c) {
  return c == InputCompression::kZstd ? arrow::Compression::ZSTD : arrow::Compression::GZIP;
}

class DecompressingFile final : public arrow::io::RandomAccessFile {
 public:
  DecompressingFile(std::shared_ptr<arrow::io::RandomAccessFile> raw, int64_t raw_size,
                    InputCompression compression)
      : raw_(std::move(raw)), raw_size_(raw_size), compression_(compression) {}

  // A decompressing file over the same compressed bytes, from the start.
  std::shared_ptr<DecompressingFile> Fresh() const {
    return std::make_shared<DecompressingFile>(raw_, raw_size_, compression_);
  }

  arrow::Status Close() override {
    std::lock_guard<std::mutex> lock(mu_);
    closed_ = true;
    chunks_.clear();
    stream_.reset();
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
    if (position < 0) return arrow::Status::Invalid("negative seek");
    std::lock_guard<std::mutex> lock(mu_);
    position_ = position;
    return arrow::Status::OK();
  }

  arrow::Result<int64_t> GetSize() override {
    std::lock_guard<std::mutex> lock(mu_);
    if (size_ >= 0) return size_;
    if (eof_) return size_ = stream_pos_;
    // A pass of its own (the window stays where the readers are), keeping nothing.
    DecompressingFile counter(raw_, raw_size_, compression_);
    int64_t total = 0;
    while (true) {
      ARROW_ASSIGN_OR_RAISE(auto chunk, counter.NextChunk());
      if (!chunk) break;
      total += chunk->size();
    }
    return size_ = total;
  }

  arrow::Result<int64_t> Read(int64_t nbytes, void* out) override {
    std::lock_guard<std::mutex> lock(mu_);
    ARROW_ASSIGN_OR_RAISE(int64_t n, ReadAtLocked(position_, nbytes, static_cast<uint8_t*>(out)));
    position_ += n;
    return n;
  }
  arrow::Result<std::shared_ptr<arrow::Buffer>> Read(int64_t nbytes) override {
    std::lock_guard<std::mutex> lock(mu_);
    ARROW_ASSIGN_OR_RAISE(auto buf, ReadBufferLocked(position_, nbytes));
    position_ += buf->size();
    return buf;
  }
  arrow::Result<int64_t> ReadAt(int64_t position, int64_t nbytes, void* out) override {
    std::lock_guard<std::mutex> lock(mu_);
    return ReadAtLocked(position, nbytes, static_cast<uint8_t*>(out));
  }
  arrow::Result<std::shared_ptr<arrow::Buffer>> ReadAt(int64_t position, int64_t nbytes) override {
    std::lock_guard<std::mutex> lock(mu_);
    return ReadBufferLocked(position, nbytes);
  }

 private:
  struct Chunk {
    int64_t start;
    std::shared_ptr<arrow::Buffer> data;
  };

  arrow::Result<std::shared_ptr<arrow::Buffer>> ReadBufferLocked(int64_t position, int64_t nbytes) {
    ARROW_ASSIGN_OR_RAISE(auto buf, arrow::AllocateResizableBuffer(nbytes, StreamPool()));
    ARROW_ASSIGN_OR_RAISE(int64_t n, ReadAtLocked(position, nbytes, buf->mutable_data()));
    ARROW_RETURN_NOT_OK(buf->Resize(n));
    return std::shared_ptr<arrow::Buffer>(std::move(buf));
  }

  // The next decompressed chunk of the stream, or null at its end.
  arrow::Result<std::shared_ptr<arrow::Buffer>> NextChunk() {
    if (eof_) return nullptr;
    if (!stream_) {
      ARROW_ASSIGN_OR_RAISE(codec_, arrow::util::Codec::Create(CodecOf(compression_)));
      ARROW_ASSIGN_OR_RAISE(auto raw, arrow::io::RandomAccessFile::GetStream(raw_, 0, raw_size_));
      ARROW_ASSIGN_OR_RAISE(
          stream_, arrow::io::CompressedInputStream::Make(codec_.get(), raw, StreamPool()));
    }
    auto chunk = stream_->Read(kChunkBytes);
    if (!chunk.ok()) {
      if (chunk.status().detail()) return chunk.status();  // the store's own error
      return ToArrow(Status::InvalidData(
          std::string("not valid ") + InputCompressionName(compression_) + " data (after " +
          std::to_string(stream_pos_) + " bytes of text): " + chunk.status().message()));
    }
    if ((*chunk)->size() == 0) {
      eof_ = true;
      return nullptr;
    }
    stream_pos_ += (*chunk)->size();
    return *chunk;
  }

  // Starts decompressing again from the first byte.
  void Restart() {
    stream_.reset();
    chunks_.clear();
    window_bytes_ = 0;
    stream_pos_ = 0;
    eof_ = false;
  }

  arrow::Result<int64_t> ReadAtLocked(int64_t position, int64_t nbytes, uint8_t* out) {
    if (closed_) return arrow::Status::Invalid("read from a closed file");
    const int64_t window_start = chunks_.empty() ? stream_pos_ : chunks_.front().start;
    if (position < window_start) Restart();
    int64_t done = 0;
    while (done < nbytes) {
      const int64_t at = position + done;
      if (at >= stream_pos_) {
        ARROW_ASSIGN_OR_RAISE(auto chunk, NextChunk());
        if (!chunk) break;
        chunks_.push_back(Chunk{stream_pos_ - chunk->size(), chunk});
        window_bytes_ += chunk->size();
        // Every byte before `at` was copied already: older chunks may go.
        while (window_bytes_ - chunks_.front().data->size() >= kWindowBytes) {
          window_bytes_ -= chunks_.front().data->size();
          chunks_.pop_front();
        }
        continue;
      }
      for (const Chunk& c : chunks_) {
        const int64_t end = c.start + c.data->size();
        if (at < c.start || at >= end) continue;
        const int64_t n = std::min(end - at, nbytes - done);
        std::memcpy(out + done, c.data->data() + (at - c.start), n);
        done += n;
        break;
      }
    }
    return done;
  }

  const std::shared_ptr<arrow::io::RandomAccessFile> raw_;
  const int64_t raw_size_;
  const InputCompression compression_;
  mutable std::mutex mu_;
  // All below guarded by mu_.
  std::shared_ptr<arrow::util::Codec> codec_;  // outlives stream_, which uses it
  std::shared_ptr<arrow::io::InputStream> stream_;
  std::deque<Chunk> chunks_;  // the window: decompressed bytes [front.start, stream_pos_)
  int64_t window_bytes_ = 0;
  int64_t stream_pos_ = 0;  // decompressed bytes taken from stream_
  bool eof_ = false;
  int64_t position_ = 0;  // Read/Seek/Tell's position
  int64_t size_ = -1;     // the text's size once known
  bool closed_ = false;
};

}  // namespace

Result<std::shared_ptr<arrow::io::RandomAccessFile>> OpenDecodedInput(
    std::shared_ptr<ObjectStore> store, const std::string& key, InputCompression compression) {
  LP_ASSIGN_OR_RETURN(auto raw, OpenInputFile(store, key));
  if (compression == InputCompression::kNone) return raw;
  LP_ARROW_ASSIGN_OR_RETURN(int64_t raw_size, raw->GetSize(), store->Uri(key));
  return std::shared_ptr<arrow::io::RandomAccessFile>(
      std::make_shared<DecompressingFile>(std::move(raw), raw_size, compression));
}

arrow::Result<std::shared_ptr<arrow::io::InputStream>> StreamFromStart(
    const std::shared_ptr<arrow::io::RandomAccessFile>& file) {
  if (auto* d = dynamic_cast<DecompressingFile*>(file.get())) return d->Fresh();
  ARROW_ASSIGN_OR_RAISE(int64_t size, file->GetSize());
  return arrow::io::RandomAccessFile::GetStream(file, 0, size);
}

arrow::Result<bool> IsEmptyInput(const std::shared_ptr<arrow::io::RandomAccessFile>& file) {
  if (dynamic_cast<DecompressingFile*>(file.get()) != nullptr) {
    uint8_t byte;
    ARROW_ASSIGN_OR_RAISE(int64_t n, file->ReadAt(0, 1, &byte));
    return n == 0;
  }
  ARROW_ASSIGN_OR_RAISE(int64_t size, file->GetSize());
  return size == 0;
}

}  // namespace lakepack::format
