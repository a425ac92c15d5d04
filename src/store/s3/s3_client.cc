#include "store/s3/s3_client.h"

#include <charconv>
#include <cstdlib>
#include <thread>

#include "store/s3/crypto.h"
#include "store/s3/endpoint.h"
#include "store/s3/xml.h"

namespace lakepack::s3 {
namespace {

// First backoff step and its ceiling: short enough for a local server's hiccup, long enough to
// give a throttling server (SlowDown) room.
constexpr std::chrono::milliseconds kBackoffBase{50};
constexpr std::chrono::milliseconds kBackoffCap{4000};

bool IsRetryableCode(const std::string& code) {
  return code == "SlowDown" || code == "RequestTimeout" || code == "InternalError" ||
         code == "ServiceUnavailable" || code == "RequestTimeTooSkewed" ||
         code == "ConditionalRequestConflict" || code == "OperationAborted";
}

bool IsRetryableStatus(int status) {
  return status == 500 || status == 502 || status == 503 || status == 504;
}

const char* FailureName(TransportFailure f) {
  switch (f) {
    case TransportFailure::kConnect:
      return "cannot connect";
    case TransportFailure::kResolve:
      return "cannot resolve host";
    case TransportFailure::kTimeout:
      return "timed out";
    case TransportFailure::kReset:
      return "connection reset";
    case TransportFailure::kTls:
      return "TLS failure";
    default:
      return "transport error";
  }
}

}  // namespace

std::chrono::milliseconds BackoffDelay(int retry, std::mt19937_64& rng) {
  int64_t ceiling = kBackoffBase.count() << std::min(retry, 20);
  ceiling = std::min<int64_t>(ceiling, kBackoffCap.count());
  std::uniform_int_distribution<int64_t> u(0, ceiling);
  return std::chrono::milliseconds(u(rng));
}

Result<std::unique_ptr<S3Client>> S3Client::Make(const std::string& bucket,
                                                 const StoreOptions& options,
                                                 std::shared_ptr<HttpTransport> transport,
                                                 double fault_rate) {
  std::unique_ptr<S3Client> c(new S3Client());
  c->bucket_ = bucket;
  LP_ASSIGN_OR_RETURN(c->config_, ResolveS3Config(options));
  c->max_retries_ = std::max(0, options.max_retries);
  if (c->config_.endpoint_url.empty()) {
    // AWS itself: virtual-hosted style.
    c->host_ = bucket + ".s3." + c->config_.region + ".amazonaws.com";
    c->endpoint_ = "https://" + c->host_;
    c->origin_ = c->endpoint_;
    c->https_ = true;
  } else {
    const EndpointParts parts = SplitEndpoint(c->config_.endpoint_url);
    c->host_ = parts.host;
    c->origin_ = parts.origin;
    c->https_ = parts.https;
    c->endpoint_ = c->config_.endpoint_url;
    c->path_prefix_ = parts.base_path + "/" + UriEncode(bucket, true);
  }
  if (!transport) {
    CurlOptions curl_options;
    curl_options.ca_bundle = c->config_.ca_bundle;
    LP_ASSIGN_OR_RETURN(auto curl, CurlTransport::Make(curl_options));
    transport = std::move(curl);
    double rate = fault_rate;
    if (const char* env = std::getenv("LAKEPACK_FAULT_RATE"); env && rate <= 0) {
      rate = std::atof(env);
    }
    if (rate > 0) {
      std::random_device rd;
      transport = std::make_shared<FaultInjectingTransport>(std::move(transport),
                                                            std::min(rate, 1.0), rd());
    }
  }
  c->transport_ = std::move(transport);
  c->rng_.seed(std::random_device{}());
  return c;
}

StoreStats S3Client::stats() const {
  return {requests_.load(std::memory_order_relaxed), retries_.load(std::memory_order_relaxed),
          bytes_sent_.load(std::memory_order_relaxed),
          bytes_received_.load(std::memory_order_relaxed)};
}

std::string S3Client::Uri(std::string_view key) const {
  return "s3://" + bucket_ + (key.empty() ? "" : "/" + std::string(key));
}

Status S3Client::MapError(const S3Request& request, const HttpResponse& resp,
                          const std::string& code, const std::string& message) const {
  const std::string what = request.describe.empty() ? Uri(request.key) : request.describe;
  std::string detail = code.empty() ? "HTTP " + std::to_string(resp.status)
                                    : code + " (HTTP " + std::to_string(resp.status) + ")";
  if (!message.empty()) detail += ": " + message;
  const std::string context = request.method + " " + what;
  if (code == "NoSuchBucket") {
    return Status::NotFound("bucket '" + bucket_ + "' does not exist at " + endpoint_ + " (" +
                            context + ")");
  }
  if (code == "NoSuchKey" || (resp.status == 404 && code.empty())) {
    return Status::NotFound(what + " does not exist");
  }
  if (code == "NoSuchUpload") {
    return Status::NotFound("multipart upload of " + what + " no longer exists (" + detail + ")");
  }
  if (resp.status == 403 || code == "AccessDenied" || code == "SignatureDoesNotMatch" ||
      code == "InvalidAccessKeyId") {
    std::string hint = code == "SignatureDoesNotMatch"
                           ? "the secret key is wrong for this access key"
                       : code == "InvalidAccessKeyId" ? "the server does not know this access key"
                                                      : "the credentials lack permission";
    return Status::PermissionDenied(context + ": " + detail + " (hint: " + hint +
                                    "; credentials from " + config_.credentials->Describe() +
                                    ", endpoint " + endpoint_ + ")");
  }
  if (resp.status == 412 || code == "PreconditionFailed") {
    return Status::AlreadyExists(what + " already exists (" + detail + ")");
  }
  if (resp.status == 404) return Status::NotFound(context + ": " + detail);
  if (resp.status == 501 || code == "NotImplemented") {
    return Status::NotImplemented(context + ": the server does not support this: " + detail);
  }
  if (resp.status >= 500) return Status::Unavailable(context + ": " + detail);
  if (resp.status >= 400) return Status::InvalidArgument(context + ": " + detail);
  return Status::IOError(context + ": unexpected answer " + detail);
}

Result<HttpResponse> S3Client::Call(const S3Request& request, CallInfo* info_out) {
  CallInfo local_info;
  CallInfo& info = info_out ? *info_out : local_info;
  info = CallInfo{};
  // Over TLS a body is sent unsigned, as the AWS SDKs do: TLS already protects it in transit, and
  // the SHA-256 pass over every uploaded byte is saved (PUTs still carry Content-MD5, which the
  // server checks).  Over plain HTTP the signature covers the body.
  const std::string payload_hash = !request.body_sha256.empty()      ? request.body_sha256
                                   : https_ && !request.body.empty() ? kUnsignedPayload
                                                                     : Sha256Hex(request.body);
  const std::string path =
      path_prefix_ + (request.key.empty() ? (path_prefix_.empty() ? "/" : "")
                                          : "/" + UriEncode(request.key, false));
  const std::string query = CanonicalQueryString(request.query);
  HttpRequest http;
  http.method = request.method;
  http.url = origin_ + path;
  if (!query.empty()) http.url += "?" + query;
  http.body = request.body;
  http.partial_sink = request.partial_sink;
  http.partial_sink_capacity = request.partial_sink_capacity;

  const auto start = std::chrono::steady_clock::now();
  int connect_failures = 0, timeouts = 0;
  std::string last_problem;
  for (int attempt = 0;; ++attempt) {
    LP_ASSIGN_OR_RETURN(AwsCredentials creds, config_.credentials->Get());
    SignableRequest sr{request.method, host_, path, request.query, request.headers, payload_hash};
    SignedHeaders signed_headers =
        SignV4(sr, creds, config_.region, std::chrono::system_clock::now());
    http.headers = request.headers;
    for (auto& h : signed_headers.headers) http.headers.push_back(std::move(h));
    info.attempts = attempt + 1;
    LP_ASSIGN_OR_RETURN(HttpResponse resp, transport_->Send(http));
    requests_.fetch_add(1, std::memory_order_relaxed);
    if (attempt > 0) retries_.fetch_add(1, std::memory_order_relaxed);
    bytes_sent_.fetch_add(static_cast<int64_t>(http.body.size()), std::memory_order_relaxed);
    bytes_received_.fetch_add(static_cast<int64_t>(resp.body.size() + resp.sink_bytes),
                              std::memory_order_relaxed);

    bool retry = false;
    std::string code, message;
    if (resp.status == 0) {
      last_problem = std::string(FailureName(resp.failure)) + ": " + resp.error;
      if (resp.failure == TransportFailure::kTls) {
        return Status::IOError("TLS failure with S3 endpoint " + endpoint_ + " (" + resp.error +
                               ") for " + request.method + " " + Uri(request.key) +
                               ", not retried (" + kTlsHint + ")");
      }
      if (resp.failure == TransportFailure::kResolve) {
        return Status::Unavailable("cannot reach S3 endpoint " + endpoint_ + " (" + last_problem +
                                   ") for " + request.method + " " + Uri(request.key));
      }
      if (resp.failure == TransportFailure::kConnect) {
        if (++connect_failures > kMaxConnectRetries) {
          return Status::Unavailable("cannot connect to S3 endpoint " + endpoint_ + " (" +
                                     last_problem + ") after " + std::to_string(info.attempts) +
                                     " attempts, for " + request.method + " " + Uri(request.key));
        }
      } else {
        info.maybe_applied = true;  // the server may have acted before the connection broke
        if (resp.failure == TransportFailure::kTimeout) ++timeouts;
      }
      retry = true;
    } else {
      info.http_status = resp.status;
      bool ok = (resp.status >= 200 && resp.status < 300) || resp.status == 304;
      std::optional<S3Error> err;
      if (!ok || request.error_in_ok_body) err = ParseError(resp.body);
      if (ok && !err) return resp;
      if (err) {
        code = err->code;
        message = err->message;
      }
      info.error_code = code;
      retry = IsRetryableStatus(resp.status) || IsRetryableCode(code);
      if (!retry) return MapError(request, resp, code, message);
      if (resp.status != 503) info.maybe_applied = true;
      last_problem = (code.empty() ? "" : code + " ") + "HTTP " + std::to_string(resp.status);
    }
    // Retry, unless out of attempts or time.
    std::chrono::milliseconds delay;
    {
      std::lock_guard<std::mutex> lock(rng_mu_);
      delay = BackoffDelay(attempt, rng_);
    }
    auto elapsed = std::chrono::steady_clock::now() - start;
    const bool stalled = resp.status == 0 && resp.failure == TransportFailure::kTimeout &&
                         timeouts <= kMinTimeoutRetries;
    if (attempt >= max_retries_ || (elapsed + delay > max_retry_time_ && !stalled)) {
      return Status::Unavailable(request.method + " " + Uri(request.key) + " failed after " +
                                 std::to_string(info.attempts) + " attempts (last: " +
                                 last_problem + ", endpoint " + endpoint_ + ")");
    }
    std::this_thread::sleep_for(delay);
  }
}

Result<ObjectInfo> S3Client::HeadObject(const std::string& key) {
  S3Request req;
  req.method = "HEAD";
  req.key = key;
  LP_ASSIGN_OR_RETURN(HttpResponse resp, Call(req));
  ObjectInfo info;
  info.key = key;
  const std::string len = resp.Header("content-length");
  if (!len.empty()) {
    auto [end, ec] = std::from_chars(len.data(), len.data() + len.size(), info.size);
    if (ec != std::errc() || end != len.data() + len.size() || info.size < 0) {
      return Status::IOError("HEAD " + Uri(key) + ": bad Content-Length '" + len + "'");
    }
  }
  info.etag = StripQuotes(resp.Header("etag"));
  info.mtime_ns = ParseHttpDate(resp.Header("last-modified"));
  return info;
}

Result<ObjectInfo> S3Client::PutObject(const std::string& key, std::string_view data,
                                       const PutOptions& options) {
  S3Request req;
  req.method = "PUT";
  req.key = key;
  req.body = data;
  const std::string md5 = Md5(data);
  req.headers.emplace_back("Content-MD5", Base64Encode(md5));
  if (!options.content_type.empty()) req.headers.emplace_back("Content-Type", options.content_type);
  if (options.if_absent) req.headers.emplace_back("If-None-Match", "*");
  CallInfo info;
  auto resp = Call(req, &info);
  ObjectInfo out;
  out.key = key;
  out.size = static_cast<int64_t>(data.size());
  if (!resp.ok()) {
    if (!(options.if_absent && resp.status().IsAlreadyExists() && info.maybe_applied)) {
      return resp.status();
    }
    // A first attempt may have created the object and lost its answer: if the object there now
    // is byte-for-byte ours (same MD5 and size), that create was ours.
    LP_ASSIGN_OR_RETURN(ObjectInfo now, HeadObject(key));
    if (now.etag != HexEncode(md5) || now.size != out.size) return resp.status();
    return now;
  }
  out.etag = StripQuotes(resp->Header("etag"));
  if (out.etag.empty()) out.etag = HexEncode(md5);
  out.mtime_ns = ParseHttpDate(resp->Header("date"));
  return out;
}

}  // namespace lakepack::s3
