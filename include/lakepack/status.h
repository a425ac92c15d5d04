// lakepack/status.h: the error model of liblakepack.
//
// Every fallible function inside lakepack returns `Status` or `Result<T>`; exceptions appear only at
// the CLI and Python edges.  A Status carries a code (what kind of failure, which decides whether a
// caller retries, and which Python exception it becomes) and a message meant for a person: it names
// the object, file, row or offset involved.
//
// Thread-safety: Status and Result are values; distinct objects may be used from distinct threads.
#pragma once

#include <cassert>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace lakepack {

enum class StatusCode : int {
  kOk = 0,
  kNotFound,          // object, bucket or file does not exist
  kAlreadyExists,     // put-if-absent lost: the object was there first
  kInvalidArgument,   // the caller's request is malformed (bad URI, bad option)
  kInvalidData,       // the input data is malformed (corrupt parquet, bad CSV row, bad JSON line)
  kPermissionDenied,  // credentials rejected or access denied
  kUnavailable,       // transient: 5xx, SlowDown, timeout, reset.  Retryable.
  kIOError,           // a non-transient I/O failure
  kNotImplemented,
  kCancelled,
  kInternal,
};

const char* StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message);

  static Status OK() { return Status(); }
  static Status NotFound(std::string m) { return Status(StatusCode::kNotFound, std::move(m)); }
  static Status AlreadyExists(std::string m) {
    return Status(StatusCode::kAlreadyExists, std::move(m));
  }
  static Status InvalidArgument(std::string m) {
    return Status(StatusCode::kInvalidArgument, std::move(m));
  }
  static Status InvalidData(std::string m) {
    return Status(StatusCode::kInvalidData, std::move(m));
  }
  static Status PermissionDenied(std::string m) {
    return Status(StatusCode::kPermissionDenied, std::move(m));
  }
  static Status Unavailable(std::string m) {
    return Status(StatusCode::kUnavailable, std::move(m));
  }
  static Status IOError(std::string m) { return Status(StatusCode::kIOError, std::move(m)); }
  static Status NotImplemented(std::string m) {
    return Status(StatusCode::kNotImplemented, std::move(m));
  }
  static Status Cancelled(std::string m) { return Status(StatusCode::kCancelled, std::move(m)); }
  static Status Internal(std::string m) { return Status(StatusCode::kInternal, std::move(m)); }

  bool ok() const { return state_ == nullptr; }
  StatusCode code() const { return state_ ? state_->code : StatusCode::kOk; }
  const std::string& message() const;
  // "NotFound: s3://bucket/key does not exist"
  std::string ToString() const;

  bool IsNotFound() const { return code() == StatusCode::kNotFound; }
  bool IsAlreadyExists() const { return code() == StatusCode::kAlreadyExists; }
  bool IsUnavailable() const { return code() == StatusCode::kUnavailable; }

  // Returns a copy whose message is "context: message" (same code).
  Status WithContext(const std::string& context) const;

 private:
  struct State {
    StatusCode code;
    std::string message;
  };
  std::shared_ptr<const State> state_;  // null means OK; shared so copies are cheap
};

// A value or an error.  REQUIRES: a Result built from a Status holds a non-OK status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design, like arrow::Result
  Result(Status status) : v_(std::move(status)) {  // NOLINT
    assert(!std::get<Status>(v_).ok() && "Result built from an OK Status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  Status status() const { return ok() ? Status::OK() : std::get<Status>(v_); }

  // REQUIRES: ok()
  const T& ValueOrDie() const& { return std::get<T>(v_); }
  T& ValueOrDie() & { return std::get<T>(v_); }
  T ValueOrDie() && { return std::move(std::get<T>(v_)); }
  const T& operator*() const& { return ValueOrDie(); }
  T& operator*() & { return ValueOrDie(); }
  const T* operator->() const { return &std::get<T>(v_); }
  T* operator->() { return &std::get<T>(v_); }
  T MoveValueUnsafe() { return std::move(std::get<T>(v_)); }

 private:
  std::variant<T, Status> v_;
};

namespace internal {
inline Status ToStatus(const Status& s) { return s; }
template <typename T>
Status ToStatus(const Result<T>& r) {
  return r.status();
}
}  // namespace internal

}  // namespace lakepack

#define LP_CONCAT_INNER(a, b) a##b
#define LP_CONCAT(a, b) LP_CONCAT_INNER(a, b)

#define LP_RETURN_NOT_OK(expr)                                          \
  do {                                                                  \
    ::lakepack::Status _lp_st = ::lakepack::internal::ToStatus((expr)); \
    if (!_lp_st.ok()) return _lp_st;                                    \
  } while (false)

#define LP_ASSIGN_OR_RETURN_IMPL(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                             \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(tmp).ValueOrDie()

// LP_ASSIGN_OR_RETURN(auto x, F()); assigns F()'s value or returns its error.
#define LP_ASSIGN_OR_RETURN(lhs, rexpr) \
  LP_ASSIGN_OR_RETURN_IMPL(LP_CONCAT(_lp_res_, __LINE__), lhs, rexpr)
