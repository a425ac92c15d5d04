#include "format/json_object_lines.h"

#include <cstring>

#include "arrow/buffer.h"

namespace lakepack::format {
namespace {

constexpr uint8_t kBom[3] = {0xEF, 0xBB, 0xBF};
constexpr char kDetailTypeId[] = "lakepack::NotAnObjectLine";

class NotAnObjectLineDetail final : public arrow::StatusDetail {
 public:
  const char* type_id() const override { return kDetailTypeId; }
  std::string ToString() const override { return "a JSON line that is not an object"; }
};

// What a line starting with `c` holds instead of an object, in jsonl_reader.cc's words.
std::string Got(uint8_t c) {
  switch (c) {
    case 'n':
      return ", got a null";
    case 't':
    case 'f':
      return ", got a boolean";
    case '[':
      return ", got an array";
    case '"':
      return ", got a string";
    default:
      if (c == '-' || (c >= '0' && c <= '9')) return ", got a number";
      return "";
  }
}

}  // namespace

bool IsNotAnObjectLineError(const arrow::Status& status) {
  return status.detail() && std::string_view(status.detail()->type_id()) == kDetailTypeId;
}

std::string NotAnObjectLine(std::string_view line) {
  ObjectLinesCheck check;
  if (check.Scan(reinterpret_cast<const uint8_t*>(line.data()),
                 static_cast<int64_t>(line.size()))) {
    return "";
  }
  return check.problem().substr(check.problem().find(": ") + 2);  // without "line 1: "
}

bool ObjectLinesCheck::Scan(const uint8_t* data, int64_t n) {
  if (!problem_.empty()) {
    good_bytes_ = 0;
    return false;
  }
  const uint8_t* p = data;
  const uint8_t* end = data + n;
  const uint8_t* line_begin = data;  // where the line being scanned begins in this piece
  while (p < end) {
    switch (state_) {
      case State::kBom:
        if (*p == kBom[bom_seen_]) {
          ++p;
          if (++bom_seen_ == 3) state_ = State::kLineStart;
          continue;
        }
        if (bom_seen_ > 0) {
          // A partial mark: those bytes began the first line, which is then not an object.
          problem_ = "line 1: bad JSON line: expected an object";
          good_bytes_ = 0;
          return false;
        }
        state_ = State::kLineStart;
        continue;
      case State::kLineStart:
        if (*p == ' ' || *p == '\t' || *p == '\r') {
          ++p;
        } else if (*p == '\n') {
          ++line_;
          line_begin = ++p;
        } else if (*p == '{') {
          state_ = State::kInLine;
          ++p;
        } else {
          problem_ =
              "line " + std::to_string(line_) + ": bad JSON line: expected an object" + Got(*p);
          good_bytes_ = line_begin - data;
          return false;
        }
        continue;
      case State::kInLine: {
        const void* nl = std::memchr(p, '\n', static_cast<size_t>(end - p));
        if (nl == nullptr) return true;
        p = static_cast<const uint8_t*>(nl) + 1;
        line_begin = p;
        ++line_;
        state_ = State::kLineStart;
        continue;
      }
    }
  }
  return true;
}

int64_t ObjectLinesInputStream::Check(const void* data, int64_t n) {
  if (check_.Scan(static_cast<const uint8_t*>(data), n)) return n;
  return check_.good_bytes();
}

arrow::Status ObjectLinesInputStream::Failed() const {
  return arrow::Status::Invalid(check_.problem())
      .WithDetail(std::make_shared<NotAnObjectLineDetail>());
}

arrow::Result<int64_t> ObjectLinesInputStream::Read(int64_t nbytes, void* out) {
  if (!check_.problem().empty()) return Failed();
  ARROW_ASSIGN_OR_RAISE(int64_t n, inner_->Read(nbytes, out));
  int64_t good = Check(out, n);
  if (good == 0 && n > 0) return Failed();
  position_ += good;
  return good;
}

arrow::Result<std::shared_ptr<arrow::Buffer>> ObjectLinesInputStream::Read(int64_t nbytes) {
  if (!check_.problem().empty()) return Failed();
  ARROW_ASSIGN_OR_RAISE(auto buf, inner_->Read(nbytes));
  int64_t good = Check(buf->data(), buf->size());
  if (good == 0 && buf->size() > 0) return Failed();
  position_ += good;
  return good == buf->size() ? buf : arrow::SliceBuffer(buf, 0, good);
}

}  // namespace lakepack::format
