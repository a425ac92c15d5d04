#include "store/s3/xml.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <pugixml.hpp>

#include "store/s3/sigv4.h"

namespace lakepack::s3 {
namespace {

Result<pugi::xml_node> ParseRoot(pugi::xml_document& doc, std::string_view body,
                                 const char* expected) {
  pugi::xml_parse_result r = doc.load_buffer(body.data(), body.size());
  if (!r) {
    return Status::InvalidData(std::string("S3 response is not XML (expected <") + expected +
                               ">): " + r.description() + " at offset " + std::to_string(r.offset));
  }
  pugi::xml_node root = doc.document_element();
  // moto 5 names the CompleteMultipartUpload answer <CompleteMultipartUploadResponse>.
  std::string alias(expected);
  if (alias.size() > 6 && alias.compare(alias.size() - 6, 6, "Result") == 0) {
    alias.replace(alias.size() - 6, 6, "Response");
  }
  if (std::strcmp(root.name(), expected) != 0 && alias != root.name()) {
    return Status::InvalidData(std::string("S3 response has root <") + root.name() +
                               ">, expected <" + expected + ">");
  }
  return root;
}

std::string Text(pugi::xml_node parent, const char* name) {
  return parent.child(name).text().as_string();
}

void EscapeInto(std::string& out, std::string_view s) {
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      case '\r':
        out += "&#13;";
        break;  // else XML parsers normalise it away
      case '\n':
        out += "&#10;";
        break;
      case '\t':
        out += "&#9;";
        break;
      default:
        out.push_back(c);
    }
  }
}

// Days from 1970-01-01 to the proleptic Gregorian date y-m-d (any int32 year: no overflow in
// int64).  REQUIRES: 1 <= m <= 12, 1 <= d <= 31.
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// Nanoseconds since the epoch of a UTC date and time, saturated to the int64 range (about
// 1677-09-21 .. 2262-04-11: an earlier date is INT64_MIN, a later one INT64_MAX); 0 when a field
// is out of range (month 1-12, day 1-31, hour 0-23, minute 0-59, second 0-60, fraction in ns).
int64_t UtcNanos(int64_t y, int mo, int d, int h, int mi, int sec, int64_t frac_ns) {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 ||
      sec > 60 || frac_ns < 0 || frac_ns >= 1000000000 || y < -9999999 || y > 9999999) {
    return 0;
  }
  const int64_t secs = DaysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
  // One second short of the exact limits, so secs * 1e9 + frac_ns cannot overflow.
  constexpr int64_t kMaxSecs = INT64_MAX / 1000000000 - 1;
  if (secs > kMaxSecs) return INT64_MAX;
  if (secs < -kMaxSecs) return INT64_MIN;
  return secs * 1000000000 + frac_ns;
}

// Exactly `n` decimal digits at s[*i], advancing past them.
bool Digits(std::string_view s, size_t* i, size_t n, int64_t* out) {
  if (*i + n > s.size()) return false;
  *out = 0;
  for (size_t k = 0; k < n; ++k) {
    const char c = s[*i + k];
    if (c < '0' || c > '9') return false;
    *out = *out * 10 + (c - '0');
  }
  *i += n;
  return true;
}

}  // namespace

std::optional<S3Error> ParseError(std::string_view body) {
  if (body.empty()) return std::nullopt;
  pugi::xml_document doc;
  if (!doc.load_buffer(body.data(), body.size())) return std::nullopt;
  pugi::xml_node root = doc.document_element();
  if (std::strcmp(root.name(), "Error") != 0) return std::nullopt;
  return S3Error{Text(root, "Code"), Text(root, "Message"), Text(root, "Resource"),
                 Text(root, "RequestId")};
}

Result<ListObjectsV2Result> ParseListObjectsV2(std::string_view body) {
  pugi::xml_document doc;
  LP_ASSIGN_OR_RETURN(pugi::xml_node root, ParseRoot(doc, body, "ListBucketResult"));
  const bool url = Text(root, "EncodingType") == "url";
  auto decode = [url](std::string s) { return url ? UriDecode(s, true) : s; };
  ListObjectsV2Result out;
  for (pugi::xml_node c : root.children("Contents")) {
    ListedObject o;
    o.key = decode(Text(c, "Key"));
    o.size = c.child("Size").text().as_llong(-1);
    if (o.key.empty() || o.size < 0) {
      return Status::InvalidData("ListBucketResult: <Contents> without <Key> or <Size>");
    }
    o.etag = StripQuotes(Text(c, "ETag"));
    o.mtime_ns = ParseIso8601(Text(c, "LastModified"));
    out.objects.push_back(std::move(o));
  }
  for (pugi::xml_node p : root.children("CommonPrefixes")) {
    out.common_prefixes.push_back(decode(Text(p, "Prefix")));
  }
  out.is_truncated = Text(root, "IsTruncated") == "true";
  out.next_continuation_token = Text(root, "NextContinuationToken");
  if (out.is_truncated && out.next_continuation_token.empty()) {
    return Status::InvalidData("ListBucketResult: truncated but no <NextContinuationToken>");
  }
  return out;
}

Result<std::string> ParseInitiateMultipartUpload(std::string_view body) {
  pugi::xml_document doc;
  LP_ASSIGN_OR_RETURN(pugi::xml_node root, ParseRoot(doc, body, "InitiateMultipartUploadResult"));
  std::string id = Text(root, "UploadId");
  if (id.empty()) return Status::InvalidData("InitiateMultipartUploadResult without <UploadId>");
  return id;
}

Result<std::string> ParseCompleteMultipartUpload(std::string_view body) {
  pugi::xml_document doc;
  LP_ASSIGN_OR_RETURN(pugi::xml_node root, ParseRoot(doc, body, "CompleteMultipartUploadResult"));
  return StripQuotes(Text(root, "ETag"));
}

Result<CopyObjectResult> ParseCopyObjectResult(std::string_view body) {
  pugi::xml_document doc;
  LP_ASSIGN_OR_RETURN(pugi::xml_node root, ParseRoot(doc, body, "CopyObjectResult"));
  return CopyObjectResult{StripQuotes(Text(root, "ETag")),
                          ParseIso8601(Text(root, "LastModified"))};
}

Result<CopyObjectResult> ParseCopyPartResult(std::string_view body) {
  pugi::xml_document doc;
  LP_ASSIGN_OR_RETURN(pugi::xml_node root, ParseRoot(doc, body, "CopyPartResult"));
  return CopyObjectResult{StripQuotes(Text(root, "ETag")),
                          ParseIso8601(Text(root, "LastModified"))};
}

Result<std::vector<DeleteError>> ParseDeleteResult(std::string_view body) {
  pugi::xml_document doc;
  LP_ASSIGN_OR_RETURN(pugi::xml_node root, ParseRoot(doc, body, "DeleteResult"));
  std::vector<DeleteError> errors;
  for (pugi::xml_node e : root.children("Error")) {
    errors.push_back({Text(e, "Key"), Text(e, "Code"), Text(e, "Message")});
  }
  return errors;
}

Result<std::vector<MultipartUpload>> ParseListMultipartUploads(std::string_view body) {
  pugi::xml_document doc;
  LP_ASSIGN_OR_RETURN(pugi::xml_node root, ParseRoot(doc, body, "ListMultipartUploadsResult"));
  const bool url = Text(root, "EncodingType") == "url";
  std::vector<MultipartUpload> uploads;
  for (pugi::xml_node u : root.children("Upload")) {
    std::string key = Text(u, "Key");
    uploads.push_back({url ? UriDecode(key, true) : key, Text(u, "UploadId")});
  }
  return uploads;
}

std::string BuildCompleteMultipartUpload(const std::vector<CompletedPart>& parts) {
  std::string out = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";
  for (const auto& p : parts) {
    out += "<Part><PartNumber>" + std::to_string(p.part_number) + "</PartNumber><ETag>\"";
    EscapeInto(out, p.etag);
    out += "\"</ETag></Part>";
  }
  out += "</CompleteMultipartUpload>";
  return out;
}

std::string BuildDelete(const std::vector<std::string>& keys) {
  std::string out = "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Quiet>true</Quiet>";
  for (const auto& k : keys) {
    out += "<Object><Key>";
    EscapeInto(out, k);
    out += "</Key></Object>";
  }
  out += "</Delete>";
  return out;
}

int64_t ParseIso8601(std::string_view s) {
  // YYYY-MM-DD'T'HH:MM:SS[.fraction][Z | ±HH:MM], each field its exact width.
  size_t i = 0;
  int64_t y, mo, d, h, mi, sec;
  auto sep = [&](char a, char b) {
    if (i >= s.size() || (s[i] != a && s[i] != b)) return false;
    ++i;
    return true;
  };
  if (!Digits(s, &i, 4, &y) || !sep('-', '-') || !Digits(s, &i, 2, &mo) || !sep('-', '-') ||
      !Digits(s, &i, 2, &d) || !sep('T', 't') || !Digits(s, &i, 2, &h) || !sep(':', ':') ||
      !Digits(s, &i, 2, &mi) || !sep(':', ':') || !Digits(s, &i, 2, &sec)) {
    return 0;
  }
  int64_t frac_ns = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    int64_t scale = 100000000;
    const size_t start = i;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
      frac_ns += (s[i] - '0') * scale;  // digits past nanoseconds are dropped
      scale /= 10;
    }
    if (i == start) return 0;
  }
  int64_t offset_min = 0;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    ++i;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    const int64_t sign = s[i++] == '-' ? -1 : 1;
    int64_t oh, om;
    if (!Digits(s, &i, 2, &oh) || !sep(':', ':') || !Digits(s, &i, 2, &om) || oh > 23 || om > 59) {
      return 0;
    }
    offset_min = sign * (oh * 60 + om);
  }
  if (i != s.size()) return 0;
  int64_t ns = UtcNanos(y, static_cast<int>(mo), static_cast<int>(d), static_cast<int>(h),
                        static_cast<int>(mi), static_cast<int>(sec), frac_ns);
  if (ns == 0 || ns == INT64_MIN || ns == INT64_MAX || offset_min == 0) return ns;
  // Local time minus its offset is UTC; saturate as UtcNanos does.
  const int64_t shift = offset_min * 60 * 1000000000;
  if (shift > 0 && ns < INT64_MIN + shift) return INT64_MIN;
  if (shift < 0 && ns > INT64_MAX + shift) return INT64_MAX;
  return ns - shift;
}

int64_t ParseHttpDate(std::string_view s) {
  std::tm tm{};
  std::string str(s);
  const char* end = strptime(str.c_str(), "%a, %d %b %Y %H:%M:%S", &tm);
  if (!end) return 0;
  return UtcNanos(int64_t{tm.tm_year} + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                  tm.tm_sec, 0);
}

std::string StripQuotes(std::string_view etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
    etag = etag.substr(1, etag.size() - 2);
  }
  return std::string(etag);
}

}  // namespace lakepack::s3
