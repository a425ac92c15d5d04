// json_object_lines.h: checks, on their way into Arrow's JSON reader, that the lines of a JSON
// Lines input each hold a JSON object (or nothing).
//
// Arrow 26's JSON reader dereferences a bad pointer when a block it parses starts with a `null`
// value: the first line of a file, or any line that happens to begin a block
// (`pyarrow.json.read_json(b"null")` crashes the same way).  A line that is not an object is bad
// data for a table anyway, and lakepack's own reader (jsonl_reader.h) rejects it with "bad JSON
// line: expected an object, got a null"; ObjectLinesInputStream holds the nested-schema path
// through Arrow to the same rule, so the bytes of such a line never reach Arrow (issue 16, F3).
//
// A line is good when its first byte other than ' ', '\t' and '\r' is '{', or when it has none.
// A UTF-8 byte order mark at the very start is skipped.  Only that first byte is looked at: the
// rest of the line is Arrow's to parse.
//
// Thread-safety: neither class is safe for concurrent use; Arrow reads its input from one thread
// at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "arrow/io/interfaces.h"
#include "arrow/result.h"

namespace lakepack::format {

// True for the error ObjectLinesInputStream fails with.
bool IsNotAnObjectLineError(const arrow::Status& status);

// For one line (no '\n'; a leading byte order mark is skipped): "" when it is good, else what is
// wrong with it ("bad JSON line: expected an object, got a null").
std::string NotAnObjectLine(std::string_view line);

// Scans input passed in consecutive pieces of any size.
class ObjectLinesCheck {
 public:
  // Scans the next `n` bytes.  Returns false at the first line that is not an object; problem()
  // then describes it, good_bytes() says how many of these `n` bytes come before that line, and
  // later calls return false at once.
  bool Scan(const uint8_t* data, int64_t n);

  // "line 3: bad JSON line: expected an object, got a null", or empty while all is well.
  const std::string& problem() const { return problem_; }
  int64_t good_bytes() const { return good_bytes_; }

 private:
  enum class State { kBom, kLineStart, kInLine };
  State state_ = State::kBom;
  int bom_seen_ = 0;  // bytes of the byte order mark matched so far (kBom)
  int64_t line_ = 1;
  std::string problem_;
  int64_t good_bytes_ = 0;
};

// Passes `inner` through, scanning it with an ObjectLinesCheck.  The bytes of a line that is not
// an object are never returned: a read returns the lines before it, and the next read fails with
// an arrow::Status (IsNotAnObjectLineError, code Invalid: lakepack's InvalidData) with the message
// "line N: ..." (callers add the name).  Arrow may meet that error before it parses the lines
// returned before it; a caller that wants the first bad line rescans (reader.cc does).
class ObjectLinesInputStream final : public arrow::io::InputStream {
 public:
  explicit ObjectLinesInputStream(std::shared_ptr<arrow::io::InputStream> inner)
      : inner_(std::move(inner)) {}

  arrow::Result<int64_t> Read(int64_t nbytes, void* out) override;
  arrow::Result<std::shared_ptr<arrow::Buffer>> Read(int64_t nbytes) override;
  arrow::Status Close() override { return inner_->Close(); }
  bool closed() const override { return inner_->closed(); }
  arrow::Result<int64_t> Tell() const override { return position_; }

 private:
  // How many of the `n` bytes just read may be returned: all of them, or those before a bad line.
  int64_t Check(const void* data, int64_t n);
  arrow::Status Failed() const;

  std::shared_ptr<arrow::io::InputStream> inner_;
  ObjectLinesCheck check_;
  int64_t position_ = 0;  // bytes returned so far
};

}  // namespace lakepack::format
