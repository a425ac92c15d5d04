#include "gen/column_buffers.h"

#include <limits>
#include <string>

namespace lakepack::gen {
namespace {
Status AllocFailed(const arrow::Status& s) {
  return Status::IOError("fake data: cannot allocate a column: " + s.ToString());
}
}  // namespace

Status Validity::Init(int64_t rows, bool nullable, arrow::MemoryPool* pool) {
  if (!nullable) return Status::OK();
  auto buffer = arrow::AllocateBuffer(arrow::bit_util::BytesForBits(rows), pool);
  if (!buffer.ok()) return AllocFailed(buffer.status());
  buffer_ = std::move(buffer).ValueUnsafe();
  bits_ = buffer_->mutable_data();
  std::memset(bits_, 0xff, static_cast<size_t>(buffer_->size()));
  return Status::OK();
}

Result<std::unique_ptr<StringColumn>> StringColumn::Make(int64_t rows, int64_t max_row_bytes,
                                                         bool nullable, arrow::MemoryPool* pool) {
  if (rows < 0 || max_row_bytes < 0 || rows * max_row_bytes > std::numeric_limits<int32_t>::max()) {
    return Status::InvalidArgument("fake data: a string column of " + std::to_string(rows) +
                                   " rows x " + std::to_string(max_row_bytes) +
                                   " bytes is too large for one batch");
  }
  std::unique_ptr<StringColumn> c(new StringColumn());
  auto offsets = arrow::AllocateResizableBuffer((rows + 1) * sizeof(int32_t), pool);
  if (!offsets.ok()) return AllocFailed(offsets.status());
  auto data = arrow::AllocateResizableBuffer(rows * max_row_bytes, pool);
  if (!data.ok()) return AllocFailed(data.status());
  c->offsets_buffer_ = std::move(offsets).ValueUnsafe();
  c->data_buffer_ = std::move(data).ValueUnsafe();
  c->offsets_ = reinterpret_cast<int32_t*>(c->offsets_buffer_->mutable_data());
  c->data_ = reinterpret_cast<char*>(c->data_buffer_->mutable_data());
  c->offsets_[0] = 0;
  c->rows_ = rows;
  LP_RETURN_NOT_OK(c->validity_.Init(rows, nullable, pool));
  return c;
}

Result<std::shared_ptr<arrow::Array>> StringColumn::Finish() {
  if (row_ != rows_) {
    return Status::Internal("fake data: string column has " + std::to_string(row_) + " of " +
                            std::to_string(rows_) + " rows");
  }
  // Shrinking without shrink_to_fit only records the size: no copy.
  auto st = data_buffer_->Resize(size_, /*shrink_to_fit=*/false);
  if (!st.ok()) return AllocFailed(st);
  int64_t nulls = validity_.null_count();
  auto data = arrow::ArrayData::Make(
      arrow::utf8(), rows_,
      {validity_.Finish(), std::move(offsets_buffer_), std::move(data_buffer_)}, nulls);
  return arrow::MakeArray(data);
}

}  // namespace lakepack::gen
