#include "format/arrow_status.h"

#include <memory>

namespace lakepack::format {
namespace {

constexpr char kDetailTypeId[] = "lakepack::StatusDetail";

// Rides along an arrow::Status so the original lakepack code survives the trip through Arrow.
class LakepackDetail final : public arrow::StatusDetail {
 public:
  explicit LakepackDetail(StatusCode code) : code_(code) {}
  const char* type_id() const override { return kDetailTypeId; }
  std::string ToString() const override { return std::string("lakepack ") + StatusCodeName(code_); }
  StatusCode code() const { return code_; }

 private:
  StatusCode code_;
};

arrow::StatusCode ArrowCodeFor(StatusCode code) {
  switch (code) {
    case StatusCode::kNotFound:
    case StatusCode::kAlreadyExists:
    case StatusCode::kPermissionDenied:
    case StatusCode::kUnavailable:
    case StatusCode::kIOError:
      return arrow::StatusCode::IOError;
    case StatusCode::kInvalidArgument:
    case StatusCode::kInvalidData:
      return arrow::StatusCode::Invalid;
    case StatusCode::kNotImplemented:
      return arrow::StatusCode::NotImplemented;
    case StatusCode::kCancelled:
      return arrow::StatusCode::Cancelled;
    default:
      return arrow::StatusCode::UnknownError;
  }
}

StatusCode CodeFromArrow(const arrow::Status& s) {
  if (auto detail = s.detail(); detail && std::string(detail->type_id()) == kDetailTypeId) {
    return static_cast<const LakepackDetail&>(*detail).code();
  }
  switch (s.code()) {
    case arrow::StatusCode::Invalid:
    case arrow::StatusCode::TypeError:
    case arrow::StatusCode::SerializationError:
    case arrow::StatusCode::CapacityError:
    case arrow::StatusCode::IndexError:
      return StatusCode::kInvalidData;
    case arrow::StatusCode::KeyError:
      return StatusCode::kNotFound;
    case arrow::StatusCode::IOError:
      return StatusCode::kIOError;
    case arrow::StatusCode::NotImplemented:
      return StatusCode::kNotImplemented;
    case arrow::StatusCode::Cancelled:
      return StatusCode::kCancelled;
    default:
      return StatusCode::kInternal;
  }
}

}  // namespace

arrow::Status ToArrow(const Status& status) {
  if (status.ok()) return arrow::Status::OK();
  return arrow::Status(ArrowCodeFor(status.code()), status.message(),
                       std::make_shared<LakepackDetail>(status.code()));
}

Status FromArrow(const arrow::Status& status, const std::string& context) {
  if (status.ok()) return Status::OK();
  Status s(CodeFromArrow(status), status.message());
  return context.empty() ? s : s.WithContext(context);
}

}  // namespace lakepack::format
