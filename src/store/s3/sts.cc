#include "store/s3/sts.h"

#include <pugixml.hpp>
#include <thread>

#include "store/s3/crypto.h"
#include "store/s3/endpoint.h"
#include "store/s3/sigv4.h"
#include "store/s3/xml.h"

namespace lakepack::s3 {
namespace {

// The STS API version every call names.
constexpr const char* kStsVersion = "2011-06-15";
// The first retry's delay; doubled for the next one.
constexpr std::chrono::milliseconds kStsBackoff{200};

std::string Form(const HeaderList& fields) {
  std::string out;
  for (const auto& [k, v] : fields) {
    if (!out.empty()) out += '&';
    out += UriEncode(k, true) + "=" + UriEncode(v, true);
  }
  return out;
}

std::string SessionName(const AssumeRoleParams& p) {
  if (!p.session_name.empty()) return p.session_name;
  return "lakepack-" + std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count());
}

// The code and message of an STS error answer: <ErrorResponse><Error>... (AWS) or <Error>...
// (radosgw).
std::string StsErrorDetail(const HttpResponse& resp) {
  pugi::xml_document doc;
  std::string detail = "HTTP " + std::to_string(resp.status);
  if (!doc.load_buffer(resp.body.data(), resp.body.size())) return detail;
  pugi::xml_node err = doc.document_element();
  if (std::string_view(err.name()) == "ErrorResponse") err = err.child("Error");
  const std::string code = err.child("Code").text().as_string();
  const std::string message = err.child("Message").text().as_string();
  if (!code.empty()) detail = code + " (" + detail + ")";
  if (!message.empty()) detail += ": " + message;
  return detail;
}

// POSTs `fields` to the STS endpoint, signed with `creds` when given; returns the 200 body.
Result<std::string> CallSts(StsEndpoint& sts, const HeaderList& fields, const AwsCredentials* creds,
                            const std::string& what) {
  if (!sts.transport) {
    LP_ASSIGN_OR_RETURN(auto curl, CurlTransport::Make(sts.curl));
    sts.transport = std::move(curl);
  }
  LP_RETURN_NOT_OK(ValidateEndpointUrl(sts.url, "STS endpoint URL"));
  const EndpointParts parts = SplitEndpoint(sts.url);
  const std::string body = Form(fields);
  const std::string path = parts.base_path.empty() ? "/" : parts.base_path + "/";
  const std::string where = what + " at " + RedactUrl(sts.url);
  std::string last;
  for (int attempt = 1;; ++attempt) {
    HttpRequest http;
    http.method = "POST";
    http.url = parts.origin + path;
    http.body = body;
    http.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"}};
    if (creds != nullptr) {
      SignableRequest sr{"POST", parts.host, path, {}, http.headers, Sha256Hex(body)};
      SignedHeaders signed_headers =
          SignV4(sr, *creds, sts.region, std::chrono::system_clock::now(), "sts");
      for (auto& h : signed_headers.headers) http.headers.push_back(std::move(h));
    }
    LP_ASSIGN_OR_RETURN(HttpResponse resp, sts.transport->Send(http));
    bool transient;
    if (resp.status == 0) {
      if (resp.failure == TransportFailure::kTls) {
        return Status::IOError("TLS failure with " + where + " (" + resp.error +
                               "), not retried (" + kTlsHint + ")");
      }
      last = resp.error;
      transient = resp.failure != TransportFailure::kResolve;
    } else if (resp.status == 200) {
      return std::move(resp.body);
    } else {
      last = StsErrorDetail(resp);
      if (resp.status == 403 || resp.status == 401 ||
          last.find("AccessDenied") != std::string::npos) {
        return Status::PermissionDenied(where + " was refused: " + last);
      }
      transient = resp.status >= 500 || last.find("Throttling") != std::string::npos;
      if (!transient) return Status::InvalidArgument(where + " failed: " + last);
    }
    if (!transient || attempt >= kStsAttempts) {
      return Status::Unavailable(where + " failed after " + std::to_string(attempt) +
                                 " attempt(s): " + last);
    }
    std::this_thread::sleep_for(kStsBackoff * (1 << (attempt - 1)));
  }
}

void AddCommon(const AssumeRoleParams& p, HeaderList* fields) {
  fields->emplace_back("RoleArn", p.role_arn);
  fields->emplace_back("RoleSessionName", SessionName(p));
  if (p.duration_seconds > 0) {
    fields->emplace_back("DurationSeconds", std::to_string(p.duration_seconds));
  }
  fields->emplace_back("Version", kStsVersion);
}

}  // namespace

Result<TemporaryCredentials> ParseStsCredentials(std::string_view xml, const std::string& what) {
  pugi::xml_document doc;
  if (!doc.load_buffer(xml.data(), xml.size())) {
    return Status::InvalidData(what + ": the answer is not XML");
  }
  // <XResponse><XResult><Credentials>...
  pugi::xml_node c = doc.document_element().first_child().child("Credentials");
  TemporaryCredentials out;
  out.credentials.access_key_id = c.child("AccessKeyId").text().as_string();
  out.credentials.secret_access_key = c.child("SecretAccessKey").text().as_string();
  out.credentials.session_token = c.child("SessionToken").text().as_string();
  const std::string expiration = c.child("Expiration").text().as_string();
  if (out.credentials.access_key_id.empty() || out.credentials.secret_access_key.empty() ||
      out.credentials.session_token.empty()) {
    return Status::InvalidData(what +
                               ": the answer has no <Credentials> with AccessKeyId, "
                               "SecretAccessKey and SessionToken");
  }
  const int64_t ns = ParseIso8601(expiration);
  if (ns == 0) return Status::InvalidData(what + ": bad <Expiration> '" + expiration + "'");
  out.expiration = std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::nanoseconds(ns)));
  return out;
}

std::string AssumeRoleCredentialsProvider::Describe() const {
  return "role " + params_.role_arn + " (" + describe_ + ", assumed with credentials from " +
         source_->Describe() + ")";
}

Result<TemporaryCredentials> AssumeRoleCredentialsProvider::Fetch() {
  LP_ASSIGN_OR_RETURN(AwsCredentials source, source_->Get());
  HeaderList fields = {{"Action", "AssumeRole"}};
  AddCommon(params_, &fields);
  if (!params_.external_id.empty()) fields.emplace_back("ExternalId", params_.external_id);
  const std::string what = "STS AssumeRole of " + params_.role_arn + " (" + describe_ + ")";
  LP_ASSIGN_OR_RETURN(std::string body, CallSts(sts_, fields, &source, what));
  return ParseStsCredentials(body, what);
}

std::string WebIdentityCredentialsProvider::Describe() const {
  return "role " + params_.role_arn + " (" + describe_ + ", web identity token " + token_file_ +
         ")";
}

Result<TemporaryCredentials> WebIdentityCredentialsProvider::Fetch() {
  const std::string what =
      "STS AssumeRoleWithWebIdentity of " + params_.role_arn + " (" + describe_ + ")";
  std::string token;
  {
    FILE* f = std::fopen(token_file_.c_str(), "rb");
    if (!f) {
      return Status::PermissionDenied(what + ": cannot read the web identity token file " +
                                      token_file_);
    }
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) token.append(buf, n);
    std::fclose(f);
  }
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' ')) {
    token.pop_back();
  }
  if (token.empty()) {
    return Status::PermissionDenied(what + ": the web identity token file " + token_file_ +
                                    " is empty");
  }
  HeaderList fields = {{"Action", "AssumeRoleWithWebIdentity"}};
  AddCommon(params_, &fields);
  fields.emplace_back("WebIdentityToken", token);
  LP_ASSIGN_OR_RETURN(std::string body, CallSts(sts_, fields, nullptr, what));
  return ParseStsCredentials(body, what);
}

}  // namespace lakepack::s3
