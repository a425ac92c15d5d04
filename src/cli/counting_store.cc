#include "cli/counting_store.h"

namespace lakepack::cli {
namespace {

class CountingWriter : public ObjectWriter {
 public:
  CountingWriter(std::unique_ptr<ObjectWriter> inner, std::shared_ptr<std::atomic<int64_t>> bytes)
      : inner_(std::move(inner)), bytes_(std::move(bytes)) {}
  Status Write(const void* data, size_t size) override {
    LP_RETURN_NOT_OK(inner_->Write(data, size));
    bytes_->fetch_add(static_cast<int64_t>(size), std::memory_order_relaxed);
    return Status::OK();
  }
  Result<ObjectInfo> Finish() override { return inner_->Finish(); }
  Status Abort() override { return inner_->Abort(); }
  int64_t bytes_written() const override { return inner_->bytes_written(); }

 private:
  std::unique_ptr<ObjectWriter> inner_;
  std::shared_ptr<std::atomic<int64_t>> bytes_;
};

}  // namespace

Result<std::unique_ptr<ObjectWriter>> CountingStore::OpenWriter(const std::string& key,
                                                                const WriterOptions& options) {
  LP_ASSIGN_OR_RETURN(auto writer, ForwardingStore::OpenWriter(key, options));
  return std::unique_ptr<ObjectWriter>(std::make_unique<CountingWriter>(std::move(writer), bytes_));
}

}  // namespace lakepack::cli
