// column_buffers.h: the raw-buffer column builders the fake-data generator fills.
//
// Arrow's builders check capacity and grow on every append; the generator knows an upper bound
// for every value it writes, so it allocates each column once and writes straight into the
// buffers.  StringColumn is a utf8 column with a fixed per-row byte bound; FixedColumn<T> is a
// fixed-width column (int64, date32, timestamp, decimal128 as two uint64 words, ...); both carry
// an optional validity bitmap.
//
// Thread-safety: one column is filled by one thread; distinct columns are independent.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>

#include "arrow/array.h"
#include "arrow/buffer.h"
#include "arrow/memory_pool.h"
#include "arrow/util/bit_util.h"
#include "lakepack/status.h"

namespace lakepack::gen {

// A validity bitmap, all valid until cleared.  Empty (no buffer) for non-nullable columns.
class Validity {
 public:
  Status Init(int64_t rows, bool nullable, arrow::MemoryPool* pool);
  // REQUIRES: nullable.
  void SetNull(int64_t row) {
    arrow::bit_util::ClearBit(bits_, row);
    ++null_count_;
  }
  int64_t null_count() const { return null_count_; }
  // The bitmap for ArrayData: null when the column has no nulls.
  std::shared_ptr<arrow::Buffer> Finish() { return null_count_ ? std::move(buffer_) : nullptr; }

 private:
  std::shared_ptr<arrow::Buffer> buffer_;
  uint8_t* bits_ = nullptr;
  int64_t null_count_ = 0;
};

// A utf8 column of exactly `rows` values, each at most `max_row_bytes` long.
// Invariant: rows * max_row_bytes fits in int32 offsets (checked by Make).
class StringColumn {
 public:
  static Result<std::unique_ptr<StringColumn>> Make(int64_t rows, int64_t max_row_bytes,
                                                    bool nullable, arrow::MemoryPool* pool);

  // Where the next value goes; room for max_row_bytes bytes.  Finish a value with Commit(end).
  char* cursor() { return data_ + size_; }
  void Commit(const char* end) {
    size_ = static_cast<int32_t>(end - data_);
    offsets_[++row_] = size_;
  }
  void Append(std::string_view s) {
    std::memcpy(data_ + size_, s.data(), s.size());
    size_ += static_cast<int32_t>(s.size());
    offsets_[++row_] = size_;
  }
  void AppendNull() {
    validity_.SetNull(row_);
    offsets_[++row_] = size_;
  }
  // REQUIRES: exactly `rows` values were appended.
  Result<std::shared_ptr<arrow::Array>> Finish();

 private:
  StringColumn() = default;

  int64_t rows_ = 0;
  int64_t row_ = 0;  // values appended so far
  int32_t size_ = 0;
  std::shared_ptr<arrow::ResizableBuffer> offsets_buffer_;
  std::shared_ptr<arrow::ResizableBuffer> data_buffer_;
  int32_t* offsets_ = nullptr;
  char* data_ = nullptr;
  Validity validity_;
};

// A fixed-width column of `rows` values of T, written by index through data().
template <typename T>
class FixedColumn {
 public:
  static Result<std::unique_ptr<FixedColumn>> Make(int64_t rows, bool nullable,
                                                   arrow::MemoryPool* pool) {
    std::unique_ptr<FixedColumn> c(new FixedColumn());
    auto buffer = arrow::AllocateBuffer(rows * static_cast<int64_t>(sizeof(T)), pool);
    if (!buffer.ok()) return Status::IOError("fake data: " + buffer.status().ToString());
    c->buffer_ = std::move(buffer).ValueUnsafe();
    c->data_ = reinterpret_cast<T*>(c->buffer_->mutable_data());
    c->rows_ = rows;
    LP_RETURN_NOT_OK(c->validity_.Init(rows, nullable, pool));
    return c;
  }
  T* data() { return data_; }
  // Marks `row` null; its slot should still be written (zero) so output is deterministic.
  void SetNull(int64_t row) { validity_.SetNull(row); }
  std::shared_ptr<arrow::Array> Finish(const std::shared_ptr<arrow::DataType>& type) {
    int64_t nulls = validity_.null_count();
    auto data =
        arrow::ArrayData::Make(type, rows_, {validity_.Finish(), std::move(buffer_)}, nulls);
    return arrow::MakeArray(data);
  }

 private:
  FixedColumn() = default;
  int64_t rows_ = 0;
  std::shared_ptr<arrow::Buffer> buffer_;
  T* data_ = nullptr;
  Validity validity_;
};

}  // namespace lakepack::gen
