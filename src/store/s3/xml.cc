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

int64_t FromTm(std::tm& tm, int64_t frac_ns) {
  time_t secs = timegm(&tm);
  if (secs == static_cast<time_t>(-1)) return 0;
  // Nanoseconds since 1970 overflow int64 in 2262: later dates saturate.
  if (secs >= INT64_MAX / 1000000000LL) return INT64_MAX;
  return static_cast<int64_t>(secs) * 1000000000LL + frac_ns;
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
  std::tm tm{};
  int y, mo, d, h, mi;
  double sec;
  std::string str(s);
  if (std::sscanf(str.c_str(), "%d-%d-%dT%d:%d:%lfZ", &y, &mo, &d, &h, &mi, &sec) != 6) return 0;
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = static_cast<int>(sec);
  return FromTm(tm, static_cast<int64_t>((sec - tm.tm_sec) * 1e9 + 0.5));
}

int64_t ParseHttpDate(std::string_view s) {
  std::tm tm{};
  std::string str(s);
  const char* end = strptime(str.c_str(), "%a, %d %b %Y %H:%M:%S", &tm);
  if (!end) return 0;
  return FromTm(tm, 0);
}

std::string StripQuotes(std::string_view etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
    etag = etag.substr(1, etag.size() - 2);
  }
  return std::string(etag);
}

}  // namespace lakepack::s3
